"""PubMed E-utilities esearch as a search backend (the original benchmark's behaviour)."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import httpx

from trialscope.search.base import SearchError, normalize_date_cap
from trialscope.settings import load_settings

log = logging.getLogger(__name__)

ESEARCH_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esearch.fcgi"
EARLIEST_DATE = "1800/01/01"
MAX_RETMAX = 9999


class PubMedSearch:
    """esearch over db=pubmed, sorted by relevance, with an optional publication-date cap.

    NCBI allows 3 requests/s without an API key and 10/s with one (`PUBMED_API_KEY`); requests
    are spaced accordingly. 429, 5xx, timeouts and connection errors are retried with backoff.
    """

    name = "pubmed"

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str = ESEARCH_URL,
        timeout_s: float = 30.0,
        max_attempts: int = 4,
        backoff_s: float = 1.0,
        min_interval_s: float | None = None,
        tool: str = "trialscope",
        email: str | None = None,
    ) -> None:
        if api_key is None:  # read through Settings, so a key kept in `.env` counts too
            api_key = load_settings().env_value("PUBMED_API_KEY")
        self.api_key = api_key or None
        self.base_url = base_url
        self.max_attempts = max(1, max_attempts)
        self.backoff_s = backoff_s
        default_interval = 0.11 if self.api_key else 0.34
        self.min_interval_s = default_interval if min_interval_s is None else min_interval_s
        self.tool = tool
        self.email = email
        self._client = httpx.Client(timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0)))
        self._lock = threading.Lock()
        self._last_request = 0.0

    def cache_identity(self) -> dict[str, Any]:
        """What makes this backend's results distinct (not the key itself)."""
        return {"backend": self.name, "base_url": self.base_url}

    def params(self, query: str, k: int, date_cap: str | None) -> dict[str, str]:
        """The esearch query parameters for one search."""
        params = {
            "db": "pubmed",
            "term": query,
            "retmax": str(max(0, min(k, MAX_RETMAX))),
            "sort": "relevance",
            "retmode": "json",
            "tool": self.tool,
        }
        if self.email:
            params["email"] = self.email
        if self.api_key:
            params["api_key"] = self.api_key
        cap = normalize_date_cap(date_cap)
        if cap is not None:
            # esearch ignores maxdate unless mindate is given too
            params.update({"datetype": "pdat", "mindate": EARLIEST_DATE, "maxdate": cap})
        return params

    def search(self, query: str, k: int, date_cap: str | None = None) -> list[str]:
        """PMIDs for `query`, best first; an empty query returns no ids without a request."""
        if not query.strip() or k <= 0:
            return []
        body = self._get(self.params(query, k, date_cap))
        result = body.get("esearchresult") if isinstance(body, dict) else None
        if not isinstance(result, dict):
            raise SearchError(f"PubMed esearch answered without 'esearchresult': {str(body)[:200]}")
        if "ERROR" in result and not result.get("idlist"):
            raise SearchError(f"PubMed esearch refused the query {query!r}: {result['ERROR']}")
        ids = result.get("idlist")
        if not isinstance(ids, list):
            raise SearchError(f"PubMed esearch answered without an id list: {str(result)[:200]}")
        return [str(pmid) for pmid in ids][:k]

    def _wait_turn(self) -> None:
        with self._lock:
            delay = self._last_request + self.min_interval_s - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._last_request = time.monotonic()

    def _get(self, params: dict[str, str]) -> Any:
        last_problem = ""
        for attempt in range(self.max_attempts):
            self._wait_turn()
            retry_after: float | None = None
            try:
                response = self._client.get(self.base_url, params=params)
            except httpx.TransportError as error:
                last_problem = f"{type(error).__name__}: {error}"
            else:
                if response.status_code == 200:
                    try:
                        return response.json()
                    except ValueError:
                        last_problem = f"unparseable body: {response.text[:200]!r}"
                elif response.status_code == 429 or response.status_code >= 500:
                    last_problem = f"HTTP {response.status_code}: {response.text[:200]!r}"
                    retry_after = _retry_after(response)
                else:
                    raise SearchError(
                        f"PubMed esearch HTTP {response.status_code}: {response.text[:200]!r}"
                    )
            if attempt + 1 < self.max_attempts:
                wait = retry_after if retry_after is not None else self.backoff_s * 2**attempt
                log.warning(
                    "PubMed esearch failed (%s); retry %d in %.1fs", last_problem, attempt + 1, wait
                )
                time.sleep(wait)
        raise SearchError(
            f"PubMed esearch failed after {self.max_attempts} attempts: {last_problem}"
        )

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
