"""One model's run of one task: run folder, run.log, manifest, journal, results and metrics."""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any, TypeVar

from trialscope.atomic_files import write_json_atomic, write_text_atomic
from trialscope.engine.journal import Journal, result_fields
from trialscope.engine.manifest import (
    build_manifest,
    data_identity,
    prompt_fingerprint,
    resume_conflicts,
    utc_now,
)
from trialscope.engine.progress import ProgressDisplay, RunProgress
from trialscope.engine.run_folder import choose_run_folder
from trialscope.engine.run_log import in_run_log, run_log_file
from trialscope.engine.shards import shard_folder_suffix
from trialscope.engine.solver import Solver
from trialscope.errors import ConfigurationError, InputError
from trialscope.models.endpoint_pool import endpoint_counts
from trialscope.tasks.base import SampleResult
from trialscope.tasks.loading import LoadedSplit

log = logging.getLogger(__name__)

T = TypeVar("T")


@cache
def _run_files_executor() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="trialscope-run-files")


async def in_run_files_thread(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` in the threads that write run folders (manifests, outputs), with the
    caller's context (its run log). Not asyncio's default executor: scorers that wait on I/O
    fill that one, and a task's manifest must not queue behind them."""
    context = contextvars.copy_context()
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_run_files_executor(), partial(context.run, function, *args))


class ResumeError(ConfigurationError):
    """A run folder cannot be continued with different data, prompts or parameters."""


@dataclass
class RunSummary:
    """What one model scored on one task, and where the run folder is."""

    task: str
    model: str
    run_dir: Path
    metrics: dict[str, Any]
    """The task's metrics (`metrics.json` → `metrics`)."""
    headline: list[str]
    n_samples: int
    n_ok: int
    n_parse_errors: int
    n_errors: int
    usage: dict[str, Any]
    undefined_metrics: dict[str, str] = field(default_factory=dict)
    """Metrics the task could not define on this data (null in `metrics`), with the reason."""
    split_size: int | None = None
    """Records in the split; more than `n_samples` for a partial run (`--num-samples`)."""
    error_reasons: list[tuple[str, int]] = field(default_factory=list)
    """The most common failure reasons with their counts, most frequent first."""


@dataclass
class RunSettings:
    """The run-wide choices one task run needs."""

    output: Path
    seed: int
    system_prompt: str | None
    workers: int
    resume: bool
    run_id: str | None
    generation: dict[str, Any]
    options: dict[str, Any]
    settings: dict[str, Any]
    shards: dict[str, dict[str, Any]] = field(default_factory=dict)
    """For one shard of a run (`--shard I/N`): each task's manifest `shard` entry (shards.py)."""
    background_imports: tuple[str, ...] = ()
    """Imported in a background thread once the first task's requests are queued."""


class TaskRun:
    """One model's run of one task while the model's pool works on it: folder, log, journal."""

    def __init__(
        self,
        data: LoadedSplit,
        solver: Solver,
        run: RunSettings,
        folder: Path,
        manifest: dict[str, Any],
        journal: Journal,
        progress: RunProgress,
    ) -> None:
        self.data = data
        self.solver = solver
        self.run = run
        self.folder = folder
        self.log_key = str(folder)
        self.manifest = manifest
        self.journal = journal
        self.progress = progress
        wanted = {sample.sample_id for sample in data.samples}
        self.done = {
            sid: result
            for sid, result in journal.finished.items()
            if sid in wanted and result.status != "error"
        }
        self.pending = [sample for sample in data.samples if sample.sample_id not in self.done]
        self.outstanding = len(self.pending)

    def record(self, result: SampleResult) -> None:
        """Journal one finished sample and count it."""
        self.journal.append(result)
        self.done[result.sample_id] = result
        self.outstanding -= 1
        self.progress.advance(result)

    async def finish(self) -> RunSummary:
        """Close the journal; write results.json, metrics.json and the finished manifest."""
        self.journal.close()
        self.progress.finish()
        results = [self.done[sample.sample_id] for sample in self.data.samples]
        priced = not getattr(self.solver, "unpriced_models", None)
        pool = getattr(getattr(self.solver, "model", None), "endpoints", None)
        if pool is not None:
            self.manifest["endpoints"] = pool.stats()
            with in_run_log(self.log_key):
                log.info("%s endpoints: %s", self.solver.name, pool.summary())
        return await _write_outputs(
            self.data, self.solver.name, self.run, self.folder, self.manifest, results, priced
        )


async def open_task_run(
    data: LoadedSplit,
    solver: Solver,
    run: RunSettings,
    display: ProgressDisplay,
    logs: ExitStack,
) -> TaskRun:
    """Choose and open the run folder (its run.log stays open in `logs`), check the manifest
    against an earlier run, read the journal and get the solver ready for the task."""
    task = data.task
    folder = choose_run_folder(
        run.output,
        task.name,
        solver.name,
        run_id=run.run_id,
        resume=run.resume,
        suffix=shard_folder_suffix(run.shards.get(task.name)),
    )
    folder.mkdir(parents=True, exist_ok=True)
    logs.enter_context(run_log_file(folder / "run.log", str(folder)))
    with in_run_log(str(folder)):
        # Hashing the data files and syncing the manifest wait on the disk: in a thread, so the
        # requests already out (other tasks of this pool) are answered meanwhile.
        manifest = await in_run_files_thread(_open_manifest, data, solver, run, folder)
        journal = Journal(folder / "samples.jsonl")
        progress = display.track(f"{solver.name} · {task.name}", len(data.samples))
        progress.details = partial(endpoint_counts, getattr(solver, "model", None))
        task_run = TaskRun(data, solver, run, folder, manifest, journal, progress)
        log.info(
            "%s on %s: %d samples, %d already finished, run folder %s",
            solver.name,
            task.name,
            len(data.samples),
            len(task_run.done),
            folder,
        )
        for message in data.skipped:
            log.warning("skipped invalid record: %s", message)
        try:
            if task_run.pending:
                await solver.prepare(task, data.train if solver.needs_train_split() else None)
        except BaseException:
            journal.close()
            raise
        progress.start(len(task_run.done))
    return task_run


def _open_manifest(
    data: LoadedSplit, solver: Solver, run: RunSettings, folder: Path
) -> dict[str, Any]:
    started = utc_now()
    manifest = build_manifest(
        task=data.task.name,
        model=solver.name,
        run_id=folder.name,
        seed=run.seed,
        data_files=data.files,
        prompt_hash=prompt_fingerprint(data.task),
        system_prompt=run.system_prompt,
        generation=run.generation,
        options=run.options,
        settings=run.settings,
        started_at=started,
    )
    manifest["n_skipped_invalid"] = len(data.skipped)
    if data.task.name in run.shards:
        manifest["shard"] = run.shards[data.task.name]
    manifest["data"] = data_identity(
        source=run.options.get("data_path"),
        root=data.root,
        split=str(run.options.get("split", "test")),
        data_files=data.files,
        sample_ids=[sample.sample_id for sample in data.samples],
        file_hashes=manifest["dataset_files"],
    )
    path = folder / "manifest.json"
    if path.exists():
        previous = _read_manifest(path)
        conflicts = resume_conflicts(previous, manifest)
        if conflicts:
            raise ResumeError(
                f"{folder}: cannot continue this run, these differ from the earlier run: "
                f"{'; '.join(conflicts)}; start a new run (without --resume/--run-id)"
            )
        manifest["started_at"] = previous.get("started_at", started)
        manifest["resumed_at"] = [*previous.get("resumed_at", []), started]
    write_json_atomic(path, manifest)
    return manifest


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        previous = json.loads(path.read_text("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(
            f"not a readable run manifest ({exc}); restore it, or start a new run "
            "(without --resume/--run-id)",
            path=path,
        ) from exc
    if not isinstance(previous, dict):
        raise InputError(f"expected a JSON object, found {type(previous).__name__}", path=path)
    return previous


async def _write_outputs(
    data: LoadedSplit,
    model: str,
    run: RunSettings,
    folder: Path,
    manifest: dict[str, Any],
    results: list[SampleResult],
    priced: bool,
) -> RunSummary:
    # Metrics and the output files are CPU work: off the event loop, so the pool keeps sending
    # the other tasks' requests meanwhile.
    return await in_run_files_thread(
        _write_outputs_now, data, model, run, folder, manifest, results, priced
    )


def _write_outputs_now(
    data: LoadedSplit,
    model: str,
    run: RunSettings,
    folder: Path,
    manifest: dict[str, Any],
    results: list[SampleResult],
    priced: bool,
) -> RunSummary:
    task = data.task
    aggregated = task.aggregate(results, run.seed)
    usage = _usage(results)
    usage["cost_known"] = priced
    counts = {
        "n_samples": len(results),
        "n_ok": sum(r.status == "ok" for r in results),
        "n_parse_errors": sum(r.status == "parse_error" for r in results),
        "n_errors": sum(r.status == "error" for r in results),
    }
    metrics_doc = {
        "task": task.name,
        "model": model,
        "timestamp": folder.name,
        **counts,
        "n_skipped_invalid": len(data.skipped),
        "metrics": aggregated.get("metrics", {}),
        "confidence_intervals": aggregated.get("confidence_intervals", {}),
        "undefined_metrics": aggregated.get("undefined_metrics", {}),
        "headline": list(aggregated.get("headline", task.headline_metrics)),
        "usage": usage,
    }
    results_head = {
        "task": task.name,
        "model": model,
        "timestamp": folder.name,
        "metrics": metrics_doc["metrics"],
    }
    write_text_atomic(folder / "results.json", results_json(results_head, results))
    write_json_atomic(folder / "metrics.json", metrics_doc)
    manifest["finished_at"] = utc_now()
    write_json_atomic(folder / "manifest.json", manifest)
    log.info("%s on %s: done: %s", model, task.name, json.dumps(counts))
    return RunSummary(
        task=task.name,
        model=model,
        run_dir=folder,
        metrics=metrics_doc["metrics"],
        headline=metrics_doc["headline"],
        usage=usage,
        undefined_metrics=metrics_doc["undefined_metrics"],
        split_size=manifest.get("data", {}).get("split_size"),
        error_reasons=common_errors(results),
        **counts,
    )


def results_json(head: dict[str, Any], results: list[SampleResult]) -> str:
    """`head` plus `"results": [...]` as JSON, one result per line: the same document as
    `json.dumps(..., indent=2, default=str)` gives, but each result goes through the C encoder
    (indented output is pure Python, which took seconds for a few thousand results)."""
    opening = json.dumps(head, indent=2, ensure_ascii=False, default=str)
    rows = ",\n".join(
        "    " + json.dumps(result_fields(result), ensure_ascii=False, default=str)
        for result in results
    )
    return f'{opening.removesuffix(chr(10) + "}")},\n  "results": [\n{rows}\n  ]\n}}\n'


def common_errors(results: list[SampleResult], limit: int = 3) -> list[tuple[str, int]]:
    """The most common reasons samples failed (request errors and unparseable answers)."""
    reasons = Counter(r.error or r.status for r in results if r.status != "ok")
    return reasons.most_common(limit)


def _usage(results: list[SampleResult]) -> dict[str, Any]:
    import numpy as np  # loads during the run (background imports), not before its first request

    latencies = np.array([r.latency_s for r in results if not r.cached], dtype=float)
    return {
        "prompt_tokens": sum(r.prompt_tokens for r in results),
        "completion_tokens": sum(r.completion_tokens for r in results),
        "cost_usd": round(sum(r.cost_usd for r in results), 6),
        "latency_p50_s": float(np.percentile(latencies, 50)) if latencies.size else 0.0,
        "latency_p95_s": float(np.percentile(latencies, 95)) if latencies.size else 0.0,
        "retries": sum(r.retries for r in results),
        "cached": sum(bool(r.cached) for r in results),
    }
