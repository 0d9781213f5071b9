"""Reading CT.gov v2 studies from files: single studies, pages, lists, JSON lines, zips, folders."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from tests.data.sources.study_json import make_study

from trialscope.data.sources.ctgov import iter_ctgov_files, study_files
from trialscope.data.sources.json_lines import SourcedRecord, UnreadableRecord
from trialscope.data.store import TrialStore


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
    with pytest.raises(FileNotFoundError, match=r"absent\.json"):
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
