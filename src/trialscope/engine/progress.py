"""Progress: a rich bar per run on a terminal; plain lines otherwise (CI, pipes, the demo).

Off a terminal a line is printed for a finished sample when the run's last line is at least
`MIN_GAP_S` old (so a slow model gets a line per sample, a fast one a few per second at most),
and a heartbeat thread prints every run still going that has been quiet for `HEARTBEAT_S`. The
lines go to stderr directly, so callers that configure no logging (the demo) show them too, and
to the `trialscope.progress` logger (marked `progress`) so each run's run.log keeps them.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING

from trialscope.console import make_console
from trialscope.tasks.base import SampleResult

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

log = logging.getLogger("trialscope.progress")

HEARTBEAT_S = 10.0
MIN_GAP_S = 2.0


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
        self.last_line = time.monotonic()
        self.finished = False
        self.details: Callable[[], str] | None = None
        """More counts for the line (a model's per-endpoint counts), when it has any."""

    def stats(self) -> str:
        """The counters as one short line."""
        line = (
            f"err {self.errors} parse {self.parse_errors} retry {self.retries} "
            f"tok {self.tokens:,} ${self.cost_usd:.4f}"
        )
        more = self.details() if self.details is not None else ""
        return f"{line} | {more}" if more else line

    def start(self, already_done: int) -> None:
        """Count samples finished by an earlier run into the same folder."""
        self.done = already_done
        self._refresh()
        if self._row is None:
            self.line(f"{self.done}/{self.total} samples ({already_done} from an earlier run)")

    def advance(self, result: SampleResult) -> None:
        """Count one finished sample."""
        self.done += 1
        self.errors += result.status == "error"
        self.parse_errors += result.status == "parse_error"
        self.tokens += result.prompt_tokens + result.completion_tokens
        self.cost_usd += result.cost_usd
        self._refresh()
        if self._row is None and time.monotonic() - self.last_line >= MIN_GAP_S:
            self.line(f"{self.done}/{self.total} {self.stats()}")

    def line(self, text: str) -> None:
        """Print one progress line for this run (off a terminal)."""
        self.last_line = time.monotonic()
        self._display.emit(f"{self.label}: {text}")

    def retry(self) -> None:
        """Count one retried request."""
        self.retries += 1
        self._refresh()

    def _refresh(self) -> None:
        if self._row is not None and self._display.progress is not None:
            self._display.progress.update(self._row, completed=self.done, stats=self.stats())

    def finish(self) -> None:
        """Mark the run done."""
        self.finished = True
        if self._row is not None and self._display.progress is not None:
            self._display.progress.update(self._row, completed=self.total, stats=self.stats())
        else:
            self.line(f"finished {self.done}/{self.total} {self.stats()}")


class ProgressDisplay:
    """One live display shared by every model's run; plain logging when not on a terminal."""

    def __init__(self, console: Console | None = None, live: bool | None = None) -> None:
        self.console = console or make_console(stderr=True)
        self.live = self.console.is_terminal if live is None else live
        self.progress: Progress | None = None
        self.runs: list[RunProgress] = []
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None
        self._emit_lock = threading.Lock()

    def emit(self, text: str) -> None:
        """One plain progress line on stderr (and in the run's log)."""
        stamp = time.strftime("%H:%M:%S")
        with self._emit_lock:
            sys.stderr.write(f"{stamp} {text}\n")
            sys.stderr.flush()
        log.info("%s", text, extra={"progress": True})

    def _beat(self) -> None:
        while not self._stop.wait(1.0):
            now = time.monotonic()
            for run in list(self.runs):
                if not run.finished and now - run.last_line >= HEARTBEAT_S:
                    run.line(f"{run.done}/{run.total} {run.stats()} (working)")

    def __enter__(self) -> ProgressDisplay:
        if self.live:
            # rich.progress is imported only when bars are drawn (it is slow to import).
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

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
        else:
            self._heartbeat = threading.Thread(
                target=self._beat, name="trialscope-progress", daemon=True
            )
            self._heartbeat.start()
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
        self._stop.set()
        if self._heartbeat is not None:
            self._heartbeat.join(timeout=5)
            self._heartbeat = None

    def track(self, label: str, total: int) -> RunProgress:
        """A new row (or log stream) for one model's run of one task."""
        row = None
        if self.progress is not None:
            row = self.progress.add_task(label, total=total, stats="")
        run = RunProgress(self, label, total, row)
        self.runs.append(run)
        return run
