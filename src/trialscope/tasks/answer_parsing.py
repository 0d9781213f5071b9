"""Read what models really write: JSON in any wrapping, option letters, counts, outcomes.

Every function returns None when the text holds no usable answer; callers record that as a
parse failure with the raw text.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection, Iterator, Mapping
from typing import Any, Literal

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
    # Imported on first use: it costs a twentieth of a second at start, before any answer.
    import json_repair

    try:
        value = json_repair.loads(text[start:])
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict | list) and value else None


def extract_json(text: str) -> Any | None:
    """The JSON value a model meant: fenced, bare, followed by prose, or lightly broken."""
    # A whole answer that is valid JSON is data: a `<think>` inside one of its strings is text.
    whole = _loads_exact(text.strip())
    if isinstance(whole, dict | list):
        return whole
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
_CUE = (
    r"(?i:\b(?:final\s+answer|answer(?:[\s_]+choice)?|(?:correct|right|best)\s+(?:option|answer|"
    r"choice)|choose|chose|pick|select(?:ed)?|go\s+with|my\s+choice|choice|option|it'?s|it\s+is|"
    r"probably|likely))"
)
_LINK = r"(?i:(?:[\s\"'*:=(\[]|\b(?:is|would|should|be|most|likely|probably|option|choice)\b)*)"
_CUE_INITIAL = r"(?=(?i:[abcfgilmoprs]))"
"""The first letters of the cues: a position that starts none of them is skipped at once (the
cue alternation, tried at every position of a long answer, was most of a parse's time)."""
_CHOSEN = re.compile(_CUE_INITIAL + _CUE + _LINK + r"\b([A-Za-z])\b(?![\w'])(?:\s*([a-z]\w*))?")
_CUE_WORD = re.compile(
    r"final|answer|correct|right|best|cho|pick|select|go|my|option|it|probably|likely"
)
"""The first word of every cue, lower-case: where _CHOSEN can start in an ASCII text."""


def _chosen_matches(text: str) -> Iterator[re.Match[str]]:
    """`_CHOSEN.finditer(text)`, faster on long ASCII text: _CHOSEN is tried only where the
    lower-cased text has a cue's first word (a case-sensitive search of literals runs in C;
    the case-blind cue alternation tried at every position was most of a parse's time)."""
    if not text.isascii():
        yield from _CHOSEN.finditer(text)
        return
    lowered = text.lower()  # same length and positions for ASCII
    position = 0
    while (candidate := _CUE_WORD.search(lowered, position)) is not None:
        match = _CHOSEN.match(text, candidate.start())
        if match is None:
            position = candidate.start() + 1
            continue
        yield match
        position = match.end()


_LETTER_FIRST = re.compile(
    r"(?:\b(?i:option|choice)\s+)?[(\[]?\b([A-Z])\b[)\].]?\s+(?i:is\s+(?:the\s+)?"
    r"(?:correct|right|best))"
)
_CORRECT_CLAIM = re.compile(r"\s(?i:is\s+(?:the\s+)?(?:correct|right|best))")
"""What every _LETTER_FIRST match contains: without it that pattern is not run at all."""
# "not" at a word start, written to start with a character class (searched in C): the
# lookbehind after the "n" checks the character before it, as a leading \b would.
_NEGATED_LETTER = re.compile(r"[nN](?<!\w[nN])(?i:ot)\s+(?:(?i:option)\s+)?\(?([A-Z])\b(?![\w'])")
_ALTERNATIVES = re.compile(
    r"\b([A-Z])\b[)\]]?\s*,?\s*(?i:or|and|/)\s*(?i:maybe\s+|perhaps\s+|possibly\s+|option\s+)?"
    r"[(\[]?([A-Z])\b(?![\w'])"
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


def _letter_in_prose(body: str, valid: set[str]) -> str | None:
    """The one letter the prose chooses ("I'd go with C", "Option B is correct"), unless it is
    offered with an alternative ("A or B") or the prose names several."""
    text = body.replace("*", "")
    negated = {m.group(1) for m in _NEGATED_LETTER.finditer(text)}
    chosen: list[tuple[int, str]] = []
    for match in _chosen_matches(text):
        letter, next_word = match.group(1), match.group(2)
        # "the answer is a combination of ..." reads the article "a", not option A
        if letter.islower() and (next_word is not None or not re.search(r"(?i)answer", match[0])):
            continue
        chosen.append((match.start(1), letter.upper()))
    if _CORRECT_CLAIM.search(text):
        chosen.extend((m.start(1), m.group(1)) for m in _LETTER_FIRST.finditer(text))
    candidates = [(at, ltr) for at, ltr in chosen if ltr in valid and ltr not in negated]
    if not candidates:
        return None
    pick = max(candidates)[1]
    for match in _ALTERNATIVES.finditer(text):
        pair = {match.group(1), match.group(2)}
        if pick in pair and len(pair & valid - negated) > 1:
            return None
    return pick


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
    letter = _letter_in_prose(body, valid)
    if letter is not None:
        return letter
    # "B. Insulin glargine ...", then an explanation: the first line names the option
    first_line = body.split("\n", 1)[0].strip()
    return letter_from_value(first_line, valid) if first_line != body else None


# --- counts ------------------------------------------------------------------------------

_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d,]*\d)"


