"""CT.gov study files cut into chunk sources for the parallel ingest (see `data.ingest_chunks`).

A JSON-lines file becomes byte ranges cut at line ends; a zip becomes runs of member names;
`.json` documents are grouped a few at a time. Each chunk yields each study's raw bytes
(`RawStudy`), so workers decode them straight into the typed structs. Documents are split into
studies without parsing them (`msgspec.Raw`); anything the splitter refuses goes through the
generic reader of `sources.ctgov`, so every failure reads as it did.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, BinaryIO

import msgspec
import numpy as np

from trialscope.data.ingest_chunks import ChunkSource, RawStudy, StudyInput
from trialscope.data.sources.ctgov import studies_in_document, study_files
from trialscope.data.sources.json_lines import UnreadableRecord
from trialscope.data.sources.zip_directory import member_places

CHUNK_BYTES = 8 << 20
"""Target bytes of study JSON per chunk (about 500 real studies)."""
CHUNK_MEMBERS = 500
"""Zip members per chunk."""


class _Page(msgspec.Struct):
    studies: list[msgspec.Raw] | None = None


def _inflater() -> ModuleType:
    # ISA-L inflates and checksums the bulk zip's members ~1.7x (inflate) to ~4x (CRC-32)
    # faster than zlib: the largest part of reading a zip. zlib if an older venv lacks it.
    try:
        from isal import isal_zlib
    except ImportError:  # pragma: no cover - isal is a dependency
        return zlib
    return isal_zlib


_INFLATE = _inflater()
_INFLATE_BUFFER_CAP = 1 << 24
_PAGE = msgspec.json.Decoder(_Page)
_LIST = msgspec.json.Decoder(list[msgspec.Raw])


def split_document(data: bytes, origin: str) -> Iterator[StudyInput]:
    """The studies of one `.json` document (a study, a page or a list) as raw bytes."""
    head = data[:64].lstrip()
    try:
        if head.startswith(b"["):
            items = _LIST.decode(data)
        elif head.startswith(b"{"):
            # Skipping every field but `studies`, in C: cheaper than searching the bytes for it.
            page = _PAGE.decode(data)
            if page.studies is None:
                yield RawStudy(origin, data)  # one study: the bulk download's shape
                return
            items = page.studies
        else:
            items = None
    except (msgspec.DecodeError, msgspec.ValidationError):
        if head.startswith(b"{") and b'"studies"' not in data and b"\\u" not in data:
            # No `studies` key, even escaped: a broken study, which its decoder reports.
            yield RawStudy(origin, data)
            return
        items = None
    if items is None:
        # Not a shape the splitter reads: the generic reader says exactly what is wrong.
        yield from studies_in_document(data, origin)
        return
    for position, item in enumerate(items):
        yield RawStudy(f"{origin}[{position}]", bytes(item))


@dataclass
class JsonLinesSlice:
    """Lines of a JSON-lines file between two byte offsets that are line starts."""

    path: str
    start: int
    end: int
    _lines: int = 0

    @property
    def line_file(self) -> str:
        """The file whose lines are numbered across chunks."""
        return self.path

    @property
    def starts_file(self) -> bool:
        """Whether line numbering starts again here (the same file may be listed twice)."""
        return self.start == 0

    def records(self) -> Iterator[StudyInput]:
        """Each non-blank line as raw bytes, numbered from 1 within the slice."""
        with open(self.path, "rb") as handle:
            handle.seek(self.start)
            data = handle.read(self.end - self.start)
        lines = data.split(b"\n")
        if lines[-1] == b"":
            lines.pop()  # the newline ending the last line
        self._lines = len(lines)
        for number, line in enumerate(lines, start=1):
            if line and not line.isspace():
                yield RawStudy(self.path, line, number)

    def lines_read(self) -> int:
        """Lines in the slice (a last line without a newline counts); known after `records`."""
        return self._lines


@dataclass(frozen=True)
class ZipMembers:
    """Some `.json` members of a zip archive (the bulk download holds one study per member).

    Each member comes with where its bytes are (`ZipMember`), so a worker reads them without
    loading the archive's central directory (500,000 entries are ~300 MB of `ZipInfo`s).
    """

    path: str
    members: tuple[ZipMember, ...]

    def records(self) -> Iterator[StudyInput]:
        """Each member's studies as raw bytes; an unreadable member is reported, not fatal."""
        with open(self.path, "rb") as handle:
            for member in self.members:
                origin = f"{self.path}!{member[0]}"
                try:
                    data = _read_member(self.path, handle, member)
                except (
                    zipfile.BadZipFile,
                    zlib.error,
                    _INFLATE.error,
                    EOFError,
                    OSError,
                    KeyError,
                ) as error:
                    yield UnreadableRecord(origin, f"unreadable zip member: {error}")
                    continue
                yield from split_document(data, origin)


@dataclass(frozen=True)
class JsonDocuments:
    """A few `.json` files, each a study, a page of studies or a list of studies."""

    paths: tuple[str, ...]

    def records(self) -> Iterator[StudyInput]:
        """Each document's studies as raw bytes."""
        for path in self.paths:
            yield from split_document(Path(path).read_bytes(), path)


_ZIPS: dict[str, zipfile.ZipFile] = {}


def _open_zip(path: str) -> zipfile.ZipFile:
    # A worker reads many chunks of one archive: its central directory is read once.
    archive = _ZIPS.get(path)
    if archive is None:
        for old in _ZIPS.values():
            old.close()
        _ZIPS.clear()
        archive = _ZIPS[path] = zipfile.ZipFile(path)
    return archive


