"""Study screening: batching, per-batch parsing, left-out studies, pooled and per-review metrics."""

from __future__ import annotations

import json
from typing import cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialscope.errors import ConfigurationError
from trialscope.tasks.registry import get_task
from trialscope.tasks.study_screening import ScreeningRecord, StudyScreeningTask

from .benchmark_files import screening_record
from .scoring import result_of, sample_of


def _studies(n: int, offset: int = 0) -> list[tuple[str, str, str]]:
    return [
        (str(100 + offset + i), f"Study {i}", "included" if i % 3 == 0 else "excluded")
        for i in range(n)
    ]


def _answer(decisions: dict[str, tuple[str, int]]) -> str:
    results = [{"PMID": p, "decision": d, "confidence": c} for p, (d, c) in decisions.items()]
    return json.dumps({"results": results})


@settings(max_examples=40, deadline=None)  # no timed assertions: the machine is shared
@given(
    n=st.integers(min_value=1, max_value=40),
    batch_size=st.integers(min_value=1, max_value=12),
    max_chars=st.integers(min_value=100, max_value=5000),
)
def test_batches_cover_every_candidate_once_within_limits(
    n: int, batch_size: int, max_chars: int
) -> None:
    task = StudyScreeningTask(batch_size=batch_size, max_prompt_chars=max_chars)
    sample = sample_of(task, screening_record(0, _studies(n)))
    batches = task.batches(sample)
    flat = [c.PMID for batch in batches for c in batch]
    assert flat == [str(100 + i) for i in range(n)]
    assert all(1 <= len(batch) <= batch_size for batch in batches)
    assert len(task.requests(sample, None)) == len(batches)


def test_default_batches_fit_an_8k_context() -> None:
    task = get_task("study_screening")
    long_abstract = "word " * 400
    raw = screening_record(0, _studies(30))
    for study in raw["context"]:
        study["abstract"] = long_abstract
    sample = sample_of(task, raw)
    for request in task.requests(sample, None):
        characters = sum(len(message["content"]) for message in request.messages)
        assert characters / 4 < 8192 - 1500  # leaves room for the answer
    assert len(task.requests(sample, None)) > 1


def test_prompt_holds_review_and_studies() -> None:
    task = get_task("study_screening", batch_size=2)
    sample = sample_of(task, screening_record(7, _studies(3)))
    assert sample.sample_id == "S7"
    first, second = task.requests(sample, None)
    assert "# selection criteria: Randomised controlled trials" in first.messages[1]["content"]
    assert "## Study 1 (PMID: 100)\n### Title\nStudy 0" in first.messages[1]["content"]
    assert "(PMID: 102)" in second.messages[1]["content"]
    assert "(PMID: 102)" not in first.messages[1]["content"]


def test_metrics_by_hand_with_a_left_out_study() -> None:
    task = get_task("study_screening", batch_size=2)
    # review 0: 100 included, 101 excluded, 102 excluded, 103 included
    review = sample_of(task, screening_record(0, _studies(4)), 0)
    answers = [
        _answer({"100": ("included", 90), "101": ("included", 60)}),
        # 103 is left out; 102 right
        "```json\n" + _answer({"102": ("exclude", 70)}) + "\n```",
    ]
    first = result_of(task, review, answers)
    assert first.status == "ok"
    assert first.prediction["missing"] == ["103"]
    evaluation = first.evaluation
    assert evaluation["micro_accuracy"] == pytest.approx(2 / 4)
    assert evaluation["score"] == pytest.approx(2 / 4)
    assert evaluation["macro_accuracy"] == 0.0
    assert evaluation["calibration"] == [[0.9, 1], [0.6, 0], [0.7, 1]]
    # review 1: everything right, decisions given in order without PMIDs
    other = sample_of(task, screening_record(1, _studies(2, offset=10)), 1)
    positional = json.dumps({"results": [{"decision": "included"}, {"decision": "excluded"}]})
    second = result_of(task, other, [positional])
    assert second.evaluation["micro_accuracy"] == 1.0
    # review 2: the request failed
    failed = result_of(task, sample_of(task, screening_record(2, _studies(1, offset=20)), 2), None)

    summary = task.aggregate([first, second, failed], seed=5)
    metrics = summary["metrics"]
    # pooled over 7 studies: tp = 100, 110 ; fn = 103 (left out), 120 (failed) ; fp = 101 ;
    # tn = 102, 111
    assert metrics["true_positives"] == 2 and metrics["false_negatives"] == 2
    assert metrics["false_positives"] == 1 and metrics["true_negatives"] == 2
    assert metrics["accuracy"] == pytest.approx(4 / 7)
    assert metrics["precision"] == pytest.approx(2 / 3)
    assert metrics["recall"] == pytest.approx(2 / 4)
    assert metrics["specificity"] == pytest.approx(2 / 3)
    assert metrics["avg_micro_accuracy"] == pytest.approx((0.5 + 1.0 + 0.0) / 3)
    assert metrics["avg_macro_accuracy"] == pytest.approx(1 / 3)
    assert metrics["num_missing_decisions"] == 2
    assert metrics["num_errors"] == 1
    assert summary["headline"] == ["accuracy", "precision", "recall"]
    # 3 reviews are too few for a bootstrap interval: none is given (see tasks/metrics.py)
    assert not set(summary["headline"]) & set(summary["confidence_intervals"])


def test_unreadable_answers_are_a_parse_error() -> None:
    task = get_task("study_screening")
    sample = sample_of(task, screening_record(0, _studies(3)))
    result = result_of(task, sample, ["I think they all look relevant."])
    assert result.status == "parse_error"
    assert result.evaluation["score"] == 0.0
    assert result.evaluation["num_missing"] == 3


def test_bad_batch_size_is_rejected() -> None:
    with pytest.raises(ConfigurationError, match="batch_size"):
        get_task("study_screening", batch_size=0)


def test_a_long_review_leaves_less_room_for_studies() -> None:
    task = StudyScreeningTask(batch_size=50, max_prompt_chars=10_000)
    short = screening_record(0, _studies(20))
    long = screening_record(1, _studies(20))
    long["inputs"] = {**long["inputs"], "background": "context " * 800}
    for study in [*short["context"], *long["context"]]:
        study["abstract"] = "finding " * 100
    assert len(task.batches(sample_of(task, long))) > len(task.batches(sample_of(task, short)))


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_score_counts_every_labelled_study(data: st.DataObject) -> None:
    n = data.draw(st.integers(min_value=1, max_value=12))
    task = StudyScreeningTask(batch_size=data.draw(st.integers(min_value=1, max_value=5)))
    sample = sample_of(task, screening_record(0, _studies(n)))
    record = cast(ScreeningRecord, sample.record)
    labels = {label.PMID: label.label for label in record.labels}
    choices = st.sampled_from(["included", "excluded", None])
    given_decisions = {pmid: data.draw(choices) for pmid in labels}
    answers = [
        _answer({c.PMID: (d, 50) for c in batch if (d := given_decisions[c.PMID]) is not None})
        for batch in task.batches(sample)
    ]
    evaluation = task.score(sample, task.parse(sample, answers))
    correct = sum(1 for pmid, label in labels.items() if given_decisions[pmid] == label)
    assert evaluation["micro_accuracy"] == pytest.approx(correct / n)
    assert evaluation["num_missing"] == sum(1 for d in given_decisions.values() if d is None)
