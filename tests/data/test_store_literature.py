"""Publication upserts: the msgspec fast path stores exactly what pydantic validation stores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from trialscope.data.sources.literature import PublicationRecord
from trialscope.data.store import TrialStore
from trialscope.data.store_literature import fast_publication

PUBLICATIONS: list[Any] = [
    {"pmid": "101", "title": "T", "abstract": "A", "year": 2021, "nct_id": "NCT00000001",
     "publication_type": "result", "unknown_field": [1, 2]},
    {"pmid": "102"},
    {"pmid": 103, "year": "2019"},  # lax values pydantic coerces: the fast path must defer
    {"pmid": "104", "year": 2020.0},
    {"pmid": "105", "year": True},
    {"pmid": "106", "title": None, "nct_id": None},
    {"pmid": ""},
    {"pmid": "107", "year": "soon"},
    {"title": "no pmid"},
    ["not", "an", "object"],
    "107",
]  # fmt: skip


@pytest.mark.parametrize("payload", PUBLICATIONS, ids=range(len(PUBLICATIONS)))
def test_the_fast_path_accepts_only_what_pydantic_stores_unchanged(payload: Any) -> None:
    fast = fast_publication(payload)
    if fast is None:
        return  # deferred to pydantic, which validates (and coerces or refuses) as before
    expected = PublicationRecord.model_validate(payload)
    assert {name: getattr(fast, name) for name in PublicationRecord.model_fields} == (
        expected.model_dump()
    )
    assert type(fast.year) is type(expected.year)


def test_upserted_publications_are_stored_as_pydantic_validated_them(tmp_path: Path) -> None:
    with TrialStore(tmp_path / "p.duckdb") as store:
        report = store.upsert_publications(PUBLICATIONS)
        rows = store._con.execute("SELECT * FROM publications ORDER BY pmid").fetchall()
    valid = []
    for payload in PUBLICATIONS:
        try:
            record = PublicationRecord.model_validate(payload)
        except Exception:
            continue
        valid.append(tuple(record.model_dump().values()))
    assert rows == sorted(valid)
    assert (report.inserted, report.failed) == (len(valid), len(PUBLICATIONS) - len(valid))
    assert [f.record_id for f in report.failures][:2] == ["record 7", "107"]
