"""One model on one task: run folder, manifest, journal, concurrent workers, metrics."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from trialscope.atomic_files import write_json_atomic
from trialscope.engine.journal import Journal
from trialscope.engine.manifest import build_manifest, prompt_fingerprint, resume_conflicts, utc_now
from trialscope.engine.progress import ProgressDisplay
from trialscope.engine.run_folder import choose_run_folder
from trialscope.engine.run_log import run_log
from trialscope.engine.sample_evaluation import evaluate_sample
from trialscope.engine.shards import shard_folder_suffix
from trialscope.engine.solver import Solver
from trialscope.tasks.base import Sample, SampleResult, Task

log = logging.getLogger(__name__)


class ResumeError(Exception):
    """A run folder cannot be continued with different data, prompts or parameters."""


@dataclass
class TaskData:
    """A task with its loaded test samples (and train split, for baselines)."""

    task: Task
    samples: list[Sample]
    files: list[Path]
    skipped: list[str] = field(default_factory=list)
    train: list[Sample] | None = None
    root: Path | None = None
    """The benchmark root the samples came from (the train split is read from it on demand)."""


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


async def run_task(
    data: TaskData, solver: Solver, run: RunSettings, display: ProgressDisplay
) -> RunSummary:
    """Answer every sample not already in the journal, then write results and metrics."""
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
    with run_log(folder / "run.log", str(folder)):
        return await _run_in_folder(data, solver, run, display, folder)


async def _run_in_folder(
    data: TaskData, solver: Solver, run: RunSettings, display: ProgressDisplay, folder: Path
) -> RunSummary:
    task = data.task
    manifest = _open_manifest(data, solver, run, folder)
    journal = Journal(folder / "samples.jsonl")
    try:
        wanted = {sample.sample_id for sample in data.samples}
        done = {
            sid: result
            for sid, result in journal.finished.items()
            if sid in wanted and result.status != "error"
        }
        pending = [sample for sample in data.samples if sample.sample_id not in done]
        log.info(
            "%s on %s: %d samples, %d already finished, run folder %s",
            solver.name,
            task.name,
            len(data.samples),
            len(done),
            folder,
        )
        for message in data.skipped:
            log.warning("skipped invalid record: %s", message)
        if pending:
            await solver.prepare(task, data.train if solver.needs_train_split() else None)

        progress = display.track(f"{solver.name} · {task.name}", len(data.samples))
        progress.start(len(done))
        if hasattr(solver, "on_retry"):
            solver.on_retry = progress.retry
        queue: asyncio.Queue[Sample] = asyncio.Queue()
        for sample in pending:
            queue.put_nowait(sample)

        async def worker() -> None:
            while True:
                try:
                    sample = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                result = await evaluate_sample(task, sample, solver, run.system_prompt)
                journal.append(result)
                done[result.sample_id] = result
                progress.advance(result)

        await asyncio.gather(*(worker() for _ in range(max(1, min(run.workers, len(pending))))))
        progress.finish()
        pool = getattr(getattr(solver, "model", None), "endpoints", None)
        if pool is not None:
            manifest["endpoints"] = pool.stats()
            log.info("%s endpoints: %s", solver.name, pool.summary())
    finally:
        journal.close()

    results = [done[sample.sample_id] for sample in data.samples]
    priced = not getattr(solver, "unpriced_models", None)
    return await _write_outputs(data, solver.name, run, folder, manifest, results, priced)


def _open_manifest(
    data: TaskData, solver: Solver, run: RunSettings, folder: Path
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
    path = folder / "manifest.json"
    if path.exists():
        previous = json.loads(path.read_text("utf-8"))
        conflicts = resume_conflicts(previous, manifest)
        if conflicts:
            raise ResumeError(
                f"{folder}: cannot continue this run, these differ from the earlier run: "
                f"{', '.join(conflicts)}; start a new run (without --resume/--run-id)"
            )
        manifest["started_at"] = previous.get("started_at", started)
        manifest["resumed_at"] = [*previous.get("resumed_at", []), started]
    write_json_atomic(path, manifest)
    return manifest


async def _write_outputs(
    data: TaskData,
    model: str,
    run: RunSettings,
    folder: Path,
    manifest: dict[str, Any],
    results: list[SampleResult],
    priced: bool,
) -> RunSummary:
    task = data.task
    aggregated = await asyncio.to_thread(task.aggregate, results, run.seed)
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
        "headline": list(aggregated.get("headline", task.headline_metrics)),
        "usage": usage,
    }
    results_doc = {
        "task": task.name,
        "model": model,
        "timestamp": folder.name,
        "metrics": metrics_doc["metrics"],
        "results": [asdict(result) for result in results],
    }
    write_json_atomic(folder / "results.json", results_doc)
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
        **counts,
    )


def _usage(results: list[SampleResult]) -> dict[str, Any]:
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
