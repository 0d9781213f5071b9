"""Every baseline answer goes through the real task's parser and scorer without a parse error."""

from __future__ import annotations

from typing import cast

import pytest

from trialscope.baselines.registry import BASELINE_NAMES, get_baseline
from trialscope.tasks.base import AnswerKind, Sample, Task
from trialscope.tasks.registry import get_task, task_names

from . import synthetic_records as synthetic


def _validated(task: Task, samples: list[Sample]) -> list[Sample]:
    return [Sample(s.sample_id, task.record_model.model_validate(s.raw), s.raw) for s in samples]


def _splits(kind: AnswerKind) -> tuple[list[Sample], list[Sample]]:
    vocabulary = synthetic.topic_vocabulary()
    if kind in (AnswerKind.RANKING, AnswerKind.SCREENING):
        search_train, screening_train, _ = synthetic.search_and_screening(30, 1, vocabulary)
        search_test, screening_test, _ = synthetic.search_and_screening(6, 2, vocabulary)
        if kind is AnswerKind.RANKING:
            return search_train, search_test
        return screening_train, screening_test
    if kind is AnswerKind.OUTCOME:
        return synthetic.completion(80, 3), synthetic.completion(10, 4)
    if kind is AnswerKind.CHOICE:
        return (
            synthetic.multiple_choice(40, 5, vocabulary),
            synthetic.multiple_choice(10, 6, vocabulary),
        )
    return synthetic.sample_size(40, 7, vocabulary), synthetic.sample_size(10, 8, vocabulary)


def _renamed(task: Task) -> Task:
    """The same task under a name and folder no baseline has seen (as a plugin would ship it)."""
    cls = type(task)
    renamed = type(f"Renamed{cls.__name__}", (cls,), {"name": f"plugin_{cls.name}"})
    renamed.folder_names = (f"plugin_{cls.name}",)
    return cast(Task, renamed())


@pytest.mark.parametrize("name", BASELINE_NAMES)
@pytest.mark.parametrize("task_name", task_names())
@pytest.mark.parametrize("renamed", [False, True], ids=["built-in", "renamed"])
def test_answers_parse_without_error(name: str, task_name: str, renamed: bool) -> None:
    task = _renamed(get_task(task_name)) if renamed else get_task(task_name)
    kind = task.answer_kind
    train, test = (_validated(task, split) for split in _splits(kind))
    baseline = get_baseline(name)
    baseline.fit(task, train)
    for sample in test:
        responses = baseline.answer(task, sample)
        assert len(responses) == len(task.requests(sample, None))
        parsed = task.parse(sample, responses)
        assert parsed.error is None, (responses, parsed.error)
        if kind is not AnswerKind.RANKING:
            assert 0.0 <= task.score(sample, parsed)["score"] <= 1.0
