"""`build_benchmark`: cut the eight TrialPanorama task sets (and the search corpus) from a store."""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from trialscope.data.builders import completion, sample_size
from trialscope.data.builders.design_qa import DESIGN_KINDS, build_design_qa, release_pools
from trialscope.data.builders.jsonl_output import write_json_rows, write_jsonl
from trialscope.data.builders.options import BuildOptions, BuildReport, TaskCounts
from trialscope.data.builders.reviews import (
    EVIDENCE_FOLDER,
    SCREENING_FOLDER,
    SEARCH_FOLDER,
    evidence_records,
    screening_record,
    search_record,
    split_reviews,
)
from trialscope.data.store_queries import BuilderQueries, PublicationRow, StudyColumns

log = logging.getLogger(__name__)

StepCallback = Callable[[str], None]
Records = list[dict[str, Any]]

TASK_FOLDERS: tuple[str, ...] = (
    SEARCH_FOLDER,
    SCREENING_FOLDER,
    completion.FOLDER,
    *DESIGN_KINDS,
    EVIDENCE_FOLDER,
    sample_size.FOLDER,
)
"""The eight task folders, each declared by the builder module that writes it. The order fixes
each task's random stream, so it only grows at the end."""


def _task_rng(options: BuildOptions, task: str) -> np.random.Generator:
    # Each task draws from its own stream, so changing one task's size leaves the others alone.
    return np.random.default_rng([options.seed, TASK_FOLDERS.index(task)])


# At 1.6M trials (CPU-s, one process): endpoints 41, eligibility criteria 37, arms 18,
# completion 4, sample size 4; the main process also writes the corpus (13) and the review
# tasks (~10). This split leaves each process about 70.
OFFLOADED_TASKS: tuple[str, ...] = (
    completion.FOLDER, *tuple(DESIGN_KINDS)[:2], sample_size.FOLDER,
)  # fmt: skip
"""Built in a second process when the store is opened read-only (in this order)."""


def build_benchmark(
    store: BuilderQueries,
    out_dir: Path,
    options: BuildOptions | None = None,
    on_step: StepCallback | None = None,
    *,
    workers: int | None = None,
) -> BuildReport:
    """Write `<out_dir>/<task>/{train,test}.jsonl` for the eight tasks and the search corpus.

    Same store and options give byte-identical files, whatever `workers` is. `on_step` is told
    each task as it starts (a task built in the second process: when it is done). With more than
    one worker (default: one per CPU) and a read-only store, `OFFLOADED_TASKS` are built by a
    second process reading the same store file.
    """
    options = options or BuildOptions()
    started = time.perf_counter()
    out_dir = Path(out_dir)
    report = BuildReport(out_dir=str(out_dir))

    def step(name: str) -> None:
        log.info("building %s", name)
        if on_step is not None:
            on_step(name)

    store.builder_quiet()
    offload = (workers or os.cpu_count() or 1) > 1 and store.builder_read_only()
    with ExitStack() as stack:
        offloaded: Future[dict[str, TaskCounts]] | None = None
        if offload:
            # spawn: a forked child would share the parent's DuckDB connection state.
            pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
            stack.enter_context(pool)
            offloaded = pool.submit(
                _trial_tasks_elsewhere, store.path, out_dir, options, OFFLOADED_TASKS
            )
        step("study index")
        index = store.builder_study_columns()
        for task in TASK_FOLDERS:
            if task in _TRIAL_BUILDERS and not (offload and task in OFFLOADED_TASKS):
                step(task)
                _build_trial_task(store, index, task, options, out_dir, report)
        release_pools()
        del index
        step("reviews and corpus")
        report.corpus_size = write_json_rows(
            out_dir / SEARCH_FOLDER / "corpus.jsonl",
            ("PMID", "title", "abstract"),
            store.builder_corpus_batches(),
        )
        _build_review_tasks(store, out_dir, options, report, step)
        if offloaded is not None:
            for task, counts in offloaded.result().items():
                step(task)
                report.tasks[task] = counts
    report.tasks = {task: report.tasks[task] for task in TASK_FOLDERS if task in report.tasks}
    report.seconds = time.perf_counter() - started
    return report


