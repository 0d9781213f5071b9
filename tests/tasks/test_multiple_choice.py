"""The four multiple-choice tasks: prompts, parsing, scoring and accuracy / macro-F1."""

from __future__ import annotations

import json

import pytest

from trialscope.tasks.base import SampleResult
from trialscope.tasks.registry import get_task

from .benchmark_files import choice_record
from .scoring import result_of, sample_of

CHOICE_TASKS = ("arm_design", "eligibility_criteria_design", "endpoint_design", "evidence_summary")


def _answer(letter: str) -> str:
    return json.dumps({"step_by_step_thinking": "compare", "answer_choice": letter})


@pytest.mark.parametrize("name", CHOICE_TASKS)
def test_prompt_lists_question_and_options(name: str) -> None:
    task = get_task(name)
    sample = sample_of(task, choice_record(0))
    [request] = task.requests(sample, None)
    system, user = request.messages
    assert system["role"] == "system" and "answer_choice" in system["content"]
    assert user["content"].startswith("Trial 0: which arms")
    assert "A. Insulin vs placebo\nB. Insulin glargine vs NPH\nC. Diet only" in user["content"]
    assert request.json_mode
    [custom] = task.requests(sample, "Be brief.")
    assert custom.messages[0]["content"] == "Be brief."
    assert not custom.json_mode  # JSON mode needs a prompt that asks for JSON


def test_each_registration_has_its_own_prompt() -> None:
    prompts = {get_task(name).default_system_prompt for name in CHOICE_TASKS}
    fingerprints = {get_task(name).prompt_fingerprint() for name in CHOICE_TASKS}
    assert len(prompts) == len(fingerprints) == 4


def test_accuracy_and_macro_f1_by_hand() -> None:
    task = get_task("arm_design")
    truths = ["A", "A", "B", "B", "C"]
    answers: list[str | None] = [_answer("A"), "Answer: B", _answer("B"), "no idea", None]
    results = [
        result_of(task, sample_of(task, choice_record(i, truth), i), None if a is None else [a])
        for i, (truth, a) in enumerate(zip(truths, answers, strict=True))
    ]
    assert [r.status for r in results] == ["ok", "ok", "ok", "parse_error", "error"]
    assert [r.evaluation["score"] for r in results] == [1.0, 0.0, 1.0, 0.0, 0.0]
    summary = task.aggregate(results, seed=1)
    metrics = summary["metrics"]
    assert metrics["accuracy"] == pytest.approx(2 / 5)
    # f1 A: tp1 fn1 fp0 -> 2/3; f1 B: tp1 fn1 fp1 -> 1/2; f1 C: 0 -> mean 7/18
    assert metrics["macro_f1"] == pytest.approx(7 / 18)
    assert metrics["num_parse_errors"] == 1 and metrics["num_errors"] == 1
    assert metrics["num_samples"] == 5
    assert summary["headline"] == ["accuracy", "macro_f1"]
    low, high = summary["confidence_intervals"]["accuracy"]
    assert 0.0 <= low <= 0.4 <= high <= 1.0


def test_an_error_without_evaluation_still_counts() -> None:
    task = get_task("evidence_summary")
    sample = sample_of(task, choice_record(0))
    ok = result_of(task, sample, [_answer("B")])
    failed = SampleResult(
        sample_id="q9", input=choice_record(9), prediction=None, evaluation={}, status="error"
    )
    metrics = task.aggregate([ok, failed])["metrics"]
    assert metrics["accuracy"] == pytest.approx(0.5)
    assert metrics["num_errors"] == 1


def test_an_unscorable_error_is_still_in_the_denominator() -> None:
    task = get_task("arm_design")
    ok = result_of(task, sample_of(task, choice_record(0)), [_answer("B")])
    unknown = SampleResult(
        sample_id="x",
        input={"prompt": "not a record"},
        prediction=None,
        evaluation={},
        status="error",
    )
    metrics = task.aggregate([ok, unknown])["metrics"]
    assert metrics["accuracy"] == pytest.approx(0.5)
    assert metrics["num_samples"] == 2
