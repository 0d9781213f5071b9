"""Fields and text the baselines read from a sample's raw record (the spec's JSON layout)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from trialscope.baselines.answer_text import TERMINATION_REASONS
from trialscope.errors import InputError
from trialscope.tasks.base import Sample
from trialscope.tasks.completion_record import ARMS_CONTEXT, CRITERIA_CONTEXT


class RecordFieldError(InputError):
    """A record lacks a field a baseline needs, or holds the wrong type there."""


def _field(sample: Sample, *path: str) -> Any:
    value: Any = sample.raw
    for depth, key in enumerate(path):
        if not isinstance(value, dict) or key not in value:
            where = ".".join(path[: depth + 1])
            raise RecordFieldError(f"sample {sample.sample_id}: field {where!r} is missing")
        value = value[key]
    return value


def flatten_text(value: Any) -> str:
    """Any JSON value as plain text (lists and dicts joined, None as empty)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "\n".join(f"{key}: {flatten_text(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return "\n".join(flatten_text(item) for item in value)
    return str(value)


# --- reviews (search, screening) ---------------------------------------------------------


def review_sections(sample: Sample) -> dict[str, str]:
    """The review's sections keyed by normalised name (`selection criteria`, `objectives` ...)."""
    inputs = _field(sample, "inputs")
    if isinstance(inputs, str):
        return {"text": inputs}
    if not isinstance(inputs, dict):
        raise RecordFieldError(f"sample {sample.sample_id}: field 'inputs' must be an object")
    return {
        str(key).strip().lower().replace("_", " "): flatten_text(value)
        for key, value in inputs.items()
    }


def review_focus_text(sample: Sample) -> str:
    """The review's objectives and selection criteria (all sections when neither exists)."""
    sections = review_sections(sample)
    keys = ("title", "objectives", "selection criteria")
    focus = [sections[key] for key in keys if key in sections]
    return "\n".join(focus) if focus else "\n".join(sections.values())


def review_full_text(sample: Sample) -> str:
    """Every section of the review."""
    return "\n".join(review_sections(sample).values())


@dataclass(frozen=True)
class Candidate:
    """One candidate study of a screening review."""

    pmid: str
    text: str


def screening_candidates(sample: Sample) -> list[Candidate]:
    """The review's candidate studies (title and abstract as text)."""
    context = _field(sample, "context")
    if not isinstance(context, list):
        raise RecordFieldError(f"sample {sample.sample_id}: field 'context' must be a list")
    candidates = []
    for index, study in enumerate(context):
        if not isinstance(study, dict) or "PMID" not in study:
            raise RecordFieldError(f"sample {sample.sample_id}: context[{index}] has no 'PMID'")
        text = f"{flatten_text(study.get('title'))}\n{flatten_text(study.get('abstract'))}"
        candidates.append(Candidate(pmid=str(study["PMID"]), text=text))
    return candidates


def screening_labels(sample: Sample) -> dict[str, bool]:
    """PMID -> included, from the record's labels."""
    labels = _field(sample, "labels")
    if not isinstance(labels, list):
        raise RecordFieldError(f"sample {sample.sample_id}: field 'labels' must be a list")
    included = {}
    for index, item in enumerate(labels):
        if not isinstance(item, dict) or "PMID" not in item or "label" not in item:
            raise RecordFieldError(
                f"sample {sample.sample_id}: labels[{index}] needs 'PMID' and 'label'"
            )
        included[str(item["PMID"])] = str(item["label"]).strip().lower() == "included"
    return included


# --- trial completion --------------------------------------------------------------------

_DESIGN_FIELDS = (
    "allocation",
    "intervention_model",
    "observational_model",
    "primary_purpose",
    "time_perspective",
    "masking",
    "phase",
)
_CRITERIA_FIELDS = ("gender", "healthy_volunteers")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _context_items(sample: Sample, item_type: str) -> list[dict[str, Any]]:
    context = sample.raw.get("context") or []
    if not isinstance(context, list):
        return []
    return [item for item in context if isinstance(item, dict) and item.get("type") == item_type]


def _number(value: Any) -> float | None:
    match = _NUMBER.search(flatten_text(value))
    return float(match.group()) if match else None


_EXCLUSION_HEADING = re.compile(r"^\s*exclusion criteria\b", re.IGNORECASE)
_INCLUSION_HEADING = re.compile(r"^\s*inclusion criteria\b", re.IGNORECASE)


def criteria_counts(criteria: str) -> tuple[int, int]:
    """Numbers of inclusion and exclusion criteria (lines joined by `~` or newlines)."""
    lines = [line for line in re.split(r"[~\n]", criteria) if line.strip()]
    inclusion = exclusion = 0
    in_exclusion = False
    for line in lines:
        if _EXCLUSION_HEADING.match(line):
            in_exclusion = True
        elif not _INCLUSION_HEADING.match(line):
            if in_exclusion:
                exclusion += 1
            else:
                inclusion += 1
    return inclusion, exclusion


def completion_design(sample: Sample) -> dict[str, str | float]:
    """Categorical and numeric design features of a trial (missing ones are left out)."""
    inputs = _field(sample, "inputs")
    if not isinstance(inputs, dict):
        raise RecordFieldError(f"sample {sample.sample_id}: field 'inputs' must be an object")
    features: dict[str, str | float] = {}
    for key in _DESIGN_FIELDS:
        text = flatten_text(inputs.get(key)).strip().lower()
        features[key] = text or "unknown"
    arms = _number(inputs.get("number_of_arms"))
    features["number_of_arms"] = min(arms, 10.0) if arms is not None else 0.0
    for item in _context_items(sample, CRITERIA_CONTEXT):
        for key in _CRITERIA_FIELDS:
            features[key] = flatten_text(item.get(key)).strip().lower() or "unknown"
        for key in ("minimum_age", "maximum_age"):
            age = _number(item.get(key))
            features[f"has_{key}"] = 1.0 if age is not None else 0.0
            features[key] = min(age, 100.0) / 100.0 if age is not None else 0.0
        inclusion, exclusion = criteria_counts(flatten_text(item.get("criteria")))
        features["log_inclusion_criteria"] = math.log1p(inclusion)
        features["log_exclusion_criteria"] = math.log1p(exclusion)
    return features


def completion_text(sample: Sample) -> str:
    """The trial's title, eligibility criteria and arm descriptions as one text."""
    inputs = sample.raw.get("inputs") or {}
    parts = [flatten_text(inputs.get("title")) if isinstance(inputs, dict) else ""]
    for item in _context_items(sample, CRITERIA_CONTEXT):
        parts.append(flatten_text(item.get("criteria")).replace("~", "\n"))
    for item in _context_items(sample, ARMS_CONTEXT):
        for arm in item.get("arms") or []:
            parts.append(flatten_text(arm))
    return "\n".join(parts)


def normalise_reason(value: Any) -> str | None:
    """One of the five termination categories, or None when the text names none of them."""
    text = flatten_text(value).strip().lower()
    if not text:
        return None
    if text in TERMINATION_REASONS:
        return text
    for keyword, reason in (
        ("enrol", "enrollment issues"),
        ("accrual", "enrollment issues"),
        ("recruit", "enrollment issues"),
        ("feasib", "feasibility"),
        ("efficacy", "lack of efficacy"),
        ("futility", "lack of efficacy"),
        ("regulat", "regulatory/approval"),
        ("approv", "regulatory/approval"),
        ("safety", "safety issues"),
        ("adverse", "safety issues"),
    ):
        if keyword in text:
            return reason
    return None


def completion_label(sample: Sample) -> tuple[str, str | None]:
    """(`complete` | `terminate`, termination category or None)."""
    labels = _field(sample, "labels")
    if not isinstance(labels, dict) or "outcome" not in labels:
        raise RecordFieldError(f"sample {sample.sample_id}: field 'labels.outcome' is missing")
    outcome_text = str(labels["outcome"]).strip().lower()
    if outcome_text.startswith("complet"):
        return "complete", None
    if outcome_text.startswith("terminat"):
        return "terminate", normalise_reason(labels.get("terminate_type"))
    raise RecordFieldError(
        f"sample {sample.sample_id}: labels.outcome is {labels['outcome']!r}, "
        "expected 'complete' or 'terminate'"
    )


# --- multiple choice and sample size -----------------------------------------------------


def question_text(sample: Sample) -> str:
    """The question (a trial or review description)."""
    return flatten_text(_field(sample, "question"))


def choice_options(sample: Sample) -> list[tuple[str, str]]:
    """(letter, option text) pairs in letter order."""
    options = _field(sample, "options")
    if isinstance(options, list):
        return [(chr(ord("A") + index), flatten_text(text)) for index, text in enumerate(options)]
    if not isinstance(options, dict) or not options:
        raise RecordFieldError(f"sample {sample.sample_id}: field 'options' must be an object")
    pairs = ((str(letter).strip().upper(), flatten_text(text)) for letter, text in options.items())
    return sorted(pairs)


def choice_label(sample: Sample) -> str:
    """The correct option letter."""
    return str(_field(sample, "answer")).strip().strip("()").upper()


def sample_size_label(sample: Sample) -> int:
    """The true sample size."""
    value = _field(sample, "answer")
    number = _number(str(value).replace(",", "")) if not isinstance(value, int | float) else value
    if number is None:
        raise RecordFieldError(
            f"sample {sample.sample_id}: field 'answer' is {value!r}, expected a number"
        )
    return int(number)
