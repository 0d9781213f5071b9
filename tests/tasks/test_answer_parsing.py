"""Answer parsers: what models really write, and properties over generated answers."""

from __future__ import annotations

import json
import string
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.tasks import answer_corpus

from trialscope.tasks.answer_parsing import (
    count_from_text,
    decision_from_value,
    extract_json,
    extract_json_object,
    field_of,
    outcome_from_value,
    parse_confidence,
    parse_option_letter,
    parse_outcome,
    parse_sample_size,
    strip_reasoning,
    termination_reason_from_value,
)
from trialscope.tasks.completion_record import TERMINATION_CATEGORIES

LETTERS = "ABCDE"
prose = st.text(alphabet=string.ascii_letters + " ,;", max_size=40)
json_text = st.text(alphabet=string.ascii_letters + string.digits + " .,;:'\"\\{}", max_size=60)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('```json\n{"query": "insulin"}\n```', {"query": "insulin"}),
        ('```\n{"query": "insulin"}\n```', {"query": "insulin"}),
        ('{"query": "insulin"}', {"query": "insulin"}),
        ('Sure! {"query": "insulin"} Hope this helps {not json}', {"query": "insulin"}),
        ("{'query': 'insulin', }", {"query": "insulin"}),
        ('{"query": "insulin"', {"query": "insulin"}),
        ('<think>{"query": "wrong"}</think>{"query": "right"}', {"query": "right"}),
        ("no json at all", None),
        ("", None),
    ],
)
def test_extract_json_reads_common_wrappings(text: str, expected: object) -> None:
    assert extract_json(text) == expected


@given(
    obj=st.dictionaries(st.sampled_from(["query", "a", "b_c"]), json_text, min_size=1),
    before=prose,
    after=prose,
    fenced=st.booleans(),
)
def test_extract_json_recovers_any_object_in_prose(
    obj: dict[str, str], before: str, after: str, fenced: bool
) -> None:
    body = json.dumps(obj)
    text = f"{before}\n```json\n{body}\n```\n{after}" if fenced else f"{before} {body} {after}"
    assert extract_json(text) == obj


@given(obj=st.dictionaries(st.sampled_from(["x", "y", "z"]), st.integers(), min_size=1))
def test_extract_json_reads_single_quoted_and_trailing_comma(obj: dict[str, int]) -> None:
    broken = "{" + ", ".join(f"'{k}': {v}" for k, v in obj.items()) + ",}"
    assert extract_json(broken) == obj


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("B", "B"),
        ("(B)", "B"),
        ("b.", "B"),
        ("**C**", "C"),
        ("Answer: B", "B"),
        ("the answer is b", "B"),
        ("After weighing the arms, the final answer is (D).", "D"),
        ("Option C is correct because ...", "C"),
        ("B. Insulin glargine vs NPH\n\nExplanation: the trial compares two insulins.", "B"),
        ("A trial like this\nneeds more thought.", None),
        ('{"step_by_step_thinking": "...", "answer_choice": "C"}', "C"),
        ('{"step_by_step_thinking": "...", "answer_choice": "(c) Diet only"}', "C"),
        ("{'answer_choice': 'A'", "A"),
        ("The answer is a combination of diet and exercise", None),
        ("Z", None),
        ("I cannot tell.", None),
    ],
)
def test_option_letter_examples(text: str, expected: str | None) -> None:
    assert parse_option_letter(text, LETTERS) == expected


@given(
    letter=st.sampled_from(LETTERS),
    form=st.sampled_from(["{}", "({})", "{}.", "Answer: {}", "the answer is {}", "Answer: ({})"]),
    lower=st.booleans(),
)
def test_option_letter_in_any_plain_form(letter: str, form: str, lower: bool) -> None:
    written = letter.lower() if lower else letter
    assert parse_option_letter(form.format(written), LETTERS) == letter


@given(letter=st.sampled_from(LETTERS), thinking=json_text, fenced=st.booleans())
def test_option_letter_from_json(letter: str, thinking: str, fenced: bool) -> None:
    body = json.dumps({"step_by_step_thinking": thinking, "answer_choice": letter})
    text = f"```json\n{body}\n```" if fenced else body
    assert parse_option_letter(text, LETTERS) == letter


@given(letter=st.sampled_from("FGH"))
def test_option_letter_outside_the_options_is_rejected(letter: str) -> None:
    assert parse_option_letter(f"Answer: {letter}", LETTERS) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"step_by_step_thinking": "80% power", "sample_size_needed": 120}', 120),
        ('{"sample_size_needed": "1,200 participants"}', 1200),
        ('{"sample_size_needed": 95.6}', 96),
        ("1,200 participants", 1200),
        ("n = 120", 120),
        ("We need 60 per arm, a total of 120.", 120),
        ("About 300 patients should be enrolled.", 300),
        ("Between 100 and 200 would do", None),
        ('{"sample_size_needed": 0}', None),
        ("none", None),
    ],
)
def test_sample_size_examples(text: str, expected: int | None) -> None:
    assert parse_sample_size(text) == expected


@given(
    n=st.integers(min_value=1, max_value=10_000_000),
    form=st.sampled_from(
        ["{:,} participants", "n = {}", "N={:,}", "a total of {:,}", "{} patients", "{:,}"]
    ),
)
def test_count_in_prose_with_units_and_commas(n: int, form: str) -> None:
    assert count_from_text(form.format(n)) == n


