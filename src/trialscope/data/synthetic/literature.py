"""Synthetic publications of trials and the systematic reviews that include or exclude them.

Inclusion follows the review's selection criteria (condition, intervention class, population,
randomisation, comparator), with a little reviewer noise; each abstract states those facts most
of the time, so screening is learnable but not trivial. Review conclusions follow the results of
the included trials.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import numpy as np

from trialscope.data.synthetic.conditions import CONDITIONS
from trialscope.data.synthetic.design import REFERENCE_DATE, TrialDesign
from trialscope.data.synthetic.dice import Dice
from trialscope.data.synthetic.study import (
    comparator_name,
    in_sentence,
    lower_first,
    population_phrase,
    upper_first,
)

PUBLICATION_PMID_BASE = 20_000_000
REVIEW_PMID_BASE = 39_000_000
CANDIDATE_CAP = 30
TRIALS_PER_REVIEW_SET = 10_000
"""One full set of review questions per this many trials, so larger registries hold more reviews."""
_REVIEWER_NOISE = 0.05


@dataclass
class ReviewSpec:
    """One systematic review's question and the candidate studies gathered for it."""

    index: int
    condition_index: int
    class_index: int
    population: str
    placebo_only: bool
    copy: int = 0
    included: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    search_year: int = 2025
    positive: int = 0


def benefit_probabilities(seed: int) -> list[list[float]]:
    """Per condition and intervention class, how often its trials show a benefit."""
    rng = np.random.default_rng([seed, 7919])
    return [[float(rng.uniform(0.1, 0.9)) for _ in cond.classes] for cond in CONDITIONS]


