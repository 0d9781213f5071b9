"""Train/test splits (random or by registration date) and balanced answer letters."""

from __future__ import annotations

import string
from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np

from trialscope.data.builders.options import BuildOptions


def split_keys(
    keyed: Sequence[tuple[str, date | None]],
    options: BuildOptions,
    sizes: tuple[int, int],
    rng: np.random.Generator,
) -> tuple[list[str], list[str]]:
    """Choose (train, test) keys; `keyed` holds (key, date) in a fixed order."""
    train_size, test_size = sizes
    after, before = options.registered_after, options.registered_before
    if after is None and before is None:
        order = [keyed[i][0] for i in rng.permutation(len(keyed))]
        test = order[:test_size]
        return order[test_size : test_size + train_size], test

    def in_window(day: date | None) -> bool:
        return (
            day is not None and (after is None or day >= after) and (before is None or day < before)
        )

    test_pool = [key for key, day in keyed if in_window(day)]
    if after is not None:
        train_pool = [key for key, day in keyed if day is not None and day < after]
    else:
        train_pool = [key for key, day in keyed if not in_window(day)]
    test = [test_pool[i] for i in rng.permutation(len(test_pool))[:test_size]]
    train = [train_pool[i] for i in rng.permutation(len(train_pool))[:train_size]]
    return train, test


def split_positions(
    days: np.ndarray[Any, np.dtype[np.int64]],
    dated: np.ndarray[Any, np.dtype[np.bool_]],
    options: BuildOptions,
    sizes: tuple[int, int],
    rng: np.random.Generator,
) -> tuple[np.ndarray[Any, np.dtype[np.intp]], np.ndarray[Any, np.dtype[np.intp]]]:
    """`split_keys` over arrays: (train, test) positions into `days` (days since 1970-01-01,
    meaningful where `dated`), drawing exactly what `split_keys` draws from `rng`."""
    train_size, test_size = sizes
    after, before = options.registered_after, options.registered_before
    if after is None and before is None:
        order = rng.permutation(len(days))
        return order[test_size : test_size + train_size], order[:test_size]
    low = _epoch_day(after) if after is not None else None
    high = _epoch_day(before) if before is not None else None
    in_window = dated.copy()
    if low is not None:
        in_window &= days >= low
    if high is not None:
        in_window &= days < high
    test_pool = np.flatnonzero(in_window)
    if low is not None:
        train_pool = np.flatnonzero(dated & (days < low))
    else:
        train_pool = np.flatnonzero(~in_window)
    test = test_pool[rng.permutation(len(test_pool))[:test_size]]
    train = train_pool[rng.permutation(len(train_pool))[:train_size]]
    return train, test


def _epoch_day(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def balanced_letters(count: int, n_options: int, rng: np.random.Generator) -> list[str]:
    """`count` answer letters, each letter used equally often (to within one), in random order."""
    letters = string.ascii_uppercase[:n_options]
    cycle = [letters[i % n_options] for i in range(count)]
    return [cycle[i] for i in rng.permutation(count)]
