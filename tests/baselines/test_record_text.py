"""Reading the fields baselines need from raw records, and the errors for bad records."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialscope.baselines.record_text import (
    RecordFieldError,
    choice_options,
    completion_label,
    flatten_text,
    normalise_reason,
    review_focus_text,
    sample_size_label,
    screening_candidates,
)

from .synthetic_records import make_sample

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


@given(json_values)
def test_flatten_text_keeps_every_string(value: object) -> None:
    text = flatten_text(value)
    assert isinstance(text, str)
    if isinstance(value, str):
        assert text == value


def test_missing_fields_name_the_sample_and_field() -> None:
    with pytest.raises(RecordFieldError, match=r"sample q7: field 'options' is missing"):
        choice_options(make_sample("q7", {"question": "?", "answer": "A"}))
    with pytest.raises(RecordFieldError, match=r"sample r1: context\[1\] has no 'PMID'"):
        screening_candidates(make_sample("r1", {"context": [{"PMID": 1}, {"title": "x"}]}))
    with pytest.raises(RecordFieldError, match=r"labels.outcome is 'paused'"):
        completion_label(make_sample("t1", {"labels": {"outcome": "paused"}}))
    with pytest.raises(RecordFieldError, match=r"field 'answer' is 'many', expected a number"):
        sample_size_label(make_sample("s1", {"answer": "many"}))


def test_review_focus_reads_both_key_spellings() -> None:
    sample = make_sample(
        "r", {"inputs": {"Background": "bg", "objectives": "obj", "selection_criteria": "crit"}}
    )
    assert review_focus_text(sample) == "obj\ncrit"


def test_sample_sizes_with_commas_and_list_options() -> None:
    assert sample_size_label(make_sample("s", {"answer": "1,200"})) == 1200
    options = choice_options(make_sample("q", {"options": ["first", ["a", "b"]]}))
    assert options == [("A", "first"), ("B", "a\nb")]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Enrollment issues", "enrollment issues"),
        ("slow accrual", "enrollment issues"),
        ("futility at interim", "lack of efficacy"),
        ("regulatory/approval", "regulatory/approval"),
        ("adverse events", "safety issues"),
        ("", None),
        ("sponsor decision", None),
    ],
)
def test_termination_reasons_are_normalised(text: str, reason: str | None) -> None:
    assert normalise_reason(text) == reason
