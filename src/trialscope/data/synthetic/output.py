"""Send a synthetic registry into a `TrialStore`, or to JSON-lines files, streaming."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trialscope.data.ingest_chunks import ChunkFailed, ChunkSource
from trialscope.data.store_literature import PublicationTables
from trialscope.data.synthetic.chunk_source import SyntheticChunkSource, SyntheticExtras
from trialscope.data.synthetic.literature import PUBLICATION_PMID_BASE
from trialscope.data.synthetic.registry import PMIDS_PER_TRIAL, SyntheticRegistry

if TYPE_CHECKING:
    from trialscope.data.store import TrialStore

__all__ = ["ChunkFailed", "SynthReport", "load_into_store", "write_jsonl_files"]

ProgressCallback = Callable[[int], None]
APPEND_PAPERS = 12_000
"""Papers gathered (from whole chunks) before they are appended in one transaction."""


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


def load_into_store(
    store: TrialStore,
    registry: SyntheticRegistry,
    on_progress: ProgressCallback | None = None,
    *,
    workers: int | None = None,
) -> SynthReport:
    """Ingest every study, publication and review through the store's normal ingest path.

    Chunks are generated, decoded and flattened in `workers` processes (default: one per CPU,
    1: in this process) and written in chunk order, so the store is the same for any worker
    count. A chunk that fails raises `ChunkFailed` naming it; the chunks before it are stored.
    """
    sources = [SyntheticChunkSource(chunk) for chunk in registry.chunks()]
    return ingest_chunk_sources(store, registry, sources, on_progress, workers=workers)


def ingest_chunk_sources(
    store: TrialStore,
    registry: SyntheticRegistry,
    sources: list[SyntheticChunkSource],
    on_progress: ProgressCallback | None = None,
    *,
    workers: int | None = None,
) -> SynthReport:
    """`load_into_store` over explicit chunk sources (the registry's, in order)."""
    count = min(workers or os.cpu_count() or 1, max(1, len(sources)))
    report = SynthReport()
    # The registry's PMIDs are its own numbers, distinct by construction: when the store holds
    # none of them, papers are appended (no lookups in the growing table), else upserted.
    low = PUBLICATION_PMID_BASE
    high = low + PMIDS_PER_TRIAL * (registry.n_trials + 1)
    append = store.numeric_pmids_between(low, high) == 0
    gathered: list[PublicationTables] = []

    def write_gathered() -> None:
        report.publications += store.append_publications(gathered)
        gathered.clear()

    def merge(source: ChunkSource, extras: SyntheticExtras) -> None:
        # In chunk order, after the chunk's studies are committed: the reviews depend only on
        # the seed, and a paper is stored after the study it reports.
        assert isinstance(source, SyntheticChunkSource)
        registry.merge_candidates(source.chunk, extras.candidates)
        papers = extras.papers
        if append and isinstance(papers, PublicationTables):
            gathered.append(papers)
            if sum(part.count for part in gathered) >= APPEND_PAPERS:
                write_gathered()
            return
        rows = papers.publications.to_pylist() if isinstance(papers, PublicationTables) else papers
        report.publications += len(rows)
        _collect_failures(report, store.upsert_publications(rows))

    try:
        ingested = store.ingest_ctgov_chunks(
            sources, source="synthetic", workers=count, on_progress=on_progress, on_chunk=merge
        )
    finally:
        write_gathered()  # the papers of every committed chunk, also when a later one failed
    report.trials = ingested.seen
    _collect_failures(report, ingested)
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
