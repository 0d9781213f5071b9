"""Every baseline answers the same way on every run, whatever the order of samples."""

from __future__ import annotations

import pytest

from trialscope.baselines.random_chance import RandomBaseline
from trialscope.baselines.registry import BASELINE_NAMES, get_baseline
from trialscope.tasks.base import Sample

from . import synthetic_records as synthetic
from .shape_tasks import BatchedScreeningTask, ShapeTask


def _task_sets() -> list[tuple[ShapeTask, list[Sample], list[Sample]]]:
    vocabulary = synthetic.topic_vocabulary()
    search_train, screening_train, _ = synthetic.search_and_screening(30, 1, vocabulary)
    search_test, screening_test, _ = synthetic.search_and_screening(10, 2, vocabulary)
    return [
        (ShapeTask("study_search"), search_train, search_test),
        (BatchedScreeningTask(3), screening_train, screening_test),
        (ShapeTask("trial_completion"), synthetic.completion(120, 3), synthetic.completion(20, 4)),
        (
            ShapeTask("endpoint_design"),
            synthetic.multiple_choice(60, 5, vocabulary),
            synthetic.multiple_choice(20, 6, vocabulary),
        ),
        (
            ShapeTask("sample_size_estimation"),
            synthetic.sample_size(60, 7, vocabulary),
            synthetic.sample_size(20, 8, vocabulary),
        ),
    ]


TASK_SETS = _task_sets()


@pytest.mark.parametrize("name", BASELINE_NAMES)
@pytest.mark.parametrize("index", range(len(TASK_SETS)), ids=[t[0].name for t in TASK_SETS])
def test_two_fits_answer_identically_in_any_order(name: str, index: int) -> None:
    task, train, test = TASK_SETS[index]
    first, second = get_baseline(name), get_baseline(name)
    first.fit(task, train)
    second.fit(task, list(reversed(train)) if name == "random" else train)
    forward = {sample.sample_id: first.answer(task, sample) for sample in test}
    backward = {sample.sample_id: second.answer(task, sample) for sample in reversed(test)}
    assert forward == backward
    assert all(
        len(answer) == len(task.requests(s, None))
        for s, answer in zip(test, forward.values(), strict=True)
    )


def test_random_answers_change_with_the_seed_and_stay_near_chance() -> None:
    task, train, test = TASK_SETS[3]
    test = synthetic.multiple_choice(400, 9, synthetic.topic_vocabulary())
    seeded = [RandomBaseline(seed=seed) for seed in (0, 1)]
    for baseline in seeded:
        baseline.fit(task, train)
    zero = [seeded[0].answer(task, sample)[0] for sample in test]
    one = [seeded[1].answer(task, sample)[0] for sample in test]
    assert zero != one
    picked = [answer.split('"answer_choice": "')[1][0] for answer in zero]
    shares = [picked.count(letter) / len(picked) for letter in "ABCD"]
    assert all(0.17 < share < 0.33 for share in shares)
