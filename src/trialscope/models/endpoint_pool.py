"""Several endpoints serving one model: least-busy routing, ejection of failing ones, counts.

Each request goes to the healthy endpoint with the fewest requests in flight (ties: the one
chosen least recently, so idle endpoints take turns), so a slow endpoint ends up with fewer
requests and a fast one with more. An endpoint that fails `failures_to_eject` times in a row
(connection errors, timeouts, 5xx, unreadable answers; not 429 or 4xx, which say nothing about
its health) is taken out for `ejection_s` seconds (defaults 3 and 30 s; environment variables
`TRIALSCOPE_ENDPOINT_FAILURES_TO_EJECT` and `TRIALSCOPE_ENDPOINT_EJECTION_S`); then one request
at a time probes it, and the first success puts it back. When every endpoint is out, the one due
back first is tried anyway: a request is never refused here, the engine's retries decide when to
give up.

This module knows endpoints only; scheduling, concurrency limits and retries stay in the engine.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger(__name__)


class EndpointPoolSettings(BaseSettings):
    """How soon an endpoint is taken out and for how long, from `TRIALSCOPE_ENDPOINT_*`."""

    model_config = SettingsConfigDict(env_prefix="TRIALSCOPE_ENDPOINT_", extra="ignore")

    failures_to_eject: int = Field(default=3, ge=1, description="Failures in a row.")
    ejection_s: float = Field(default=30.0, ge=0, description="Seconds out before a probe.")


@dataclass
class Endpoint:
    """One base URL and what happened to it."""

    url: str
    in_flight: int = 0
    requests: int = 0
    errors: int = 0
    latency_total_s: float = 0.0
    ejections: int = 0
    failures_in_a_row: int = 0
    out_until: float | None = None
    """Taken out until this clock time (None: in service)."""
    probing: bool = False
    last_chosen: int = 0

    def stats(self) -> dict[str, Any]:
        """Counts for the manifest and progress lines."""
        answered = self.requests - self.in_flight
        return {
            "url": self.url,
            "requests": self.requests,
            "errors": self.errors,
            "latency_mean_s": round(self.latency_total_s / answered, 4) if answered else None,
            "ejections": self.ejections,
            "in_service": self.out_until is None,
        }


class EndpointPool:
    """Chooses the endpoint for each request and keeps each endpoint's health and counts."""

    def __init__(
        self,
        urls: list[str],
        *,
        failures_to_eject: int | None = None,
        ejection_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not urls:
            raise ValueError("an endpoint pool needs at least one URL")
        defaults = EndpointPoolSettings()
        self.endpoints = [Endpoint(url) for url in urls]
        self.failures_to_eject = failures_to_eject or defaults.failures_to_eject
        self.ejection_s = defaults.ejection_s if ejection_s is None else ejection_s
        self._clock = clock
        self._turn = 0

    def acquire(self) -> int:
        """The index of the endpoint for the next request (counted as in flight)."""
        now = self._clock()
        chosen = self._due_probe(now)
        if chosen is None:
            in_service = [i for i, e in enumerate(self.endpoints) if e.out_until is None]
            if in_service:
                chosen = min(in_service, key=self._load)
            else:  # every endpoint is out: try the one due back first rather than refuse
                chosen = min(
                    range(len(self.endpoints)), key=lambda i: self.endpoints[i].out_until or 0.0
                )
                self.endpoints[chosen].probing = True
        endpoint = self.endpoints[chosen]
        self._turn += 1
        endpoint.last_chosen = self._turn
        endpoint.in_flight += 1
        endpoint.requests += 1
        return chosen

    def release(self, index: int, latency_s: float, *, error: bool, fault: bool) -> None:
        """Record a request's end: `error` if it failed at all, `fault` if that was the
        endpoint's fault (counts toward taking it out)."""
        endpoint = self.endpoints[index]
        endpoint.in_flight -= 1
        endpoint.latency_total_s += latency_s
        endpoint.errors += error
        was_probe, endpoint.probing = endpoint.probing, False
        if not fault:
            endpoint.failures_in_a_row = 0
            if endpoint.out_until is not None and was_probe:
                endpoint.out_until = None
                log.warning("endpoint %s is back in service", endpoint.url)
            return
        endpoint.failures_in_a_row += 1
        if was_probe or (
            endpoint.out_until is None and endpoint.failures_in_a_row >= self.failures_to_eject
        ):
            endpoint.out_until = self._clock() + self.ejection_s
            endpoint.ejections += not was_probe
            log.warning(
                "endpoint %s taken out for %.0f s after %d failures in a row",
                endpoint.url,
                self.ejection_s,
                endpoint.failures_in_a_row,
            )

    def stats(self) -> list[dict[str, Any]]:
        """Per-endpoint counts: requests, errors, mean latency, ejections, in service."""
        return [endpoint.stats() for endpoint in self.endpoints]

    def summary(self) -> str:
        """One line for progress output: `host:port 120 req 2 err 45 ms; ...`."""
        parts = []
        for item in self.stats():
            latency = item["latency_mean_s"]
            parts.append(
                f"{urlsplit(item['url']).netloc or item['url']} "
                f"{item['requests']} req {item['errors']} err"
                + (f" {latency * 1000:.0f} ms" if latency is not None else "")
                + ("" if item["in_service"] else " (out)")
            )
        return "; ".join(parts)

    def _load(self, index: int) -> tuple[int, int, int]:
        endpoint = self.endpoints[index]
        return endpoint.in_flight, endpoint.last_chosen, index

    def _due_probe(self, now: float) -> int | None:
        """An endpoint whose time out is over and that no request is probing yet."""
        for index, endpoint in enumerate(self.endpoints):
            if (
                endpoint.out_until is not None
                and not endpoint.probing
                and now >= endpoint.out_until
            ):
                endpoint.probing = True
                return index
        return None


def endpoint_counts(model: object) -> str:
    """Per-endpoint counts for a progress line: "" unless the model has several endpoints."""
    pool = getattr(model, "endpoints", None)
    if not isinstance(pool, EndpointPool) or len(pool.endpoints) < 2:
        return ""
    return pool.summary()
