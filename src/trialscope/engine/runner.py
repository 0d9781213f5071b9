"""Run tasks x models: resolve names, load data, run every model concurrently, write run folders."""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from trialscope.engine.background_imports import RUN_END_MODULES
from trialscope.engine.cache import ResponseCache
from trialscope.engine.deferred_split import DeferredSplit, SplitSource
from trialscope.engine.manifest import prefetch_git_revision
from trialscope.engine.model_pool import TaskRunsFailed, run_model
from trialscope.engine.progress import ProgressDisplay
from trialscope.engine.retry import RetryPolicy, SeededRandom
from trialscope.engine.shards import Shard, cut_shards
from trialscope.engine.solver import BaselineSolver, ModelSolver, Solver
from trialscope.engine.task_run import RunSettings, RunSummary
from trialscope.errors import ConfigurationError, ExitCode, UserError
from trialscope.models.base import GenerationConfig
from trialscope.models.prices import PriceTable
from trialscope.models.registry import BASELINE_PREFIX, resolve_model, split_model_name
from trialscope.settings import Settings, load_settings
from trialscope.tasks.base import Sample, Task
from trialscope.tasks.loading import LoadedSplit

log = logging.getLogger(__name__)

BASELINE_WORKERS = 2
"""Baselines are CPU-bound Python: more threads than cores only add contention."""

RUN_SWITCH_INTERVAL_S = 0.0005
"""The GIL switch interval during a run (Python's default is 5 ms). Threads that import the
metrics, score, or write a finished task's outputs hold the GIL for a whole interval before the
event loop gets it back after an answer; a short one keeps the loop's wake-ups prompt."""

SAMPLES_PER_CONNECTION = 2
"""Samples a model's pool works on per connection. The connection limit itself is the solver's
semaphore; the spare samples send their requests while others are parsed and scored, so a scorer
that waits (a search index loading, a remote search) never leaves a connection idle."""


@dataclass
class RunOptions:
    """Every flag of `trialscope run`; None means "from settings" where a setting exists."""

    system_prompt: str | None = None
    num_samples: int | None = None
    temperature: float = 0.0
    max_tokens: int = 4096
    reasoning_effort: str = "low"
    data_path: str | None = None
    output_path: str | None = None
    seed: int = 0
    max_connections: int | None = None
    resume: bool = False
    use_cache: bool = True
    timeout_s: float | None = None
    max_retries: int | None = None
    split: str = "test"
    skip_invalid: bool = False
    task_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    run_id: str | None = None
    """Write into `<output>/<task>/<model>/<run_id>/` (continuing it if it exists)."""
    settings: Settings | None = None
    live_progress: bool | None = None
    """Rich progress bars (None: when stderr is a terminal)."""
    retry_base_delay_s: float = 1.0
    shard: Shard | None = None
    """Run only this shard of each task's samples (engine/shards.py)."""
    background_imports: tuple[str, ...] = ()
    """Modules the caller needs after the run (e.g. its summary table), imported in a background
    thread once requests are out, with the metrics' own (engine/background_imports.py)."""


class RunError(Exception):
    """Some model/task runs failed; the others finished and their summaries are attached.

    `exit_code`: when every failure was the user's (a malformed later split, a run folder that
    cannot be resumed), 4 if other runs finished and 2 if none did; otherwise 1 (a bug).
    """

    def __init__(
        self, message: str, summaries: list[RunSummary], exit_code: ExitCode = ExitCode.BUG
    ) -> None:
        super().__init__(message)
        self.summaries = summaries
        self.exit_code = exit_code


def run_benchmark(
    tasks: Sequence[str | LoadedSplit], models: list[str], options: RunOptions
) -> list[RunSummary]:
    """Run every task on every model (models concurrently); one summary per task and model."""
    return asyncio.run(run_benchmark_async(tasks, models, options))