def review_sets(n_trials: int) -> int:
    """How many sets of review questions a registry of `n_trials` holds (at least one)."""
    return max(1, n_trials // TRIALS_PER_REVIEW_SET)


def review_specs(sets: int = 1) -> list[ReviewSpec]:
    """Every review question the registry can hold, `sets` times over, in a fixed order."""
    specs: list[ReviewSpec] = []
    for copy in range(sets):
        for ci, cond in enumerate(CONDITIONS):
            populations = ["adults", "children"] if cond.pediatric else ["adults"]
            for ki, klass in enumerate(cond.classes):
                drug = klass.kind in ("DRUG", "BIOLOGICAL")
                for population in populations:
                    for placebo_only in [True, False] if drug else [False]:
                        specs.append(ReviewSpec(len(specs), ci, ki, population, placebo_only, copy))
    return specs


def _matches(spec: ReviewSpec, design: TrialDesign) -> bool:
    return (
        design.class_index == spec.class_index
        and design.population == spec.population
        and design.randomized
        and (design.comparator == "placebo" if spec.placebo_only else design.comparator != "none")
    )


def publication(design: TrialDesign, pmid: str, positive: bool, dice: Dice) -> dict[str, Any]:
    """A results paper for one trial, shaped for `TrialStore.upsert_publications`."""
    who = population_phrase(design)
    control = comparator_name(design)
    agent = design.agent
    if design.randomized:
        blinding = "double-blind, " if design.masking in ("DOUBLE", "TRIPLE", "QUADRUPLE") else ""
        kind = f"a randomised, {blinding}{control}-controlled trial"
        pub_type = "Randomized Controlled Trial"
    elif design.interventional:
        kind = "a single-arm, open-label study" if design.n_arms == 1 else "a non-randomised study"
        pub_type = "Clinical Trial"
    else:
        kind = "a prospective cohort study"
        pub_type = "Observational Study"
    phase = (
        ""
        if design.phase == "NA"
        else design.phase.replace("PHASE", "phase ").replace("/", "-").lower()
    )
    title = f"{upper_first(agent)} in {who}: {kind}"
    outcome = lower_first(design.condition.efficacy_outcomes[0])
    # Abstracts sometimes leave out a design detail, as real ones do.
    methods = (
        f"In this {phase + ' ' if phase else ''}study"
        if dice.chance(0.12)
        else (f"In {kind.replace('a ', 'this ', 1)}")
    )
    size = design.actual_enrollment or design.target_enrollment
    audience = who if dice.chance(0.9) else f"patients with {in_sentence(design.condition.name)}"
    methods += f", {size} {audience} received {agent} ({design.intervention.name})"
    methods += f" or {control}." if control else "."
    if design.status == "TERMINATED" and design.stop_category == "safety issues":
        results = "The study was stopped early because of safety concerns."
        conclusion = f"{upper_first(agent)} was not well tolerated."
    elif positive:
        results = f"{upper_first(agent)} significantly improved {outcome}" + (
            f" compared with {control} (p<0.05)." if control else " from baseline (p<0.05)."
        )
        conclusion = f"{upper_first(agent)} was effective in {who}."
    else:
        results = f"No significant difference in {outcome} was observed" + (
            f" between {agent} and {control}." if control else " from baseline."
        )
        conclusion = f"{upper_first(agent)} did not improve outcomes in {who}."
    abstract = (
        f"Background: Treatment options for {in_sentence(design.condition.name)} remain limited. "
        f"Methods: {methods} Results: {results} Conclusions: {conclusion}"
    )
    year = min(design.completion.year + 1 + dice.integer(0, 1), REFERENCE_DATE.year - 1)
    return {
        "pmid": pmid,
        "title": title,
        "abstract": abstract,
        "year": year,
        "nct_id": design.nct_id,
        "publication_type": pub_type,
    }


_OTHER_KINDS: tuple[tuple[str, str], ...] = (
    ("a retrospective cohort study", "Observational Study"),
    ("a case series", "Case Reports"),
    ("a narrative review", "Review"),
    ("a cross-sectional survey of prescribing", "Observational Study"),
    ("a cost-effectiveness analysis", "Comparative Study"),
    ("a pharmacokinetic modelling study", "Research Support"),
)


def other_publication(design: TrialDesign, pmid: str, dice: Dice) -> dict[str, Any]:
    """A paper on the trial's topic that is not a trial report (nct_id None).

    These fill the search corpus with on-topic studies a review must not include, so retrieval
    needs more than the condition and drug names.
    """
    kind, pub_type = dice.pick(_OTHER_KINDS)
    cond = in_sentence(design.condition.name)
    agent = design.agent
    finding = dice.pick(
        (
            f"{upper_first(agent)} use increased over the study period.",
            f"Outcomes with {agent} varied widely between centres.",
            f"Adverse events with {agent} were mostly mild.",
            f"The evidence for {design.intervention.name} in {cond} remains limited.",
        )
    )
    abstract = (
        f"Background: {upper_first(design.intervention.name)} agents are used for {cond}. "
        f"Methods: We conducted {kind} of {design.population} with {cond} treated with {agent}. "
        f"Results: {finding} Conclusions: Randomised evidence is needed."
    )
    low = min(design.start.year, REFERENCE_DATE.year - 1)
    return {
        "pmid": pmid,
        "title": f"{upper_first(agent)} in {design.population} with {cond}: {kind}",
        "abstract": abstract,
        "year": dice.integer(low, REFERENCE_DATE.year - 1),
        "nct_id": None,
        "publication_type": pub_type,
    }


@cache
def _searched_specs(seed: int, sets: int) -> tuple[tuple[ReviewSpec, ...], dict[int, list[int]]]:
    """Every review question with its search year, and spec indexes per (condition, copy) key."""
    specs = review_specs(sets)
    dice = Dice(np.random.default_rng([seed, 104729]))
    # Reviews searched in different years, so a time split has reviews on both sides.
    for spec in specs:
        spec.search_year = dice.integer(2012, REFERENCE_DATE.year - 1)
    by_condition: dict[int, list[int]] = {}
    for spec in specs:
        by_condition.setdefault(spec.condition_index * sets + spec.copy, []).append(spec.index)
    return tuple(specs), by_condition


@dataclass
class ReviewCandidates:
    """The candidates one chunk of trials offers each review: (pmid, positive) and pmids."""

    included: dict[int, list[tuple[str, bool]]] = field(default_factory=dict)
    excluded: dict[int, list[str]] = field(default_factory=dict)


class ReviewCollector:
    """Gathers one chunk's candidate studies for every review as its publications stream past.

    Its draws come from its own stream for (seed, chunk), so a chunk's candidates do not depend on
    any other chunk; `ReviewMerger` joins the chunks' candidates in chunk order.
    """

    def __init__(self, seed: int, sets: int, chunk: int) -> None:
        self._specs, self._by_condition = _searched_specs(seed, sets)
        self._sets = sets
        self._dice = Dice(np.random.default_rng([seed, 104729, chunk]))
        self.candidates = ReviewCandidates()

    def offer(self, design: TrialDesign, pmid: str, positive: bool, year: int) -> None:
        """Consider one publication as a candidate for the reviews of its condition.

        With several sets of reviews, each publication goes to one set, so the cost per
        publication stays constant and each set's reviews draw on different studies.
        """
        copy = self._dice.integer(0, self._sets - 1) if self._sets > 1 else 0
        included, excluded = self.candidates.included, self.candidates.excluded
        for index in self._by_condition.get(design.condition_index * self._sets + copy, ()):
            spec = self._specs[index]
            if year > spec.search_year:
                continue
            include = _matches(spec, design)
            if self._dice.chance(_REVIEWER_NOISE):
                include = not include
            if include:
                chosen = included.setdefault(index, [])
                if len(chosen) < CANDIDATE_CAP:
                    chosen.append((pmid, positive))
            else:
                rejected = excluded.setdefault(index, [])
                if len(rejected) < CANDIDATE_CAP and self._dice.chance(0.5):
                    rejected.append(pmid)

    def offer_excluded(self, condition_index: int, pmid: str, year: int) -> None:
        """Consider a non-trial paper as an excluded candidate for reviews of its condition."""
        copy = self._dice.integer(0, self._sets - 1) if self._sets > 1 else 0
        excluded = self.candidates.excluded
        for index in self._by_condition.get(condition_index * self._sets + copy, ()):
            rejected = excluded.setdefault(index, [])
            open_slot = year <= self._specs[index].search_year and len(rejected) < CANDIDATE_CAP
            if open_slot and self._dice.chance(0.2):
                rejected.append(pmid)


class ReviewMerger:
    """Joins the chunks' review candidates, in chunk order, into the reviews of the registry."""

    def __init__(self, seed: int, sets: int) -> None:
        self.specs = [
            replace(spec, included=[], excluded=[], positive=0)
            for spec in _searched_specs(seed, sets)[0]
        ]

    def add(self, candidates: ReviewCandidates) -> None:
        """Take the next chunk's candidates (chunks must arrive in order)."""
        for index, chosen in candidates.included.items():
            spec = self.specs[index]
            for pmid, positive in chosen[: CANDIDATE_CAP - len(spec.included)]:
                spec.included.append(pmid)
                spec.positive += int(positive)
        for index, rejected in candidates.excluded.items():
            spec = self.specs[index]
            spec.excluded.extend(rejected[: CANDIDATE_CAP - len(spec.excluded)])

    def reviews(self) -> list[dict[str, Any]]:
        """The reviews with at least two included studies, shaped for `upsert_reviews`."""
        return [_review_record(spec) for spec in self.specs if len(spec.included) >= 2]


def _review_record(spec: ReviewSpec) -> dict[str, Any]:
    cond = CONDITIONS[spec.condition_index]
    klass = cond.classes[spec.class_index]
    who = f"{spec.population} with {in_sentence(cond.name)}"
    control = "placebo" if spec.placebo_only else "placebo, usual care or an active comparator"
    outcome = lower_first(cond.efficacy_outcomes[0])
    share = spec.positive / len(spec.included)
    count = len(spec.included)
    if share >= 0.6:
        verdict = f"the intervention probably improves {outcome} compared with control"
    elif share <= 0.3:
        verdict = f"the intervention probably makes little or no difference to {outcome}"
    else:
        verdict = f"the evidence on whether the intervention improves {outcome} is inconsistent"
    # The conclusion names neither the intervention nor the comparator, so options from other
    # reviews of the same condition differ only in what the evidence says.
    versus = "placebo" if spec.placebo_only else "control"
    conclusion = (
        f"We included {count} randomised trials in {who}. Overall, {verdict}; "
        f"{spec.positive} of {count} trials reported a significant benefit."
    )
    return {
        "review_id": f"SR{spec.index:05d}",
        "pmid": str(REVIEW_PMID_BASE + spec.index),
        "title": f"{upper_first(klass.name)} versus {versus} for {in_sentence(cond.name)} "
        f"in {spec.population}",
        "background": f"{cond.name} is a common condition; {klass.name} agents such as "
        f"{', '.join(klass.agents)} have been studied in randomised trials.",
        "objectives": f"To assess the effects of {klass.name} compared with {control} on "
        f"{outcome} in {who}.",
        "selection_criteria": (
            f"Types of studies: randomised controlled trials. Types of participants: {who}. "
            f"Types of interventions: {klass.name} ({', '.join(klass.agents)}) versus {control}. "
            f"Types of outcome measures: {outcome}."
        ),
        "search_date": f"{spec.search_year}-12-31",
        "conclusion": conclusion,
        "included_pmids": list(spec.included),
        "excluded_pmids": list(spec.excluded),
    }
