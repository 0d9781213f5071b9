"""The one way trialscope makes a rich Console: messages are never wrapped or cut in pipes.

Rich wraps text at the width of whatever terminal the process has (or `COLUMNS`, or 80) even
when the output itself is a pipe or a file, so an error naming a long path came out split over
lines. Every command builds its consoles here: when the output is not a terminal, plain text
is printed as it is (soft wrap) and tables get at least `PIPE_WIDTH` columns.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console, ConsoleDimensions

PIPE_WIDTH = 160
"""Tables in pipes and CI logs: wide enough for a run folder path beside its numbers."""


class PlainWhenPipedConsole(Console):
    """A Console that never wraps text and widens tables when its output is not a terminal.

    Checked at each print, not at creation, because tests and callers swap sys.stdout/stderr.
    """

    def print(self, *objects: Any, soft_wrap: bool | None = None, **kwargs: Any) -> None:
        if soft_wrap is None and not self.is_terminal:
            soft_wrap = all(isinstance(item, str) for item in objects)
        super().print(*objects, soft_wrap=soft_wrap, **kwargs)

    @property
    def size(self) -> ConsoleDimensions:
        measured = super().size
        if self._width is not None or self.is_terminal:
            return measured
        return ConsoleDimensions(max(measured.width, PIPE_WIDTH), measured.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        width, height = new_size
        self._width = width
        self._height = height


def make_console(*, stderr: bool = False) -> Console:
    """A console on stdout (or stderr) that keeps messages on one line in pipes."""
    return PlainWhenPipedConsole(stderr=stderr)