_LOCAL_HEADER = struct.Struct("<4s22xHH")
"""A zip member's local header: signature, then (after 22 bytes) the name and extra lengths."""


ZipMember = tuple[str, int, int, int, int, int, int]
"""(name, local header offset, compressed size, size, CRC-32, compression, flag bits)."""


def _read_member(path: str, handle: BinaryIO, member: ZipMember) -> bytes:
    """One member's bytes: read and inflated directly (zipfile's reader costs ~2x more per
    small member); anything but a plain stored or deflated member goes through zipfile."""
    name, offset, compressed, size, crc, kind, flags = member
    if flags & 0x1 or kind not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return _open_zip(path).read(name)
    handle.seek(offset)
    header = handle.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size:
        raise zipfile.BadZipFile(f"truncated local header of {name}")
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if signature != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"bad local header signature of {name}")
    handle.seek(name_length + extra_length, 1)
    raw = handle.read(compressed)
    if len(raw) < compressed:
        raise zipfile.BadZipFile(f"truncated member {name}")
    # Inflated into a buffer of the stated size (capped: the directory may lie), not grown.
    buffer = min(max(size, 1), _INFLATE_BUFFER_CAP)
    data = raw if kind == zipfile.ZIP_STORED else _INFLATE.decompress(raw, -15, buffer)
    if len(data) != size or _INFLATE.crc32(data) != crc:
        raise zipfile.BadZipFile(f"bad CRC-32 or size of {name}")
    return data


def file_chunks(paths: Iterable[Path]) -> Iterator[ChunkSource]:
    """Chunk sources covering the study files of `paths`, in the order `study_files` gives.

    A path that cannot be read as a zip yields an `UnreadableRecord` in place of its chunks.
    """
    documents: list[str] = []
    for path in study_files(paths):
        if path.suffix == ".json":
            documents.append(str(path))
            if len(documents) >= 64:
                yield JsonDocuments(tuple(documents))
                documents = []
            continue
        if documents:
            yield JsonDocuments(tuple(documents))
            documents = []
        if path.suffix in (".jsonl", ".ndjson"):
            yield from _line_slices(path)
        else:
            yield from _zip_chunks(path)
    if documents:
        yield JsonDocuments(tuple(documents))


def _line_slices(path: Path) -> Iterator[JsonLinesSlice]:
    size = path.stat().st_size
    start = 0
    with path.open("rb") as handle:
        while start < size:
            end = min(start + CHUNK_BYTES, size)
            if end < size:
                handle.seek(end)
                # Extend to the end of the line the cut falls in.
                while True:
                    block = handle.read(1 << 16)
                    if not block:
                        end = size
                        break
                    newline = block.find(b"\n")
                    if newline >= 0:
                        end += newline + 1
                        break
                    end += len(block)
            yield JsonLinesSlice(str(path), start, end)
            start = end


def _zip_chunks(path: Path) -> Iterator[ChunkSource]:
    try:
        names, places = _member_places(path)
    except zipfile.BadZipFile as error:
        yield _Unreadable(str(path), f"not a zip archive: {error}")
        return
    for first in range(0, len(names), CHUNK_MEMBERS):
        last = min(first + CHUNK_MEMBERS, len(names))
        rows = places[first:last].tolist()
        members = tuple(
            (name, *row) for name, row in zip(names.between(first, last), rows, strict=True)
        )
        yield ZipMembers(str(path), members)


class PackedNames:
    """Names held as one UTF-8 blob and their end offsets while an ingest runs: ~25 bytes a
    member, where a list of `str` takes ~75 (the bulk download's 500,000 members: ~35 MB)."""

    def __init__(self, names: Iterable[str]) -> None:
        encoded = [name.encode("utf-8", "surrogatepass") for name in names]
        self._blob = b"".join(encoded)
        self._ends = np.cumsum([len(name) for name in encoded], dtype=np.int64)

    def __len__(self) -> int:
        return len(self._ends)

    def between(self, first: int, last: int) -> list[str]:
        """The names at positions first..last-1."""
        start = int(self._ends[first - 1]) if first else 0
        ends = self._ends[first:last].tolist()
        names = []
        for end in ends:
            names.append(self._blob[start:end].decode("utf-8", "surrogatepass"))
            start = end
        return names


def _member_places(path: Path) -> tuple[PackedNames, np.ndarray[Any, Any]]:
    """The `.json` members' names in order, and where each one's bytes are (one int64 row each).

    Read without a `ZipInfo` per member (see `zip_directory`), and kept packed while the
    ingest runs, so the planner holds ~75 bytes a member; `zipfile` reads the archives that
    reader leaves (and names the error of one that is not a zip).
    """
    read = member_places(path)
    if read is not None:
        all_names, all_places = read
        order = sorted(
            (i for i, name in enumerate(all_names) if name.endswith(".json")),
            key=all_names.__getitem__,
        )
        return PackedNames(all_names[i] for i in order), all_places[np.array(order, dtype=np.int64)]
    with zipfile.ZipFile(path) as archive:
        names = sorted(name for name in archive.namelist() if name.endswith(".json"))
        places = np.empty((len(names), 6), dtype=np.int64)
        for index, name in enumerate(names):
            info = archive.getinfo(name)
            places[index] = (
                info.header_offset,
                info.compress_size,
                info.file_size,
                info.CRC,
                info.compress_type,
                info.flag_bits,
            )
    return PackedNames(names), places


@dataclass(frozen=True)
class _Unreadable:
    """A chunk of one unreadable record (a file that is not what its name says)."""

    origin: str
    reason: str

    def records(self) -> Iterator[StudyInput]:
        """The one failure."""
        yield UnreadableRecord(self.origin, self.reason)
