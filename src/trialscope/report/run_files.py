"""Reading the JSON files of a run folder, with errors that name the file and line."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_COMPACT = re.compile(r"^(\d{8})_(\d{6})")
_SPACED = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")


class RunFolderError(ValueError):
    """A run folder or one of its files cannot be read as the formats describe."""


def read_json_object(path: Path) -> dict[str, Any]:
    """A JSON file that must hold an object."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RunFolderError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    except OSError as exc:
        raise RunFolderError(f"{path}: cannot be read ({exc.strerror})") from exc
    if not isinstance(value, dict):
        raise RunFolderError(f"{path}: expected a JSON object, found {type(value).__name__}")
    return value


def read_jsonl_objects(path: Path) -> list[dict[str, Any]]:
    """A JSONL journal; a torn last line (a run killed mid-write) is skipped with a warning."""
    rows: list[dict[str, Any]] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            if number == len(lines):
                log.warning("%s: skipping the unfinished last line %d", path, number)
                continue
            raise RunFolderError(f"{path}: line {number} is not valid JSON ({exc.msg})") from exc
        if not isinstance(value, dict):
            raise RunFolderError(f"{path}: line {number}: expected a JSON object")
        rows.append(value)
    return rows


def normalise_timestamp(value: Any) -> str | None:
    """`YYYYMMDD_HHMMSS` from a folder name or a `timestamp` field in either known style."""
    if not isinstance(value, str):
        return None
    compact = _COMPACT.match(value)
    if compact:
        return f"{compact.group(1)}_{compact.group(2)}"
    spaced = _SPACED.match(value)
    if spaced:
        y, mo, d, h, mi, s = spaced.groups()
        return f"{y}{mo}{d}_{h}{mi}{s}"
    return None


def model_from_slug(slug: str) -> str:
    """Undo the folder-name encoding of a model name (`baseline--bm25` is `baseline/bm25`)."""
    return slug.replace("--", "/")
