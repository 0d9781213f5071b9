"""Record values for whole columns at once: strings picked by index arrays, ISO dates looked up."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

DATE_TABLE_DAYS = (-400, 2000)
"""Days around the anchor whose ISO strings are kept (generated dates lie within -240..1700)."""


@lru_cache(maxsize=32)
def choices(options: tuple[str, ...]) -> np.ndarray:
    """The options as an object array, to pick Python strings with index arrays."""
    return np.asarray(options, dtype=object)


def pick(rng: np.random.Generator, options: tuple[str, ...], n: int) -> list[str]:
    """`n` options drawn uniformly: the draws of `rng.choice(options, size=n)`, without its
    conversion of the options to a numpy string array on every call."""
    return choices(options)[rng.integers(len(options), size=n)].tolist()


@lru_cache(maxsize=4)
def _date_table(anchor: np.datetime64) -> np.ndarray:
    days = anchor + np.arange(*DATE_TABLE_DAYS)
    return np.datetime_as_string(days).astype(object)


def iso_dates(days: np.ndarray, anchor: np.datetime64) -> np.ndarray:
    """Dates as ISO strings (an object array), looked up in a table of the days around `anchor`:
    formatting each date is slow."""
    offsets = (days - anchor).astype(np.intp) - DATE_TABLE_DAYS[0]
    table = _date_table(anchor)
    if offsets.size and (offsets.min() < 0 or offsets.max() >= table.size):
        return np.datetime_as_string(days).astype(object)
    return table[offsets]


@lru_cache(maxsize=8)
def patient_ids(n: int) -> tuple[str, ...]:
    """The ids of `n` patients: P0001, P0002, ..."""
    return tuple(f"P{i + 1:04d}" for i in range(n))
