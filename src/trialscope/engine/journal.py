"""The run journal: one JSON line per finished sample, appended and flushed.

Each line goes out in a single `write` on an O_APPEND descriptor, so a SIGKILL leaves either the
whole line or a torn last line; a torn line is detected and cut off when the journal is reopened.
A sample written twice (an errored sample retried on resume) counts once: the last line wins.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, fields, is_dataclass
from pathlib import Path
from typing import Any

from trialscope.errors import InputError
from trialscope.tasks.base import SampleResult

log = logging.getLogger(__name__)

_RESULT_ORDER = tuple(f.name for f in fields(SampleResult))
_RESULT_FIELDS = set(_RESULT_ORDER)


class JournalError(InputError):
    """The journal holds something other than SampleResult lines (not a torn last line)."""


def result_from_json(document: dict[str, Any]) -> SampleResult:
    """A SampleResult from one journal line (unknown keys ignored, for forward compatibility)."""
    return SampleResult(**{k: v for k, v in document.items() if k in _RESULT_FIELDS})


def result_fields(result: SampleResult) -> dict[str, Any]:
    """A result's fields as a dict, without `asdict`'s deep copy of the (large) input record."""
    return {name: getattr(result, name) for name in _RESULT_ORDER}


def result_to_json(result: SampleResult) -> str:
    """One journal line, without the newline."""
    return json.dumps(
        result_fields(result), ensure_ascii=False, default=json_default, separators=(",", ":")
    )


def json_default(value: Any) -> Any:
    """A dataclass inside a result (a task's prediction) as its fields; anything else as text."""
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return str(value)


class Journal:
    """Append-only `samples.jsonl`; `finished` holds what earlier runs into this folder wrote."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.finished: dict[str, SampleResult] = {}
        self.dropped_torn_line = False
        self._recover()
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def _recover(self) -> None:
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        good_end = data.rfind(b"\n") + 1
        if good_end < len(data):
            self._truncate(good_end, "an unterminated last line")
            data = data[:good_end]
        lines = data.split(b"\n")[:-1] if data else []
        for number, line in enumerate(lines, start=1):
            try:
                document = json.loads(line)
                result = result_from_json(document)
            except (ValueError, TypeError) as exc:
                if number == len(lines):
                    offset = good_end - len(line) - 1
                    self._truncate(offset, "an unreadable last line")
                    break
                raise JournalError(
                    f"not a sample result: {exc}", path=self.path, line=number
                ) from exc
            self.finished[result.sample_id] = result

    def _truncate(self, size: int, why: str) -> None:
        log.warning("%s: dropping %s left by an interrupted run", self.path, why)
        with self.path.open("r+b") as handle:
            handle.truncate(size)
        self.dropped_torn_line = True

    def append(self, result: SampleResult) -> None:
        """Write one finished sample as one line, in one system call."""
        line = (result_to_json(result) + "\n").encode("utf-8")
        written = os.write(self._fd, line)
        if written != len(line):
            # A short write on a regular file means a full disk: finish the line or fail loudly.
            os.write(self._fd, line[written:])
        self.finished[result.sample_id] = result

    def close(self) -> None:
        """Close the descriptor (writes are already in the OS)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
