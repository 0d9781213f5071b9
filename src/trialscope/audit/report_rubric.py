"""The report rubric: findings cite patients and rules; bias needs the stratified evidence."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from trialscope.audit.error_types import ErrorType
from trialscope.audit.protocol import Protocol
from trialscope.audit.rules import BIAS_TARGET, BiasEvidence

PATIENT_ID = re.compile(r"\bP\d{4}\b")
ERROR_CUES: dict[str, re.Pattern[str]] = {
    "invalid_age": re.compile(r"invalid_age|\bage\b|eligib", re.I),
    "temporal_inconsistency": re.compile(
        r"temporal|death[^.;\n]{0,40}before|died before|before[^.;\n]{0,30}(treatment|start)", re.I
    ),
    "protocol_window_violation": re.compile(r"window|delay|late start|started late", re.I),
}
NEGATION = re.compile(r"\b(no|not|absent|without|none|isn't|cannot|lacks?)\b", re.I)
NUMBER = re.compile(r"(-?\d+(?:\.\d+)?)\s*(%|pp|percentage points)?")
EVIDENCE_TOLERANCE = 0.03


@dataclass(frozen=True)
class ReportGrade:
    """The rubric's parts (each 0..1) and their weighted total."""

    score: float
    parts: dict[str, float] = field(default_factory=dict)


def _sentences(report: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.;!?])\s+|\n+", report) if s.strip()]


def _cited_pairs(report: str) -> set[tuple[str, str]]:
    """(patient, error type) pairs: each sentence's patient ids with the one rule it names."""
    pairs: set[tuple[str, str]] = set()
    for sentence in _sentences(report):
        ids = PATIENT_ID.findall(sentence)
        if not ids:
            continue
        named = [etype for etype, cue in ERROR_CUES.items() if cue.search(sentence)]
        # A sentence naming several rules at once is ambiguous: it is credited with none of them.
        for pid in ids:
            pairs.add((pid, named[0] if len(named) == 1 else "unspecified"))
    return pairs


def _numbers(sentence: str) -> list[float]:
    values = []
    for raw, unit in NUMBER.findall(sentence):
        value = float(raw)
        values.append(value / 100 if unit or abs(value) > 1 else value)
    return values


def _rules_stated(report: str, protocol: Protocol) -> float:
    expected = {protocol.age_min, protocol.age_max}
    if "protocol_window_violation" in protocol.error_types:
        expected |= {protocol.window_days, protocol.window_days + protocol.stage_iv_extension_days}
    if protocol.comorbidity_threshold is not None:
        expected.add(protocol.comorbidity_threshold)
    stated = {int(n) for n in re.findall(r"(?<![\d.])\d{1,3}(?!\d|\.\d)", report)}
    return len(expected & stated) / len(expected)


def _bias_part(report: str, truth: bool, evidence: BiasEvidence) -> float:
    sentences = [s for s in _sentences(report) if re.search(r"\bbias", s, re.I)]
    if not sentences:
        return 0.0
    says_present = not NEGATION.search(sentences[-1])
    if says_present != truth:
        return 0.0
    target = evidence.stage_adjusted_mortality_gap
    stratified = [s for s in _sentences(report) if re.search(r"strat|adjust|within stage", s, re.I)]
    backed = any(
        abs(value - target) <= EVIDENCE_TOLERANCE for s in stratified for value in _numbers(s)
    )
    return 0.25 + 0.75 * backed


def grade_report(
    report: str, labels: dict[str, str], protocol: Protocol, evidence: BiasEvidence | None
) -> ReportGrade:
    """Grade the report against the episode's truth; a list of keywords scores near zero."""
    if not report.strip():
        return ReportGrade(0.0, {"citations": 0.0, "rules": 0.0})
    patient_truth = {pid: etype for pid, etype in labels.items() if pid != BIAS_TARGET}
    pairs = _cited_pairs(report)
    correct = sum(patient_truth.get(pid) == etype for pid, etype in pairs)
    wrong = len(pairs) - correct
    citations = correct / (len(patient_truth) + wrong) if patient_truth or wrong else 0.0
    parts = {"citations": round(citations, 4), "rules": round(_rules_stated(report, protocol), 4)}
    if ErrorType.SELECTION_BIAS in protocol.error_types and evidence is not None:
        parts["bias"] = _bias_part(report, BIAS_TARGET in labels, evidence)
        total = 0.6 * parts["citations"] + 0.1 * parts["rules"] + 0.3 * parts["bias"]
    else:
        total = 0.8 * parts["citations"] + 0.2 * parts["rules"]
    return ReportGrade(round(total, 4), parts)
