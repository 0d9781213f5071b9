"""The protocol's rules as functions: the generator labels with them, agents judge by them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import compress
from typing import Any

import numpy as np

from trialscope.audit.error_types import ErrorType as ErrorType  # re-exported
from trialscope.audit.protocol import Protocol

Record = Mapping[str, Any]
Columns = Mapping[str, Sequence[Any]]
"""Records column-wise: each field's values in record order (None where missing)."""


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


def columns_of(
    records: Iterable[Record], names: Iterable[str] | None = None
) -> dict[str, list[Any]]:
    """The records column-wise (all fields of the first record unless `names` are given)."""
    rows = list(records)
    chosen = list(names) if names is not None else list(rows[0]) if rows else []
    return {name: [r.get(name) for r in rows] for name in chosen}


def numbers(values: Sequence[Any]) -> np.ndarray:
    """Numeric values as floats, NaN where missing; whole numbers as `int()` would read them."""
    return np.trunc(np.asarray(values, dtype=float))


def day_numbers(values: Sequence[Any]) -> np.ndarray:
    """ISO dates as float day counts, NaN where missing (the column form of `day_number`)."""
    dates = [v for v in values if v is not None]
    try:
        # Only the dates themselves: numpy parses a list holding None element by element.
        days = np.asarray(dates, dtype="datetime64[D]")
        if np.isnat(days).any():
            raise ValueError("NaT is not a date")
    except ValueError as exc:
        raise ValueError(f"expected ISO dates (YYYY-MM-DD): {exc}") from exc
    if len(dates) == len(values):
        return days.astype(np.int64).astype(float)
    counts = np.full(len(values), np.nan)
    counts[np.fromiter((v is not None for v in values), bool, len(values))] = days.astype(np.int64)
    return counts


# The column forms below decide exactly what the record forms above decide (NaN compares false
# where the record form sees None); they label a generated episode without building its records.
def invalid_age_mask(columns: Columns, protocol: Protocol) -> np.ndarray:
    """`is_invalid_age` over all records at once."""
    age = numbers(columns["age"])
    return np.isnan(age) | (age < protocol.age_min) | (age > protocol.age_max)


def temporal_inconsistency_mask(columns: Columns, _protocol: Protocol) -> np.ndarray:
    """`is_temporal_inconsistency` over all records at once."""
    gap = day_numbers(columns["death_date"]) - day_numbers(columns["treatment_start"])
    return np.asarray(gap < 0)


def window_violation_mask(columns: Columns, protocol: Protocol) -> np.ndarray:
    """`is_window_violation` over all records at once."""
    delay = day_numbers(columns["treatment_start"]) - day_numbers(columns["enrollment_date"])
    extended = np.asarray(columns["stage"], dtype=object) == "IV"
    if protocol.comorbidity_threshold is not None:
        extended &= ~(numbers(columns["comorbidity_index"]) > protocol.comorbidity_threshold)
    allowed = protocol.window_days + np.where(extended, protocol.stage_iv_extension_days, 0)
    return np.asarray(delay > allowed)


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


BIAS_FIELDS: tuple[str, ...] = ("group", "stage", "death_date", "ethnicity", "gender")


def bias_evidence(records: Iterable[Record]) -> BiasEvidence:
    """Control-arm demographics and the raw and stage-standardised mortality gaps."""
    return bias_evidence_of_columns(columns_of(records, BIAS_FIELDS))


def bias_evidence_of_columns(columns: Columns) -> BiasEvidence:
    """`bias_evidence` of records given column-wise."""
    arms = list(map(str, columns["group"]))
    cells = list(zip(arms, map(str, columns["stage"]), strict=True))
    counts: Counter[tuple[str, str]] = Counter(cells)
    deaths: Counter[tuple[str, str]] = Counter(
        compress(cells, [death is not None for death in columns["death_date"]])
    )
    control = [arm == "control" for arm in arms]
    ethnicities: Counter[str] = Counter(map(str, compress(columns["ethnicity"], control)))
    males = list(compress(columns["gender"], control)).count("Male")

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


def is_selection_bias_in_columns(columns: Columns, protocol: Protocol) -> bool:
    """The bias rule over a whole trial given column-wise."""
    return is_selection_bias(bias_evidence_of_columns(columns), protocol)


@dataclass(frozen=True)
class PatientRule:
    """A rule one record can break: flagged with that patient's id.

    `description` is the sentence the briefing adds for the rule (the built-in rules are stated
    by `Protocol.describe`, with the episode's numbers). `mask`, optional, decides the same over
    all records at once (labelling a generated episode uses it; tests hold it equal to `check`).
    """

    error_type: str
    check: Callable[[Record, Protocol], bool]
    description: str = ""
    mask: Callable[[Columns, Protocol], np.ndarray] | None = None


@dataclass(frozen=True)
class TrialRule:
    """A rule the whole trial can break: flagged once, without a patient id, under `target`.

    Its flag is earned: it is locked until the `required_distributions` were computed (names as
    `compute_distribution` records them, e.g. `outcome by stage`). `check_columns`, optional, is
    `check` over the records given column-wise.
    """

    error_type: str
    check: Callable[[Sequence[Record], Protocol], bool]
    required_distributions: tuple[str, ...]
    target: str
    description: str = ""
    check_columns: Callable[[Columns, Protocol], bool] | None = None


PATIENT_RULES: dict[str, PatientRule] = {
    rule.error_type: rule
    for rule in (
        PatientRule(ErrorType.INVALID_AGE, is_invalid_age, mask=invalid_age_mask),
        PatientRule(
            ErrorType.TEMPORAL_INCONSISTENCY,
            lambda r, _p: is_temporal_inconsistency(r),
            mask=temporal_inconsistency_mask,
        ),
        PatientRule(
            ErrorType.PROTOCOL_WINDOW_VIOLATION, is_window_violation, mask=window_violation_mask
        ),
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
            check_columns=is_selection_bias_in_columns,
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


def label_columns(columns: Columns, protocol: Protocol) -> dict[str, str]:
    """`label_episode` of records given column-wise: each rule over all records at once (a rule
    declared without a column form is checked record by record)."""
    n = len(columns["patient_id"])
    rows: list[dict[str, Any]] | None = None
    names = [name for name in PATIENT_RULES if name in protocol.error_types]
    first = np.full(n, -1)
    for k, name in enumerate(names):
        rule = PATIENT_RULES[name]
        if rule.mask is not None:
            broken = rule.mask(columns, protocol)
        else:
            rows = rows if rows is not None else records_of(columns)
            broken = np.fromiter((rule.check(r, protocol) for r in rows), bool, n)
        first[(first < 0) & broken] = k
    ids = columns["patient_id"]
    labels = {str(ids[i]): names[first[i]] for i in np.flatnonzero(first >= 0).tolist()}
    for trial_rule in trial_rules_of(protocol.error_types):
        if trial_rule.check_columns is not None:
            broken_trial = trial_rule.check_columns(columns, protocol)
        else:
            rows = rows if rows is not None else records_of(columns)
            broken_trial = trial_rule.check(rows, protocol)
        if broken_trial:
            labels[trial_rule.target] = trial_rule.error_type
    return labels


def records_of(columns: Columns) -> list[dict[str, Any]]:
    """Column-wise records back as one dict per record (fields in column order)."""
    names = list(columns)
    return [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]
