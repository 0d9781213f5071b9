"""Every baseline answer goes through the real task's parser and scorer without a parse error."""

from __future__ import annotations

import pytest

from trialscope.baselines.registry import BASELINE_NAMES, get_baseline
from trialscope.baselines.task_kind import TaskKind, kind_of_name
from trialscope.tasks.base import Sample, Task

from . import synthetic_records as synthetic

registry = pytest.importorskip("trialscope.tasks.registry")


def _validated(task: Task, samples: list[Sample]) -> list[Sample]:
    return [Sample(s.sample_id, task.record_model.model_validate(s.raw), s.raw) for s in samples]


def _splits(kind: TaskKind) -> tuple[list[Sample], list[Sample]]:
    vocabulary = synthetic.topic_vocabulary()
    if kind in (TaskKind.SEARCH, TaskKind.SCREENING):
        search_train, screening_train, _ = synthetic.search_and_screening(30, 1, vocabulary)
        search_test, screening_test, _ = synthetic.search_and_screening(6, 2, vocabulary)
        if kind is TaskKind.SEARCH:
            return search_train, search_test
        return screening_train, screening_test
    if kind is TaskKind.COMPLETION:
        return synthetic.completion(80, 3), synthetic.completion(10, 4)
    if kind is TaskKind.CHOICE:
        return (
            synthetic.multiple_choice(40, 5, vocabulary),
            synthetic.multiple_choice(10, 6, vocabulary),
        )
    return synthetic.sample_size(40, 7, vocabulary), synthetic.sample_size(10, 8, vocabulary)


@pytest.mark.parametrize("name", BASELINE_NAMES)
@pytest.mark.parametrize("task_name", list(registry.TASK_NAMES))
def test_answers_parse_without_error(name: str, task_name: str) -> None:
    task = registry.get_task(task_name)
    kind = kind_of_name(task.name)
    assert kind is not None
    train, test = (_validated(task, split) for split in _splits(kind))
    baseline = get_baseline(name)
    baseline.fit(task, train)
    for sample in test:
        responses = baseline.answer(task, sample)
        assert len(responses) == len(task.requests(sample, None))
        parsed = task.parse(sample, responses)
        assert parsed.error is None, (responses, parsed.error)
        if kind is not TaskKind.SEARCH:
            assert 0.0 <= task.score(sample, parsed)["score"] <= 1.0
