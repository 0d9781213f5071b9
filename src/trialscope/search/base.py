"""The contract of a search backend for study search: a query in, ranked document ids out."""

from __future__ import annotations

import re
from typing import Protocol, runtime_checkable


class SearchError(Exception):
    """A search could not be run (backend unreachable, refused the query, bad response)."""


@runtime_checkable
class SearchBackend(Protocol):
    """Runs a query and returns up to `k` ids, best first (implementations also carry a `name`)."""

    def search(self, query: str, k: int, date_cap: str | None = None) -> list[str]:
        """Ranked ids for `query`; `date_cap` (YYYY/MM/DD) excludes documents published after."""
        ...


_DATE = re.compile(r"^\s*(\d{4})(?:[-/.](\d{1,2}))?(?:[-/.](\d{1,2}))?")


def normalize_date_cap(value: object) -> str | None:
    """A date such as 2019-05-01, 2019/5, 2019 or 20190501 as YYYY/MM/DD (a partial date
    becomes the end of its period)."""
    if value is None:
        return None
    text = str(value).strip()
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    match = _DATE.match(text)
    if match is None:
        return None
    year, month, day = match.group(1), match.group(2), match.group(3)
    if month is None:
        return f"{year}/12/31"
    if not 1 <= int(month) <= 12:
        return None
    if day is None:
        day = "31" if int(month) in (1, 3, 5, 7, 8, 10, 12) else "30" if int(month) != 2 else "28"
    return f"{year}/{int(month):02d}/{int(day):02d}"
