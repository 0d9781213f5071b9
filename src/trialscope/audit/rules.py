"""The protocol's rules as functions: the generator labels records with them and agents judge by them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

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
    """Every error type of the protocol that this record breaks, in a fixed order."""
    found: list[str] = []
    checks = (
        ("invalid_age", lambda: is_invalid_age(record, protocol)),
        ("temporal_inconsistency", lambda: is_temporal_inconsistency(record)),
        ("protocol_window_violation", lambda: is_window_violation(record, protocol)),
    )
    for error_type, check in checks:
        if error_type in protocol.error_types and check():
            found.append(error_type)
    return found


@dataclass(frozen=True)
class BiasEvidence:
    """The statistics the bias rule is decided on."""

    control_top_ethnicity: str
    control_top_ethnicity_share: float
    control_male_share: float
    raw_mortality_gap: float
    stage_adjusted_mortality_gap: float
    mortality_by_stage: dict[str, dict[str, float]]


def _mortality(records: list[Record]) -> float:
    return sum(r.get("death_date") is not None for r in records) / len(records) if records else 0.0


def bias_evidence(records: Iterable[Record]) -> BiasEvidence:
    """Control-arm demographics and the raw and stage-standardised mortality gaps."""
    rows = list(records)
    control = [r for r in rows if r.get("group") == "control"]
    treatment = [r for r in rows if r.get("group") == "treatment"]
    ethnicities = Counter(str(r.get("ethnicity")) for r in control)
    top, top_count = ethnicities.most_common(1)[0] if ethnicities else ("", 0)
    n_control = max(len(control), 1)
    male = sum(r.get("gender") == "Male" for r in control) / n_control
    by_stage: dict[str, dict[str, float]] = {}
    weighted, weight_total = 0.0, 0.0
    for stage in STAGES:
        c = [r for r in control if r.get("stage") == stage]
        t = [r for r in treatment if r.get("stage") == stage]
        by_stage[stage] = {
            "control": round(_mortality(c), 4),
            "treatment": round(_mortality(t), 4),
            "n_control": len(c),
            "n_treatment": len(t),
        }
        if c and t:
            share = sum(r.get("stage") == stage for r in rows)
            weighted += share * (_mortality(c) - _mortality(t))
            weight_total += share
    adjusted = weighted / weight_total if weight_total else 0.0
    return BiasEvidence(
        control_top_ethnicity=top,
        control_top_ethnicity_share=top_count / n_control,
        control_male_share=male,
        raw_mortality_gap=_mortality(control) - _mortality(treatment),
        stage_adjusted_mortality_gap=adjusted,
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


def label_episode(records: Iterable[Record], protocol: Protocol) -> dict[str, str]:
    """Ground truth: patient id (or BIAS_TARGET) to its error type, decided by the rules above."""
    rows = list(records)
    labels: dict[str, str] = {}
    for record in rows:
        errors = record_errors(record, protocol)
        if errors:
            labels[str(record["patient_id"])] = errors[0]
    if "selection_bias" in protocol.error_types and is_selection_bias(
        bias_evidence(rows), protocol
    ):
        labels[BIAS_TARGET] = "selection_bias"
    return labels
