"""`trialscope report` as a user runs it, and the page it writes, in headless Chromium."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.report.run_factory import (
    write_audit_run,
    write_benchmark_tree,
    write_original_completion_run,
    write_original_qa_run,
)

MODELS = [("openai/gpt-4o", 0.74), ("openai/gpt-4o-mini", 0.66), ("baseline/bm25", 0.35)]


def _trialscope(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trialscope.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report")
    runs = root / "runs"
    write_benchmark_tree(runs, MODELS, n=140)
    write_original_qa_run(runs / "original", "design_arms_qa", "gpt-4o", 0.8, n=40)
    write_original_completion_run(runs / "original", "o3-mini", n=40)
    write_audit_run(runs, "heuristic", 0.95, seed=1)
    write_audit_run(runs, "react--smollm2", 0.6, seed=2, with_summary=False)
    write_audit_run(runs, "naive", 0.2, seed=3)
    result = _trialscope("report", str(runs), "--out", str(root / "out"), "--resamples", "500")
    assert result.returncode == 0, result.stderr
    assert "26 benchmark run(s), 3 audit run(s)" in result.stderr
    return root / "out"


def test_cli_writes_both_files(report_dir: Path) -> None:
    assert (report_dir / "report.html").stat().st_size > 10_000
    board = (report_dir / "leaderboard.md").read_text()
    assert board.startswith("# trialscope leaderboard")
    assert "| o3-mini |" in board


def test_cli_names_a_bad_folder_and_exits_nonzero(tmp_path: Path) -> None:
    result = _trialscope("report", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o"))
    assert result.returncode == 2
    assert "no such file or folder" in result.stderr


@pytest.mark.browser
def test_report_opens_offline_with_plots_tables_and_working_filters(
    report_dir: Path, browser: Any, artifacts_dir: Path
) -> None:
    page = browser.new_page(viewport={"width": 1320, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "request",
        lambda r: problems.append(f"network: {r.url}") if not r.url.startswith("file:") else None,
    )
    page.goto((report_dir / "report.html").as_uri())

    assert page.locator("#leaderboard-table-1 tbody:not(.paper-rows) tr").count() == 5
    assert page.locator("#charts svg.chart").count() == 8
    assert page.locator("#calibration svg.chart").count() == 2
    assert page.locator("#audit svg.chart").count() == 6
    assert page.locator("#significance tr.sig").count() > 0
    assert page.locator("#paper table").count() == 8
    assert not page.locator("#paper-rows").is_visible()
    page.check("#show-paper")
    assert page.locator("#paper-rows tr").count() == 6
    assert "GPT-4o (paper)" in page.inner_text("#paper-rows")
    page.screenshot(path=str(artifacts_dir / "report-top.png"))

    page.locator("#samples").scroll_into_view_if_needed()
    page.wait_for_selector("#sb-table tbody tr.row")
    assert page.locator("#sb-table tbody tr.row").count() == 50
    assert "420 matching of 420" in page.inner_text("#sb-count")

    page.select_option("#sb-filter", "parse_error")
    statuses = page.locator("#sb-table tbody tr.row").evaluate_all(
        "rows => rows.map(r => r.dataset.status)"
    )
    assert statuses and set(statuses) == {"parse_error"}

    page.select_option("#sb-filter", "failures")
    scores = page.locator("#sb-table tbody tr.row td:nth-child(3)").all_inner_texts()
    assert scores and "1.00" not in scores

    page.select_option("#sb-filter", "all")
    page.select_option("#sb-model", "2")
    models = page.locator("#sb-table tbody tr.row td:nth-child(2)").all_inner_texts()
    assert set(models) == {"baseline/bm25"}

    page.fill("#sb-search", "stud-00007")
    page.wait_for_function("document.querySelector('#sb-count').textContent.startsWith('1 ')")
    page.locator("#sb-table tbody tr.row").first.click()
    detail = page.inner_text("#sb-table tr.detail")
    assert "Question 7 about trial NCT00000007?" in detail and "RAW ANSWER" in detail.upper()

    page.fill("#sb-search", "")
    page.select_option("#sb-model", "-1")
    page.wait_for_function("document.querySelector('#sb-count').textContent.startsWith('420 ')")
    page.click("#sb-next")
    assert page.inner_text("#sb-page") == "page 2 of 9"
    page.locator("#samples").screenshot(path=str(artifacts_dir / "report-samples.png"))
    page.emulate_media(color_scheme="dark")
    page.screenshot(path=str(artifacts_dir / "report-dark.png"))
    assert problems == []
    page.close()
