"""Answer strings are valid JSON in the formats the task parsers read."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialscope.baselines.answer_text import (
    TERMINATION_REASONS,
    ScreeningDecision,
    choice_answer,
    completion_answer,
    sample_size_answer,
    screening_answer,
    search_answer,
)


@given(st.lists(st.tuples(st.text(min_size=1), st.booleans(), st.floats(-5, 5)), max_size=6))
def test_screening_rows_keep_pmids_and_clamp_confidence(rows: list) -> None:
    decoded = json.loads(screening_answer(ScreeningDecision(*row) for row in rows))
    assert [item["PMID"] for item in decoded["results"]] == [row[0] for row in rows]
    for item, row in zip(decoded["results"], rows, strict=True):
        assert item["decision"] == ("included" if row[1] else "excluded")
        assert 0 <= item["confidence"] <= 100


@given(
    st.sampled_from(["complete", "terminate"]),
    st.floats(0, 1),
    st.sampled_from([None, *TERMINATION_REASONS]),
    st.text(),
)
def test_completion_round_trips(
    outcome: str, confidence: float, reason: str | None, why: str
) -> None:
    decoded = json.loads(completion_answer(outcome, confidence, reason, why))
    assert decoded == {
        "outcome": outcome,
        "confidence": round(confidence * 100),
        "termination_reason": reason,
        "explanation": why,
    }


def test_completion_refuses_unknown_outcomes_and_reasons() -> None:
    with pytest.raises(ValueError, match="outcome"):
        completion_answer("stopped", 0.5, None, "")
    with pytest.raises(ValueError, match="termination_reason"):
        completion_answer("terminate", 0.5, "money", "")


@given(st.text(), st.integers(1, 10**6), st.sampled_from("ABCDEFGH"))
def test_choice_size_and_search_round_trip(text: str, size: int, letter: str) -> None:
    assert json.loads(search_answer(text)) == {"query": text}
    assert json.loads(choice_answer(letter, text))["answer_choice"] == letter
    assert json.loads(sample_size_answer(size, text))["sample_size_needed"] == size
