"""Each run's own `run.log`, even when several models run at once in one process.

Log records carry the run they belong to through a context variable that asyncio copies into
every task and thread the run starts, so a file handler keeps only its own run's lines.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

_current_run: ContextVar[str | None] = ContextVar("trialscope_run", default=None)

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _RunFilter(logging.Filter):
    def __init__(self, run_key: str) -> None:
        super().__init__()
        self.run_key = run_key

    def filter(self, record: logging.LogRecord) -> bool:
        return _current_run.get() == self.run_key


@contextmanager
def run_log_file(path: Path, run_key: str) -> Iterator[None]:
    """While open, `trialscope` log lines recorded inside `in_run_log(run_key)` go to `path`."""
    logger = logging.getLogger("trialscope")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.addFilter(_RunFilter(run_key))
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        handler.close()


@contextmanager
def in_run_log(run_key: str) -> Iterator[None]:
    """Within this block (and the tasks and threads it starts), log lines belong to `run_key`."""
    token = _current_run.set(run_key)
    try:
        yield
    finally:
        _current_run.reset(token)
