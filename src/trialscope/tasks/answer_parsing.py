"""Read what models really write: JSON in any wrapping, option letters, counts, outcomes.

Every function returns None when the text holds no usable answer; callers record that as a
parse failure with the raw text.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection, Mapping
from typing import Any, Literal

import json_repair

from trialscope.tasks.completion_record import TERMINATION_CATEGORIES

Outcome = Literal["complete", "terminate"]
Decision = Literal["included", "excluded"]

_THINK = re.compile(r"<think>.*?(?:</think>|$)", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_-]*)[ \t]*\n?(.*?)(?:```|$)", re.DOTALL)
_DECODER = json.JSONDecoder()


def strip_reasoning(text: str) -> str:
    """The text without `<think>` blocks (an unclosed one runs to the end)."""
    return _THINK.sub("", text).strip()


def _loads_exact(text: str) -> Any | None:
    try:
        return json.loads(text)
    except (json.JSONDecodeError, ValueError):
        return None


def _first_embedded(text: str) -> Any | None:
    """The first complete JSON object or array inside prose (trailing text ignored)."""
    for match in re.finditer(r"[{\[]", text):
        try:
            value, _ = _DECODER.raw_decode(text, match.start())
        except (json.JSONDecodeError, ValueError):
            continue
        if isinstance(value, dict | list) and value:
            return value
    return None


def _repaired(text: str) -> Any | None:
    """Single quotes, trailing commas, unquoted keys, a missing closing brace ..."""
    start = min((i for i in (text.find("{"), text.find("[")) if i >= 0), default=-1)
    if start < 0:
        return None
    try:
        value = json_repair.loads(text[start:])
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict | list) and value else None


def extract_json(text: str) -> Any | None:
    """The JSON value a model meant: fenced, bare, followed by prose, or lightly broken."""
    text = strip_reasoning(text)
    if not text:
        return None
    for _, body in _FENCE.findall(text):
        value = _loads_exact(body.strip())
        if value is None:
            value = _first_embedded(body) or _repaired(body)
        if isinstance(value, dict | list):
            return value
    value = _loads_exact(text)
    if isinstance(value, dict | list):
        return value
    return _first_embedded(text) or _repaired(text)


def extract_json_object(text: str) -> dict[str, Any] | None:
    """Like `extract_json`, but only an object (the first object of a list is taken)."""
    value = extract_json(text)
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                return item
    return None


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def field_of(obj: Mapping[str, Any], *names: str) -> Any | None:
    """The value of the first of `names` present, matching keys case- and punctuation-blind."""
    by_key = {_key(str(key)): value for key, value in obj.items()}
    for name in names:
        if _key(name) in by_key:
            return by_key[_key(name)]
    return None


# --- option letters ----------------------------------------------------------------------

_BARE_LETTER = re.compile(
    r"^[\s*\"'`(\[]*(?:(?:option|choice)\s+)?([A-Za-z])\s*(?:[)\].:-].*)?[\s*\"'`]*$",
    re.IGNORECASE | re.DOTALL,
)
_ANSWER_LETTER = re.compile(
    r"\b(?:final\s+)?answer(?:[\s_]+choice)?[\s\"'*]*(?:is|:|=|would be|should be)?[\s\"'*]*"
    r"(?:option\s+|choice\s+)?[(\[]?([A-Za-z])\b(?![\w'])(?:\s*([a-z]\w*))?",
    re.IGNORECASE,
)
_CORRECT_OPTION = re.compile(
    r"\b(?:option|choice)\s+[(\[]?([A-Za-z])[)\]]?\s+(?:is\s+)?(?:the\s+)?(?:correct|right|best)",
    re.IGNORECASE,
)


def letter_from_value(value: Any, letters: Collection[str]) -> str | None:
    """An option letter from a JSON value such as "B", "(b)", "B. Arm 1 ..." or "Option B"."""
    if not isinstance(value, str):
        return None
    match = _BARE_LETTER.match(value.strip())
    if match is None:
        return None
    letter = match.group(1).upper()
    return letter if letter in letters else None


def parse_option_letter(text: str, letters: Collection[str]) -> str | None:
    """The chosen option letter, from JSON `answer_choice` or from prose ("Answer: B")."""
    valid = {letter.upper() for letter in letters}
    obj = extract_json_object(text)
    if obj is not None:
        value = field_of(obj, "answer_choice", "answer", "choice", "option", "answer_option")
        letter = letter_from_value(value, valid)
        if letter is not None:
            return letter
    body = strip_reasoning(text)
    letter = letter_from_value(body, valid) if len(body) <= 80 else None
    if letter is not None:
        return letter
    found: list[tuple[int, str]] = []
    for match in _ANSWER_LETTER.finditer(body):
        letter, next_word = match.group(1), match.group(2)
        # "the answer is a combination of ..." reads the article "a", not option A
        if letter.islower() and next_word is not None:
            continue
        found.append((match.start(), letter.upper()))
    found.extend((m.start(), m.group(1).upper()) for m in _CORRECT_OPTION.finditer(body))
    for _, letter in sorted(found, reverse=True):
        if letter in valid:
            return letter
    # "B. Insulin glargine ...", then an explanation: the first line names the option
    first_line = body.split("\n", 1)[0].strip()
    return letter_from_value(first_line, valid) if first_line != body else None


# --- counts ------------------------------------------------------------------------------

_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d,]*\d)"
_PEOPLE = (
    r"(?:participants?|patients?|subjects?|individuals?|people|persons?|volunteers?|"
    r"women|men|children|infants|adults|cases|enrollees)"
)
_COUNT_PATTERNS = (
    re.compile(r"sample[_\s]size[_\s]needed[\"'\s]*[:=][\"'\s]*" + _NUMBER, re.I),
    re.compile(
        r"\btotal(?:\s+sample\s+size)?(?:\s+of)?[\s:=]+(?:about\s+|approximately\s+|~)?" + _NUMBER,
        re.I,
    ),
    re.compile(r"(?<![\d,])" + _NUMBER + r"\s+(?:" + _PEOPLE + r"\s+)?in\s+total", re.I),
    re.compile(r"\bn\s*=\s*" + _NUMBER, re.I),
    re.compile(r"sample\s+size[^.\d]{0,40}?(?<![\d,])" + _NUMBER, re.I),
)
_PEOPLE_COUNT = re.compile(r"(?<![\d,.])" + _NUMBER + r"\s*" + _PEOPLE + r"\b", re.I)
_ANY_NUMBER = re.compile(r"(?<![\d,.])" + _NUMBER)


def _to_int(digits: str) -> int:
    return int(digits.replace(",", ""))


def count_from_text(text: str) -> int | None:
    """A participant count written in prose: "1,200 participants", "n = 120", "total of 96"."""
    for pattern in _COUNT_PATTERNS:
        match = pattern.search(text)
        if match:
            return _to_int(match.group(1))
    people = _PEOPLE_COUNT.findall(text)
    if people:
        return _to_int(people[-1])
    numbers = {_to_int(digits) for digits in _ANY_NUMBER.findall(text)}
    return numbers.pop() if len(numbers) == 1 else None


def parse_count(value: Any) -> int | None:
    """A positive whole count from a JSON value (int, float or text with units/commas)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        if not math.isfinite(value) or value <= 0:
            return None
        return round(value)
    if isinstance(value, str):
        count = count_from_text(value)
        return count if count is not None and count > 0 else None
    return None


