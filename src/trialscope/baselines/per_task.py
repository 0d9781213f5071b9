"""A baseline built from one fitted answerer per task, chosen by the task's answer kind."""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import cache
from typing import Protocol

from threadpoolctl import ThreadpoolController

from trialscope.baselines.kind_records import answer_kind, in_kind_layout
from trialscope.errors import InputError
from trialscope.tasks.base import AnswerKind, Sample, Task


@cache
def _thread_pools() -> ThreadpoolController:
    # Finding the loaded BLAS/OpenMP libraries is slow; do it once per process.
    return ThreadpoolController()


class TaskAnswerer(Protocol):
    """What a baseline learned for one task: it turns a sample into raw answers."""

    def answer(self, task: Task, sample: Sample) -> list[str]:
        """Raw answers for `task.requests(sample, None)`, in order."""
        ...


class PerTaskBaseline(ABC):
    """Fits one answerer per task name; `answer` before `fit` is an error naming both."""

    name: str

    def __init__(self) -> None:
        self._answerers: dict[str, TaskAnswerer] = {}

    def fit(self, task: Task, train: list[Sample]) -> None:
        """Learn what the method learns for this task from its train split."""
        kind = answer_kind(task)
        in_layout = [in_kind_layout(task, sample) for sample in train]
        # The matrices are small: extra BLAS threads only spin, and slow 20x on a busy machine.
        with _thread_pools().limit(limits=1):
            self._answerers[task.name] = self.build(kind, task, in_layout)

    def answer(self, task: Task, sample: Sample) -> list[str]:
        """Raw answers for `task.requests(sample, None)`, in order."""
        answerer = self._answerers.get(task.name)
        if answerer is None:
            raise RuntimeError(f"{self.name}: call fit() for task {task.name!r} before answer()")
        with _thread_pools().limit(limits=1):
            return answerer.answer(task, in_kind_layout(task, sample))

    @abstractmethod
    def build(self, kind: AnswerKind, task: Task, train: list[Sample]) -> TaskAnswerer:
        """The fitted answerer for one task."""


def require_train(name: str, task: Task, train: list[Sample]) -> None:
    """Raise a clear error when a method that learns is given no train samples."""
    if not train:
        raise InputError(f"{name}: task {task.name!r} has an empty train split; nothing to learn")
