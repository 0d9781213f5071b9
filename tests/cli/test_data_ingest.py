"""`trialscope data ingest ...` and `trialscope data stats` driven as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from tests.data.sources.ctgov_server import RecordedApi, recorded_pages, serve_recorded_api
from tests.data.sources.study_json import make_study
from typer.testing import CliRunner

from trialscope.cli.main import app

runner = CliRunner()


def _invoke(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _stats(store: Path) -> dict[str, dict[str, int]]:
    return json.loads(_invoke("data", "stats", "--store", str(store), "--json"))


def test_files_publications_reviews_then_stats(tmp_path: Path) -> None:
    store = tmp_path / "store.duckdb"
    studies = [make_study("NCT00000001"), make_study("NCT00000002", status="TERMINATED")]
    (tmp_path / "page.json").write_text(json.dumps({"studies": studies}))
    (tmp_path / "bad.jsonl").write_text('{"protocolSection": {}}\n')
    failures = tmp_path / "failures.jsonl"
    output = _invoke(
        "data", "ingest", "ctgov", str(tmp_path / "page.json"), str(tmp_path / "bad.jsonl"),
        "--store", str(store), "--failures", str(failures),
    )  # fmt: skip
    assert "3 read, 2 new, 0 updated, 1 failed" in output
    logged = [json.loads(line) for line in failures.read_text().splitlines()]
    assert logged[0]["id"] == f"{tmp_path / 'bad.jsonl'}:1"
    assert "identificationModule" in logged[0]["reason"]

    pubs = tmp_path / "pubs.jsonl"
    pubs.write_text(
        json.dumps({"pmid": "11", "title": "T", "abstract": "A", "year": 2020,
                    "nct_id": "NCT00000001", "publication_type": "result"}) + "\n"
    )  # fmt: skip
    reviews = tmp_path / "reviews.jsonl"
    reviews.write_text(
        json.dumps({"review_id": "R1", "pmid": "90", "title": "R", "background": "",
                    "objectives": "", "selection_criteria": "", "search_date": None,
                    "conclusion": "", "included_pmids": ["11"], "excluded_pmids": []}) + "\n"
    )  # fmt: skip
    _invoke("data", "ingest", "publications", str(pubs), "--store", str(store))
    _invoke("data", "ingest", "reviews", str(reviews), "--store", str(store))

    stats = _stats(store)
    assert stats["tables"]["studies"] == 2
    assert stats["tables"]["publications"] == 1 and stats["tables"]["relations"] == 2
    assert stats["by_status"] == {"COMPLETED": 1, "TERMINATED": 1}
    assert stats["by_phase"] == {"PHASE3": 2}
    tables = _invoke("data", "stats", "--store", str(store))
    assert "per status" in tables and "TERMINATED" in tables


def test_live_ingest_against_a_loopback_api_resumes(tmp_path: Path) -> None:
    store = tmp_path / "store.duckdb"
    checkpoint = tmp_path / "harvest.json"
    api = RecordedApi(recorded_pages([make_study(f"NCT{i:08d}") for i in range(5)], page_size=2))
    with serve_recorded_api(api):
        common = [
            "data", "ingest", "ctgov", "--live", "--base-url", api.base_url, "--rps", "0",
            "--term", "asthma", "--page-size", "2", "--checkpoint", str(checkpoint),
            "--store", str(store),
        ]  # fmt: skip
        first = _invoke(*common, "--max-pages", "1")
        assert "more pages remain" in first
        rest = _invoke(*common)
        assert "finished" in rest
    assert _stats(store)["tables"]["studies"] == 5
    assert [r.get("pageToken") for r in api.requests] == [None, "tok1", "tok2"]


def test_panorama_ingest(tmp_path: Path) -> None:
    root = tmp_path / "panorama"
    root.mkdir()
    with duckdb.connect() as con:
        con.execute(
            f"COPY (SELECT 'NCT00000009' AS study_id, 'Title' AS brief_title, "
            f"'COMPLETED' AS recruitment_status) TO '{root / 'studies.parquet'}' (FORMAT parquet)"
        )
    store = tmp_path / "store.duckdb"
    output = _invoke("data", "ingest", "panorama", str(root), "--store", str(store))
    assert "panorama:studies: 1 read, 1 new" in output
    assert _stats(store)["by_status"] == {"COMPLETED": 1}


def test_user_errors_are_reported_plainly(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["data", "stats", "--store", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 1 and "no trial store" in missing.output
    neither = runner.invoke(app, ["data", "ingest", "ctgov", "--store", str(tmp_path / "s.duckdb")])
    assert neither.exit_code != 0 and "--live" in neither.output
    bad_root = runner.invoke(app, ["data", "ingest", "panorama", str(tmp_path / "nowhere")])
    assert bad_root.exit_code == 1 and "not a directory" in bad_root.output
