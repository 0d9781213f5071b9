"""The price table: shipped defaults, snapshots, user overrides, unknown models."""

from __future__ import annotations

from pathlib import Path

import pytest

from trialscope.errors import InputError
from trialscope.models.base import Usage
from trialscope.models.prices import PriceTable


def test_shipped_prices_and_snapshot_names() -> None:
    table = PriceTable.load()
    assert table.price("gpt-4o") is not None
    assert table.price("gpt-4o-2024-08-06") == table.price("gpt-4o")
    assert table.price("gpt-4o-mini-2024-07-18") == table.price("gpt-4o-mini")
    assert table.price("azure/o3-mini") == table.price("o3-mini")
    cost = table.cost(Usage(1_000_000, 1_000_000), "gpt-4o")
    price = table.price("gpt-4o")
    assert price is not None and cost == pytest.approx(price.input + price.output)


def test_unknown_models_have_no_price() -> None:
    table = PriceTable.load()
    assert table.price("llama-3-8b") is None
    assert table.cost(Usage(100, 100), "my-deployment", "llama-3-8b") is None
    assert table.cost(Usage(100, 100), "unknown", "gpt-4o") is not None


def test_user_file_overrides_and_extends(tmp_path: Path) -> None:
    path = tmp_path / "prices.yaml"
    path.write_text(
        "models:\n  gpt-4o: {input: 1, output: 2}\n  llama-3-8b: {input: 0.1, output: 0.1}\n"
    )
    table = PriceTable.load(path)
    assert table.cost(Usage(1_000_000, 0), "gpt-4o") == pytest.approx(1.0)
    assert table.price("llama-3-8b") is not None and table.price("o3-mini") is not None


def test_bad_price_file_names_file_and_entry(tmp_path: Path) -> None:
    path = tmp_path / "prices.yaml"
    path.write_text("models:\n  gpt-4o: {input: cheap}\n")
    with pytest.raises(InputError, match=r"prices.yaml: field 'models.gpt-4o': expected \{input"):
        PriceTable.load(path)
    with pytest.raises(FileNotFoundError, match=r"missing\.yaml"):
        PriceTable.load(tmp_path / "missing.yaml")
