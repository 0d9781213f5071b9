"""Text a benchmark item shows about a trial, with the leakage mask applied.

Predictive tasks (completion, design, sample size) must never show a trial's outcome: its status,
why it stopped, whether it has results, or its actual enrollment. `masked` removes those fields
before any text is written, so no renderer can use them by accident, and cleans the registry's
text as it goes (CT.gov's markdown escapes such as `\\>=` are removed).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from trialscope.data.store_queries import StudyDetail

_PHASE = re.compile(r"PHASE\s*(\d)", re.IGNORECASE)
_ESCAPE = re.compile(r"\\([^\w\s])")
_CODES = {"NA": "Not applicable"}
_BULLET = re.compile(r"^\s*(?:[*\-•]|\d+[.)])\s*")


def unescape(text: str) -> str:
    """Registry text without CT.gov's markdown escapes: '\\>= 18' -> '>= 18'."""
    # Most text has no backslash at all; the check is far cheaper than the substitution.
    return _ESCAPE.sub(r"\1", text) if "\\" in text else text


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return unescape(value)
    if isinstance(value, tuple):
        # The detail's tuples hold strings and None: cleaned in place, without recursing.
        return tuple(
            unescape(item) if isinstance(item, str) else _clean(item) if item is not None else None
            for item in value
        )
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value


def masked(detail: StudyDetail) -> StudyDetail:
    """A copy of the study, its text cleaned, without the fields that give away how it ended."""
    cleaned = dataclasses.replace(
        detail, status=None, why_stopped=None, enrollment=None, enrollment_type=None
    )
    for name in (f.name for f in dataclasses.fields(cleaned)):
        setattr(cleaned, name, _clean(getattr(cleaned, name)))
    return cleaned


def masked_section(detail: StudyDetail, names: tuple[str, ...]) -> StudyDetail:
    """A study holding only the named fields (cleaned), for renderers that read nothing else.

    Much cheaper than `masked` when thousands of distractor trials each show one section.
    """
    view = StudyDetail.bare(detail.study_id)
    for name in names:
        setattr(view, name, _clean(getattr(detail, name)))
    return view


def age_range(minimum: str | None, maximum: str | None) -> str:
    """'18 years to 65 years', '18 years or older', '65 years or younger' or 'any age'."""
    low, high = (value.strip().lower() if value else "" for value in (minimum, maximum))
    if low and high:
        return f"{low} to {high}"
    if low:
        return f"{low} or older"
    if high:
        return f"{high} or younger"
    return "any age"


def humanize(code: str | None) -> str:
    """'PLACEBO_COMPARATOR' -> 'Placebo comparator', 'PHASE1/PHASE2' -> 'Phase 1/Phase 2',
    'NA' -> 'Not applicable'."""
    if not code:
        return ""
    if code in _CODES:
        return _CODES[code]
    text = code.replace("_", " ").lower()
    return _PHASE.sub(r"Phase \1", text[:1].upper() + text[1:])


def criteria_lines(criteria: str | None) -> list[str]:
    """Non-empty criteria lines without their bullets."""
    lines = (_BULLET.sub("", line).strip() for line in (criteria or "").splitlines())
    return [line for line in lines if line]


def trial_description(detail: StudyDetail, *, with_interventions: bool = True) -> str:
    """Title, conditions, phase, design and summary of a (masked) trial."""
    parts = [f"Title: {detail.official_title or detail.title or ''}"]
    if detail.conditions:
        parts.append(f"Conditions: {', '.join(detail.conditions)}")
    if detail.study_type:
        parts.append(f"Study type: {humanize(detail.study_type)}")
    if detail.phase and detail.phase != "NA":
        parts.append(f"Phase: {humanize(detail.phase)}")
    if with_interventions and detail.interventions:
        names = ", ".join(
            f"{name} ({humanize(kind)})" for kind, name in detail.interventions if name
        )
        parts.append(f"Interventions: {names}")
    if detail.summary:
        parts.append(f"Brief summary: {detail.summary.strip()}")
    return "\n".join(parts)


def arms_text(detail: StudyDetail) -> str:
    """The trial's arm groups, one per line."""
    lines = []
    for label, kind, description in detail.arms:
        head = f"{label} ({humanize(kind)})" if kind else f"{label}"
        lines.append(f"{head}: {description}" if description else head)
    return "\n".join(lines)


def criteria_text(detail: StudyDetail) -> str:
    """The eligibility criteria text, trimmed."""
    return "\n".join(criteria_lines(detail.criteria))


def outcomes_text(detail: StudyDetail) -> str:
    """Primary and secondary outcome measures with time frames."""

    def listed(outcomes: list[tuple[str | None, str | None]]) -> str:
        return "; ".join(
            f"{measure} (time frame: {frame})" if frame else f"{measure}"
            for measure, frame in outcomes
            if measure
        )

    text = f"Primary outcomes: {listed(detail.primary_outcomes)}"
    if detail.secondary_outcomes:
        text += f"\nSecondary outcomes: {listed(detail.secondary_outcomes)}"
    return text


def sample_size_question(detail: StudyDetail) -> str:
    """A sample-size question about a (masked) trial: its design, arms and primary endpoint."""
    parts = [trial_description(detail)]
    design = [
        f"{name}: {humanize(value)}"
        for name, value in (
            ("Allocation", detail.allocation),
            ("Intervention model", detail.intervention_model),
            ("Masking", detail.masking),
            ("Primary purpose", detail.primary_purpose),
        )
        if value
    ]
    if design:
        parts.append("Design: " + "; ".join(design))
    if detail.arms:
        parts.append("Arms:\n" + arms_text(detail))
    if detail.primary_outcomes:
        parts.append(outcomes_text(dataclasses.replace(detail, secondary_outcomes=[])))
    if detail.minimum_age or detail.maximum_age or detail.sex:
        ages = age_range(detail.minimum_age, detail.maximum_age)
        parts.append(f"Eligible: {humanize(detail.sex) or 'All'} participants, {ages}")
    parts.append(
        "How many participants does this trial need to enroll? Give the total sample size."
    )
    return "\n\n".join(parts)
