"""The real CT.gov studies of ../shared/data/real/ctgov, read once and ingested into one store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.data.real_data import real_data

from trialscope.data.sources.ctgov import iter_ctgov_files
from trialscope.data.store import TrialStore

MALFORMED = "reserialised_by_r_10.json"
"""The one real file that must fail, record by record (R's jsonlite boxed every scalar)."""


def real_study_files() -> list[Path]:
    """The well-formed real study files."""
    return sorted(p for p in real_data("ctgov").glob("*.json") if p.name != MALFORMED)


@pytest.fixture(scope="session")
def real_studies() -> list[dict[str, Any]]:
    """Every well-formed real study, as parsed JSON."""
    studies: list[dict[str, Any]] = []
    for path in real_study_files():
        document = json.loads(path.read_text("utf-8"))
        if isinstance(document, dict) and "studies" in document:
            studies.extend(document["studies"])
        elif isinstance(document, list):
            studies.extend(document)
        else:
            studies.append(document)
    return studies


@pytest.fixture(scope="session")
def real_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB store holding every well-formed real study (ingested through the file reader)."""
    path = tmp_path_factory.mktemp("real") / "real.duckdb"
    with TrialStore(path) as store:
        report = store.ingest_ctgov_studies(iter_ctgov_files(real_study_files()))
    assert report.failed == 0, report.failures[:3]
    return path
