"""One pool per model: every pending sample of every task goes through one set of workers.

The connection limit stays busy until the last sample of the last task: a task's outputs are
written as soon as its own last sample is in, while the workers go on with the other tasks.
Each task keeps its own run folder, run.log, journal and resume, exactly as when run alone.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import ExitStack

from trialscope.engine.background_imports import import_in_background
from trialscope.engine.deferred_split import SplitSource
from trialscope.engine.progress import ProgressDisplay
from trialscope.engine.run_log import in_run_log
from trialscope.engine.sample_evaluation import evaluate_sample
from trialscope.engine.solver import Solver
from trialscope.engine.task_run import RunSettings, RunSummary, TaskRun, open_task_run
from trialscope.tasks.base import Sample
from trialscope.tasks.loading import LoadedSplit

log = logging.getLogger(__name__)


SENDING_TURNS = 2
"""Event-loop turns the pool gets to put a task's requests on the wire before the next task is
read and opened (a new connection is established in one turn, written to in the next)."""


class TaskRunsFailed(Exception):
    """Some of a model's task runs failed; the finished ones' summaries are attached."""

    def __init__(self, errors: list[BaseException], summaries: list[RunSummary]) -> None:
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors
        self.summaries = summaries


async def run_model(
    solver: Solver, data: list[SplitSource], run: RunSettings, display: ProgressDisplay
) -> list[RunSummary]:
    """Run `solver` on every task in `data` through one pool of `run.workers` workers.

    A task whose split cannot be read (a DeferredSplit with a malformed line) or whose folder
    cannot be opened (a resume conflict, a baseline that cannot fit) fails alone: the other
    tasks run, then TaskRunsFailed reports it with their summaries.
    """
    summaries: dict[int, RunSummary] = {}
    errors: list[BaseException] = []
    task_runs: list[TaskRun] = []
    finishing: list[asyncio.Task[None]] = []
    queue: asyncio.Queue[tuple[int, TaskRun, Sample] | None] = asyncio.Queue()
    n_workers = max(1, run.workers)

    async def finish(index: int, task_run: TaskRun) -> None:
        with in_run_log(task_run.log_key):
            summaries[index] = await task_run.finish()

    async def open_tasks(logs: ExitStack) -> None:
        # Workers start on the first task's samples while the next tasks are opened.
        try:
            for index, item in enumerate(data):
                try:
                    split = item if isinstance(item, LoadedSplit) else await item.load()
                    task_run = await open_task_run(split, solver, run, display, logs)
                except Exception as error:
                    errors.append(error)
                    continue
                task_runs.append(task_run)
                if task_run.outstanding == 0:
                    finishing.append(asyncio.create_task(finish(index, task_run)))
                for sample in task_run.pending:
                    queue.put_nowait((index, task_run, sample))
                # Reading the next split takes the GIL in long stretches: yield until these
                # samples' requests are written (new connections complete one loop turn later).
                for _ in range(SENDING_TURNS):
                    await asyncio.sleep(0)
                if task_run.pending and run.background_imports:
                    # Requests are out: what only the end needs loads while they are answered
                    # (its first, heaviest imports while the loop waits for the first answers).
                    import_in_background(run.background_imports)
        finally:
            for _ in range(n_workers):
                queue.put_nowait(None)

    async def worker() -> None:
        while (item := await queue.get()) is not None:
            index, task_run, sample = item
            task = task_run.data.task
            with in_run_log(task_run.log_key):
                result = await evaluate_sample(task, sample, solver, run.system_prompt)
                task_run.record(result)
            if task_run.outstanding == 0:
                finishing.append(asyncio.create_task(finish(index, task_run)))

    with ExitStack() as logs:
        try:
            await asyncio.gather(open_tasks(logs), *(worker() for _ in range(n_workers)))
        finally:
            for task_run in task_runs:
                task_run.journal.close()
        outcomes = await asyncio.gather(*finishing, return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            if not isinstance(outcome, Exception):
                raise outcome
            errors.append(outcome)
    ordered = [summaries[index] for index in sorted(summaries)]
    if errors:
        raise TaskRunsFailed(errors, ordered)
    return ordered
