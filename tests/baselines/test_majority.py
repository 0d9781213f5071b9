"""The majority floor: the most frequent answer of train, the same for every sample."""

from __future__ import annotations

import json

from trialscope.baselines.majority import MajorityBaseline, frequent_words_query

from . import synthetic_records as synthetic
from .shape_tasks import BatchedScreeningTask, ShapeTask


def test_choice_answers_the_most_frequent_train_letter() -> None:
    vocabulary = synthetic.topic_vocabulary()
    train = synthetic.multiple_choice(50, 1, vocabulary)
    for sample in train[:30]:
        sample.raw["answer"] = "C"
    baseline = MajorityBaseline()
    task = ShapeTask("evidence_summary_qa")
    baseline.fit(task, train)
    test = synthetic.multiple_choice(5, 2, vocabulary)
    assert {json.loads(baseline.answer(task, s)[0])["answer_choice"] for s in test} == {"C"}


def test_sample_size_is_the_train_median() -> None:
    train = synthetic.sample_size(5, 1, synthetic.topic_vocabulary())
    for sample, size in zip(train, (10, 20, 30, 400, 5000), strict=True):
        sample.raw["answer"] = size
    baseline = MajorityBaseline()
    task = ShapeTask("sample_size_estimation")
    baseline.fit(task, train)
    assert json.loads(baseline.answer(task, train[0])[0])["sample_size_needed"] == 30


def test_screening_excludes_everything_when_most_studies_are_excluded() -> None:
    vocabulary = synthetic.topic_vocabulary()
    _, train, _ = synthetic.search_and_screening(10, 1, vocabulary)
    _, test, _ = synthetic.search_and_screening(2, 2, vocabulary)
    baseline = MajorityBaseline()
    task = BatchedScreeningTask(5)
    baseline.fit(task, train)
    rows = [row for text in baseline.answer(task, test[0]) for row in json.loads(text)["results"]]
    assert len(rows) == 8
    assert {row["decision"] for row in rows} == {"excluded"}
    assert {row["confidence"] for row in rows} == {62}  # 5 of 8 studies are excluded


def test_completion_is_the_most_frequent_outcome() -> None:
    train = synthetic.completion(100, 1)
    baseline = MajorityBaseline()
    task = ShapeTask("trial_completion")
    baseline.fit(task, train)
    answer = json.loads(baseline.answer(task, train[0])[0])
    complete = sum(s.raw["labels"]["outcome"] == "complete" for s in train)
    assert answer["outcome"] == ("complete" if complete >= 50 else "terminate")
    assert answer["confidence"] == round(100 * max(complete, 100 - complete) / 100)


def test_search_query_is_the_most_common_objective_words() -> None:
    train = synthetic.search_and_screening(3, 1, synthetic.topic_vocabulary())[0]
    for sample, objective in zip(
        train, ("stroke rehab", "stroke aspirin", "stroke rehab"), strict=True
    ):
        sample.raw["inputs"]["objectives"] = objective
    assert frequent_words_query(train, n_words=2) == "stroke OR rehab"
