"""`trialscope run --ray`: the shards of a run as Ray tasks, merged on the driver.

Ray (an existing distributed engine, the optional extra `trialscope[ray]`) places one shard per
task on the cluster's workers (`num_cpus=1` each; by default as many shards as the cluster has
CPUs). Each task runs `trialscope run --shard I/N` in its worker with the driver's options and a
common run id, and sends back its run folders' files. A task whose worker dies is retried by Ray
on another worker; it continues the shard's run folder (same run id), so finished samples are
not asked again. The workers' progress lines reach the driver's stderr (when this call starts
Ray); the driver logs each shard as it finishes and, every 10 s, which are still running; it
writes the files it got back (a no-op on a shared file system) and merges the shards into one run
folder per task and model.

What crosses the network: the options and settings (API keys included: the workers call the
models) to each worker, the shard's run-folder files back. Nothing else is shared, except the
response cache when workers share a file system.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from trialscope.engine.run_folder import new_run_id
from trialscope.engine.run_merge import MergedRun, merge_shard_runs
from trialscope.engine.runner import RunError, RunOptions, run_benchmark
from trialscope.engine.shards import Shard
from trialscope.errors import UserError
from trialscope.settings import load_settings

log = logging.getLogger(__name__)

INSTALL_HINT = "--ray needs Ray: pip install 'trialscope[ray]'"
TASK_RETRIES = 3
"""Times Ray reruns a shard whose worker died (Ray's own task retries)."""
HEARTBEAT_S = 10.0
"""The driver says which shards are still running at least this often."""
RUN_FILES = ("manifest.json", "samples.jsonl", "results.json", "metrics.json", "run.log")

ShardHook = Callable[[Shard], None]
"""Called in the worker before a shard runs (tests use it to kill a worker)."""


def import_ray() -> Any:
    """The `ray` module, or a one-line UserError with the install command."""
    try:
        import ray
    except ImportError:
        raise UserError(INSTALL_HINT) from None
    return ray


def run_on_ray(
    tasks: list[str],
    models: list[str],
    options: RunOptions,
    *,
    address: str | None = None,
    shards: int | None = None,
    before_shard: ShardHook | None = None,
) -> list[MergedRun]:
    """Run every shard of `tasks` x `models` as a Ray task, then merge them on the driver."""
    ray = import_ray()
    if not ray.is_initialized():
        # Workers' stderr (each shard's progress lines) is streamed to the driver's.
        ray.init(address=address, logging_level=logging.WARNING, log_to_driver=True)
    count = shards or max(1, int(ray.cluster_resources().get("CPU", 1)))
    settings = options.settings or load_settings()
    output = Path(options.output_path or settings.results_root).resolve()
    base = replace(
        options,
        settings=settings,
        output_path=str(output),
        run_id=options.run_id or new_run_id(),
        live_progress=False,
        shard=None,
    )
    remote = ray.remote(num_cpus=1, max_retries=TASK_RETRIES, retry_exceptions=False)(_run_shard)
    pending = {
        remote.remote(tasks, models, replace(base, shard=Shard(i, count)), before_shard): i
        for i in range(1, count + 1)
    }
    log.info("%d shards of run %s submitted to Ray", count, base.run_id)
    folders: list[Path] = []
    failures: list[str] = []
    while pending:
        ready_now, _ = ray.wait(list(pending), num_returns=1, timeout=HEARTBEAT_S)
        if not ready_now:
            running = ", ".join(f"{i}/{count}" for i in sorted(pending.values()))
            log.info("%d of %d shards finished; running: %s", count - len(pending), count, running)
            continue
        index = pending.pop(ready_now[0])
        ready = ready_now[0]
        try:
            shipped, errors = ray.get(ready)
        except ray.exceptions.RayError as exc:
            failures.append(f"shard {index}/{count}: {_first_line(exc)}")
            log.error("shard %d/%d failed: %s", index, count, _first_line(exc))
            continue
        folders.extend(_write_back(shipped))
        failures.extend(errors)
        log.info("shard %d/%d finished (%d of %d)", index, count, count - len(pending), count)
    if failures:
        raise UserError(
            f"{len(failures)} shard(s) failed, nothing merged: {'; '.join(failures)}; "
            f"rerun with --run-id {base.run_id} to continue them"
        )
    return merge_shard_runs(folders, output)


def _run_shard(
    tasks: list[str], models: list[str], options: RunOptions, before_shard: ShardHook | None
) -> tuple[dict[str, dict[str, bytes]], list[str]]:
    """In the worker: run one shard; its run folders' files by folder, and any failures."""
    assert options.shard is not None
    if before_shard is not None:
        before_shard(options.shard)
    errors: list[str] = []
    try:
        summaries = run_benchmark(tasks, models, options)
    except RunError as exc:
        summaries = exc.summaries
        errors.append(f"shard {options.shard.label}: {exc}")
    shipped = {
        str(summary.run_dir): {
            name: (summary.run_dir / name).read_bytes()
            for name in RUN_FILES
            if (summary.run_dir / name).is_file()
        }
        for summary in summaries
    }
    return shipped, errors


def _write_back(shipped: dict[str, dict[str, bytes]]) -> list[Path]:
    """Write a shard's files where the worker wrote them, unless they are there already."""
    folders = []
    for folder_name, files in shipped.items():
        folder = Path(folder_name)
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            path = folder / name
            if not path.is_file() or path.read_bytes() != content:
                path.write_bytes(content)
        folders.append(folder)
    return folders


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[-1] if text else type(exc).__name__
