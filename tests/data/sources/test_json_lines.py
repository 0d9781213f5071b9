"""The fast parser: whatever it accepts, the standard library reads the same; the rest goes back."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from trialscope.data.sources.json_lines import (
    UNPARSED,
    SourcedRecord,
    UnreadableRecord,
    fast_json,
    iter_json_lines,
)

HOSTILE = [
    b'{"a": 1}',
    b'{"a": NaN, "b": Infinity}',
    b'{"big": 123456789012345678901234567890}',
    b"[18446744073709551615, -9223372036854775808, 18446744073709551616]",
    b'{"f": 1e400, "g": -0.0, "h": 0.1}',
    b'\xef\xbb\xbf{"bom": true}',
    '{"utf16": "é"}'.encode("utf-16"),
    b'{"lone": "\\ud800"}',
    b'{"raw_surrogate": "\xed\xa0\x80"}',
    b'{"bad": "\xff"}',
    b'{"dup": 1, "dup": 2}',
    b'{"nul": "a\\u0000b", "ctl": "tab\\there"}',
    b'{"unterminated": ',
    b"[" * 2000 + b"]" * 2000,
    b"   ",
    b'"just a string"',
]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return type(a) is type(b) and a == b and json.dumps(a) == json.dumps(b)


@pytest.mark.parametrize("data", HOSTILE)
def test_what_the_fast_parser_accepts_the_standard_library_reads_the_same(data: bytes) -> None:
    fast = fast_json(data)
    if fast is UNPARSED:
        return
    assert _same(fast, json.loads(data))


def test_lines_keep_their_exact_reasons(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_bytes(b'{"a": 1}\n\xff{"a": 2}\n{"a": \n\n[1]\n{"n": NaN}\n\xef\xbb\xbf{"bom": 1}\n')
    got = [
        (item.origin.rsplit(":", 1)[1], item.reason if isinstance(item, UnreadableRecord) else "")
        for item in iter_json_lines(path)
    ]
    assert got == [
        ("1", ""),
        ("2", "not UTF-8: byte 0xff at column 1"),
        ("3", "invalid JSON: Expecting value (column 1)"),
        ("5", "expected a JSON object, got list"),
        ("6", ""),
        ("7", "invalid JSON: Unexpected UTF-8 BOM (decode using utf-8-sig) (column 1)"),
    ]
    records = [item for item in iter_json_lines(path) if isinstance(item, SourcedRecord)]
    assert math.isnan(records[1].payload["n"])
