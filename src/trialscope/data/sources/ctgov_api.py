"""The live ClinicalTrials.gov API v2: paged study harvesting, polite and resumable.

`GET {base}/api/v2/studies` with `query.term`, `query.cond`, `filter.overallStatus`,
`filter.advanced`, `pageSize`, `pageToken` and `countTotal`. Requests are spaced to a
configurable rate, retried with exponential backoff on 429 / 5xx / network errors (honouring
`Retry-After`), and `harvest` writes a checkpoint with the next page token after each page is
stored, so an interrupted harvest resumes where it stopped.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx
from pydantic import BaseModel, ConfigDict

from trialscope.data.ingest_report import IngestReport

log = logging.getLogger(__name__)

PUBLIC_BASE_URL = "https://clinicaltrials.gov"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_PAGE_SIZE = 1000


class CtgovApiError(RuntimeError):
    """The API refused a request, or kept failing after every retry."""


@dataclass(frozen=True)
class CtgovQuery:
    """Which studies to fetch; turned into the API's query parameters."""

    term: str | None = None
    condition: str | None = None
    statuses: tuple[str, ...] = ()
    submitted_after: dt.date | None = None
    page_size: int = 100

    def params(self) -> dict[str, str]:
        """The query parameters, without paging."""
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}, got {self.page_size}")
        params = {"format": "json", "pageSize": str(self.page_size)}
        if self.term:
            params["query.term"] = self.term
        if self.condition:
            params["query.cond"] = self.condition
        if self.statuses:
            params["filter.overallStatus"] = ",".join(self.statuses)
        if self.submitted_after:
            params["filter.advanced"] = (
                f"AREA[StudyFirstSubmitDate]RANGE[{self.submitted_after.isoformat()},MAX]"
            )
        return params


class _PageBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    studies: list[dict[str, Any]] = []
    nextPageToken: str | None = None  # the API's camelCase field names
    totalCount: int | None = None


@dataclass
class CtgovPage:
    """One page of studies and the token of the page after it (None on the last page)."""

    studies: list[dict[str, Any]]
    next_page_token: str | None
    total_count: int | None = None


