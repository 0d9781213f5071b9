"""The written report: Markdown contents, a self-contained HTML file, safe embedded data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from tests.report.run_factory import (
    write_audit_run,
    write_benchmark_tree,
    write_original_qa_run,
    write_trialscope_run,
)

from trialscope.report import build_report


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    root = tmp_path / "runs"
    write_benchmark_tree(
        root,
        [("openai/gpt-4o", 0.72), ("openai/gpt-4o-mini", 0.70), ("baseline/bm25", 0.3)],
        n=120,
        tasks=("study_screening", "arm_design"),
    )
    write_original_qa_run(root / "old", "design_arms_qa", "gpt-4o", 0.8)
    write_audit_run(root, "heuristic", 0.9, seed=1)
    write_audit_run(root, "naive", 0.2, seed=2, with_summary=False)
    return root


def test_markdown_leaderboard_has_rows_comparisons_audit_and_labelled_paper(
    runs: Path, tmp_path: Path
) -> None:
    files = build_report([runs], tmp_path / "out", resamples=300)
    text = files.markdown.read_text()
    assert "| openai/gpt-4o |" in text and "| baseline/bm25 |" in text
    assert "Study screening<br>accuracy" in text
    pairs = [line for line in text.splitlines() if line.count("|") == 7 and "120" in line]
    close = [line for line in pairs if "gpt-4o " in line and "gpt-4o-mini" in line]
    far = [line for line in pairs if "baseline/bm25" in line]
    assert close and all("| not significant" in line for line in close)
    assert far and all("| significant" in line for line in far)
    assert "## Audit environment" in text and "| heuristic |" in text
    assert "Published in the paper (reference only, not measured by this report)" in text
    assert "| GPT-4o | 85.0 | 85.0 |" in text  # arm design accuracy / macro-F1 from the paper
    assert (files.benchmark_runs, files.audit_runs) == (7, 2)


def test_paper_figures_can_be_left_out(runs: Path, tmp_path: Path) -> None:
    files = build_report([runs], tmp_path / "out", resamples=200, show_paper=False)
    assert "Published in the paper" not in files.markdown.read_text()
    assert 'id="paper"' not in files.html.read_text()


def test_html_is_self_contained(runs: Path, tmp_path: Path) -> None:
    html = build_report([runs], tmp_path / "out", resamples=200).html.read_text()
    assert "<link" not in html
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html)
    assert "@import" not in html and "url(" not in html
    assert html.count("<svg") >= 2 + 2 + 2 + 2  # bars, calibration, audit scores and components


def test_embedded_samples_survive_markup_in_answers(tmp_path: Path) -> None:
    folder = write_trialscope_run(tmp_path / "runs", "arm_design", "m/x", 0.5, n=3)
    doc = json.loads((folder / "results.json").read_text())
    doc["results"][0]["raw_responses"] = ["</script><script>alert(1)</script> \u2028 done"]
    (folder / "results.json").write_text(json.dumps(doc))
    html = build_report([tmp_path / "runs"], tmp_path / "out", resamples=200).html.read_text()
    assert "</script><script>alert(1)" not in html
    match = re.search(
        r'<script type="application/json" id="sample-data">(.*?)</script>', html, re.S
    )
    assert match is not None
    data = json.loads(match.group(1))
    (task,) = data["tasks"]
    raws = [row[4] for row in task["rows"]]
    assert "</script><script>alert(1)</script> \u2028 done" in raws
    assert len(task["prompts"]) == 3


def test_rebuilding_replaces_files_and_leaves_no_temporaries(runs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_report([runs], out, resamples=200)
    build_report([runs], out, resamples=200)
    assert sorted(p.name for p in out.iterdir()) == ["leaderboard.md", "report.html"]
