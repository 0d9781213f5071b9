"""Progress: a rich bar per model on a terminal, plain log lines otherwise (CI, pipes)."""

from __future__ import annotations

import logging
import time
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from trialscope.tasks.base import SampleResult

log = logging.getLogger("trialscope.progress")

_LOG_EVERY_S = 15.0
_MIN_GAP_S = 2.0


class RunProgress:
    """Counts for one model's run of one task: done, errors, retries, tokens, cost."""

    def __init__(
        self, display: ProgressDisplay, label: str, total: int, row: TaskID | None
    ) -> None:
        self._display = display
        self.label = label
        self.total = total
        self._row = row
        self.done = 0
        self.errors = 0
        self.parse_errors = 0
        self.retries = 0
        self.tokens = 0
        self.cost_usd = 0.0
        self._last_log = time.monotonic()
        self._last_logged_tenth = 0

    def stats(self) -> str:
        """The counters as one short line."""
        return (
            f"err {self.errors} parse {self.parse_errors} retry {self.retries} "
            f"tok {self.tokens:,} ${self.cost_usd:.4f}"
        )

    def start(self, already_done: int) -> None:
        """Count samples finished by an earlier run into the same folder."""
        self.done = already_done
        self._refresh()
        if self._row is None:
            log.info(
                "%s: %d/%d samples (%d from an earlier run)",
                self.label,
                self.done,
                self.total,
                already_done,
            )

    def advance(self, result: SampleResult) -> None:
        """Count one finished sample."""
        self.done += 1
        self.errors += result.status == "error"
        self.parse_errors += result.status == "parse_error"
        self.tokens += result.prompt_tokens + result.completion_tokens
        self.cost_usd += result.cost_usd
        self._refresh()
        if self._row is None:
            tenth = self.done * 10 // max(self.total, 1)
            now = time.monotonic()
            gap = now - self._last_log
            if (tenth > self._last_logged_tenth and gap > _MIN_GAP_S) or gap > _LOG_EVERY_S:
                self._last_logged_tenth = tenth
                self._last_log = now
                log.info("%s: %d/%d %s", self.label, self.done, self.total, self.stats())

    def retry(self) -> None:
        """Count one retried request."""
        self.retries += 1
        self._refresh()

    def _refresh(self) -> None:
        if self._row is not None and self._display.progress is not None:
            self._display.progress.update(self._row, completed=self.done, stats=self.stats())

    def finish(self) -> None:
        """Mark the run done."""
        if self._row is not None and self._display.progress is not None:
            self._display.progress.update(self._row, completed=self.total, stats=self.stats())
        else:
            log.info("%s: finished %d/%d %s", self.label, self.done, self.total, self.stats())


class ProgressDisplay:
    """One live display shared by every model's run; plain logging when not on a terminal."""

    def __init__(self, console: Console | None = None, live: bool | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.live = self.console.is_terminal if live is None else live
        self.progress: Progress | None = None

    def __enter__(self) -> ProgressDisplay:
        if self.live:
            self.progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[stats]}"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=self.console,
            )
            self.progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None

    def track(self, label: str, total: int) -> RunProgress:
        """A new row (or log stream) for one model's run of one task."""
        row = None
        if self.progress is not None:
            row = self.progress.add_task(label, total=total, stats="")
        return RunProgress(self, label, total, row)
