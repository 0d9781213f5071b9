"""The synthetic registry: a seeded, streaming source of studies, publications and reviews.

Trials come in fixed-size chunks; a chunk's content depends only on (seed, chunk index), so the
chunks can be generated in any process, in any order, and still give the same registry.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from trialscope.data.synthetic.design import draw_design
from trialscope.data.synthetic.dice import Dice
from trialscope.data.synthetic.literature import (
    PUBLICATION_PMID_BASE,
    REVIEW_PMID_BASE,
    ReviewCandidates,
    ReviewCollector,
    ReviewMerger,
    benefit_probabilities,
    other_publication,
    publication,
    review_sets,
)
from trialscope.data.synthetic.phrases import SPONSORS
from trialscope.data.synthetic.study import study_record

CHUNK_TRIALS = 2000
"""Trials per chunk. Part of the data's shape: changing it changes every trial after the first."""
PMIDS_PER_TRIAL = 3
"""Each trial owns this many PMIDs (its results paper and up to two other papers)."""
MAX_TRIALS = (REVIEW_PMID_BASE - PUBLICATION_PMID_BASE) // PMIDS_PER_TRIAL - 1
_PUBLISHED_P = {"COMPLETED": 0.55, "TERMINATED": 0.15, "UNKNOWN": 0.1}


@dataclass
class SyntheticTrial:
    """One study record (CT.gov v2 JSON), the papers reporting it, and on-topic papers that do not.

    Papers that do not report the trial have `nct_id` None.
    """

    study: dict[str, Any]
    publications: list[dict[str, Any]]


@dataclass(frozen=True)
class SyntheticChunk:
    """Trials `start` to `stop` (exclusive) of a registry: picklable, generated on its own."""

    seed: int
    index: int
    start: int
    stop: int
    review_sets: int

    def collector(self) -> ReviewCollector:
        """A fresh collector for this chunk's review candidates (fill it with `trials`)."""
        return ReviewCollector(self.seed, self.review_sets, self.index)

    def trials(self, collector: ReviewCollector) -> Iterator[SyntheticTrial]:
        """Yield every trial of this chunk in order; its papers' review candidates go to
        `collector`."""
        dice = Dice(np.random.default_rng([self.seed, 1, self.index]))
        benefit = _benefit(self.seed)
        for trial_index in range(self.start, self.stop):
            design = draw_design(trial_index, dice, SPONSORS)
            # PMIDs are fixed per trial, so no trial depends on how many papers came before.
            next_pmid = PUBLICATION_PMID_BASE + PMIDS_PER_TRIAL * trial_index
            publications: list[dict[str, Any]] = []
            if dice.chance(_PUBLISHED_P.get(design.status, 0.0)):
                next_pmid += 1
                positive = design.status == "COMPLETED" and dice.chance(
                    benefit[design.condition_index][design.class_index]
                )
                paper = publication(design, str(next_pmid), positive, dice)
                publications.append(paper)
                collector.offer(design, paper["pmid"], positive, paper["year"])
            references = [
                {"pmid": p["pmid"], "type": "RESULT", "citation": f"{p['title']}. {p['year']}."}
                for p in publications
            ]
            for _ in range(dice.weighted((0, 1, 2), (0.4, 0.4, 0.2))):
                next_pmid += 1
                other = other_publication(design, str(next_pmid), dice)
                publications.append(other)
                collector.offer_excluded(design.condition_index, other["pmid"], other["year"])
            yield SyntheticTrial(study_record(design, dice, references), publications)


_BENEFIT_CACHE: dict[int, list[list[float]]] = {}


def _benefit(seed: int) -> list[list[float]]:
    if seed not in _BENEFIT_CACHE:
        _BENEFIT_CACHE[seed] = benefit_probabilities(seed)
    return _BENEFIT_CACHE[seed]


class SyntheticRegistry:
    """Generates `n_trials` trials from `seed`; the same seed always gives the same records.

    Iterate `trials()` once (it streams chunk by chunk); afterwards `reviews()` returns the
    systematic reviews over the publications seen. `chunks()` gives the same trials as picklable
    units for worker processes; feed their candidates to `merge_candidates` in chunk order.
    """

    def __init__(self, n_trials: int, seed: int = 0) -> None:
        if n_trials < 0:
            raise ValueError(f"n_trials must be >= 0, got {n_trials}")
        if n_trials > MAX_TRIALS:
            raise ValueError(f"n_trials must be <= {MAX_TRIALS}, got {n_trials}")
        self.n_trials = n_trials
        self.seed = seed
        self._sets = review_sets(n_trials)
        self._merger = ReviewMerger(seed, self._sets)
        self._merged = 0
        self._started = False

    def chunks(self) -> list[SyntheticChunk]:
        """The registry as consecutive chunks of `CHUNK_TRIALS` trials (the last may be shorter)."""
        return [
            SyntheticChunk(
                self.seed, index, start, min(start + CHUNK_TRIALS, self.n_trials), self._sets
            )
            for index, start in enumerate(range(0, self.n_trials, CHUNK_TRIALS))
        ]

    def merge_candidates(self, chunk: SyntheticChunk, candidates: ReviewCandidates) -> None:
        """Record one generated chunk's review candidates; chunks must come in order."""
        if chunk.index != self._merged:
            raise ValueError(f"chunk {chunk.index} merged out of order (expected {self._merged})")
        self._merger.add(candidates)
        self._merged += 1

    def trials(self) -> Iterator[SyntheticTrial]:
        """Yield every trial in order, with its publications."""
        if self._started:
            raise RuntimeError("SyntheticRegistry.trials() can be iterated only once")
        self._started = True
        for chunk in self.chunks():
            collector = chunk.collector()
            yield from chunk.trials(collector)
            self.merge_candidates(chunk, collector.candidates)

    def reviews(self) -> list[dict[str, Any]]:
        """Systematic reviews over the generated publications (after every chunk is merged)."""
        if self._merged != len(self.chunks()):
            raise RuntimeError("iterate SyntheticRegistry.trials() to the end before reviews()")
        return self._merger.reviews()
