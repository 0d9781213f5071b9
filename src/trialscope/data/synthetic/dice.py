"""Buffered random draws over one numpy Generator, fast enough for millions of records."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from itertools import chain
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
        # The next draw is one C call (no Python frame): the chained blocks' iterator's next().
        blocks = iter(self._block, None)
        self.uniform: Callable[[], float] = chain.from_iterable(blocks).__next__
        """A float in [0, 1)."""

    def _block(self) -> list[float]:
        return self._rng.random(_BLOCK).tolist()

    def chance(self, probability: float) -> bool:
        """True with the given probability."""
        return self.uniform() < probability

    def integer(self, low: int, high: int) -> int:
        """An int in [low, high] inclusive."""
        span = high - low
        return low + min(int(self.uniform() * (span + 1)), span)

    def pick(self, items: Sequence[T]) -> T:
        """One item, uniformly."""
        size = len(items)
        return items[min(int(self.uniform() * size), size - 1)]

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
        """`count` distinct items in a random order (all of them if fewer).

        Each draw picks among the items not yet taken, in their original order.
        """
        pool = list(items)
        taken: list[T] = []
        for _ in range(min(count, len(pool))):
            remaining = len(pool)
            taken.append(pool.pop(min(int(self.uniform() * remaining), remaining - 1)))
        return taken

    def normal(self) -> float:
        """A standard normal draw (Box-Muller)."""
        u1 = max(self.uniform(), 1e-12)
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * self.uniform())
