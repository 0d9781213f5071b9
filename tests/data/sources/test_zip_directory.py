"""The zip central directory reader agrees with zipfile, member by member, or steps aside."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from trialscope.data.sources.zip_directory import member_places


def _zipfiles_view(path: Path) -> tuple[list[str], list[tuple[int, ...]]]:
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    places = [
        (i.header_offset, i.compress_size, i.file_size, i.CRC, i.compress_type, i.flag_bits)
        for i in infos
    ]
    return [i.filename for i in infos], places


def _assert_same_as_zipfile(path: Path) -> None:
    read = member_places(path)
    assert read is not None
    names, places = read
    expected_names, expected_places = _zipfiles_view(path)
    assert names == expected_names
    assert places.dtype == np.int64
    assert [tuple(row) for row in places.tolist()] == expected_places


def _mixed(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.comment = b"an archive comment"
        archive.writestr("NCT00000001.json", b'{"a": 1}' * 50)
        archive.writestr("caf\u00e9.json", b"{}", compress_type=zipfile.ZIP_STORED)
        archive.writestr("notes.txt", b"not a study")
        with archive.open("NCT00000002.json", "w", force_zip64=True) as member:
            member.write(b'{"b": 2}')
    return path


def test_members_read_as_zipfile_reads_them(tmp_path: Path) -> None:
    _assert_same_as_zipfile(_mixed(tmp_path / "mixed.zip"))


def test_data_before_the_archive_shifts_the_offsets_as_zipfile_does(tmp_path: Path) -> None:
    plain = _mixed(tmp_path / "plain.zip")
    prefixed = tmp_path / "prefixed.zip"
    prefixed.write_bytes(b"#!/bin/sh\nexit 0\n" * 7 + plain.read_bytes())
    _assert_same_as_zipfile(prefixed)


def test_the_zip64_end_record_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Past 65,535 members the count lives in the zip64 end record (the bulk download's case);
    # zipfile writes that record from a lower count when its limit is lowered.
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 3)
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for index in range(10):
            archive.writestr(f"NCT{index:08d}.json", b"{}")
    assert b"PK\x06\x06" in path.read_bytes()
    _assert_same_as_zipfile(path)
    prefixed = tmp_path / "prefixed.zip"
    prefixed.write_bytes(b"x" * 1000 + path.read_bytes())
    _assert_same_as_zipfile(prefixed)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"not a zip archive at all",
        lambda data: data[: len(data) // 2],  # the directory and end record cut off
        lambda data: data.replace(b"PK\x01\x02", b"XX\x01\x02", 1),  # a bad directory entry
    ],
    ids=["not-a-zip", "truncated", "bad-entry"],
)
def test_an_archive_it_cannot_read_is_left_to_zipfile(tmp_path: Path, damage: object) -> None:
    path = _mixed(tmp_path / "damaged.zip")
    assert callable(damage)
    path.write_bytes(damage(path.read_bytes()))
    assert member_places(path) is None