def parse_sample_size(text: str) -> int | None:
    """The `sample_size_needed` of an answer, from JSON or prose."""
    obj = extract_json_object(text)
    if obj is not None:
        value = field_of(
            obj, "sample_size_needed", "sample_size", "total_sample_size", "answer", "n"
        )
        count = parse_count(value)
        if count is not None:
            return count
    count = count_from_text(strip_reasoning(text))
    return count if count is not None and count > 0 else None


# --- completion outcome, confidence, termination reason ----------------------------------

_NEGATED_COMPLETE = re.compile(
    r"\b(?:not|never|won'?t|wont|unlikely\s+to|fail(?:s|ed)?\s+to|cannot|can'?t|isn'?t|is\s+not)"
    r"(?:\s+\w+){0,2}?\s+(?:be\s+)?complet\w*|\bincomplet\w*|\bnon[-\s]?complet\w*",
    re.IGNORECASE,
)
_TERMINATE = re.compile(r"\bterminat\w*|\bstopped\b|\bwithdrawn\b|\bdiscontinu\w*", re.I)
_COMPLETE = re.compile(r"\bcomplet\w*", re.IGNORECASE)
_OUTCOME_FIELD = re.compile(r"[\"']?outcome[\"']?\s*[:=]\s*[\"']?([^\"',}\n]+)", re.I)


