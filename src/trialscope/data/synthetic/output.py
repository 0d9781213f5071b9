"""Send a synthetic registry into a `TrialStore`, or to JSON-lines files, streaming."""

from __future__ import annotations

import json
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from trialscope.data.ingest_chunks import RawStudy
from trialscope.data.synthetic.chunk_source import SyntheticChunkSource, generate_chunk
from trialscope.data.synthetic.literature import ReviewCandidates
from trialscope.data.synthetic.registry import SyntheticRegistry

ProgressCallback = Callable[[int], None]
WRITE_TRIALS = 12_000
"""Trials gathered from consecutive chunks before they are written in one go."""
ChunkOutput = tuple[list[RawStudy], list[dict[str, Any]], ReviewCandidates]


class SyntheticSink(Protocol):
    """What a store must offer to receive the registry (TrialStore does)."""

    def ingest_ctgov_studies(
        self, studies: Any, *, source: str = ..., batch_size: int = ...
    ) -> Any: ...

    def upsert_publications(self, records: Any) -> Any: ...

    def upsert_reviews(self, records: Any) -> Any: ...


@dataclass
class SynthReport:
    """Counts of what was generated, and any records the store refused."""

    trials: int = 0
    publications: int = 0
    reviews: int = 0
    failures: list[str] = field(default_factory=list)


def _collect_failures(report: SynthReport, ingest_report: Any) -> None:
    for failure in getattr(ingest_report, "failures", []) or []:
        report.failures.append(str(failure))


class ChunkFailed(RuntimeError):
    """Generating one chunk of the registry failed; the chunks before it are in the store."""


def _chunk_results(
    sources: list[SyntheticChunkSource], workers: int
) -> Iterator[tuple[SyntheticChunkSource, ChunkOutput]]:
    """Each chunk's generated output, in chunk order, from `workers` processes (1: in process)."""
    if workers <= 1:
        for source in sources:
            yield source, _run(source)
        return
    # spawn: the parent holds a DuckDB connection and its threads, which fork would copy.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        pending: deque[tuple[SyntheticChunkSource, Future[ChunkOutput]]] = deque()
        upcoming = deque(sources)
        try:
            while True:
                # A bounded window of chunks in flight keeps memory flat for any registry size.
                while len(pending) < 2 * workers and upcoming:
                    waiting = upcoming.popleft()
                    pending.append((waiting, pool.submit(generate_chunk, waiting)))
                if not pending:
                    return
                source, future = pending.popleft()
                yield source, _result(source, future)
        finally:
            for _, future in pending:
                future.cancel()


def _run(source: SyntheticChunkSource) -> ChunkOutput:
    try:
        return generate_chunk(source)
    except Exception as error:
        raise _failed(source, error) from error


def _result(source: SyntheticChunkSource, future: Future[ChunkOutput]) -> ChunkOutput:
    try:
        return future.result()
    except Exception as error:
        raise _failed(source, error) from error


def _failed(source: SyntheticChunkSource, error: Exception) -> ChunkFailed:
    chunk = source.chunk
    return ChunkFailed(
        f"synthetic chunk {chunk.index} (trials {chunk.start}-{chunk.stop - 1}, seed "
        f"{chunk.seed}) failed: {type(error).__name__}: {error}; the chunks before it are stored"
    )


def load_into_store(
    store: SyntheticSink,
    registry: SyntheticRegistry,
    on_progress: ProgressCallback | None = None,
    *,
    workers: int | None = None,
) -> SynthReport:
    """Ingest every study, publication and review through the store's normal ingest path.

    Chunks are generated in `workers` processes (default: one per CPU, 1: in this process) and
    written in chunk order, so the store is the same for any worker count.
    """
    sources = [SyntheticChunkSource(chunk) for chunk in registry.chunks()]
    return ingest_chunk_sources(store, registry, sources, on_progress, workers=workers)


def ingest_chunk_sources(
    store: SyntheticSink,
    registry: SyntheticRegistry,
    sources: list[SyntheticChunkSource],
    on_progress: ProgressCallback | None = None,
    *,
    workers: int | None = None,
) -> SynthReport:
    """`load_into_store` over explicit chunk sources (the registry's, in order)."""
    count = min(workers or os.cpu_count() or 1, max(1, len(sources)))
    report = SynthReport()
    studies: list[RawStudy] = []
    publications: list[dict[str, Any]] = []

    def write() -> None:
        # Several chunks per write: DuckDB appends large transactions far more cheaply.
        _collect_failures(
            report,
            store.ingest_ctgov_studies(studies, source="synthetic", batch_size=len(studies) or 1),
        )
        _collect_failures(report, store.upsert_publications(publications))
        report.trials += len(studies)
        report.publications += len(publications)
        studies.clear()
        publications.clear()
        if on_progress is not None:
            on_progress(report.trials)

    try:
        for source, (chunk_studies, chunk_publications, candidates) in _chunk_results(
            sources, count
        ):
            studies.extend(chunk_studies)
            publications.extend(chunk_publications)
            registry.merge_candidates(source.chunk, candidates)
            if len(studies) >= WRITE_TRIALS:
                write()
    except ChunkFailed:
        write()  # every chunk before the failed one is kept
        raise
    write()
    reviews = registry.reviews()
    report.reviews = len(reviews)
    _collect_failures(report, store.upsert_reviews(reviews))
    return report


def write_jsonl_files(
    out_dir: Path, registry: SyntheticRegistry, on_progress: ProgressCallback | None = None
) -> SynthReport:
    """Write `studies.jsonl`, `publications.jsonl` and `reviews.jsonl` under `out_dir`.

    Each file is written under a temporary name and renamed when complete.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    report = SynthReport()
    names = ("studies", "publications", "reviews")
    temps = {name: out_dir / f".{name}.jsonl.partial" for name in names}
    handles = {name: temps[name].open("w", encoding="utf-8", newline="\n") for name in names}
    try:
        for trial in registry.trials():
            report.trials += 1
            handles["studies"].write(json.dumps(trial.study, ensure_ascii=False) + "\n")
            for paper in trial.publications:
                report.publications += 1
                handles["publications"].write(json.dumps(paper, ensure_ascii=False) + "\n")
            if on_progress is not None and report.trials % 1000 == 0:
                on_progress(report.trials)
        for review in registry.reviews():
            report.reviews += 1
            handles["reviews"].write(json.dumps(review, ensure_ascii=False) + "\n")
    finally:
        for handle in handles.values():
            handle.close()
    for name in names:
        os.replace(temps[name], out_dir / f"{name}.jsonl")
    if on_progress is not None:
        on_progress(report.trials)
    return report
