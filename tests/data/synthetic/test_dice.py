"""Dice draws: the sequence of picks is fixed by the seed (the registry's content depends on it)."""

from __future__ import annotations

import numpy as np
import pytest

from trialscope.data.synthetic.dice import Dice


def _sample_by_positions(dice: Dice, items: list[str], count: int) -> list[str]:
    """The definition: each draw is a position among the items not yet taken, in their order."""
    left = list(range(len(items)))
    taken = []
    for _ in range(min(count, len(items))):
        position = min(int(dice.uniform() * len(left)), len(left) - 1)
        taken.append(items[left[position]])
        left = left[:position] + left[position + 1 :]
    return taken


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_sample_takes_the_drawn_position_among_the_items_left(seed: int) -> None:
    fast, reference = (Dice(np.random.default_rng(seed)) for _ in range(2))
    for size in (0, 1, 2, 5, 12, 40):
        items = [f"item {i}" for i in range(size)]
        for count in (0, 1, 2, 3, size, size + 2):
            assert fast.sample(items, count) == _sample_by_positions(reference, items, count)
    # The two dice consumed the same draws: they still agree afterwards.
    assert fast.uniform() == reference.uniform()


def test_sample_returns_distinct_items_and_leaves_the_input_alone() -> None:
    dice = Dice(np.random.default_rng(3))
    items = ("a", "b", "c", "d", "e")
    drawn = dice.sample(items, 4)
    assert len(drawn) == 4 and len(set(drawn)) == 4 and set(drawn) <= set(items)
    assert items == ("a", "b", "c", "d", "e")
