"""Send a synthetic registry into a `TrialStore`, or to JSON-lines files, streaming."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from trialscope.data.synthetic.registry import SyntheticRegistry

ProgressCallback = Callable[[int], None]
_BATCH = 5000


class SyntheticSink(Protocol):
    """What a store must offer to receive the registry (TrialStore does)."""

    def ingest_ctgov_studies(self, studies: Any, *, source: str = ...) -> Any: ...

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


def load_into_store(
    store: SyntheticSink,
    registry: SyntheticRegistry,
    on_progress: ProgressCallback | None = None,
) -> SynthReport:
    """Ingest every study, publication and review through the store's normal ingest path."""
    report = SynthReport()
    publications: list[dict[str, Any]] = []

    def studies() -> Iterator[dict[str, Any]]:
        for trial in registry.trials():
            report.trials += 1
            publications.extend(trial.publications)
            yield trial.study
            if on_progress is not None and report.trials % 1000 == 0:
                on_progress(report.trials)

    stream = studies()
    while True:
        # Ingest in slices so the publications of a slice go in right after its studies and
        # memory stays bounded by the slice size.
        chunk = [study for _, study in zip(range(_BATCH), stream, strict=False)]
        if not chunk:
            break
        _collect_failures(report, store.ingest_ctgov_studies(chunk, source="synthetic"))
        report.publications += len(publications)
        _collect_failures(report, store.upsert_publications(publications))
        publications.clear()
    reviews = registry.reviews()
    report.reviews = len(reviews)
    _collect_failures(report, store.upsert_reviews(reviews))
    if on_progress is not None:
        on_progress(report.trials)
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
