"""Atomic JSON-lines files: written to a temporary name, then renamed into place."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> int:
    """Write one JSON object per line (stable formatting); returns the number of lines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            for record in records:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return count


def write_json_rows(
    path: Path, keys: tuple[str, ...], batches: Iterable[list[tuple[Any, ...]]]
) -> int:
    """Write one compact JSON object per row (`keys` name the row's values); returns the count.

    For files of millions of lines (the search corpus): rows stream in batches and orjson
    encodes them, an order of magnitude faster than `json.dumps` per line.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            for batch in batches:
                out.write(
                    b"".join(
                        orjson.dumps(dict(zip(keys, row, strict=True))) + b"\n" for row in batch
                    )
                )
                count += len(batch)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return count