def _number_not_after(chars: str) -> str:
    """`(?<![chars])` + _NUMBER, written to start with the digit: a pattern that starts with a
    character class is searched for in C, one starting with a lookbehind tries every position
    (five times slower on long answers). The lookbehind moves behind the first digit, where it
    checks the same character; the alternatives keep their order (tests pin the equivalence)."""
    return r"(\d(?<![" + chars + r"]\d)(?:\d{0,2}(?:,\d{3})+|\d*))(?:\.\d+)?(?![\d,]*\d)"


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
    re.compile(_number_not_after(r"\d,") + r"\s+(?:" + _PEOPLE + r"\s+)?in\s+total", re.I),
    re.compile(r"\bn\s*=\s*" + _NUMBER, re.I),
    re.compile(r"sample\s+size[^.\d]{0,40}?(?<![\d,])" + _NUMBER, re.I),
)
_PEOPLE_COUNT = re.compile(_number_not_after(r"\d,.") + r"\s*" + _PEOPLE + r"\b", re.I)
_ANY_NUMBER = re.compile(_number_not_after(r"\d,."))


def _to_int(digits: str) -> int:
    return int(digits.replace(",", ""))


_COUNT_RANGE = re.compile(
    _number_not_after(r"\d,.") + r"\s*(?:-|–|to|and|or)\s*" + _NUMBER, re.IGNORECASE
)


def count_from_text(text: str) -> int | None:
    """A participant count written in prose: "1,200 participants", "n = 120", "total of 96".

    A range or a choice of counts ("100 to 200", "120 or 240") is not one count: None.
    """
    if _COUNT_RANGE.search(text):
        return None
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

_NEGATION = re.compile(
    r"\b(?:not|no|never|without|unlikely\s+to|fail(?:s|ed)?\s+to|cannot|can'?t|won'?t|wont|"
    r"isn'?t|wasn'?t|don'?t|doesn'?t|didn'?t)\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[.;,:!?()\n]|\bbut\b|\brather\b", re.IGNORECASE)
_UNSURE = re.compile(
    r"\b(?:unsure|not\s+sure|uncertain|hard\s+to\s+say|can'?t\s+tell|cannot\s+tell|either|"
    r"whether)\b",
    re.IGNORECASE,
)
_TERMINATE = re.compile(r"\bterminat\w*|\bstopped\b|\bwithdrawn\b|\bdiscontinu\w*", re.I)
_COMPLETE = re.compile(r"(?<![-\w])complet\w*", re.IGNORECASE)
_NOT_COMPLETE = re.compile(r"\bincomplet\w*|\bnon[-\s]?complet\w*", re.IGNORECASE)
_OUTCOME_FIELD = re.compile(r"[\"']?outcome[\"']?\s*[:=]\s*[\"']?([^\"',}\n]+)", re.I)


def mentions(
    text: str, pattern: re.Pattern[str], negation: re.Pattern[str] = _NEGATION
) -> tuple[bool, bool]:
    """Whether `pattern` occurs affirmed, and whether it occurs negated ("will not complete",
    "without being terminated"): a negation up to five words before it, in the same clause."""
    affirmed = negated = False
    for match in pattern.finditer(text):
        clause = _CLAUSE_BREAK.split(text[max(0, match.start() - 60) : match.start()])[-1]
        if negation.search(" ".join(clause.split()[-5:])):
            negated = True
        else:
            affirmed = True
    return affirmed, negated


