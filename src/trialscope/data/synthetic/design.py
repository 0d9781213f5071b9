"""The latent design of one synthetic trial, drawn before any text is written.

Everything a model could learn from is decided here: termination risk and its reason depend on the
phase, sponsor, eligibility strictness, target size and therapeutic area; enrollment depends on the
phase, condition and number of arms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from trialscope.data.synthetic.conditions import CONDITIONS, Condition, InterventionClass
from trialscope.data.synthetic.dice import Dice
from trialscope.data.synthetic.phrases import TERMINATION_CATEGORIES

REFERENCE_DATE = date(2026, 1, 1)
"""'Today' for the synthetic registry; fixed so output does not depend on the wall clock."""

PHASES = ("EARLY_PHASE1", "PHASE1", "PHASE1/PHASE2", "PHASE2", "PHASE3", "PHASE4")
_PHASE_WEIGHTS = (0.03, 0.2, 0.06, 0.3, 0.26, 0.15)
_BASE_SIZE = {
    "EARLY_PHASE1": 20,
    "PHASE1": 36,
    "PHASE1/PHASE2": 60,
    "PHASE2": 120,
    "PHASE3": 560,
    "PHASE4": 260,
    "NA": 110,
}
_DURATION_MONTHS = {
    "EARLY_PHASE1": 12,
    "PHASE1": 14,
    "PHASE1/PHASE2": 24,
    "PHASE2": 26,
    "PHASE3": 40,
    "PHASE4": 24,
    "NA": 20,
}
_RISKY_AREAS = {"oncology": 0.6, "neurology": 0.45, "neuropsychiatry": 0.35, "infectious": -0.2}


@dataclass
class TrialDesign:
    """Latent facts of one trial; the study JSON and its publications are written from these."""

    nct_id: str
    condition: Condition
    condition_index: int
    intervention: InterventionClass
    class_index: int
    agent: str
    doses: list[str]
    interventional: bool
    phase: str
    population: str
    randomized: bool
    comparator: str
    masking: str
    n_arms: int
    sponsor_class: str
    sponsor: str
    n_exclusions: int
    healthy_volunteers: bool
    target_enrollment: int
    start: date
    first_submitted: date
    completion: date
    status: str
    stop_category: str | None
    actual_enrollment: int | None


def draw_design(index: int, dice: Dice, sponsors: dict[str, tuple[str, ...]]) -> TrialDesign:
    """Draw the latent design of the trial numbered `index`."""
    condition_index = dice.integer(0, len(CONDITIONS) - 1)
    condition = CONDITIONS[condition_index]
    class_index = dice.integer(0, len(condition.classes) - 1)
    intervention = condition.classes[class_index]
    interventional = dice.chance(0.86)
    pharmacologic = intervention.kind in ("DRUG", "BIOLOGICAL")
    phase = dice.weighted(PHASES, _PHASE_WEIGHTS) if interventional and pharmacologic else "NA"
    population = "adults"
    if condition.pediatric and dice.chance(0.22):
        population = "children"
    elif condition.area in ("neurology", "musculoskeletal") and dice.chance(0.2):
        population = "older adults"
    randomize_p = {
        "EARLY_PHASE1": 0.2,
        "PHASE1": 0.35,
        "PHASE1/PHASE2": 0.45,
        "PHASE2": 0.7,
        "PHASE3": 0.95,
        "PHASE4": 0.6,
        "NA": 0.6,
    }[phase]
    randomized = interventional and dice.chance(randomize_p)
    if not interventional:
        comparator, n_arms = "none", dice.integer(1, 2)
    elif randomized:
        n_arms = dice.weighted((2, 3, 4), (0.62, 0.28, 0.1))
        if pharmacologic:
            comparator = "placebo" if dice.chance(0.6) else "active"
        else:
            comparator = "usual care"
    else:
        n_arms = dice.weighted((1, 2), (0.75, 0.25))
        comparator = "none"
    masking = "NONE"
    if randomized:
        masking = (
            dice.weighted(("QUADRUPLE", "DOUBLE", "TRIPLE"), (0.5, 0.35, 0.15))
            if comparator == "placebo"
            else dice.weighted(("NONE", "SINGLE"), (0.6, 0.4))
        )
    industry_p = 0.55 if pharmacologic else 0.15
    sponsor_class = dice.weighted(
        ("INDUSTRY", "OTHER", "NIH", "OTHER_GOV"), (industry_p, 0.85 - industry_p, 0.1, 0.05)
    )
    sponsor = dice.pick(sponsors[sponsor_class])
    n_exclusions = dice.integer(3, 9)
    healthy_volunteers = phase in ("EARLY_PHASE1", "PHASE1") and dice.chance(0.3)
    dose_count = n_arms - (0 if comparator == "none" else 1) if interventional else 1
    doses = dice.sample(intervention.doses, max(1, dose_count))
    target = _target_enrollment(dice, condition, phase, n_arms, interventional, population)
    start, first_submitted = _dates(dice)
    months = _DURATION_MONTHS[phase] * math.exp(0.3 * dice.normal()) * (1.0 + target / 4000)
    completion = start + timedelta(days=int(30.4 * months))
    design = TrialDesign(
        nct_id=f"NCT{10_000_000 + index * 7 % 90_000_000:08d}",
        condition=condition,
        condition_index=condition_index,
        intervention=intervention,
        class_index=class_index,
        agent=dice.pick(intervention.agents),
        doses=doses,
        interventional=interventional,
        phase=phase,
        population=population,
        randomized=randomized,
        comparator=comparator,
        masking=masking,
        n_arms=n_arms,
        sponsor_class=sponsor_class,
        sponsor=sponsor,
        n_exclusions=n_exclusions,
        healthy_volunteers=healthy_volunteers,
        target_enrollment=target,
        start=start,
        first_submitted=first_submitted,
        completion=completion,
        status="",
        stop_category=None,
        actual_enrollment=None,
    )
    _draw_status(dice, design)
    return design


def _target_enrollment(
    dice: Dice, condition: Condition, phase: str, n_arms: int, interventional: bool, population: str
) -> int:
    size = _BASE_SIZE[phase] * condition.enrollment_scale * (1.0 + 0.3 * (n_arms - 2))
    if not interventional:
        size *= 3.0
    if population == "children":
        size *= 0.6
    size *= math.exp(0.33 * dice.normal())
    value = max(8, int(size))
    if dice.chance(0.5):
        step = 50 if value > 400 else 10
        value = max(step, round(value / step) * step)
    return value


def _dates(dice: Dice) -> tuple[date, date]:
    # More trials in later years, as in the real registry.
    year_offset = int(25.8 * math.sqrt(dice.uniform()))
    start = date(2000 + year_offset, 1, 1) + timedelta(days=dice.integer(0, 364))
    start = min(start, REFERENCE_DATE - timedelta(days=30))
    first_submitted = start - timedelta(days=dice.integer(0, 150))
    return start, first_submitted


def _stop_risk(design: TrialDesign) -> float:
    logit = -1.75
    logit += {
        "PHASE2": 0.45,
        "PHASE1/PHASE2": 0.35,
        "PHASE3": 0.2,
        "PHASE1": -0.25,
        "EARLY_PHASE1": 0.0,
        "PHASE4": 0.15,
        "NA": 0.0,
    }[design.phase]
    logit += _RISKY_AREAS.get(design.condition.area, 0.0)
    # Visible risk factors (phase, area, strict eligibility, open design, many arms) weigh more
    # than the hidden ones (target size, sponsor), as a model only sees the former.
    logit += 0.38 * (design.n_exclusions - 6)
    logit += 0.35 if design.interventional and design.masking == "NONE" else 0.0
    logit += 0.3 if design.n_arms >= 3 else 0.0
    logit += 0.3 * math.log(design.target_enrollment / _BASE_SIZE[design.phase])
    logit += {"OTHER": 0.25, "INDUSTRY": 0.0, "NIH": -0.2, "OTHER_GOV": 0.1}[design.sponsor_class]
    logit += -0.5 if design.healthy_volunteers else 0.0
    logit += 0.3 if design.population == "children" else 0.0
    return 1.0 / (1.0 + math.exp(-logit))


def _reason_weights(design: TrialDesign) -> list[float]:
    enrollment = (
        1.0
        + 0.3 * max(0, design.n_exclusions - 5)
        + (0.6 if design.population == "children" else 0.0)
    )
    enrollment += 0.5 * max(0.0, math.log(design.target_enrollment / _BASE_SIZE[design.phase]))
    feasibility = 0.5 + (0.7 if design.sponsor_class == "OTHER" else 0.0)
    feasibility += 0.3 if not design.interventional else 0.0
    efficacy = 0.05 + (1.0 if design.phase in ("PHASE2", "PHASE3") else 0.0)
    efficacy += 0.5 if design.comparator == "placebo" else 0.0
    regulatory = 0.15 + (0.6 if design.intervention.kind in ("DEVICE", "PROCEDURE") else 0.0)
    safety = 0.1 + (0.9 if design.phase in ("EARLY_PHASE1", "PHASE1", "PHASE1/PHASE2") else 0.0)
    safety += 0.4 if design.condition.area == "oncology" else 0.0
    return [enrollment, feasibility, efficacy, regulatory, safety, 0.25]


def _draw_status(dice: Dice, design: TrialDesign) -> None:
    target = design.target_enrollment
    if design.start > REFERENCE_DATE - timedelta(days=120):
        design.status = dice.weighted(("NOT_YET_RECRUITING", "RECRUITING"), (0.5, 0.5))
        return
    if design.completion > REFERENCE_DATE:
        design.status = dice.weighted(
            ("RECRUITING", "ACTIVE_NOT_RECRUITING", "ENROLLING_BY_INVITATION", "SUSPENDED"),
            (0.6, 0.3, 0.05, 0.05),
        )
        if design.status == "SUSPENDED":
            design.stop_category = dice.weighted(
                (*TERMINATION_CATEGORIES, None), _reason_weights(design)
            )
        return
    if dice.chance(0.07):
        design.status = "UNKNOWN"
        return
    if dice.chance(_stop_risk(design)):
        design.stop_category = dice.weighted(
            (*TERMINATION_CATEGORIES, None), _reason_weights(design)
        )
        withdrawn_p = (
            0.35 if design.stop_category in ("regulatory/approval", "feasibility") else 0.1
        )
        if dice.chance(withdrawn_p):
            design.status, design.actual_enrollment = "WITHDRAWN", 0
        else:
            design.status = "TERMINATED"
            design.actual_enrollment = max(1, int(target * (0.05 + 0.6 * dice.uniform())))
        return
    design.status = "COMPLETED"
    design.actual_enrollment = max(4, int(target * (0.88 + 0.24 * dice.uniform())))
