"""Token prices: a shipped YAML table (US dollars per 1M tokens), overridable by the user."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from trialscope.errors import InputError
from trialscope.models.base import Usage


@dataclass(frozen=True)
class Price:
    """Dollars per million prompt (input) and completion (output) tokens."""

    input: float
    output: float


class PriceTable:
    """Looks up a model's price by exact name, then by the longest name it starts with."""

    def __init__(self, prices: dict[str, Price]) -> None:
        self._prices = {name.lower(): price for name, price in prices.items()}

    @classmethod
    def load(cls, override: Path | None = None) -> PriceTable:
        """The shipped table, updated with `override` (same YAML shape) when given."""
        shipped = resources.files("trialscope.models").joinpath("prices.yaml").read_text("utf-8")
        prices = _parse(yaml.safe_load(shipped), "trialscope/models/prices.yaml")
        if override is not None:
            if not override.is_file():
                raise FileNotFoundError(f"price file not found: {override}")
            prices.update(_parse(yaml.safe_load(override.read_text("utf-8")), str(override)))
        return cls(prices)

    def price(self, model: str) -> Price | None:
        """The price for `model` (`provider/` prefix ignored), or None when unknown."""
        bare = model.rsplit("/", 1)[-1].lower()
        if bare in self._prices:
            return self._prices[bare]
        matches = [name for name in self._prices if bare.startswith(name + "-")]
        return self._prices[max(matches, key=len)] if matches else None

    def cost(self, usage: Usage, *models: str) -> float | None:
        """Dollars for `usage` at the first of `models` with a known price, else None."""
        for model in models:
            price = self.price(model) if model else None
            if price is not None:
                return (
                    usage.prompt_tokens * price.input + usage.completion_tokens * price.output
                ) / 1e6
        return None


def _parse(document: Any, source: str) -> dict[str, Price]:
    if not isinstance(document, dict) or not isinstance(document.get("models"), dict):
        raise InputError("expected a mapping with a 'models' key", path=source)
    prices = {}
    for name, entry in document["models"].items():
        try:
            prices[str(name)] = Price(input=float(entry["input"]), output=float(entry["output"]))
        except (TypeError, KeyError, ValueError) as exc:
            raise InputError(
                "expected {input: <$ per 1M>, output: <$ per 1M>}",
                path=source,
                field=f"models.{name}",
            ) from exc
    return prices
