"""The contract of an offline baseline: learn from a task's train split, answer like a model."""

from __future__ import annotations

from typing import Protocol

from trialscope.tasks.base import Sample, Task


class Baseline(Protocol):
    """A baseline answers with the same raw text a model would send, one string per request.

    The engine passes those strings through the task's own parser and scorer, so a baseline is
    measured exactly like a model.
    """

    name: str

    def fit(self, task: Task, train: list[Sample]) -> None:
        """Learn whatever the method learns from the train split (may do nothing)."""
        ...

    def answer(self, task: Task, sample: Sample) -> list[str]:
        """Raw answers for `task.requests(sample, None)`, in order."""
        ...
