"""A task's test split read when its turn comes, so a run's first requests go out sooner.

`trialscope run --task all` reads the first task's split before anything is sent and every later
one while the requests already out are answered: reading and validating the eight splits took
about a tenth of a second before the first request. The files' existence is checked up front
(a missing split still stops the run before any request); a malformed line in a later split
fails that task alone, naming the file and line, while the other tasks finish.
"""

from __future__ import annotations

from collections.abc import Callable

from trialscope.tasks.base import Task
from trialscope.tasks.loading import LoadedSplit


class DeferredSplit:
    """A task whose split is read once, by the first model's pool that reaches it."""

    def __init__(self, task: Task, read: Callable[[], LoadedSplit]) -> None:
        self.task = task
        self._read = read
        self._split: LoadedSplit | None = None
        self._error: Exception | None = None

    def load(self) -> LoadedSplit:
        """The loaded split; every model shares one read (and its error, if it fails).

        Read on the event loop's thread, between the pool's sends: a read in another thread
        holds the GIL in long stretches, and every answer would wait for it.
        """
        if self._error is not None:
            raise self._error
        if self._split is None:
            try:
                self._split = self._read()
            except Exception as error:
                self._error = error
                raise
        return self._split


SplitSource = LoadedSplit | DeferredSplit
"""What a model's pool runs: a loaded split, or one read when the pool reaches it."""
