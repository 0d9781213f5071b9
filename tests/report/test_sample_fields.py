"""Per-sample fields read from trialscope's and the original's result shapes."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from trialscope.report.sample_fields import (
    derive_calibration,
    derive_score,
    prompt_text,
    read_sample,
)

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
KEYS = st.sampled_from(
    [
        "score",
        "correct",
        "accuracy",
        "correct_outcome",
        "micro_accuracy",
        "metrics",
        "error",
        "calibration",
        "confidence",
        "evaluations",
        "status",
        "prediction",
        "raw_responses",
    ]
)


def test_score_field_wins_over_original_fields() -> None:
    assert derive_score({"score": 0.25, "correct": True}) == 0.25


def test_original_fields_give_scores() -> None:
    assert derive_score({"correct": True}) == 1.0
    assert derive_score({"correct": False}) == 0.0
    assert derive_score({"accuracy": 1.0}) == 1.0
    assert derive_score({"correct_outcome": None}) == 0.0
    assert derive_score({"micro_accuracy": 0.5}) == 0.5
    assert derive_score({"metrics": {"recall@100": 0.3, "recall@500": 0.6}}) == 0.3
    assert derive_score({"error": "timeout"}) == 0.0
    assert derive_score({"thinking": "..."}) is None


def test_calibration_from_new_and_original_fields() -> None:
    assert derive_calibration({"calibration": [[0.8, 1], [0.2, 0], "junk"]}) == [
        (0.8, 1.0),
        (0.2, 0.0),
    ]
    assert derive_calibration({"confidence": 0.7, "correct_outcome": False}) == [(0.7, 0.0)]
    studies = {"evaluations": [{"confidence": 0.9, "is_correct": True}, {"is_correct": None}]}
    assert derive_calibration(studies) == [(0.9, 1.0)]


def test_prompt_text_formats_messages_and_questions() -> None:
    messages = {
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Q?"}]
    }
    assert prompt_text(messages) == "[system]\nBe brief.\n\n[user]\nQ?"
    question = {"question": "Which arm?", "options": {"A": "x", "B": "y"}}
    assert prompt_text(question) == "Which arm?\nA. x\nB. y"
    assert prompt_text("plain") == "plain"
    record = {"inputs": {"objectives": "Assess X"}, "labels": ["123"], "metadata": {"id": 1}}
    shown = prompt_text(record)
    assert "Assess X" in shown and "metadata" in shown and "123" not in shown
    assert prompt_text({"question": "How many?", "answer": 120}) == "How many?"


def test_original_qa_result_reads_status_and_parsed_answer() -> None:
    row = {
        "sample_id": "q1",
        "input": "Question",
        "prediction": '{"answer_choice": "B"}',
        "evaluation": {"true_answer": "a", "pred_answer": None, "correct": False},
    }
    sample = read_sample(row, 0)
    assert (sample.sample_id, sample.status, sample.score, sample.gold) == (
        "q1",
        "parse_error",
        0.0,
        "a",
    )
    assert sample.raw_answer == '{"answer_choice": "B"}'


def test_failed_sample_without_score_counts_as_wrong() -> None:
    sample = read_sample({"sample_id": "x", "status": "error", "evaluation": {}}, 3)
    assert sample.score == 0.0


def test_original_search_result_takes_its_id_from_the_review() -> None:
    row = {
        "sample": {"metadata": {"review_pmid": "123"}},
        "evaluation": {"metrics": {"recall@100": 1}},
    }
    assert read_sample(row, 7).sample_id == "123"


@settings(deadline=None)  # a loaded 2-core machine misses the 200 ms default
@given(st.dictionaries(KEYS, JSON, max_size=6))
def test_score_is_none_or_in_unit_interval(evaluation: dict[str, Any]) -> None:
    score = derive_score(evaluation)
    assert score is None or 0.0 <= score <= 1.0


@settings(deadline=None)
@given(st.dictionaries(KEYS, JSON, max_size=6), st.dictionaries(KEYS, JSON, max_size=4))
def test_any_json_result_reads_without_error(
    evaluation: dict[str, Any], row: dict[str, Any]
) -> None:
    sample = read_sample({**row, "evaluation": evaluation}, 0)
    assert sample.status
    assert all(0.0 <= c <= 1.0 and 0.0 <= k <= 1.0 for c, k in sample.calibration)
