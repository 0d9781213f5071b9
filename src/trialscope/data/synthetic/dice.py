"""Buffered random draws over one numpy Generator, fast enough for millions of records."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T")

_BLOCK = 8192


class Dice:
    """Scalar draws served from blocks of `Generator.random`; the sequence depends only on the seed.

    Calling numpy for every scalar costs about a microsecond each; a trial needs ~100 draws.
    """

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._buffer: list[float] = []
        self._next = 0

    def uniform(self) -> float:
        """A float in [0, 1)."""
        if self._next >= len(self._buffer):
            self._buffer = self._rng.random(_BLOCK).tolist()
            self._next = 0
        value = self._buffer[self._next]
        self._next += 1
        return value

    def chance(self, probability: float) -> bool:
        """True with the given probability."""
        return self.uniform() < probability

    def integer(self, low: int, high: int) -> int:
        """An int in [low, high] inclusive."""
        return low + min(int(self.uniform() * (high - low + 1)), high - low)

    def pick(self, items: Sequence[T]) -> T:
        """One item, uniformly."""
        return items[min(int(self.uniform() * len(items)), len(items) - 1)]

    def weighted(self, items: Sequence[T], weights: Sequence[float]) -> T:
        """One item with probability proportional to its weight."""
        target = self.uniform() * sum(weights)
        running = 0.0
        for item, weight in zip(items, weights, strict=True):
            running += weight
            if target < running:
                return item
        return items[-1]

    def sample(self, items: Sequence[T], count: int) -> list[T]:
        """`count` distinct items in a random order (all of them if fewer)."""
        pool = list(items)
        chosen: list[T] = []
        while pool and len(chosen) < count:
            chosen.append(pool.pop(min(int(self.uniform() * len(pool)), len(pool) - 1)))
        return chosen

    def normal(self) -> float:
        """A standard normal draw (Box-Muller)."""
        u1 = max(self.uniform(), 1e-12)
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * self.uniform())
