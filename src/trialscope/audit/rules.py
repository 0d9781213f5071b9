"""The protocol's rules as functions: the generator labels with them, agents judge by them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from trialscope.audit.error_types import ErrorType as ErrorType  # re-exported
from trialscope.audit.protocol import Protocol

Record = Mapping[str, Any]


BIAS_TARGET = "TRIAL"
"""The ground-truth key of a trial-level selection_bias error (it names no patient)."""
STAGES: tuple[str, ...] = ("I", "II", "III", "IV")


def day_number(value: Any) -> int | None:
    """An ISO date as a day count (None stays None)."""
    if value is None:
        return None
    return _ordinal(str(value))


@lru_cache(maxsize=8192)
def _ordinal(iso: str) -> int:
    try:
        return date.fromisoformat(iso).toordinal()
    except ValueError as exc:
        raise ValueError(f"expected an ISO date (YYYY-MM-DD), got {iso!r}") from exc


def treatment_delay_days(record: Record) -> int | None:
    """Days from enrollment to treatment start."""
    start, enrolled = (
        day_number(record.get("treatment_start")),
        day_number(record.get("enrollment_date")),
    )
    if start is None or enrolled is None:
        return None
    return start - enrolled


def death_after_start_days(record: Record) -> int | None:
    """Days from treatment start to death (negative: death before treatment; None: alive)."""
    death, start = day_number(record.get("death_date")), day_number(record.get("treatment_start"))
    if death is None or start is None:
        return None
    return death - start


def allowed_window_days(record: Record, protocol: Protocol) -> int:
    """The latest allowed treatment start for this patient, in days after enrollment."""
    if record.get("stage") != "IV":
        return protocol.window_days
    threshold = protocol.comorbidity_threshold
    comorbidity = record.get("comorbidity_index")
    if threshold is not None and comorbidity is not None and int(comorbidity) > threshold:
        return protocol.window_days
    return protocol.window_days + protocol.stage_iv_extension_days


def is_invalid_age(record: Record, protocol: Protocol) -> bool:
    """Age missing or outside the protocol's inclusive range."""
    age = record.get("age")
    return age is None or not protocol.age_min <= int(age) <= protocol.age_max


def is_temporal_inconsistency(record: Record) -> bool:
    """Death recorded before treatment started."""
    gap = death_after_start_days(record)
    return gap is not None and gap < 0


def is_window_violation(record: Record, protocol: Protocol) -> bool:
    """Treatment started later than the patient's allowed window."""
    delay = treatment_delay_days(record)
    return delay is not None and delay > allowed_window_days(record, protocol)


def record_errors(record: Record, protocol: Protocol) -> list[str]:
    """Every patient-level error type of the protocol that this record breaks, in rule order."""
    return [
        name
        for name, rule in PATIENT_RULES.items()
        if name in protocol.error_types and rule.check(record, protocol)
    ]


@dataclass(frozen=True)
class BiasEvidence:
    """The statistics the bias rule is decided on."""

    control_top_ethnicity: str
    control_top_ethnicity_share: float
    control_male_share: float
    raw_mortality_gap: float
    stage_adjusted_mortality_gap: float
    mortality_by_stage: dict[str, dict[str, float]]


def bias_evidence(records: Iterable[Record]) -> BiasEvidence:
    """Control-arm demographics and the raw and stage-standardised mortality gaps."""
    deaths: Counter[tuple[str, str]] = Counter()
    counts: Counter[tuple[str, str]] = Counter()
    ethnicities: Counter[str] = Counter()
    males = 0
    for r in records:
        arm, stage = str(r.get("group")), str(r.get("stage"))
        counts[arm, stage] += 1
        deaths[arm, stage] += r.get("death_date") is not None
        if arm == "control":
            ethnicities[str(r.get("ethnicity"))] += 1
            males += r.get("gender") == "Male"

    def rate(arm: str, stages: Iterable[str]) -> float:
        n = sum(counts[arm, s] for s in stages)
        return sum(deaths[arm, s] for s in stages) / n if n else 0.0

    by_stage: dict[str, dict[str, float]] = {}
    weighted, weight_total = 0.0, 0.0
    for stage in STAGES:
        n_c, n_t = counts["control", stage], counts["treatment", stage]
        by_stage[stage] = {
            "control": round(rate("control", [stage]), 4),
            "treatment": round(rate("treatment", [stage]), 4),
            "n_control": n_c,
            "n_treatment": n_t,
        }
        if n_c and n_t:
            share = sum(c for (_, s), c in counts.items() if s == stage)
            weighted += share * (rate("control", [stage]) - rate("treatment", [stage]))
            weight_total += share
    n_control = max(sum(ethnicities.values()), 1)
    top, top_count = ethnicities.most_common(1)[0] if ethnicities else ("", 0)
    all_stages = {s for _, s in counts}
    return BiasEvidence(
        control_top_ethnicity=top,
        control_top_ethnicity_share=top_count / n_control,
        control_male_share=males / n_control,
        raw_mortality_gap=rate("control", all_stages) - rate("treatment", all_stages),
        stage_adjusted_mortality_gap=weighted / weight_total if weight_total else 0.0,
        mortality_by_stage=by_stage,
    )


