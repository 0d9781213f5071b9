"""Reading CT.gov v2 studies from files: single studies, pages, lists, JSON lines, zips, folders."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from tests.data.real_data import real_data
from tests.data.sources.study_json import make_study

from trialscope.data.sources.ctgov import iter_ctgov_files, study_files
from trialscope.data.sources.ctgov_record import StudyInvalid, flatten_study
from trialscope.data.sources.json_lines import SourcedRecord, UnreadableRecord
from trialscope.data.store import TrialStore
from trialscope.errors import InputError


def _ids(items: list[object]) -> list[str]:
    return [
        item.payload["protocolSection"]["identificationModule"]["nctId"]
        for item in items
        if isinstance(item, SourcedRecord) and "protocolSection" in item.payload
    ]


def test_every_file_shape_is_read(tmp_path: Path) -> None:
    (tmp_path / "single.json").write_text(json.dumps(make_study("NCT00000001")))
    page = {"studies": [make_study("NCT00000002"), make_study("NCT00000003")], "nextPageToken": "t"}
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "page_0001.json").write_text(json.dumps(page))
    (tmp_path / "list.json").write_text(json.dumps([make_study("NCT00000004")]))
    lines = [json.dumps(make_study("NCT00000005")), "", json.dumps(make_study("NCT00000006"))]
    (tmp_path / "lines.jsonl").write_text("\n".join(lines) + "\n")
    with zipfile.ZipFile(tmp_path / "ctg-studies.json.zip", "w") as archive:
        archive.writestr("NCT00000007.json", json.dumps(make_study("NCT00000007")))
        archive.writestr("README.txt", "not a study")
    (tmp_path / "notes.txt").write_text("ignored")
    items = list(iter_ctgov_files([tmp_path]))
    assert sorted(_ids(items)) == [f"NCT0000000{i}" for i in range(1, 8)]
    assert all(isinstance(item, SourcedRecord) for item in items)
    origins = {_ids([item])[0]: item.origin for item in items}
    assert origins["NCT00000001"] == str(tmp_path / "single.json")
    assert origins["NCT00000003"] == str(tmp_path / "nested" / "page_0001.json") + "[1]"
    assert origins["NCT00000006"] == str(tmp_path / "lines.jsonl") + ":3"
    assert origins["NCT00000007"].endswith("ctg-studies.json.zip!NCT00000007.json")


def test_bad_documents_and_lines_become_unreadable_records(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "scalar.json").write_text("42")
    (tmp_path / "mixed.json").write_text(json.dumps([make_study("NCT00000001"), 7]))
    (tmp_path / "lines.jsonl").write_text('{"a": 1}\n[1, 2]\n{oops\n')
    (tmp_path / "fake.zip").write_bytes(b"not a zip")
    items = list(iter_ctgov_files(sorted(tmp_path.iterdir())))
    unreadable = {item.origin: item.reason for item in items if isinstance(item, UnreadableRecord)}
    assert unreadable[str(tmp_path / "broken.json")].startswith("invalid JSON")
    assert "expected a study" in unreadable[str(tmp_path / "scalar.json")]
    assert "got int" in unreadable[f"{tmp_path / 'mixed.json'}[1]"]
    assert "got list" in unreadable[f"{tmp_path / 'lines.jsonl'}:2"]
    assert unreadable[f"{tmp_path / 'lines.jsonl'}:3"].startswith("invalid JSON")
    assert "not a zip archive" in unreadable[str(tmp_path / "fake.zip")]
    assert _ids(items) == ["NCT00000001"]
    # An object that is not a study is passed on; the store's validation reports it.
    assert SourcedRecord(f"{tmp_path / 'lines.jsonl'}:1", {"a": 1}) in items


def test_a_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"absent\.json: no such file or directory"):
        study_files([tmp_path / "absent.json"])


def test_files_go_through_the_store_with_failures_named_by_file_and_line(tmp_path: Path) -> None:
    good = [json.dumps(make_study(f"NCT{i:08d}")) for i in range(5)]
    (tmp_path / "studies.jsonl").write_text("\n".join([*good[:2], "{", *good[2:]]) + "\n")
    with TrialStore(tmp_path / "s.duckdb") as store:
        report = store.ingest_ctgov_studies(iter_ctgov_files([tmp_path / "studies.jsonl"]))
        assert store.count("studies") == 5
    assert report.failed == 1
    assert report.failures[0].record_id == f"{tmp_path / 'studies.jsonl'}:3"
    assert report.failures[0].origin == f"{tmp_path / 'studies.jsonl'}:3"


def test_a_non_utf8_line_fails_alone_and_the_good_files_go_in(tmp_path: Path) -> None:
    good = [json.dumps(make_study(f"NCT{i:08d}")).encode() for i in range(3)]
    (tmp_path / "a.jsonl").write_bytes(b"\n".join([good[0], b'{"x": "caf\xe9"}', good[1]]) + b"\n")
    (tmp_path / "b.json").write_bytes(good[2])
    with TrialStore(tmp_path / "s.duckdb") as store:
        report = store.ingest_ctgov_studies(iter_ctgov_files([tmp_path]))
        assert store.count("studies") == 3
    assert report.failed == 1
    failure = report.failures[0]
    assert failure.origin == f"{tmp_path / 'a.jsonl'}:2"
    assert "UTF-8" in failure.reason and "byte 0xe9" in failure.reason


def test_the_real_r_reserialised_page_fails_record_by_record(tmp_path: Path) -> None:
    page = real_data("ctgov") / "reserialised_by_r_10.json"
    with TrialStore(tmp_path / "s.duckdb") as store:
        report = store.ingest_ctgov_studies(iter_ctgov_files([page]))
        assert store.count("studies") == 0
    assert (report.seen, report.failed) == (10, 10)
    for position, failure in enumerate(report.failures):
        assert failure.origin == f"{page}[{position}]"
        assert failure.record_id.startswith("NCT")
        assert "expected a string, got a list" in failure.reason
        assert "auto_unbox" in failure.reason


@pytest.mark.parametrize(
    ("nct_id", "expected"),
    [("not-an-nct", "expected NCT and eight digits"), ("NCT123", "expected NCT and eight digits")],
)
def test_a_bad_nct_id_is_rejected_with_the_reason(nct_id: str, expected: str) -> None:
    with pytest.raises(StudyInvalid, match=expected):
        flatten_study(make_study(nct_id), "ctgov")


def test_an_oversized_field_is_rejected_naming_it() -> None:
    study = make_study("NCT00000001")
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = "x" * 2_000_000
    with pytest.raises(StudyInvalid, match=r"eligibilityModule\.eligibilityCriteria: 2,000,000"):
        flatten_study(study, "ctgov")


def test_both_mesh_spellings_are_one_condition(tmp_path: Path) -> None:
    old, new = make_study("NCT00000001"), make_study("NCT00000002")
    for study, mesh_id in ((old, "D003924"), (new, "D000003924")):
        study["derivedSection"] = {
            "conditionBrowseModule": {
                "meshes": [{"id": mesh_id, "term": "Diabetes Mellitus, Type 2"}]
            }
        }
    with TrialStore(tmp_path / "s.duckdb") as store:
        store.ingest_ctgov_studies([old, new])
        ids = store._con.execute(
            "SELECT DISTINCT mesh_id FROM conditions WHERE mesh_id IS NOT NULL"
        ).fetchall()
    assert ids == [("D003924",)]
