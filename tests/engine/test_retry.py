"""Backoff with jitter, Retry-After honoured, retries counted and bounded."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialscope.engine.retry import RetryPolicy, call_with_retries
from trialscope.models.base import ProviderError, RetryableError


@given(attempt=st.integers(1, 30), seed=st.integers(0, 2**32 - 1))
def test_backoff_grows_and_stays_bounded(attempt: int, seed: int) -> None:
    policy = RetryPolicy(base_delay_s=1.0, max_delay_s=30.0)
    delay = policy.delay(attempt, np.random.default_rng(seed), None)
    ceiling = min(30.0, 2 ** (attempt - 1))
    assert ceiling / 2 <= delay <= ceiling


@given(retry_after=st.floats(0, 10_000), seed=st.integers(0, 1000))
def test_retry_after_is_honoured_and_capped(retry_after: float, seed: int) -> None:
    policy = RetryPolicy(max_retry_after_s=300)
    delay = policy.delay(1, np.random.default_rng(seed), retry_after)
    assert min(retry_after, 300) <= delay <= min(retry_after, 300) + 0.1


async def test_retries_until_success_and_counts_them() -> None:
    calls = []

    async def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise RetryableError("429", retry_after_s=0.0)
        return "ok"

    seen: list[int] = []
    value, retries = await call_with_retries(
        flaky,
        RetryPolicy(max_retries=5, base_delay_s=0.001),
        np.random.default_rng(0),
        lambda attempt, error, wait: seen.append(attempt),
    )
    assert (value, retries, seen) == ("ok", 2, [1, 2])


async def test_gives_up_after_max_retries() -> None:
    calls = []

    async def always_down() -> str:
        calls.append(1)
        raise RetryableError("503")

    with pytest.raises(RetryableError):
        await call_with_retries(
            always_down, RetryPolicy(max_retries=2, base_delay_s=0.001), np.random.default_rng(0)
        )
    assert len(calls) == 3


async def test_permanent_errors_are_not_retried() -> None:
    calls = []

    async def refused() -> str:
        calls.append(1)
        raise ProviderError("400")

    with pytest.raises(ProviderError):
        await call_with_retries(refused, RetryPolicy(), np.random.default_rng(0))
    assert len(calls) == 1
