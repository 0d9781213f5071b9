"""Sample size estimation: within-20% accuracy and mean absolute error."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialscope.tasks.registry import get_task
from trialscope.tasks.sample_size import within_tolerance

from .benchmark_files import sample_size_record
from .scoring import result_of, sample_of


def _answer(n: int) -> str:
    return json.dumps({"step_by_step_thinking": "power calculation", "sample_size_needed": n})


def test_metrics_by_hand() -> None:
    task = get_task("sample_size_estimation")
    cases: list[tuple[int, str | None]] = [
        (100, _answer(120)),  # within 20%, error 20
        (100, "1,210 participants"),  # wrong, error 1110
        (50, "n = 41"),  # within 20%, error 9
        (80, "cannot say"),  # parse error
        (200, None),  # request failed
    ]
    results = [
        result_of(
            task, sample_of(task, sample_size_record(i, truth), i), None if a is None else [a]
        )
        for i, (truth, a) in enumerate(cases)
    ]
    metrics = task.aggregate(results, seed=0)["metrics"]
    assert metrics["accuracy_within_20pct"] == pytest.approx(2 / 5)
    assert metrics["accuracy"] == metrics["accuracy_within_20pct"]
    assert metrics["mae"] == pytest.approx((20 + 1110 + 9) / 3)
    assert metrics["median_absolute_error"] == 20
    assert metrics["num_answered"] == 3
    assert metrics["num_parse_errors"] == 1 and metrics["num_errors"] == 1
    assert results[0].prediction["step_by_step_thinking"] == "power calculation"


def test_prompt_is_the_question() -> None:
    task = get_task("sample_size_estimation")
    [request] = task.requests(sample_of(task, sample_size_record(3, 90)), None)
    assert request.messages[1]["content"] == "How many participants does trial 3 need?"
    assert "sample_size_needed" in request.messages[0]["content"]


@given(truth=st.integers(min_value=1, max_value=100_000), predicted=st.integers(1, 200_000))
def test_tolerance_is_twenty_percent_either_side(truth: int, predicted: int) -> None:
    assert within_tolerance(predicted, truth) == (abs(predicted - truth) <= 0.2 * truth + 1e-9)
