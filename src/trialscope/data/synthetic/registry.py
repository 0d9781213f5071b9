"""The synthetic registry: a seeded, streaming source of studies, publications and reviews."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from trialscope.data.synthetic.design import draw_design
from trialscope.data.synthetic.dice import Dice
from trialscope.data.synthetic.literature import (
    PUBLICATION_PMID_BASE,
    ReviewCollector,
    benefit_probabilities,
    other_publication,
    publication,
    review_sets,
)
from trialscope.data.synthetic.phrases import SPONSORS
from trialscope.data.synthetic.study import study_record

_PUBLISHED_P = {"COMPLETED": 0.55, "TERMINATED": 0.15, "UNKNOWN": 0.1}


@dataclass
class SyntheticTrial:
    """One study record (CT.gov v2 JSON), the papers reporting it, and on-topic papers that do not.

    Papers that do not report the trial have `nct_id` None.
    """

    study: dict[str, Any]
    publications: list[dict[str, Any]]


class SyntheticRegistry:
    """Generates `n_trials` trials from `seed`; the same seed always gives the same records.

    Iterate `trials()` once (it streams: nothing is kept per trial except review candidate ids);
    afterwards `reviews()` returns the systematic reviews over the publications seen.
    """

    def __init__(self, n_trials: int, seed: int = 0) -> None:
        if n_trials < 0:
            raise ValueError(f"n_trials must be >= 0, got {n_trials}")
        self.n_trials = n_trials
        self.seed = seed
        self._collector = ReviewCollector(seed, review_sets(n_trials))
        self._benefit = benefit_probabilities(seed)
        self._finished = False

    def trials(self) -> Iterator[SyntheticTrial]:
        """Yield every trial in order, with its publications."""
        if self._finished:
            raise RuntimeError("SyntheticRegistry.trials() can be iterated only once")
        dice = Dice(np.random.default_rng([self.seed, 1]))
        next_pmid = PUBLICATION_PMID_BASE
        for index in range(self.n_trials):
            design = draw_design(index, dice, SPONSORS)
            publications: list[dict[str, Any]] = []
            if dice.chance(_PUBLISHED_P.get(design.status, 0.0)):
                next_pmid += 1
                positive = design.status == "COMPLETED" and dice.chance(
                    self._benefit[design.condition_index][design.class_index]
                )
                paper = publication(design, str(next_pmid), positive, dice)
                publications.append(paper)
                self._collector.offer(design, paper["pmid"], positive, paper["year"])
            references = [
                {"pmid": p["pmid"], "type": "RESULT", "citation": f"{p['title']}. {p['year']}."}
                for p in publications
            ]
            for _ in range(dice.weighted((0, 1, 2), (0.4, 0.4, 0.2))):
                next_pmid += 1
                other = other_publication(design, str(next_pmid), dice)
                publications.append(other)
                self._collector.offer_excluded(design.condition_index, other["pmid"], other["year"])
            yield SyntheticTrial(study_record(design, dice, references), publications)
        self._finished = True

    def reviews(self) -> list[dict[str, Any]]:
        """Systematic reviews over the generated publications (after `trials()` is exhausted)."""
        if not self._finished:
            raise RuntimeError("iterate SyntheticRegistry.trials() to the end before reviews()")
        return self._collector.reviews()