@given(n=st.integers(min_value=1, max_value=10_000_000), as_text=st.booleans(), thinking=prose)
def test_sample_size_from_json(n: int, as_text: bool, thinking: str) -> None:
    value: object = f"{n:,}" if as_text else n
    text = json.dumps({"step_by_step_thinking": thinking, "sample_size_needed": value})
    assert parse_sample_size(text) == n


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("complete", "complete"),
        ("Completed", "complete"),
        ("will complete", "complete"),
        ("terminate", "terminate"),
        ("Terminated", "terminate"),
        ("not complete", "terminate"),
        ("will not complete", "terminate"),
        ("won't be completed", "terminate"),
        ("incomplete", "terminate"),
        ("unlikely to complete", "terminate"),
        ("complete or terminate", None),
        ("unknown", None),
    ],
)
def test_outcome_values(value: str, expected: str | None) -> None:
    assert outcome_from_value(value) == expected


@given(
    negation=st.sampled_from(["not", "will not", "won't", "never", "unlikely to", "fail to"]),
    verb=st.sampled_from(["complete", "completed", "be completed", "Complete"]),
)
def test_negated_complete_always_terminates(negation: str, verb: str) -> None:
    assert outcome_from_value(f"{negation} {verb}") == "terminate"


@given(outcome=st.sampled_from(["complete", "terminate"]), explanation=prose)
def test_outcome_from_json_ignores_explanation(outcome: str, explanation: str) -> None:
    text = json.dumps({"outcome": outcome, "confidence": 70, "explanation": explanation})
    assert parse_outcome(text) == outcome


def test_outcome_from_prose() -> None:
    assert parse_outcome("Outcome: terminate\nReason: enrollment") == "terminate"
    assert parse_outcome("I predict this trial will not complete.") == "terminate"
    assert parse_outcome("No idea.") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (85, 0.85),
        ("85%", 0.85),
        (0.85, 0.85),
        ("0.85", 0.85),
        (100, 1.0),
        (250, None),
        (None, None),
    ],
)
def test_confidence_values(value: object, expected: float | None) -> None:
    assert parse_confidence(value) == expected


@given(value=st.integers(min_value=0, max_value=100))
def test_confidence_is_a_fraction(value: int) -> None:
    confidence = parse_confidence(value)
    assert confidence is not None and 0.0 <= confidence <= 1.0
    assert confidence == pytest.approx(value / 100)


@given(category=st.sampled_from(TERMINATION_CATEGORIES), upper=st.booleans())
def test_termination_categories_map_to_themselves(category: str, upper: bool) -> None:
    assert termination_reason_from_value(category.upper() if upper else category) == category


def test_termination_reason_phrases() -> None:
    assert termination_reason_from_value("slow recruitment") == "enrollment issues"
    assert termination_reason_from_value("futility at interim") == "lack of efficacy"
    assert termination_reason_from_value("funding withdrawn by sponsor") == "feasibility"
    assert termination_reason_from_value("serious adverse events") == "safety issues"
    assert termination_reason_from_value("FDA hold") == "regulatory/approval"
    assert termination_reason_from_value(None) is None


@given(value=st.sampled_from(["included", "Include", "YES", True]))
def test_decisions_included(value: object) -> None:
    assert decision_from_value(value) == "included"


@given(value=st.sampled_from(["excluded", "Exclude.", "no", False]))
def test_decisions_excluded(value: object) -> None:
    assert decision_from_value(value) == "excluded"


def test_strip_reasoning_drops_unclosed_think() -> None:
    assert strip_reasoning("<think>long") == ""
    assert strip_reasoning("<think>x</think> B") == "B"


# --- the corpus: >= 100 phrasings per answer kind, unambiguous ones read as meant -------------

CORPORA = {
    "option letter": answer_corpus.letter_corpus(),
    "count": answer_corpus.count_corpus(),
    "outcome": answer_corpus.outcome_corpus(),
    "decision": answer_corpus.decision_corpus(),
    "confidence": answer_corpus.confidence_corpus(),
    "termination reason": answer_corpus.reason_corpus(),
}
READERS: dict[str, Any] = {
    "option letter": lambda text: parse_option_letter(text, "ABCD"),
    "count": parse_sample_size,
    "outcome": parse_outcome,
    "decision": lambda value: (
        decision_from_value(field_of(extract_json_object(value) or {}, "decision"))
        if isinstance(value, str) and value.startswith("{")
        else decision_from_value(value)
    ),
    "confidence": parse_confidence,
    "termination reason": termination_reason_from_value,
}


@pytest.mark.parametrize("kind", sorted(CORPORA))
def test_corpus_is_large_and_has_ambiguous_cases(kind: str) -> None:
    cases = CORPORA[kind]
    assert len(cases) >= 100
    assert any(expected is None for _, expected in cases)
    assert len({repr(text) for text, _ in cases}) == len(cases), "duplicate phrasings"


@pytest.mark.parametrize("kind", sorted(CORPORA))
def test_every_phrasing_is_read_as_meant(kind: str) -> None:
    read = READERS[kind]
    wrong = []
    for text, expected in CORPORA[kind]:
        got = read(text)
        if isinstance(expected, float) and isinstance(got, float):
            matches = abs(got - expected) < 1e-9
        else:
            matches = got == expected
        if not matches:
            wrong.append(f"{text!r}: expected {expected!r}, read {got!r}")
    assert wrong == []


def test_a_think_tag_inside_a_json_string_is_data_not_reasoning() -> None:
    assert extract_json('{"query": "<THINK>"}') == {"query": "<THINK>"}
    assert extract_json('{"a": "<think>open"}') == {"a": "<think>open"}
    # Reasoning around the answer is still dropped, even when it holds JSON of its own.
    assert extract_json('<think>maybe {"a": 1}</think>{"a": 2}') == {"a": 2}
