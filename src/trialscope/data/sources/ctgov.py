"""ClinicalTrials.gov API v2 studies from files: single studies, pages, JSON lines, zip downloads.

Accepted inputs, alone or inside a directory (searched recursively, in name order):
- `*.json` holding one study (`{"protocolSection": ...}`), a page of the `studies` endpoint
  (`{"studies": [...], "nextPageToken": ...}`), or a list of studies;
- `*.jsonl` / `*.ndjson`, one study per line;
- `*.zip` of such `.json` files (the shape of the registry's bulk download).
A file or line that cannot be read is yielded as an `UnreadableRecord` so the ingest reports it
and carries on.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from trialscope.data.sources.json_lines import (
    UNPARSED,
    SourcedRecord,
    UnreadableRecord,
    fast_json,
    iter_json_lines,
)
from trialscope.errors import InputError

STUDY_SUFFIXES = (".json", ".jsonl", ".ndjson", ".zip")

StudyItem = SourcedRecord | UnreadableRecord


def study_files(paths: Iterable[Path]) -> list[Path]:
    """Expand directories into the study files they hold; a missing path is an error."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in STUDY_SUFFIXES)
            )
        elif path.is_file():
            found.append(path)
        else:
            raise InputError("no such file or directory", path=path)
    return found


def iter_ctgov_files(paths: Iterable[Path]) -> Iterator[StudyItem]:
    """Yield every study object in the given files and directories, one at a time."""
    for path in study_files(paths):
        if path.suffix in (".jsonl", ".ndjson"):
            yield from iter_json_lines(path)
        elif path.suffix == ".zip":
            yield from _iter_zip(path)
        else:
            yield from studies_in_document(path.read_bytes(), str(path))


def _iter_zip(path: Path) -> Iterator[StudyItem]:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        yield UnreadableRecord(str(path), f"not a zip archive: {error}")
        return
    with archive:
        for name in sorted(archive.namelist()):
            if name.endswith(".json"):
                try:
                    data = archive.read(name)
                except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
                    yield UnreadableRecord(f"{path}!{name}", f"unreadable zip member: {error}")
                    continue
                yield from studies_in_document(data, f"{path}!{name}")


def studies_in_document(data: bytes, origin: str) -> Iterator[StudyItem]:
    """The studies of one `.json` document (a study, a page or a list), parsed generically."""
    document = fast_json(data)
    if document is not UNPARSED:
        yield from _studies_of(document, data, origin)
        return
    try:
        document = json.loads(data)
    except UnicodeDecodeError as error:
        bad = data[error.start : error.start + 1].hex()
        yield UnreadableRecord(origin, f"not UTF-8: byte 0x{bad} at offset {error.start}")
        return
    except json.JSONDecodeError as error:
        yield UnreadableRecord(origin, f"invalid JSON: {error}")
        return
    yield from _studies_of(document, data, origin)


def _studies_of(document: Any, data: bytes, origin: str) -> Iterator[StudyItem]:
    if isinstance(document, dict) and isinstance(document.get("studies"), list):
        items: list[Any] = document["studies"]
    elif isinstance(document, dict):
        items = [document]
    elif isinstance(document, list):
        items = document
    else:
        yield UnreadableRecord(origin, "expected a study, a page of studies or a list of studies")
        return
    single = isinstance(document, dict) and "studies" not in document
    for position, item in enumerate(items):
        where = origin if single else f"{origin}[{position}]"
        if isinstance(item, dict):
            yield SourcedRecord(where, item, len(data))
        else:
            yield UnreadableRecord(where, f"expected a JSON object, got {type(item).__name__}")
