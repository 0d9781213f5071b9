"""Trial completion: prompt, parsing ("not complete" terminates), and the outcome/reason metrics."""

from __future__ import annotations

import json

import pytest

from trialscope.tasks.registry import get_task

from .benchmark_files import completion_record
from .scoring import result_of, sample_of


def _answer(outcome: str, reason: str | None = None, confidence: int = 80) -> str:
    return json.dumps(
        {
            "outcome": outcome,
            "confidence": confidence,
            "termination_reason": reason,
            "explanation": "x",
        }
    )


def test_prompt_describes_the_trial() -> None:
    task = get_task("trial_completion")
    sample = sample_of(task, completion_record("NCT01234567", "complete"))
    assert sample.sample_id == "NCT01234567"
    user = task.requests(sample, None)[0].messages[1]["content"]
    assert user.startswith("# Trial: NCT01234567\n## Title\nA phase 2 study NCT01234567")
    assert "- Allocation: Randomized" in user
    assert "- Number Of Arms: 2" in user
    assert "Observational Model" not in user
    assert "Inclusion Criteria:\nAdults aged 18 or older\nExclusion Criteria:" in user
    assert "## Drug (Experimental)\nDaily tablet" in user


def test_not_complete_in_prose_is_terminate() -> None:
    task = get_task("trial_completion")
    sample = sample_of(task, completion_record("NCT1", "terminate", "enrollment issues"))
    result = result_of(task, sample, ["I expect this trial will not complete (slow recruitment)."])
    assert result.prediction["outcome"] == "terminate"
    assert result.evaluation["correct_outcome"] is True


def test_metrics_by_hand() -> None:
    task = get_task("trial_completion")
    cases: list[tuple[str, str | None, str | None]] = [
        ("complete", None, _answer("complete", confidence=90)),  # right
        ("complete", None, _answer("terminate", "feasibility")),  # wrong
        ("terminate", "enrollment issues", _answer("terminate", "slow accrual")),  # right, right
        ("terminate", "safety issues", _answer("terminate", "lack of efficacy")),  # right, wrong
        ("terminate", "safety issues", _answer("complete")),  # wrong
        ("complete", None, "gibberish"),  # parse error
    ]
    results = []
    for i, (outcome, reason, answer) in enumerate(cases):
        sample = sample_of(task, completion_record(f"NCT{i}", outcome, reason), i)
        results.append(result_of(task, sample, [answer] if answer else None))
    assert results[0].evaluation["calibration"] == [[0.9, 1]]
    assert results[5].status == "parse_error" and results[5].evaluation["calibration"] == []
    summary = task.aggregate(results, seed=2)
    metrics = summary["metrics"]
    # outcome: truth C C T T T C, prediction C T T T C (none -> wrong: T)
    assert metrics["outcome_prediction.accuracy"] == pytest.approx(3 / 6)
    # positive = complete: tp 1, fp 1, fn 2 -> precision 1/2, recall 1/3
    assert metrics["outcome_prediction.precision"] == pytest.approx(1 / 2)
    assert metrics["outcome_prediction.recall"] == pytest.approx(1 / 3)
    assert metrics["balanced_accuracy_outcome"] == pytest.approx((1 / 3 + 2 / 3) / 2)
    # termination_type.accuracy is the original's conditional one: rows 3 and 4 -> 1/2
    assert metrics["termination_type.accuracy"] == pytest.approx(1 / 2)
    assert metrics["termination_type.num_evaluated"] == 2
    # six-way reason: complete recall 1/3, enrollment 1/1, safety 0/2 -> 4/9
    assert metrics["balanced_accuracy_termination_reason"] == pytest.approx((1 / 3 + 1 + 0) / 3)
    assert metrics["num_parse_errors"] == 1
    # 6 samples: exact interval for the 0/1 accuracy, too few for a bootstrap of the others
    assert "outcome_prediction.accuracy" in summary["confidence_intervals"]
    assert not set(summary["headline"]) & set(summary["confidence_intervals"])


def test_terminate_reason_dropped_when_predicting_complete() -> None:
    task = get_task("trial_completion")
    sample = sample_of(task, completion_record("NCT9", "complete"))
    parsed = task.parse(sample, [_answer("complete", "safety issues")])
    assert parsed.prediction["termination_reason"] is None


def test_reason_written_into_the_outcome_is_read() -> None:
    task = get_task("trial_completion")
    sample = sample_of(task, completion_record("NCT8", "terminate", "safety issues"))
    parsed = task.parse(
        sample, ['{"outcome": "terminated due to adverse events", "confidence": 60}']
    )
    assert parsed.prediction["outcome"] == "terminate"
    assert parsed.prediction["termination_reason"] == "safety issues"
    assert parsed.prediction["confidence"] == 0.6


def test_a_reason_outside_the_categories_counts_for_the_outcome_only() -> None:
    """Real registries stop trials for reasons none of the five categories name ("other"): the
    model cannot be asked for them, so they leave the reason metrics, never drag them down."""
    task = get_task("trial_completion")
    cases = [
        ("complete", None, _answer("complete")),
        ("terminate", "safety issues", _answer("terminate", "safety issues")),
        ("terminate", "other", _answer("terminate", "feasibility")),
        ("terminate", None, _answer("complete")),
    ]
    results = []
    for i, (outcome, reason, answer) in enumerate(cases):
        sample = sample_of(task, completion_record(f"NCT{i}", outcome, reason), i)
        results.append(result_of(task, sample, [answer]))
    assert results[2].evaluation["reason_labelled"] is False
    assert results[2].evaluation["correct_terminate_type"] is None
    metrics = task.aggregate(results)["metrics"]
    assert metrics["termination_type.num_unlabelled"] == 2
    assert metrics["termination_type.num_evaluated"] == 1
    assert metrics["balanced_accuracy_termination_reason"] == 1.0
    assert metrics["balanced_accuracy_outcome"] == pytest.approx((1.0 + 2 / 3) / 2)
