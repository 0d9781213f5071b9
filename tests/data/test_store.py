"""TrialStore on real DuckDB files: ingest, idempotent upserts, failures, streaming, reads."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.data.sources.study_json import make_study

from trialscope.data.sources.ctgov_record import StudyInvalid, flatten_study, parse_registry_date
from trialscope.data.sources.json_lines import UnreadableRecord
from trialscope.data.store import TrialStore, default_store_path
from trialscope.data.store_base import StoreUnavailable

HOLD_LOCK = (
    "import sys, duckdb; con = duckdb.connect(sys.argv[1]); "
    "print('locked', flush=True); sys.stdin.read(); con.close()"
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[TrialStore]:
    with TrialStore(tmp_path / "store.duckdb") as opened:
        yield opened


def test_a_study_round_trips_with_its_child_rows(store: TrialStore) -> None:
    study = make_study("NCT01234567", pmids=["111", "222"], phases=["PHASE2", "PHASE3"])
    report = store.ingest_ctgov_studies([study])
    assert (report.seen, report.inserted, report.failed) == (1, 1, 0)
    record = store.get_study("NCT01234567")
    assert record is not None
    assert record["title"] == "A Study of Drug X in Adults With Type 2 Diabetes"
    assert record["phase"] == "PHASE2/PHASE3" and record["phases"] == ["PHASE2", "PHASE3"]
    assert record["start_date"] == dt.date(2019, 5, 1)  # "2019-05": CT.gov's partial date
    assert record["first_submitted"] == dt.date(2019, 3, 14)
    assert record["enrollment"] == 120 and record["enrollment_type"] == "ACTUAL"
    assert record["sponsor_class"] == "INDUSTRY" and record["masking"] == "DOUBLE"
    assert [a["label"] for a in record["arm_groups"]] == ["Drug X", "Placebo"]
    assert record["interventions"][0]["arm_group_labels"] == ["Drug X"]
    assert [(o["kind"], o["measure"]) for o in record["outcomes"]] == [
        ("primary", "Change in HbA1c"),
        ("secondary", "Change in body weight"),
        ("secondary", "Hypoglycaemia events"),
    ]
    assert record["eligibility"]["minimum_age"] == "18 Years"
    assert record["eligibility"]["healthy_volunteers"] is False
    names = [(c["name"], c["mesh_id"], c["origin"]) for c in record["conditions"]]
    assert names[0] == ("Type 2 Diabetes Mellitus", None, "reported")
    assert ("Diabetes Mellitus, Type 2", "D003924", "mesh") in names
    assert [r["pmid"] for r in record["study_references"]] == ["111", "222"]
    assert store.count("relations") == 2
    assert store.get_study("NCT99999999") is None


def test_reingest_updates_and_never_duplicates(store: TrialStore) -> None:
    store.ingest_ctgov_studies([make_study(f"NCT{i:08d}", pmids=["5"]) for i in range(30)])
    before = {table: store.count(table) for table in store.stats().tables}
    changed = make_study("NCT00000003", status="TERMINATED", why_stopped="Slow accrual")
    report = store.ingest_ctgov_studies(
        [*[make_study(f"NCT{i:08d}", pmids=["5"]) for i in range(30) if i != 3], changed]
    )
    assert (report.inserted, report.updated) == (0, 30)
    after = {table: store.count(table) for table in store.stats().tables}
    assert after["studies"] == before["studies"] == 30
    assert after["conditions"] == before["conditions"]
    # The changed study lost its reference; its relation went with it.
    assert after["relations"] == before["relations"] - 1
    record = store.get_study("NCT00000003")
    assert record is not None
    assert (record["status"], record["why_stopped"]) == ("TERMINATED", "Slow accrual")


def test_a_repeat_inside_one_batch_keeps_the_last_version(store: TrialStore) -> None:
    report = store.ingest_ctgov_studies(
        [make_study("NCT00000001"), make_study("NCT00000001", title="Second version")]
    )
    assert store.count("studies") == 1 and store.count("arm_groups") == 2
    assert (report.inserted, report.updated) == (1, 1)
    record = store.get_study("NCT00000001")
    assert record is not None and record["title"] == "Second version"


def test_bad_studies_are_reported_by_id_and_reason_and_the_rest_go_in(store: TrialStore) -> None:
    seen = []
    items: list[Any] = [
        make_study("NCT00000001"),
        make_study("NCT00000002", enrollment="about a hundred"),
        {"protocolSection": {"identificationModule": {"briefTitle": "no id"}}},
        make_study("NCT00000004"),
        "not an object",
        UnreadableRecord("pages/p3.json", "invalid JSON: Expecting value"),
    ]
    items[3]["protocolSection"]["statusModule"]["startDateStruct"]["date"] = "March 2019"
    report = store.ingest_ctgov_studies(items, on_failure=seen.append)
    assert store.count("studies") == 1
    assert report.failed == 5 and seen == report.failures
    reasons = {f.record_id: f.reason for f in report.failures}
    assert "enrollmentInfo.count" in reasons["NCT00000002"]
    assert "identificationModule.nctId" in reasons["record 3"]
    assert "expected a date as YYYY-MM-DD" in reasons["NCT00000004"]
    assert "expected a JSON object" in reasons["record 5"]
    assert reasons["pages/p3.json"] == "invalid JSON: Expecting value"


def test_ingest_streams_batches_while_the_input_is_still_being_produced(
    store: TrialStore,
) -> None:
    stored_when_produced: dict[int, int] = {}

    def studies() -> Iterator[dict[str, Any]]:
        for i in range(95):
            if i in (25, 60):
                stored_when_produced[i] = store.count("studies")
            yield make_study(f"NCT{i:08d}")

    store.ingest_ctgov_studies(studies(), batch_size=10)
    assert stored_when_produced == {25: 20, 60: 60}
    assert store.count("studies") == 95


def _peak_python_memory(tmp_path: Path, count: int) -> int:
    def studies() -> Iterator[dict[str, Any]]:
        for i in range(count):
            yield make_study(f"NCT{i:08d}")

    with TrialStore(tmp_path / f"mem{count}.duckdb") as fresh:
        tracemalloc.start()
        fresh.ingest_ctgov_studies(studies(), batch_size=50)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


def test_memory_does_not_grow_with_input_size(tmp_path: Path) -> None:
    small = _peak_python_memory(tmp_path, 200)
    large = _peak_python_memory(tmp_path, 1000)
    assert large < small * 1.5


def test_publications_and_reviews_upsert_with_relations(store: TrialStore) -> None:
    store.ingest_ctgov_studies([make_study("NCT00000001")])
    pubs = [
        {"pmid": "101", "title": "Trial results", "abstract": "A", "year": 2021,
         "nct_id": "NCT00000001", "publication_type": "result"},
        {"pmid": 102, "title": "Other", "abstract": "B", "year": 2020, "nct_id": None,
         "publication_type": "article"},
        {"title": "no pmid"},
    ]  # fmt: skip
    report = store.upsert_publications(pubs)
    assert (report.inserted, report.failed) == (2, 1)
    assert "pmid" in report.failures[0].reason
    review = {
        "review_id": "CD000001", "pmid": "900", "title": "Drug X for diabetes",
        "background": "bg", "objectives": "obj", "selection_criteria": "RCTs",
        "search_date": "2022-01-31", "conclusion": "Works.",
        "included_pmids": ["101"], "excluded_pmids": ["102", "102"],
    }  # fmt: skip
    assert store.upsert_reviews([review]).inserted == 1
    assert store.count("relations") == 3  # reported_in + included + excluded (deduplicated)
    review["included_pmids"] = ["101", "103"]
    again = store.upsert_reviews([review])
    again_pubs = store.upsert_publications(pubs[:2])
    assert (again.updated, again_pubs.updated) == (1, 2)
    assert store.count("reviews") == 1 and store.count("publications") == 2
    assert store.count("relations") == 4
    # Re-ingesting the study keeps the link that came from the publication.
    store.ingest_ctgov_studies([make_study("NCT00000001")])
    assert store.count("relations") == 4
    bad = store.upsert_reviews([{"review_id": "R2", "search_date": "last year"}])
    assert bad.failures[0].record_id == "R2" and "search_date" in bad.failures[0].reason


def test_stats_and_search_documents(store: TrialStore) -> None:
    store.ingest_ctgov_studies(
        [
            make_study("NCT00000002", status="TERMINATED", phases=["PHASE2"]),
            make_study("NCT00000001", summary="Insulin titration."),
            make_study("NCT00000003", phases=[]),
        ]
    )
    stats = store.stats()
    assert stats.tables["studies"] == 3
    assert stats.by_status == [("COMPLETED", 2), ("TERMINATED", 1)]
    assert dict(stats.by_phase) == {"(none)": 1, "PHASE2": 1, "PHASE3": 1}
    assert stats.by_source == [("ctgov", 3)]
    documents = list(store.iter_search_documents(batch_size=2))
    assert [doc_id for doc_id, _ in documents] == ["NCT00000001", "NCT00000002", "NCT00000003"]
    assert documents[0][1].endswith("Insulin titration.")
    assert documents[0][1].startswith("A Study of Drug X")


def test_a_missing_store_opened_read_only_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        TrialStore(tmp_path / "absent.duckdb", read_only=True)


def test_store_reopens_and_default_path_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "again.duckdb"
    with TrialStore(path) as first:
        first.ingest_ctgov_studies([make_study("NCT00000001")])
    with TrialStore(path, read_only=True) as second:
        assert second.count("studies") == 1
    monkeypatch.setenv("TRIALSCOPE_STORE", str(path))
    assert default_store_path() == path


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_registry_dates_parse_in_full_and_partial_forms(day: dt.date) -> None:
    assert parse_registry_date(day.isoformat()) == day
    assert parse_registry_date(day.strftime("%Y-%m")) == day.replace(day=1)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
FIELDS = [
    ("designModule", "enrollmentInfo"),
    ("designModule", "phases"),
    ("statusModule", "startDateStruct"),
    ("armsInterventionsModule", "armGroups"),
    ("eligibilityModule", "healthyVolunteers"),
    ("referencesModule", "references"),
    ("conditionsModule", "conditions"),
]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(FIELDS), json_values)
def test_any_field_value_either_flattens_or_fails_with_study_invalid(
    where: tuple[str, str], value: Any
) -> None:
    study = make_study("NCT00000001")
    study["protocolSection"][where[0]][where[1]] = value
    try:
        rows = flatten_study(study, "ctgov")
    except StudyInvalid as error:
        assert error.study_id == "NCT00000001"
        assert where[0] in error.reason
    else:
        assert rows.study_id == "NCT00000001" and rows.study[0] == "NCT00000001"


def test_a_store_locked_by_another_process_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "locked.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(StoreUnavailable, match="cannot open trial store"):
            TrialStore(path, read_only=True)
    finally:
        holder.communicate("")
