"""A synthetic chunk as an ingest chunk source: generated inside a worker process."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from trialscope.data.ingest_chunks import StudyInput
from trialscope.data.sources.ctgov_record import StudyInvalid
from trialscope.data.sources.json_lines import UnreadableRecord
from trialscope.data.store_literature import PublicationTables, publication_tables
from trialscope.data.synthetic.literature import ReviewCandidates
from trialscope.data.synthetic.registry import SyntheticChunk
from trialscope.data.synthetic.study_rows import study_rows


@dataclass(frozen=True)
class SyntheticExtras:
    """What a synthetic chunk sends back besides its studies: its papers and review candidates."""

    papers: PublicationTables | list[dict[str, Any]]
    """Checked store rows; the raw dicts when one is not well-typed (then they are upserted)."""
    candidates: ReviewCandidates

    @property
    def paper_count(self) -> int:
        """Number of papers."""
        papers = self.papers
        return papers.count if isinstance(papers, PublicationTables) else len(papers)


@dataclass
class SyntheticChunkSource:
    """Follows the ingest chunk contract (`data/ingest_chunks.py`): `records()` yields the chunk's
    studies as store rows (`study_rows`), then `extras()` gives its papers, as store rows built
    in the worker, and its review candidates (the papers are not the contract's
    `publications()`: those are upserted in the main process, and synthetic PMIDs are new, so
    the caller can append them).

    Pickled before `records()` runs, so only the chunk's numbers travel to the worker.
    """

    chunk: SyntheticChunk
    _publications: list[dict[str, Any]] = field(default_factory=list, repr=False)
    _candidates: ReviewCandidates | None = field(default=None, repr=False)

    def __str__(self) -> str:
        chunk = self.chunk
        return (
            f"synthetic chunk {chunk.index} (trials {chunk.start}-{chunk.stop - 1}, "
            f"seed {chunk.seed})"
        )

    def records(self) -> Iterator[StudyInput]:
        """The chunk's studies in order, as store rows (call once).

        Flattened directly (`study_rows`): the JSON round trip through the store's decoder
        cost as much as a third of generating the study.
        """
        collector = self.chunk.collector()
        # Generation builds ~100 containers per trial and no reference cycles: the cyclic
        # collector would rescan every record the chunk holds, a third of the generation time.
        enabled = gc.isenabled()
        gc.disable()
        try:
            for offset, trial in enumerate(self.chunk.trials(collector)):
                self._publications.extend(trial.publications)
                try:
                    yield study_rows(trial.study, "synthetic")
                except StudyInvalid as error:
                    origin = f"synthetic trial {self.chunk.start + offset}"
                    yield UnreadableRecord(origin, f"{error.study_id}: {error.reason}")
        finally:
            if enabled:
                gc.enable()
        self._candidates = collector.candidates

    def extras(self) -> SyntheticExtras:
        """The chunk's papers and review candidates (after `records()` is exhausted)."""
        if self._candidates is None:
            raise RuntimeError(f"{self.chunk}: records() was not exhausted before extras()")
        papers = publication_tables(self._publications)
        return SyntheticExtras(self._publications if papers is None else papers, self._candidates)
