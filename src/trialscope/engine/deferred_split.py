"""A task's test split read when its turn comes, so a run's first requests go out sooner.

`trialscope run --task all` reads the first task's split before anything is sent and every later
one while the requests already out are answered: reading and validating the eight splits took
about a tenth of a second before the first request. The files' existence is checked up front
(a missing split still stops the run before any request); a malformed line in a later split
fails that task alone, naming the file and line, while the other tasks finish.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from trialscope.engine.task_run import in_run_files_thread
from trialscope.tasks.base import Task
from trialscope.tasks.loading import LoadedSplit


class DeferredSplit:
    """A task whose split is read once, in a thread, by the first model's pool that reaches it."""

    def __init__(self, task: Task, read: Callable[[], LoadedSplit]) -> None:
        self.task = task
        self._read = read
        self._reading: asyncio.Future[LoadedSplit] | None = None

    async def load(self) -> LoadedSplit:
        """The loaded split; every model shares one read (and its error, if it fails).

        In a thread: a large split (a hundred thousand records) read on the event loop's thread
        would hold every answer already in flight for as long as it takes.
        """
        if self._reading is None:
            self._reading = asyncio.ensure_future(in_run_files_thread(self._read))
        # Shielded: one model's cancellation does not cancel the read the others wait for.
        return await asyncio.shield(self._reading)


SplitSource = LoadedSplit | DeferredSplit
"""What a model's pool runs: a loaded split, or one read when the pool reaches it."""