def _build_trial_task(
    store: BuilderQueries,
    index: StudyColumns,
    task: str,
    options: BuildOptions,
    out_dir: Path,
    report: BuildReport,
) -> None:
    sizes = options.split_sizes(task)
    train, test = _TRIAL_BUILDERS[task](store, index, options, _task_rng(options, task), sizes)
    _write(out_dir, task, train, test, sizes, report)


def _trial_tasks_elsewhere(
    store_path: Path, out_dir: Path, options: BuildOptions, tasks: tuple[str, ...]
) -> dict[str, TaskCounts]:
    """Build trial tasks from the store file in this (worker) process; their counts."""
    # imported here: the store imports the ingest path, which the builders otherwise never need
    from trialscope.data.store import TrialStore

    report = BuildReport(out_dir=str(out_dir))
    with TrialStore(store_path, read_only=True) as store:
        store.builder_quiet()
        index = store.builder_study_columns()
        for task in tasks:
            _build_trial_task(store, index, task, options, out_dir, report)
    release_pools()
    return report.tasks


TrialBuilder = Callable[
    [BuilderQueries, StudyColumns, BuildOptions, np.random.Generator, tuple[int, int]],
    tuple[Records, Records],
]
_TRIAL_BUILDERS: dict[str, TrialBuilder] = {
    completion.FOLDER: completion.build_completion,
    sample_size.FOLDER: sample_size.build_sample_size,
    **{task: partial(build_design_qa, kind) for task, kind in DESIGN_KINDS.items()},
}


def _build_review_tasks(
    store: BuilderQueries,
    out_dir: Path,
    options: BuildOptions,
    report: BuildReport,
    step: StepCallback,
) -> None:
    reviews = store.builder_reviews()
    corpus = store.builder_in_corpus([p for r in reviews for p in r.included])
    step(SEARCH_FOLDER)
    sizes = options.split_sizes(SEARCH_FOLDER, from_reviews=True)
    usable = [r for r in reviews if any(p in corpus for p in r.included)]
    train, test = split_reviews(usable, options, sizes, _task_rng(options, SEARCH_FOLDER))
    _write(
        out_dir,
        SEARCH_FOLDER,
        [x for r in train if (x := search_record(r, corpus)) is not None],
        [x for r in test if (x := search_record(r, corpus)) is not None],
        sizes,
        report,
    )
    step(SCREENING_FOLDER)
    sizes = options.split_sizes(SCREENING_FOLDER, from_reviews=True)
    rng = _task_rng(options, SCREENING_FOLDER)
    usable = [r for r in reviews if r.included and r.excluded]
    train, test = split_reviews(usable, options, sizes, rng)
    publications = store.builder_publications(
        [p for r in train + test for p in (*r.included, *r.excluded)]
    )
    _write(
        out_dir,
        SCREENING_FOLDER,
        _screening(train, publications, options, rng),
        _screening(test, publications, options, rng),
        sizes,
        report,
    )
    step(EVIDENCE_FOLDER)
    sizes = options.split_sizes(EVIDENCE_FOLDER, from_reviews=True)
    rng = _task_rng(options, EVIDENCE_FOLDER)
    usable = [r for r in reviews if r.conclusion and r.included]
    train, test = split_reviews(usable, options, sizes, rng)
    publications = store.builder_publications([p for r in train + test for p in r.included])
    _write(
        out_dir,
        EVIDENCE_FOLDER,
        evidence_records(train, usable, publications, options, rng),
        evidence_records(test, usable, publications, options, rng),
        sizes,
        report,
    )


def _screening(
    reviews: list[Any],
    publications: dict[str, PublicationRow],
    options: BuildOptions,
    rng: np.random.Generator,
) -> Records:
    records = (
        screening_record(r, publications, options.screening_max_candidates, rng) for r in reviews
    )
    return [record for record in records if record is not None]


def _write(
    out_dir: Path,
    task: str,
    train: Records,
    test: Records,
    sizes: tuple[int, int],
    report: BuildReport,
) -> None:
    counts = TaskCounts(
        train=write_jsonl(out_dir / task / "train.jsonl", train),
        test=write_jsonl(out_dir / task / "test.jsonl", test),
    )
    for split, got, asked in (("train", counts.train, sizes[0]), ("test", counts.test, sizes[1])):
        if got < asked:
            counts.notes.append(f"{split}: {got} of {asked} items (not enough eligible records)")
    report.tasks[task] = counts
