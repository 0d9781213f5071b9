"""`build_benchmark`: cut the eight TrialPanorama task sets (and the search corpus) from a store."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from trialscope.data.builders import completion, sample_size
from trialscope.data.builders.design_qa import DESIGN_KINDS, build_design_qa
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
from trialscope.data.store_queries import BuilderQueries, PublicationRow

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


def build_benchmark(
    store: BuilderQueries,
    out_dir: Path,
    options: BuildOptions | None = None,
    on_step: StepCallback | None = None,
) -> BuildReport:
    """Write `<out_dir>/<task>/{train,test}.jsonl` for the eight tasks and the search corpus.

    Same store and options give byte-identical files. `on_step` is told each task as it starts.
    """
    options = options or BuildOptions()
    started = time.perf_counter()
    out_dir = Path(out_dir)
    report = BuildReport(out_dir=str(out_dir))

    def step(name: str) -> None:
        log.info("building %s", name)
        if on_step is not None:
            on_step(name)

    step("study index")
    index = store.builder_study_index()
    trial_builders = {
        completion.FOLDER: completion.build_completion,
        sample_size.FOLDER: sample_size.build_sample_size,
    }
    for task in TASK_FOLDERS:
        if task in trial_builders:
            step(task)
            sizes = options.split_sizes(task)
            train, test = trial_builders[task](
                store, index, options, _task_rng(options, task), sizes
            )
            _write(out_dir, task, train, test, sizes, report)
        elif task in DESIGN_KINDS:
            step(task)
            sizes = options.split_sizes(task)
            kind = DESIGN_KINDS[task]
            train, test = build_design_qa(
                kind, store, index, options, _task_rng(options, task), sizes
            )
            _write(out_dir, task, train, test, sizes, report)
    del index
    step("reviews and corpus")
    report.corpus_size = write_json_rows(
        out_dir / SEARCH_FOLDER / "corpus.jsonl",
        ("PMID", "title", "abstract"),
        store.builder_corpus_batches(),
    )
    _build_review_tasks(store, out_dir, options, report, step)
    report.seconds = time.perf_counter() - started
    return report


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