def outcome_from_value(value: Any) -> Outcome | None:
    """ "complete" or "terminate" from a short value; "not complete" and "terminated" terminate."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    negated = bool(_NEGATED_COMPLETE.search(text))
    rest = _NEGATED_COMPLETE.sub(" ", text)
    says_terminate = negated or bool(_TERMINATE.search(rest))
    says_complete = bool(_COMPLETE.search(rest))
    if says_terminate and not says_complete:
        return "terminate"
    if says_complete and not says_terminate:
        return "complete"
    return None


def parse_outcome(text: str) -> Outcome | None:
    """The predicted outcome from JSON `outcome`, an `outcome:` line, or unambiguous prose."""
    obj = extract_json_object(text)
    if obj is not None:
        outcome = outcome_from_value(field_of(obj, "outcome", "prediction", "predicted_outcome"))
        if outcome is not None:
            return outcome
    body = strip_reasoning(text)
    match = _OUTCOME_FIELD.search(body)
    if match:
        outcome = outcome_from_value(match.group(1))
        if outcome is not None:
            return outcome
    return outcome_from_value(body) if obj is None else None


def parse_confidence(value: Any) -> float | None:
    """A confidence in [0, 1] from 0-100 (`85`, "85%") or a fraction written as `0.85`."""
    if isinstance(value, bool) or value is None:
        return None
    percent = fraction_text = False
    if isinstance(value, str):
        match = re.search(r"\d+(?:\.\d+)?", value)
        if match is None:
            return None
        percent = "%" in value
        fraction_text = "." in match.group()
        value = float(match.group())
    if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        return None
    is_fraction = (isinstance(value, float) and value < 1) or (fraction_text and value <= 1)
    if is_fraction and not percent:
        return float(value)
    return min(float(value), 100.0) / 100.0


_REASON_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("safety issues", ("safety", "adverse", "toxic", "side effect", "harm", "death")),
    ("lack of efficacy", ("efficacy", "futil", "ineffective", "no benefit", "not effective")),
    ("regulatory/approval", ("regulat", "approval", "fda", "ethic", "irb", "licen")),
    ("enrollment issues", ("enrol", "recruit", "accrual", "participants")),
    ("feasibility", ("feasib", "fund", "sponsor", "business", "logistic", "resource", "financ")),
)


def termination_reason_from_value(value: Any) -> str | None:
    """One of the five termination categories, from the category itself or a close phrase."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower().replace("_", " ")
    if text in TERMINATION_CATEGORIES:
        return text
    for category, keywords in _REASON_KEYWORDS:
        if any(keyword in text for keyword in keywords):
            return category
    return None


_DECISIONS: dict[str, Decision] = {
    "included": "included",
    "include": "included",
    "inclusion": "included",
    "yes": "included",
    "relevant": "included",
    "true": "included",
    "excluded": "excluded",
    "exclude": "excluded",
    "exclusion": "excluded",
    "no": "excluded",
    "irrelevant": "excluded",
    "not relevant": "excluded",
    "false": "excluded",
}


def decision_from_value(value: Any) -> Decision | None:
    """ "included" or "excluded" from a screening decision value (also include/yes/true ...)."""
    if isinstance(value, bool):
        return "included" if value else "excluded"
    if not isinstance(value, str):
        return None
    return _DECISIONS.get(value.strip().strip(".").lower())