async def run_benchmark_async(
    tasks: Sequence[str | LoadedSplit], models: list[str], options: RunOptions
) -> list[RunSummary]:
    """The async engine behind `run_benchmark`."""
    settings = options.settings or load_settings()
    if not models:
        raise ConfigurationError("no model given (e.g. --model baseline/majority)")
    if len(set(models)) != len(models):
        raise ConfigurationError(f"a model is named twice: {models}")
    revision = prefetch_git_revision()
    given = [item for item in tasks if isinstance(item, LoadedSplit)]
    names = [item for item in tasks if isinstance(item, str)]
    prefixes = [split_model_name(name)[0] for name in models]
    needs_chat = any(prefix != BASELINE_PREFIX for prefix in prefixes)
    # Shards are cut from every task's samples, and baselines fit on train splits first: those
    # runs read every split up front. Chat models start on the first task at once.
    defer = options.shard is None and BASELINE_PREFIX not in prefixes
    shards: dict[str, dict[str, Any]] = {}
    all_data: list[SplitSource]
    if defer:
        all_data = [*given, *_task_sources(names, options, settings)]
    else:
        loaded = [*given, *_load_tasks(names, options, settings)]
        if options.shard is not None:
            loaded, shards = cut_shards(loaded, options.shard)
        all_data = list(loaded)
    cache = ResponseCache(settings.cache_path) if options.use_cache and needs_chat else None
    try:
        solvers = _build_solvers(models, options, settings, cache)
    except BaseException:
        if cache is not None:
            cache.close()
        raise
    if any(solver.needs_train_split() for solver in solvers):
        loaded_data = [item for item in all_data if isinstance(item, LoadedSplit)]
        _load_train_splits(loaded_data, options, settings)
    revision.join()  # the manifests read it (cached)

    run = RunSettings(
        output=Path(options.output_path or settings.results_root),
        seed=options.seed,
        system_prompt=options.system_prompt,
        workers=options.max_connections or settings.max_connections,
        resume=options.resume,
        run_id=options.run_id,
        generation=asdict(_generation_config(options, settings)),
        options={
            "split": options.split,
            "num_samples": options.num_samples,
            "skip_invalid": options.skip_invalid,
            "task_options": options.task_options,
            "data_path": options.data_path or settings.benchmark_root,
        },
        settings=settings.redacted(),
        shards=shards,
        background_imports=(*RUN_END_MODULES, *options.background_imports),
    )
    frozen = _freeze_what_exists()
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(min(switch_interval, RUN_SWITCH_INTERVAL_S))
    try:
        with ProgressDisplay(live=options.live_progress) as display:
            outcomes = await asyncio.gather(
                *(_run_model(solver, all_data, run, display) for solver in solvers),
                return_exceptions=True,
            )
    finally:
        if frozen:
            gc.unfreeze()
        sys.setswitchinterval(switch_interval)
        for solver in solvers:
            await solver.aclose()
        if cache is not None:
            cache.close()

    summaries: list[RunSummary] = []
    failures: list[str] = []
    users_fault = True
    for solver, outcome in zip(solvers, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            if not isinstance(outcome, Exception):
                raise outcome
            errors = outcome.errors if isinstance(outcome, TaskRunsFailed) else [outcome]
            summaries.extend(outcome.summaries if isinstance(outcome, TaskRunsFailed) else [])
            for error in errors:
                if isinstance(error, UserError) and len(solvers) == 1 and not summaries:
                    raise error
                users_fault = users_fault and isinstance(error, UserError)
                message = str(error)
                failures.append(message if solver.name in message else f"{solver.name}: {message}")
        else:
            summaries.extend(outcome)
    if failures:
        code = ExitCode.BUG
        if users_fault:
            code = ExitCode.SOME_FAILED if summaries else ExitCode.USER_ERROR
        raise RunError("; ".join(failures), summaries, code)
    return summaries


async def _run_model(
    solver: Solver, data: list[SplitSource], run: RunSettings, display: ProgressDisplay
) -> list[RunSummary]:
    if isinstance(solver, BaselineSolver):
        workers = BASELINE_WORKERS
    else:
        workers = SAMPLES_PER_CONNECTION * run.workers
    return await run_model(solver, data, replace(run, workers=workers), display)


def _freeze_what_exists() -> bool:
    """Move every object alive before the requests (modules, the loaded splits) out of the
    collector's reach for the run: a full collection walked them all, stalling the event loop
    for ~30 ms while answers waited. False (nothing done) when a caller has frozen objects."""
    if gc.get_freeze_count():
        return False
    gc.freeze()
    return True


def _generation_config(options: RunOptions, settings: Settings) -> GenerationConfig:
    return GenerationConfig(
        temperature=options.temperature,
        max_tokens=options.max_tokens,
        reasoning_effort=options.reasoning_effort,
        seed=options.seed,
        timeout_s=options.timeout_s or settings.timeout_s,
    )


def _build_solvers(
    models: list[str], options: RunOptions, settings: Settings, cache: ResponseCache | None
) -> list[Solver]:
    """Every model resolved before anything runs, so a missing key fails before any request."""
    prefixes = [split_model_name(name)[0] for name in models]
    needs_chat = any(prefix != BASELINE_PREFIX for prefix in prefixes)
    prices = PriceTable.load(settings.prices_path) if needs_chat else PriceTable({})
    policy = RetryPolicy(
        max_retries=options.max_retries
        if options.max_retries is not None
        else settings.max_retries,
        base_delay_s=options.retry_base_delay_s,
    )
    config = _generation_config(options, settings)
    solvers: list[Solver] = []
    for index, (name, prefix) in enumerate(zip(models, prefixes, strict=True)):
        if prefix == BASELINE_PREFIX:
            solvers.append(BaselineSolver(name, _get_baseline(name)))
            continue
        solvers.append(
            ModelSolver(
                resolve_model(name, settings),
                config=config,
                semaphore=asyncio.Semaphore(options.max_connections or settings.max_connections),
                cache=cache,
                retry_policy=policy,
                rng=SeededRandom([options.seed, index]),
                prices=prices,
            )
        )
    return solvers


def _get_baseline(model: str) -> Any:
    from trialscope.baselines.registry import BASELINE_NAMES, get_baseline

    name = model.split("/", 1)[1]
    if name not in BASELINE_NAMES:
        raise ConfigurationError(
            f"unknown baseline {model!r}; valid: "
            + ", ".join(f"{BASELINE_PREFIX}/{n}" for n in BASELINE_NAMES)
        )
    return get_baseline(name)


def _load_tasks(names: list[str], options: RunOptions, settings: Settings) -> list[LoadedSplit]:
    """Every named task with its split read and validated."""
    if not names:
        return []
    from trialscope.tasks.loading import resolve_benchmark_root

    tasks = _named_tasks(names, options)
    root = resolve_benchmark_root(options.data_path or settings.benchmark_root)
    return [_read_split(task, root, options) for task in tasks]


def _task_sources(names: list[str], options: RunOptions, settings: Settings) -> list[SplitSource]:
    """The first named task with its split read; the others' splits read when their turn comes
    (DeferredSplit). Every split file must exist before anything runs."""
    if not names:
        return []
    from trialscope.tasks.loading import resolve_benchmark_root, split_path

    tasks = _named_tasks(names, options)
    root = resolve_benchmark_root(options.data_path or settings.benchmark_root)
    for task in tasks:
        split_path(task, root, options.split)
    first, *later = tasks
    sources: list[SplitSource] = [_read_split(first, root, options)]
    sources.extend(DeferredSplit(task, partial(_read_split, task, root, options)) for task in later)
    return sources


def _named_tasks(names: list[str], options: RunOptions) -> list[Task]:
    from trialscope.tasks.registry import get_task, task_names

    expanded: list[str] = []
    for name in names:
        expanded.extend(task_names() if name == "all" else [name])
    tasks: list[Task] = []
    for name in dict.fromkeys(expanded):
        task = get_task(name, **options.task_options.get(name, {}))
        if task.name != name and task.name in options.task_options:
            task = get_task(name, **options.task_options[task.name])
        tasks.append(task)
    return tasks


def _read_split(task: Task, root: Path, options: RunOptions) -> LoadedSplit:
    from trialscope.tasks.loading import load_samples

    split = load_samples(
        task, root, options.split, limit=options.num_samples, skip_invalid=options.skip_invalid
    )
    split.samples = unique_sample_ids(split.samples)
    return split


def _load_train_splits(data: list[LoadedSplit], options: RunOptions, settings: Settings) -> None:
    for item in data:
        if item.train is not None:
            continue
        if item.root is None:
            item.train = []
            continue
        from trialscope.tasks.loading import load_samples

        item.train = load_samples(
            item.task, item.root, "train", skip_invalid=options.skip_invalid
        ).samples


def unique_sample_ids(samples: list[Sample]) -> list[Sample]:
    """Give repeated sample ids a `#n` suffix so each sample has its own journal entry."""
    seen: dict[str, int] = {}
    for sample in samples:
        count = seen.get(sample.sample_id, 0) + 1
        seen[sample.sample_id] = count
        if count > 1:
            log.warning(
                "sample id %r appears %d times; renamed %s#%d",
                sample.sample_id,
                count,
                sample.sample_id,
                count,
            )
            sample.sample_id = f"{sample.sample_id}#{count}"
    return samples
