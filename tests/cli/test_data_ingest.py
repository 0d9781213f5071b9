"""`trialscope data ingest ...` and `trialscope data stats` driven as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
from tests.data.real_data import real_data
from tests.data.sources.ctgov_server import RecordedApi, recorded_pages, serve_recorded_api
from tests.data.sources.study_json import make_study
from typer.testing import CliRunner

from trialscope.cli.main import app
from trialscope.errors import ExitCode

runner = CliRunner()


def _invoke(*args: str, exit_code: int = 0) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == exit_code, result.output
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
        "--store", str(store), "--failures", str(failures), exit_code=ExitCode.SOME_FAILED,
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


def test_panorama_ingest_and_dry_run(tmp_path: Path) -> None:
    root = tmp_path / "panorama"
    root.mkdir()
    with duckdb.connect() as con:
        for name, study_id in (("studies", "NCT00000009"), ("studies_part_2", "NCT00000010")):
            con.execute(
                f"COPY (SELECT '{study_id}' AS study_id, 'Title' AS brief_title, 'A' AS abstract, "
                f"'COMPLETED' AS recruitment_status) TO '{root / name}.parquet' (FORMAT parquet)"
            )
        con.execute(
            "COPY (SELECT 'NCT00000010' AS study_id, 'TERMINATED' AS overall_status, "
            f"'futility' AS why_terminated) TO '{root / 'outcomes.parquet'}' (FORMAT parquet)"
        )
    store = tmp_path / "store.duckdb"
    plan = _invoke("data", "ingest", "panorama", str(root), "--dry-run", "--store", str(store))
    lines = plan.splitlines()
    assert "studies (studies.parquet, studies_part_2.parquet) -> studies [replace]" in lines
    assert "  summary <- abstract" in lines
    assert "  official_title <- (no source column: NULL)" in lines
    assert "outcomes (outcomes.parquet) -> studies [update]" in lines
    assert "  why_stopped <- why_terminated" in lines
    assert not store.exists()
    output = _invoke("data", "ingest", "panorama", str(root), "--store", str(store))
    assert "panorama:studies: 2 read, 2 new" in output
    assert _stats(store)["by_status"] == {"COMPLETED": 1, "TERMINATED": 1}


def _trialscope(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The console script as a user runs it (stderr not a terminal, so nothing may wrap)."""
    return subprocess.run(
        [sys.executable, "-m", "trialscope.cli.main", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "COLUMNS": "60"},
        check=False,
    )


def test_user_errors_are_one_unwrapped_line(tmp_path: Path) -> None:
    deep = tmp_path / ("a-long-directory-name-" * 4) / "and-deeper"
    deep.mkdir(parents=True)
    missing = _trialscope("data", "stats", "--store", str(deep / "none.duckdb"), cwd=deep)
    assert missing.returncode == ExitCode.USER_ERROR
    assert missing.stderr == f"error: {deep / 'none.duckdb'}: no trial store here\n"
    absent = _trialscope(
        "data", "ingest", "ctgov", str(deep / "absent.json"), "--store", str(deep / "s.duckdb"),
        cwd=deep,
    )  # fmt: skip
    assert absent.returncode == ExitCode.USER_ERROR
    assert (
        absent.stderr.splitlines()[-1]
        == f"error: {deep / 'absent.json'}: no such file or directory"
    )
    assert "Traceback" not in absent.stderr
    assert not (deep / "s.duckdb").exists()
    bad_root = _trialscope("data", "ingest", "panorama", str(deep / "nowhere"), cwd=deep)
    assert bad_root.returncode == ExitCode.USER_ERROR
    assert bad_root.stderr.splitlines()[-1] == (
        f"error: {deep / 'nowhere'}: not a directory of TrialPanorama parquet files"
    )
    neither = runner.invoke(app, ["data", "ingest", "ctgov", "--store", str(tmp_path / "s.duckdb")])
    assert neither.exit_code != 0 and "--live" in neither.output


def test_failed_records_give_exit_4_a_summary_and_the_failures_file(tmp_path: Path) -> None:
    deep = tmp_path / ("a-long-directory-name-" * 4)
    deep.mkdir()
    good = [json.dumps(make_study(f"NCT{i:08d}")).encode() for i in range(3)]
    (deep / "studies.jsonl").write_bytes(b"\n".join([good[0], b"\xff\xfe", good[1], b"{"]) + b"\n")
    (deep / "one.json").write_bytes(good[2])
    failures = deep / "failures.jsonl"
    result = _trialscope(
        "data", "ingest", "ctgov", str(deep), "--store", str(deep / "s.duckdb"),
        "--failures", str(failures), cwd=deep,
    )  # fmt: skip
    assert result.returncode == ExitCode.SOME_FAILED, result.stderr
    lines = result.stderr.splitlines()
    assert "ctgov: 5 read, 3 new, 0 updated, 2 failed" in lines
    assert f"  failed {deep / 'studies.jsonl'}:2: not UTF-8: byte 0xff at column 1" in lines
    assert any(
        line.startswith(f"  failed {deep / 'studies.jsonl'}:4: invalid JSON") for line in lines
    )
    assert f"2 records failed; each is listed in {failures}" in lines
    logged = [json.loads(line) for line in failures.read_text().splitlines()]
    assert [entry["origin"] for entry in logged] == [
        f"{deep / 'studies.jsonl'}:2",
        f"{deep / 'studies.jsonl'}:4",
    ]
    assert _stats(deep / "s.duckdb")["tables"]["studies"] == 3


def test_the_real_r_reserialised_page_fails_clearly(tmp_path: Path) -> None:
    page = real_data("ctgov") / "reserialised_by_r_10.json"
    result = _trialscope(
        "data", "ingest", "ctgov", str(page), "--store", str(tmp_path / "s.duckdb"), cwd=tmp_path
    )
    assert result.returncode == ExitCode.ALL_FAILED
    assert "ctgov: 10 read, 0 new, 0 updated, 10 failed" in result.stderr
    assert sum("auto_unbox" in line for line in result.stderr.splitlines()) == 10
