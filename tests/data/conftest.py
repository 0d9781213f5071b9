"""A real DuckDB trial store filled from the synthetic registry, shared by the data tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from trialscope.data.store import TrialStore
from trialscope.data.synthetic import SyntheticRegistry, load_into_store


@pytest.fixture(scope="session")
def synthetic_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of a store holding 2500 synthetic trials with their publications and reviews."""
    path = tmp_path_factory.mktemp("store") / "trials.duckdb"
    with TrialStore(path) as store:
        report = load_into_store(store, SyntheticRegistry(2500, seed=5))
    assert not report.failures
    return path
