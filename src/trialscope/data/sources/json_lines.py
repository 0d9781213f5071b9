"""Streaming JSON-lines reading that reports bad lines instead of stopping."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class SourcedRecord:
    """A JSON object and where it was read (`file:line`), so failures can point back to it."""

    origin: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class UnreadableRecord:
    """A record a reader could not decode; the store counts it as a failure named by `origin`."""

    origin: str
    reason: str


def iter_json_lines(path: Path) -> Iterator[SourcedRecord | UnreadableRecord]:
    """Yield each JSON object of a JSON-lines file, or an `UnreadableRecord` naming the bad line."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            origin = f"{path}:{number}"
            try:
                value = json.loads(line)
            except json.JSONDecodeError as error:
                yield UnreadableRecord(origin, f"invalid JSON: {error.msg} (column {error.colno})")
                continue
            if not isinstance(value, dict):
                yield UnreadableRecord(
                    origin, f"expected a JSON object, got {type(value).__name__}"
                )
                continue
            yield SourcedRecord(origin, value)
