"""`trialscope demo`, the main job, end to end on the embedded default (local model skipped here;
tests/e2e/test_local_tasks.py covers the local model through the same path). Its output goes
through a pipe with COLUMNS=80, as in a narrow terminal, and the README's reference table must be
what `trialscope report --readme-table` prints for the demo's runs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from trialscope.report.markdown_report import README_TABLE_END, README_TABLE_START
from trialscope.tasks.registry import default_registry

README = Path(__file__).resolve().parents[2] / "README.md"


def _trialscope(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trialscope.cli.main", *args],
        capture_output=True, text=True, timeout=900, check=False,
        env={**os.environ, "COLUMNS": "80"},
    )  # fmt: skip


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = tmp_path_factory.mktemp("demo") / "demo"
    completed = _trialscope(
        "demo", "--output-path", str(out), "--local-samples", "0", "--audit-seeds", "0-1"
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return out, completed


def test_demo_runs_every_task_and_the_audit_and_writes_the_report(
    demo: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    out, completed = demo
    for task in default_registry().names:
        for model in ("baseline--majority", "baseline--random", "baseline--lexical"):
            runs = list((out / task / model).glob("*/metrics.json"))
            assert len(runs) == 1, f"{task}/{model}: {runs}"
            metrics = json.loads(runs[0].read_text())
            assert metrics["n_errors"] == 0
            assert metrics["headline"][0] in metrics["confidence_intervals"]
    for agent in ("heuristic", "random", "brute-force"):
        summaries = list((out / "audit" / agent).glob("*/summary.json"))
        assert len(summaries) == 1
        tasks = json.loads(summaries[0].read_text())["tasks"]
        assert set(tasks) == {"easy", "medium", "hard"}
    html = (out / "report" / "report.html").read_text()
    assert "<svg" in html and "http://" not in html.split("<body", 1)[1][:200]
    leaderboard = (out / "report" / "leaderboard.md").read_text()
    assert "baseline/lexical" in leaderboard
    assert "lexical" in completed.stderr + completed.stdout
    assert "heuristic" in completed.stderr + completed.stdout


def test_demo_tables_fit_80_columns_and_keep_every_task_name(
    demo: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    text = demo[1].stderr + demo[1].stdout
    start = text.index("Benchmark: headline metric")
    tables = text[start : text.index("Report:", start)]
    assert all(len(line) <= 80 for line in tables.splitlines()), tables
    first_words = [line.split()[0] for line in tables.splitlines() if line.split()]
    for cls in default_registry():
        assert cls.short_label in first_words, (cls.short_label, tables)
    assert re.search(r"^\s*complete\s+200\s", tables, re.MULTILINE), tables  # n per task


def test_readme_reference_table_is_what_the_command_prints(
    demo: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    out = demo[0]
    printed = _trialscope("report", str(out), "--readme-table")
    assert printed.returncode == 0, printed.stderr
    readme = README.read_text("utf-8")
    start, end = readme.index(README_TABLE_START), readme.index(README_TABLE_END)
    in_readme = readme[start : end + len(README_TABLE_END)] + "\n"
    assert in_readme == printed.stdout, (
        "README.md's reference table differs from the code's output; regenerate it with\n"
        "  trialscope demo --local-samples 0 --output-path results/demo\n"
        "  trialscope report results/demo --readme-table\n"
        "and paste the output between the readme-table markers.\n" + printed.stdout
    )
