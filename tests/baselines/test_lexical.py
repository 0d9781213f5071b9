"""The lexical baseline learns from train and beats the majority and random floors."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from trialscope.baselines.base import Baseline
from trialscope.baselines.registry import get_baseline
from trialscope.tasks.base import Sample

from . import synthetic_records as synthetic
from .scoring import (
    answers,
    choice_accuracy,
    completion_scores,
    sample_size_within,
    screening_accuracy,
    search_recall,
)
from .shape_tasks import BatchedScreeningTask, ShapeTask


@dataclass
class Splits:
    train: list[Sample]
    test: list[Sample]


@pytest.fixture(scope="module")
def data() -> dict[str, object]:
    vocabulary = synthetic.topic_vocabulary()
    search_train, screening_train, _ = synthetic.search_and_screening(120, 1, vocabulary)
    search_test, screening_test, corpus = synthetic.search_and_screening(40, 2, vocabulary)
    return {
        "search": Splits(search_train, search_test),
        "corpus": corpus,
        "screening": Splits(screening_train, screening_test),
        "completion": Splits(synthetic.completion(400, 3), synthetic.completion(200, 4)),
        "choice": Splits(
            synthetic.multiple_choice(200, 5, vocabulary),
            synthetic.multiple_choice(100, 6, vocabulary),
        ),
        "size": Splits(
            synthetic.sample_size(200, 7, vocabulary), synthetic.sample_size(100, 8, vocabulary)
        ),
    }


def fitted(name: str, task: ShapeTask, splits: Splits) -> Baseline:
    baseline = get_baseline(name)
    baseline.fit(task, splits.train)
    return baseline


NAMES = ("baseline/lexical", "baseline/majority", "baseline/random")


def test_search_queries_find_more_relevant_studies(data: dict) -> None:
    task = ShapeTask("study_search")
    splits = data["search"]
    recall = {}
    for name in NAMES:
        decoded = answers(fitted(name, task, splits), task, splits.test)
        queries = [answer[0]["query"] for answer in decoded]
        recall[name] = search_recall(queries, splits.test, data["corpus"], k=20)
    assert recall["baseline/lexical"] > 0.8
    assert recall["baseline/lexical"] > recall["baseline/majority"] + 0.3
    assert recall["baseline/lexical"] > recall["baseline/random"] + 0.3


def test_screening_beats_floors_and_answers_every_batch(data: dict) -> None:
    task = BatchedScreeningTask(batch_size=3)
    splits = data["screening"]
    accuracy = {}
    for name in NAMES:
        decoded = answers(fitted(name, task, splits), task, splits.test)
        assert [len(batches) for batches in decoded] == [3] * len(splits.test)
        accuracy[name] = screening_accuracy(decoded, splits.test)
    assert accuracy["baseline/lexical"] > 0.85
    assert accuracy["baseline/lexical"] > accuracy["baseline/majority"] + 0.15
    assert accuracy["baseline/lexical"] > accuracy["baseline/random"] + 0.15


@pytest.mark.filterwarnings("ignore:y_pred contains classes not in y_true")
def test_completion_classifier_learns_outcome_and_reason(data: dict) -> None:
    task = ShapeTask("trial_completion_assessment")
    splits = data["completion"]
    scores = {}
    for name in NAMES:
        decoded = answers(fitted(name, task, splits), task, splits.test)
        scores[name] = completion_scores(decoded, splits.test)
    outcome, reason = scores["baseline/lexical"]
    assert outcome > 0.7
    assert outcome > scores["baseline/majority"][0] + 0.15
    assert outcome > scores["baseline/random"][0] + 0.15
    assert reason > scores["baseline/majority"][1] + 0.1
    assert reason > scores["baseline/random"][1] + 0.1


@pytest.mark.parametrize("task_name", ["arm_design", "design_criteria_qa", "evidence_summary"])
def test_choice_picks_the_most_similar_option(data: dict, task_name: str) -> None:
    task = ShapeTask(task_name)
    splits = data["choice"]
    accuracy = {
        name: choice_accuracy(answers(fitted(name, task, splits), task, splits.test), splits.test)
        for name in NAMES
    }
    assert accuracy["baseline/lexical"] > 0.75
    assert accuracy["baseline/lexical"] > accuracy["baseline/majority"] + 0.3
    assert accuracy["baseline/lexical"] > accuracy["baseline/random"] + 0.3


def test_sample_size_neighbours_beat_the_median(data: dict) -> None:
    task = ShapeTask("sample_size_estimation")
    splits = data["size"]
    within = {
        name: sample_size_within(
            answers(fitted(name, task, splits), task, splits.test), splits.test
        )
        for name in NAMES
    }
    assert within["baseline/lexical"] > 0.8
    assert within["baseline/lexical"] > within["baseline/majority"] + 0.3
    assert within["baseline/lexical"] > within["baseline/random"] + 0.3