def outcome_from_value(value: Any) -> Outcome | None:
    """ "complete" or "terminate" from a value or prose; "not complete" and "terminated"
    terminate, "will not be terminated" completes; both, neither or a hedge give None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or _UNSURE.search(text):
        return None
    complete, complete_negated = mentions(text, _COMPLETE)
    terminate, terminate_negated = mentions(text, _TERMINATE)
    says_terminate = terminate or complete_negated or bool(_NOT_COMPLETE.search(text))
    says_complete = complete or terminate_negated
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


_PER_HUNDRED = re.compile(r"\s*(?:/|out\s+of)\s*100\b|\s*percent\b", re.IGNORECASE)


def parse_confidence(value: Any) -> float | None:
    """A confidence in [0, 1]: a whole number or "85%" is out of 100, a decimal up to 1 (0.85,
    "0.85", 1.0) a fraction. A range, a negative, over 100% or a word gives None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        if not math.isfinite(value) or value < 0:
            return None
        if isinstance(value, float) and value <= 1:
            return float(value)
        return float(value) / 100 if value <= 100 else None
    if not isinstance(value, str):
        return None
    text = _PER_HUNDRED.sub("%", value.strip())
    numbers = re.findall(r"\d+(?:\.\d+)?", text)
    if len(numbers) != 1 or re.search(r"(?<![\w.])-\s*\d", text):
        return None
    number = float(numbers[0])
    if "%" not in text and "." in numbers[0] and number <= 1:
        return number
    return number / 100 if number <= 100 else None


_REASON_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("safety issues", ("safety", "adverse", "toxic", "side effect", "harm", "death")),
    ("lack of efficacy", ("efficacy", "futil", "ineffective", "no benefit", "not effective")),
    ("regulatory/approval", ("regulat", "approval", "fda", "ethic", "irb", "licen")),
    ("enrollment issues", ("enrol", "recruit", "accrual", "participants")),
    ("feasibility", ("feasib", "fund", "sponsor", "business", "logistic", "resource", "financ")),
)


_NOT_THE_REASON = re.compile(
    r"\b(?:not\s+(?:due\s+to|because\s+of|for|related\s+to)|no|rather\s+than|without|ruled\s+out)\b",
    re.IGNORECASE,
)
_REASON_PATTERNS = tuple(
    (category, re.compile("|".join(re.escape(k) for k in keywords), re.IGNORECASE))
    for category, keywords in _REASON_KEYWORDS
)


def termination_reason_from_value(value: Any) -> str | None:
    """One of the five termination categories, from the category itself or a phrase naming
    exactly one ("not due to safety but poor recruitment" is enrollment); two is None."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower().replace("_", " ")
    if text in TERMINATION_CATEGORIES:
        return text
    named = [
        category
        for category, pattern in _REASON_PATTERNS
        if mentions(text, pattern, _NOT_THE_REASON)[0]
    ]
    return named[0] if len(named) == 1 else None


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


_INCLUDE = re.compile(r"\binclu\w*|(?<!ir)\brelevant\b|\byes\b|\bkeep\b|\beligible\b", re.I)
_EXCLUDE = re.compile(r"\bexclu\w*|\birrelevant\b|\bdrop\b", re.IGNORECASE)


def decision_from_value(value: Any) -> Decision | None:
    """ "included" or "excluded" from a screening decision: include/yes/true, a phrase such as
    "Exclude (animal study)", or a negation ("should not be included"); both or neither: None."""
    if isinstance(value, bool):
        return "included" if value else "excluded"
    if not isinstance(value, str):
        return None
    text = value.strip().strip(".*").strip().lower()
    if text in _DECISIONS:
        return _DECISIONS[text]
    include, include_negated = mentions(text, _INCLUDE)
    exclude, exclude_negated = mentions(text, _EXCLUDE)
    if re.match(r"no\b", text):
        exclude = True
    says_include = include or exclude_negated
    says_exclude = exclude or include_negated
    if says_include == says_exclude:
        return None
    return "included" if says_include else "excluded"