def is_selection_bias(evidence: BiasEvidence, protocol: Protocol) -> bool:
    """The protocol's bias rule: all three control-arm thresholds exceeded."""
    if (
        protocol.ethnicity_dominance_threshold is None
        or protocol.male_share_threshold is None
        or protocol.mortality_gap_threshold is None
    ):
        return False
    return (
        evidence.control_top_ethnicity_share > protocol.ethnicity_dominance_threshold
        and evidence.control_male_share > protocol.male_share_threshold
        and evidence.stage_adjusted_mortality_gap > protocol.mortality_gap_threshold
    )


def is_selection_bias_in(records: Sequence[Record], protocol: Protocol) -> bool:
    """The bias rule over a whole trial."""
    return is_selection_bias(bias_evidence(records), protocol)


@dataclass(frozen=True)
class PatientRule:
    """A rule one record can break: flagged with that patient's id.

    `description` is the sentence the briefing adds for the rule (the built-in rules are stated
    by `Protocol.describe`, with the episode's numbers).
    """

    error_type: str
    check: Callable[[Record, Protocol], bool]
    description: str = ""


@dataclass(frozen=True)
class TrialRule:
    """A rule the whole trial can break: flagged once, without a patient id, under `target`.

    Its flag is earned: it is locked until the `required_distributions` were computed (names as
    `compute_distribution` records them, e.g. `outcome by stage`).
    """

    error_type: str
    check: Callable[[Sequence[Record], Protocol], bool]
    required_distributions: tuple[str, ...]
    target: str
    description: str = ""


PATIENT_RULES: dict[str, PatientRule] = {
    rule.error_type: rule
    for rule in (
        PatientRule(ErrorType.INVALID_AGE, is_invalid_age),
        PatientRule(ErrorType.TEMPORAL_INCONSISTENCY, lambda r, _p: is_temporal_inconsistency(r)),
        PatientRule(ErrorType.PROTOCOL_WINDOW_VIOLATION, is_window_violation),
    )
}
TRIAL_RULES: dict[str, TrialRule] = {
    rule.error_type: rule
    for rule in (
        TrialRule(
            ErrorType.SELECTION_BIAS,
            is_selection_bias_in,
            ("ethnicity", "gender", "outcome", "outcome by stage"),
            BIAS_TARGET,
        ),
    )
}
"""Declared once: the environment, the phase gate and the grader read these two maps."""


def rule_descriptions(error_types: Iterable[str]) -> list[str]:
    """The briefing sentences of the rules among these error types that carry one."""
    rules: list[PatientRule | TrialRule] = [
        *(PATIENT_RULES[e] for e in error_types if e in PATIENT_RULES),
        *(TRIAL_RULES[e] for e in error_types if e in TRIAL_RULES),
    ]
    return [f"{rule.error_type}: {rule.description}" for rule in rules if rule.description]


def trial_rules_of(error_types: Iterable[str]) -> list[TrialRule]:
    """The trial-level rules among these error types."""
    return [TRIAL_RULES[e] for e in error_types if e in TRIAL_RULES]


def label_episode(records: Iterable[Record], protocol: Protocol) -> dict[str, str]:
    """Ground truth: patient id (or a trial rule's target) to its error type, by the rules above."""
    rows = list(records)
    labels: dict[str, str] = {}
    for record in rows:
        errors = record_errors(record, protocol)
        if errors:
            labels[str(record["patient_id"])] = errors[0]
    for rule in trial_rules_of(protocol.error_types):
        if rule.check(rows, protocol):
            labels[rule.target] = rule.error_type
    return labels
