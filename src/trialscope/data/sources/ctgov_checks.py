"""Checks on a parsed CT.gov study before it is flattened: plain functions over the parsed dict.

Each returns None when the record passes, else the reason it must be rejected, so a bulk path
can run the same checks over many records without changing what is accepted.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import orjson

NCT_ID = re.compile(r"^NCT\d{8}$")
MAX_TEXT_CHARS = 100_000
"""The longest text field accepted. CT.gov's own longest limit (detailed description) is 32,000
characters; anything far beyond it is a corrupt or hostile record, not a study."""
_MESH_ID = re.compile(r"^([A-Z])0*(\d{6,})$")


def boxed_scalar_reason(payload: Mapping[str, Any]) -> str | None:
    """Why a study whose scalars are wrapped in one-element lists (R's jsonlite) is rejected."""
    try:
        nct = payload["protocolSection"]["identificationModule"]["nctId"]
    except (KeyError, TypeError):
        return None
    if isinstance(nct, list):
        return (
            "protocolSection.identificationModule.nctId: expected a string, got a list "
            f"{nct[:2]!r}; every scalar of this record is boxed in a one-element list, as R's "
            "jsonlite writes JSON without auto_unbox: re-export it with auto_unbox=TRUE"
        )
    return None


def nct_id_reason(value: Any) -> str | None:
    """Why `value` is not a ClinicalTrials.gov id (`NCT` and eight digits)."""
    if not isinstance(value, str):
        return f"protocolSection.identificationModule.nctId: expected a string, got {value!r}"
    if not NCT_ID.match(value.strip()):
        return (
            f"protocolSection.identificationModule.nctId: expected NCT and eight digits "
            f"(e.g. NCT01234567), got {value[:40]!r}"
        )
    return None


def encoded_size(payload: Any) -> int | None:
    """Bytes of `payload` as compact JSON, or None when it is not plain JSON (e.g. huge ints)."""
    try:
        return len(orjson.dumps(payload))
    except (TypeError, orjson.JSONEncodeError):
        return None


def oversized_text_reason(
    payload: Any, limit: int = MAX_TEXT_CHARS, size: int | None = None
) -> str | None:
    """The path of the first text field longer than `limit` characters, as a reason.

    `size` is an upper bound on the record's encoded size in bytes when the caller knows one
    (the line or file it was read from); otherwise it is measured here.
    """
    # Every character of a string takes at least one byte of its record's JSON, so a record
    # no longer than `limit` bytes cannot hold a longer field: only larger ones are walked.
    if size is None or size > limit:
        size = encoded_size(payload)
    if size is not None and size <= limit:
        return None
    stack: list[tuple[str, Any]] = [("", payload)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if len(value) > limit:
                return f"{path}: {len(value):,} characters, more than the {limit:,} accepted"
        elif isinstance(value, Mapping):
            stack.extend(
                (f"{path}.{key}" if path else str(key), item) for key, item in value.items()
            )
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
    return None


def text_length_bound(data: bytes) -> int:
    """An upper bound on the characters of any JSON string in `data` (the raw record's bytes).

    A string's characters take at least one byte each, and its bytes contain no quote that is
    not escaped: the longest stretch between quotes not preceded by a backslash bounds it (a
    quote after an escaped backslash only makes the stretch longer, never shorter).
    """
    codes = np.frombuffer(data, dtype=np.uint8)
    quotes = np.flatnonzero(codes == ord('"'))
    if quotes.size:
        quotes = quotes[(quotes == 0) | (codes[quotes - 1] != ord("\\"))]
    edges = np.concatenate(([-1], quotes, [codes.size]))
    return int(np.diff(edges).max()) - 1


@functools.lru_cache(maxsize=65536)
def normal_mesh_id(value: str | None) -> str | None:
    """One spelling per MeSH id: 'D000008175' and 'D008175' are both 'D008175'."""
    if not value:
        return value
    match = _MESH_ID.match(value.strip())
    if match is None:
        return value.strip()
    letter, digits = match.groups()
    return f"{letter}{digits}"