class CtgovApiClient:
    """A synchronous client for `/api/v2/studies` with rate limiting and retries."""

    def __init__(
        self,
        base_url: str = PUBLIC_BASE_URL,
        *,
        requests_per_second: float = 1.0,
        max_retries: int = 5,
        backoff_seconds: float = 1.0,
        max_backoff_seconds: float = 60.0,
        timeout_seconds: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._interval = 1.0 / requests_per_second if requests_per_second > 0 else 0.0
        self._max_retries = max_retries
        self._backoff = backoff_seconds
        self._max_backoff = max_backoff_seconds
        self._sleep = sleep
        self._last_request: float | None = None
        self._http = httpx.Client(
            timeout=timeout_seconds, headers={"User-Agent": "trialscope (+ingest)"}
        )
        self.requests_made = 0
        self.retries = 0

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._http.close()

    def __enter__(self) -> CtgovApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _wait_turn(self) -> None:
        if self._last_request is not None and self._interval > 0:
            delay = self._last_request + self._interval - time.monotonic()
            if delay > 0:
                self._sleep(delay)
        self._last_request = time.monotonic()

    def _retry_delay(self, attempt: int, response: httpx.Response | None) -> float:
        if response is not None:
            header = response.headers.get("Retry-After", "")
            if header.isdigit():
                return min(float(header), self._max_backoff)
        return min(self._backoff * 2**attempt, self._max_backoff)

    def fetch_page(self, query: CtgovQuery, page_token: str | None = None) -> CtgovPage:
        """Fetch one page of studies; raises `CtgovApiError` when retries run out."""
        params = query.params()
        if page_token:
            params["pageToken"] = page_token
        else:
            params["countTotal"] = "true"
        url = f"{self.base_url}/api/v2/studies"
        for attempt in range(self._max_retries + 1):
            self._wait_turn()
            self.requests_made += 1
            response: httpx.Response | None = None
            try:
                response = self._http.get(url, params=params)
            except httpx.TransportError as error:
                problem = f"{type(error).__name__}: {error}"
            else:
                if response.status_code == 200:
                    return _parse_page(response)
                if response.status_code not in RETRY_STATUSES:
                    raise CtgovApiError(
                        f"GET {url} returned {response.status_code}: {response.text[:300]}"
                    )
                problem = f"HTTP {response.status_code}"
            if attempt == self._max_retries:
                raise CtgovApiError(f"GET {url} failed after {attempt + 1} attempts: {problem}")
            delay = self._retry_delay(attempt, response)
            self.retries += 1
            log.warning("CT.gov request failed (%s); retrying in %.1fs", problem, delay)
            self._sleep(delay)
        raise AssertionError("unreachable")


def _parse_page(response: httpx.Response) -> CtgovPage:
    try:
        body = _PageBody.model_validate_json(response.content)
    except ValueError as error:
        raise CtgovApiError(f"{response.url}: not a page of studies: {error}") from None
    return CtgovPage(body.studies, body.nextPageToken or None, body.totalCount)


@dataclass
class HarvestCheckpoint:
    """Where a harvest stands: the query it is for, the next page token, pages done, finished."""

    query: dict[str, str]
    next_page_token: str | None = None
    pages_done: int = 0
    studies_seen: int = 0
    finished: bool = False

    @classmethod
    def load(cls, path: Path, query: CtgovQuery) -> HarvestCheckpoint:
        """Read a checkpoint for this query, or start a fresh one if the file does not exist."""
        params = query.params()
        if not path.exists():
            return cls(query=params)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            checkpoint = cls(**data)
        except (json.JSONDecodeError, TypeError) as error:
            raise ValueError(f"{path}: not a harvest checkpoint ({error})") from None
        if checkpoint.query != params:
            raise ValueError(
                f"{path}: checkpoint is for query {checkpoint.query}, not {params}; "
                "use another checkpoint file or delete it to start over"
            )
        return checkpoint

    def save(self, path: Path) -> None:
        """Write atomically (temp file + rename) so a kill never leaves half a checkpoint."""
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(self.__dict__, out, indent=2)
        os.replace(temp, path)


class StudySink(Protocol):
    """Where harvested studies go: `TrialStore.ingest_ctgov_studies` fits."""

    def __call__(self, studies: list[dict[str, Any]]) -> IngestReport: ...


@dataclass
class HarvestResult:
    """What a harvest call did: the merged ingest report and where it stopped."""

    report: IngestReport
    checkpoint: HarvestCheckpoint
    pages_fetched: int = 0
    total_count: int | None = None
    notes: list[str] = field(default_factory=list)


def harvest(
    client: CtgovApiClient,
    query: CtgovQuery,
    sink: StudySink,
    *,
    checkpoint_path: Path | None = None,
    max_pages: int | None = None,
    on_page: Callable[[HarvestCheckpoint, int | None], None] | None = None,
) -> HarvestResult:
    """Fetch pages and hand each to `sink`; the checkpoint advances only after a page is stored."""
    checkpoint = (
        HarvestCheckpoint.load(checkpoint_path, query)
        if checkpoint_path is not None
        else HarvestCheckpoint(query=query.params())
    )
    result = HarvestResult(report=IngestReport(source="ctgov-api"), checkpoint=checkpoint)
    if checkpoint.finished:
        result.notes.append("checkpoint says this harvest already finished; nothing fetched")
        return result
    while max_pages is None or result.pages_fetched < max_pages:
        page = client.fetch_page(query, checkpoint.next_page_token)
        result.pages_fetched += 1
        if page.total_count is not None:
            result.total_count = page.total_count
        result.report.merge(sink(page.studies))
        checkpoint.pages_done += 1
        checkpoint.studies_seen += len(page.studies)
        checkpoint.next_page_token = page.next_page_token
        checkpoint.finished = page.next_page_token is None
        if checkpoint_path is not None:
            checkpoint.save(checkpoint_path)
        if on_page is not None:
            on_page(checkpoint, result.total_count)
        if checkpoint.finished:
            break
    return result
