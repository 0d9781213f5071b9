"""The offline baselines by name: `baseline/majority`, `baseline/random`, `baseline/lexical`."""

from __future__ import annotations

from collections.abc import Callable

from trialscope.baselines.base import Baseline
from trialscope.baselines.lexical import LexicalBaseline
from trialscope.baselines.majority import MajorityBaseline
from trialscope.baselines.random_chance import RandomBaseline
from trialscope.errors import ConfigurationError

PREFIX = "baseline/"

_FACTORIES: dict[str, Callable[[], Baseline]] = {
    "majority": MajorityBaseline,
    "random": RandomBaseline,
    "lexical": LexicalBaseline,
}

BASELINE_NAMES: tuple[str, ...] = tuple(_FACTORIES)
"""Bare names; the model name a user gives is `baseline/<name>`."""


def get_baseline(name: str) -> Baseline:
    """A new, unfitted baseline for `<name>` or `baseline/<name>`."""
    key = name.removeprefix(PREFIX)
    factory = _FACTORIES.get(key)
    if factory is None:
        valid = ", ".join(PREFIX + item for item in BASELINE_NAMES)
        raise ConfigurationError(f"unknown baseline {name!r}; valid names: {valid}")
    return factory()
