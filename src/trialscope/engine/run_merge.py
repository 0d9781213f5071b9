"""Merge the shards of a run (`--shard I/N`) into one run folder, exactly as if run unsharded.

Shard run folders are grouped by task and model. Each group must hold shards 1..N of one N, each
finished, all cut from the same samples (the manifest's `shard` entry) with the same data, prompts
and settings; anything else is an error naming the shard. The merged folder holds the results in
the unsharded order (engine/shards.py), its journal, a manifest listing the shards, and metrics
computed by the task's own `aggregate` with the run's seed, so they equal an unsharded run's.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trialscope.engine.journal import result_from_json, result_to_json
from trialscope.engine.manifest import RESUME_KEYS, utc_now
from trialscope.engine.run_folder import new_run_id, runs_root
from trialscope.engine.run_log import in_run_log, run_log_file
from trialscope.engine.shards import Shard, interleave, sample_ids_digest
from trialscope.engine.task_run import RunSettings, RunSummary, _write_outputs
from trialscope.errors import InputError, UserError
from trialscope.tasks.base import SampleResult, Task
from trialscope.tasks.loading import LoadedSplit

MATCH_KEYS = (*(key for key in RESUME_KEYS if key != "shard"), "seed", "data")
"""Manifest entries every shard of one run must share (`data`: the data identity, when recorded,
less the entries that describe the shard's own samples)."""
SHARD_OWN_DATA = ("n_samples", "sample_set_sha256")
"""Entries of the manifest's `data` that describe the samples a run answered: a shard's own."""
SHARD_FACTS = ("count", "assignment", "n_samples_total", "sample_ids_sha256")
"""The parts of a manifest's `shard` entry that name the whole run, equal across its shards."""

TaskFactory = Callable[[str, dict[str, Any]], Task]


@dataclass
class ShardRun:
    """One shard's run folder, as read from disk."""

    folder: Path
    manifest: dict[str, Any]

    @property
    def shard(self) -> Shard:
        record = self.manifest["shard"]
        return Shard(int(record["index"]), int(record["count"]))

    @property
    def name(self) -> str:
        """How errors name this shard: `shard 2/4 (<folder>)`."""
        return f"shard {self.shard.label} ({self.folder})"


@dataclass
class MergedRun:
    """One merged run: its summary and how long the merge took."""

    summary: RunSummary
    shards: list[Path]
    seconds: float


def find_shard_runs(paths: list[Path]) -> list[ShardRun]:
    """Every shard run folder given, or found under a given folder (other runs there are
    skipped; a run folder given by name must be a shard)."""
    found: dict[Path, bool] = {}
    for given in paths:
        if (given / "manifest.json").is_file():
            found[given] = True
        elif given.is_dir():
            for path in sorted(given.rglob("manifest.json")):
                found.setdefault(path.parent, False)
        else:
            raise InputError("no such run folder", path=given)
    runs: list[ShardRun] = []
    for folder, named in found.items():
        manifest = _read_json(folder / "manifest.json")
        if isinstance(manifest.get("shard"), dict):
            runs.append(ShardRun(folder, manifest))
        elif named:
            raise InputError("not a shard of a run (its manifest has no shard)", path=folder)
    if not runs:
        raise UserError(f"no shard run folders found in {', '.join(map(str, paths))}")
    return runs


def merge_shard_runs(
    paths: list[Path], out: Path | None = None, task_factory: TaskFactory | None = None
) -> list[MergedRun]:
    """Merge every (task, model) group of shards found at `paths` into a run folder under `out`.

    `out` is a results root (default: the first shard's); `task_factory(name, options)` builds the
    task whose `aggregate` computes the metrics (default: the task registry).
    """
    return asyncio.run(merge_shard_runs_async(paths, out, task_factory))


async def merge_shard_runs_async(
    paths: list[Path], out: Path | None = None, task_factory: TaskFactory | None = None
) -> list[MergedRun]:
    """`merge_shard_runs` for callers already in an event loop."""
    groups: dict[tuple[str, str], list[ShardRun]] = {}
    for run in find_shard_runs(paths):
        key = (str(run.manifest.get("task")), str(run.manifest.get("model")))
        groups.setdefault(key, []).append(run)
    checked = [_check_group(task, model, runs) for (task, model), runs in sorted(groups.items())]
    merged = []
    for runs in checked:
        started = time.perf_counter()
        root = out if out is not None else runs[0].folder.parents[2]
        summary = await _merge_group(runs, root, task_factory or _registry_task)
        merged.append(MergedRun(summary, [r.folder for r in runs], time.perf_counter() - started))
    return merged


def _check_group(task: str, model: str, runs: list[ShardRun]) -> list[ShardRun]:
    """The shards 1..N of one run in order, or a UserError naming the shard that is wrong."""
    what = f"{task} on {model}"
    first = min(runs, key=lambda run: (run.shard.index, str(run.folder)))
    by_index: dict[int, ShardRun] = {}
    for run in sorted(runs, key=lambda run: (run.shard.index, str(run.folder))):
        if run.shard.count != first.shard.count:
            raise UserError(
                f"{what}: {run.name} is one of {run.shard.count} shards, "
                f"but {first.name} is one of {first.shard.count}"
            )
        if run.shard.index in by_index:
            raise UserError(
                f"{what}: shard {run.shard.label} given twice: "
                f"{by_index[run.shard.index].folder} and {run.folder}"
            )
        by_index[run.shard.index] = run
        for key in SHARD_FACTS:
            if run.manifest["shard"].get(key) != first.manifest["shard"].get(key):
                raise UserError(
                    f"{what}: {run.name} was cut from different samples than {first.name} "
                    f"(shard.{key} differs)"
                )
        for key in MATCH_KEYS:
            mine, theirs = _shared(key, run.manifest), _shared(key, first.manifest)
            if mine != theirs:
                raise UserError(
                    f"{what}: {run.name} differs from {first.name} in "
                    f"{_first_difference(key, theirs, mine)}"
                )
    missing = [i for i in range(1, first.shard.count + 1) if i not in by_index]
    if missing:
        labels = ", ".join(f"{i}/{first.shard.count}" for i in missing)
        raise UserError(f"{what}: shard {labels} missing (have {len(by_index)} of the shards)")
    for run in by_index.values():
        if not run.manifest.get("finished_at") or not (run.folder / "results.json").is_file():
            raise UserError(
                f"{what}: {run.name} has not finished; continue it with "
                f"`trialscope run ... --shard {run.shard.label} --resume`"
            )
    return [by_index[i] for i in range(1, first.shard.count + 1)]


def _shared(key: str, manifest: dict[str, Any]) -> Any:
    """A manifest entry as far as all shards of a run must share it."""
    value = manifest.get(key)
    if key == "data" and isinstance(value, dict):
        return {k: v for k, v in value.items() if k not in SHARD_OWN_DATA}
    return value


def _first_difference(key: str, left: Any, right: Any) -> str:
    """`generation.temperature`-style path of the first entry where two values differ."""
    if isinstance(left, dict) and isinstance(right, dict):
        for sub in sorted(set(left) | set(right), key=str):
            if left.get(sub) != right.get(sub):
                return _first_difference(f"{key}.{sub}", left.get(sub), right.get(sub))
    return key


async def _merge_group(runs: list[ShardRun], root: Path, task_factory: TaskFactory) -> RunSummary:
    first = runs[0]
    manifest = first.manifest
    facts = manifest["shard"]
    parts = [_shard_results(run) for run in runs]
    results = interleave(parts)
    if sample_ids_digest(r.sample_id for r in results) != facts["sample_ids_sha256"]:
        raise UserError(
            f"{manifest['task']} on {manifest['model']}: the shards' results do not cover the "
            "samples they were cut from, in order (a results.json was edited or mixed up)"
        )
    options = manifest.get("options") or {}
    task = task_factory(manifest["task"], (options.get("task_options") or {}))
    folder = _merged_folder(root, manifest["task"], manifest["model"], runs)
    folder.mkdir(parents=True)
    merged_manifest = _merged_manifest(runs, folder.name, [r.sample_id for r in results])
    with (folder / "samples.jsonl").open("w", encoding="utf-8") as journal:
        journal.writelines(result_to_json(result) + "\n" for result in results)
    with run_log_file(folder / "run.log", str(folder)), in_run_log(str(folder)):
        data = LoadedSplit(task, [], skipped=[""] * int(manifest.get("n_skipped_invalid", 0)))
        run = RunSettings(
            output=root,
            seed=int(manifest["seed"]),
            system_prompt=manifest.get("system_prompt"),
            workers=1,
            resume=False,
            run_id=folder.name,
            generation=manifest.get("generation") or {},
            options=options,
            settings=manifest.get("settings") or {},
        )
        priced = all(_shard_metrics(r).get("usage", {}).get("cost_known", True) for r in runs)
        return await _write_outputs(
            data, manifest["model"], run, folder, merged_manifest, results, priced
        )


def _shard_results(run: ShardRun) -> list[SampleResult]:
    document = _read_json(run.folder / "results.json")
    rows = document.get("results")
    if not isinstance(rows, list):
        raise InputError("expected a `results` list", path=run.folder / "results.json")
    total = int(run.manifest["shard"]["n_samples_total"])
    expected = len(run.shard.positions(total))
    if len(rows) != expected:
        raise UserError(
            f"{run.name}: holds {len(rows)} results, expected {expected} "
            f"({run.shard.label} of {total} samples)"
        )
    return [result_from_json(row) for row in rows]


def _shard_metrics(run: ShardRun) -> dict[str, Any]:
    path = run.folder / "metrics.json"
    return _read_json(path) if path.is_file() else {}


def _merged_folder(root: Path, task: str, model: str, runs: list[ShardRun]) -> Path:
    """`<root>/<task>/<model>/<run id>`: the shards' common run id, else a new one."""
    stems = {run.folder.name.removesuffix(run.shard.folder_suffix) for run in runs}
    run_id = stems.pop() if len(stems) == 1 else new_run_id()
    folder = runs_root(root, task, model) / run_id
    if folder.exists():
        raise UserError(f"{folder} exists already (merged before?); remove it or give --out")
    return folder


def _merged_manifest(runs: list[ShardRun], run_id: str, sample_ids: list[str]) -> dict[str, Any]:
    manifest = {k: v for k, v in runs[0].manifest.items() if k not in ("shard", "endpoints")}
    manifest["run_id"] = run_id
    manifest["started_at"] = min(str(r.manifest.get("started_at")) for r in runs)
    manifest["resumed_at"] = []
    manifest["merged_at"] = utc_now()
    data = manifest.get("data")
    if isinstance(data, dict) and "sample_set_sha256" in data:
        # What an unsharded run of these samples records (engine/manifest.py `data_identity`).
        ids = sorted(str(sample_id) for sample_id in sample_ids)
        data = {**data, "n_samples": len(ids)}
        data["sample_set_sha256"] = hashlib.sha256("\n".join(ids).encode("utf-8")).hexdigest()
        manifest["data"] = data
    manifest["merged_from"] = [
        {
            "shard": run.shard.label,
            "run_dir": str(run.folder),
            "started_at": run.manifest.get("started_at"),
            "resumed_at": run.manifest.get("resumed_at", []),
            "finished_at": run.manifest.get("finished_at"),
            "git_revision": run.manifest.get("git_revision"),
            "endpoints": run.manifest.get("endpoints"),
        }
        for run in runs
    ]
    return manifest


def _registry_task(name: str, task_options: Mapping[str, Any]) -> Task:
    from trialscope.tasks.registry import get_task

    return get_task(name, **dict(task_options.get(name) or {}))


def _read_json(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise InputError("file missing", path=path) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"not valid JSON: {exc}", path=path) from None
    if not isinstance(document, dict):
        raise InputError("expected a JSON object", path=path)
    return document
