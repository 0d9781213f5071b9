"""Every task's per-sample (score, weight, stratum) reproduce its first headline metric exactly.

The report resamples per-sample scores for its paired significance tests; the statistic it
computes from them (docs/formats.md) must be the task's own headline, or a comparison can
disagree in sign with the leaderboard.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialscope.report.sample_fields import read_sample
from trialscope.report.statistics import SampleScore, score_statistic
from trialscope.tasks.base import SampleResult, Task
from trialscope.tasks.registry import get_task
from trialscope.tasks.study_search import StudySearchTask

from .benchmark_files import (
    choice_record,
    completion_record,
    sample_size_record,
    screening_record,
    search_record,
)
from .scoring import result_of, sample_of
from .test_study_search import ListBackend

FAILED = "<request failed>"
REASONS = ("safety", "efficacy", "enrollment", "business")


def _run(task: Task, raws: list[dict[str, Any]], answers: list[str]) -> list[SampleResult]:
    return [
        result_of(task, sample_of(task, raw, i), None if answer == FAILED else [answer])
        for i, (raw, answer) in enumerate(zip(raws, answers, strict=True))
    ]


def _report_statistic(results: list[SampleResult]) -> float | None:
    """The statistic as the report computes it, from the results as written to disk."""
    rows = [json.loads(json.dumps(dataclasses.asdict(r), default=str)) for r in results]
    samples = [read_sample(row, i) for i, row in enumerate(rows)]
    return score_statistic(
        [SampleScore(s.score, s.weight, s.stratum) for s in samples if s.score is not None]
    )


def _assert_headline(task: Task, results: list[SampleResult]) -> None:
    summary = task.aggregate(results, seed=0)
    headline = summary["headline"][0]
    if headline in summary["undefined_metrics"]:  # e.g. balanced accuracy with one gold class
        assert summary["metrics"][headline] is None
        return
    assert _report_statistic(results) == pytest.approx(summary["metrics"][headline], abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    cases=st.lists(
        st.tuples(
            st.sampled_from(["complete", "terminate"]),
            st.sampled_from(REASONS),
            st.sampled_from(["complete", "terminate", "unreadable", FAILED]),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_completion_strata_give_balanced_accuracy(cases: list[tuple[str, str, str]]) -> None:
    task = get_task("trial_completion")
    raws = [
        completion_record(f"NCT{i:08d}", truth, reason if truth == "terminate" else None)
        for i, (truth, reason, _) in enumerate(cases)
    ]
    answers = [
        answer
        if answer in (FAILED, "unreadable")
        else json.dumps({"outcome": answer, "confidence": 60, "termination_reason": "safety"})
        for _, _, answer in cases
    ]
    results = _run(task, raws, answers)
    assert task.aggregate(results)["headline"][0] == "balanced_accuracy_outcome"
    _assert_headline(task, results)


@settings(max_examples=40, deadline=None)
@given(
    reviews=st.lists(
        st.tuples(
            st.lists(
                st.tuples(
                    st.sampled_from(["included", "excluded"]),
                    st.sampled_from(["included", "excluded", None]),
                ),
                min_size=1,
                max_size=8,
            ),
            st.booleans(),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_screening_weights_give_pooled_accuracy(
    reviews: list[tuple[list[tuple[str, str | None]], bool]],
) -> None:
    task = get_task("study_screening")
    raws, answers = [], []
    for r, (studies, failed) in enumerate(reviews):
        triples = [(str(1000 * r + i), f"Study {i}", truth) for i, (truth, _) in enumerate(studies)]
        raws.append(screening_record(r, triples))
        decisions = [
            {"PMID": pmid, "decision": guess, "confidence": 70}
            for (pmid, _, _), (_, guess) in zip(triples, studies, strict=True)
            if guess is not None
        ]
        answers.append(FAILED if failed else json.dumps({"results": decisions}))
    results = _run(task, raws, answers)
    assert task.aggregate(results)["headline"][0] == "accuracy"
    _assert_headline(task, results)


@settings(max_examples=25, deadline=None)
@given(
    queries=st.lists(
        st.tuples(
            st.lists(st.integers(0, 30), min_size=1, max_size=6, unique=True),
            st.sampled_from(["query", "unreadable", FAILED]),
        ),
        min_size=1,
        max_size=10,
    ),
    ranking=st.permutations(list(range(150))),
)
def test_search_scores_give_mean_recall(
    queries: list[tuple[list[int], str]], ranking: list[int]
) -> None:
    task = StudySearchTask(backend=ListBackend([str(i) for i in ranking]))
    raws = [search_record(i, [str(doc) for doc in labels]) for i, (labels, _) in enumerate(queries)]
    answers = [
        json.dumps({"query": "insulin"}) if kind == "query" else ("" if kind != FAILED else kind)
        for _, kind in queries
    ]
    _assert_headline(task, _run(task, raws, answers))


CHOICE_TASKS = ("arm_design", "eligibility_criteria_design", "endpoint_design", "evidence_summary")


@pytest.mark.parametrize("name", CHOICE_TASKS)
@settings(max_examples=15, deadline=None)
@given(
    cases=st.lists(
        st.tuples(st.sampled_from("ABC"), st.sampled_from(["A", "B", "C", "no idea", FAILED])),
        min_size=1,
        max_size=30,
    )
)
def test_choice_scores_give_accuracy(name: str, cases: list[tuple[str, str]]) -> None:
    task = get_task(name)
    raws = [choice_record(i, truth) for i, (truth, _) in enumerate(cases)]
    answers = [
        answer if answer in (FAILED, "no idea") else json.dumps({"answer_choice": answer})
        for _, answer in cases
    ]
    _assert_headline(task, _run(task, raws, answers))


@settings(max_examples=30, deadline=None)
@given(
    cases=st.lists(
        st.tuples(st.integers(1, 1000), st.one_of(st.integers(1, 1500), st.just(FAILED))),
        min_size=1,
        max_size=30,
    )
)
def test_sample_size_scores_give_accuracy(cases: list[tuple[int, int | str]]) -> None:
    task = get_task("sample_size_estimation")
    raws = [sample_size_record(i, truth) for i, (truth, _) in enumerate(cases)]
    answers = [
        FAILED if guess == FAILED else json.dumps({"sample_size_needed": guess})
        for _, guess in cases
    ]
    _assert_headline(task, _run(task, raws, answers))
