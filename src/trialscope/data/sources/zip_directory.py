"""A zip archive's central directory read entry by entry, without a `ZipInfo` per member.

`zipfile.ZipFile` builds a `ZipInfo` (~600 bytes) for every member before anything can be read:
~300 MB for the 500,000 members of ClinicalTrials.gov's bulk download, held by the process that
plans the ingest. This reads the same directory records with `struct` straight into a NumPy
array (48 bytes a member) and the names; any archive it does not fully understand returns None,
and the caller reads it with `zipfile` instead.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

_END = struct.Struct("<4s4H2LH")
"""End of central directory: signature, disk numbers, entries (disk, total), size, offset,
comment length."""
_END64_LOCATOR = struct.Struct("<4sLQL")
_END64 = struct.Struct("<4sQ2H2L4Q")
"""Zip64 end of central directory: ..., entries (disk, total), size, offset."""
_ENTRY = struct.Struct("<4s4B4HL2L5H2L")
"""A central directory entry (as zipfile's `structCentralDir`)."""
_MAX_COMMENT = 1 << 16
_UTF8_NAMES = 0x800

MemberPlaces = tuple[list[str], np.ndarray[Any, Any]]
"""Member names, and per member (local header offset, compressed size, size, CRC-32,
compression, flag bits) as one int64 row."""


def member_places(path: Path) -> MemberPlaces | None:
    """Every member's name and place, in directory order; None when `zipfile` should read it."""
    with path.open("rb") as handle:
        located = _directory(handle)
        if located is None:
            return None
        entries, size, start, offset = located
        handle.seek(start)
        directory = handle.read(size)
        # Data prepended to the archive (a self-extractor) shifts every offset alike.
        shift = start - offset
    if len(directory) != size:
        return None
    return _entries(directory, entries, shift)


def _directory(handle: BinaryIO) -> tuple[int, int, int, int] | None:
    """(entries, size, where the directory starts, where the records say it starts)."""
    file_size = handle.seek(0, os.SEEK_END)
    tail_size = min(file_size, _END.size + _MAX_COMMENT)
    handle.seek(file_size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + _END.size > len(tail):
        return None
    _, disk, _, _, entries, size, offset, _ = _END.unpack_from(tail, at)
    end_position = file_size - tail_size + at
    if disk != 0:
        return None  # a multi-disk archive
    wide = False
    locator_position = end_position - _END64_LOCATOR.size
    if locator_position >= 0:
        handle.seek(locator_position)
        if handle.read(4) == b"PK\x06\x07":
            # A zip64 end record, written before its locator: its counts are the true ones.
            end_position = locator_position - _END64.size
            if end_position < 0:
                return None
            handle.seek(end_position)
            record = handle.read(_END64.size)
            if len(record) < _END64.size or record[:4] != b"PK\x06\x06":
                return None
            entries, size, offset = _END64.unpack(record)[7:10]
            wide = True
    if not wide and (entries == 0xFFFF or 0xFFFFFFFF in (size, offset)):
        return None  # zip64 sizes without a zip64 end record
    start = end_position - size
    if start < 0 or start < offset:
        return None
    return entries, size, start, offset


def _entries(directory: bytes, entries: int, shift: int) -> MemberPlaces | None:
    names: list[str] = []
    places = np.empty((entries, 6), dtype=np.int64)
    position = 0
    for index in range(entries):
        if position + _ENTRY.size > len(directory):
            return None
        fields = _ENTRY.unpack_from(directory, position)
        if fields[0] != b"PK\x01\x02":
            return None
        flags, kind, crc, compressed, size = fields[5], fields[6], fields[9], fields[10], fields[11]
        name_length, extra_length, comment_length, offset = (*fields[12:15], fields[18])
        name_start = position + _ENTRY.size
        raw_name = directory[name_start : name_start + name_length]
        extra = directory[name_start + name_length : name_start + name_length + extra_length]
        if 0xFFFFFFFF in (compressed, size, offset):
            wide = _zip64_values(extra, size, compressed, offset)
            if wide is None:
                return None
            size, compressed, offset = wide
        names.append(raw_name.decode("utf-8" if flags & _UTF8_NAMES else "cp437"))
        places[index] = (offset, compressed, size, crc, kind, flags)
        position = name_start + name_length + extra_length + comment_length
    if shift:
        places[:, 0] += shift
    return names, places


def _zip64_values(
    extra: bytes, size: int, compressed: int, offset: int
) -> tuple[int, int, int] | None:
    """The 8-byte values of the zip64 extra field that replace the 0xFFFFFFFF ones."""
    at = 0
    while at + 4 <= len(extra):
        kind, length = struct.unpack_from("<HH", extra, at)
        if kind == 0x0001:
            values = list(struct.unpack_from(f"<{length // 8}Q", extra, at + 4))
            try:
                if size == 0xFFFFFFFF:
                    size = values.pop(0)
                if compressed == 0xFFFFFFFF:
                    compressed = values.pop(0)
                if offset == 0xFFFFFFFF:
                    offset = values.pop(0)
            except IndexError:
                return None
            return size, compressed, offset
        at += 4 + length
    return None
