"""Retries with exponential backoff and jitter, honouring the server's Retry-After."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from trialscope.models.base import RetryableError

log = logging.getLogger(__name__)

T = TypeVar("T")


class RandomSource(Protocol):
    """What the jitter draws from: a numpy Generator or a SeededRandom."""

    def uniform(self, low: float, high: float) -> Any:
        """One number drawn uniformly from [low, high)."""
        ...


class SeededRandom:
    """`numpy.random.default_rng(seed)`, created at its first draw: the same numbers, without
    importing numpy before a run's first request (most runs never retry)."""

    def __init__(self, seed: int | list[int]) -> None:
        self.seed = seed
        self._generator: RandomSource | None = None

    def uniform(self, low: float, high: float) -> Any:
        if self._generator is None:
            import numpy as np

            self._generator = np.random.default_rng(self.seed)
        return self._generator.uniform(low, high)


@dataclass
class RetryPolicy:
    """`max_retries` retries after the first attempt; delays grow from `base_delay_s`."""

    max_retries: int = 6
    base_delay_s: float = 1.0
    max_delay_s: float = 60.0
    max_retry_after_s: float = 300.0
    """A server asking for longer than this is capped: the run should not sleep for hours."""

    def delay(self, attempt: int, rng: RandomSource, retry_after_s: float | None) -> float:
        """Seconds to wait before retry number `attempt` (1-based): full jitter, or Retry-After."""
        if retry_after_s is not None:
            # A little jitter above the server's figure so clients it throttled together spread out.
            return min(retry_after_s, self.max_retry_after_s) + float(rng.uniform(0, 0.1))
        ceiling = min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1))
        return float(rng.uniform(ceiling / 2, ceiling))


async def call_with_retries(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    rng: RandomSource,
    on_retry: Callable[[int, RetryableError, float], None] | None = None,
) -> tuple[T, int]:
    """Await `call()` until it succeeds; return its value and the number of retries used.

    RetryableError is retried up to `policy.max_retries` times, then re-raised; any other
    error propagates at once.
    """
    attempt = 0
    while True:
        try:
            return await call(), attempt
        except RetryableError as exc:
            attempt += 1
            if attempt > policy.max_retries:
                raise
            wait = policy.delay(attempt, rng, exc.retry_after_s)
            if on_retry is not None:
                on_retry(attempt, exc, wait)
            await asyncio.sleep(wait)
