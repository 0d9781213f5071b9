"""`trialscope audit run` and `trialscope audit generate`, driven as a user does."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from trialscope.cli.main import app

runner = CliRunner()


def test_audit_run_prints_scores_and_saves_the_run(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "audit",
            "run",
            "--agent",
            "heuristic",
            "--task",
            "all",
            "--seeds",
            "0-1",
            "--output-path",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "easy" in result.output and "hard" in result.output
    summaries = list(tmp_path.glob("audit/heuristic/*/summary.json"))
    assert len(summaries) == 1
    tasks = json.loads(summaries[0].read_text())["tasks"]
    assert set(tasks) == {"easy", "medium", "hard"} and all(t["n"] == 2 for t in tasks.values())


def test_audit_run_rejects_bad_options(tmp_path: Path) -> None:
    bad_task = runner.invoke(
        app, ["audit", "run", "--task", "extreme", "--output-path", str(tmp_path)]
    )
    assert bad_task.exit_code != 0 and "extreme" in bad_task.output
    bad_seeds = runner.invoke(
        app, ["audit", "run", "--seeds", "x-y", "--output-path", str(tmp_path)]
    )
    assert bad_seeds.exit_code != 0 and "seeds" in bad_seeds.output
    no_model = runner.invoke(
        app,
        [
            "audit",
            "run",
            "--agent",
            "react",
            "--task",
            "easy",
            "--seeds",
            "0",
            "--output-path",
            str(tmp_path),
        ],
    )
    assert no_model.exit_code == 2 and "needs a model" in no_model.output
    bad_model = runner.invoke(
        app,
        [
            "audit",
            "run",
            "--agent",
            "naive",
            "--model",
            "nowhere/x",
            "--seeds",
            "0",
            "--output-path",
            str(tmp_path),
        ],
    )
    assert bad_model.exit_code == 2 and "unknown provider" in bad_model.output


def test_audit_generate_prints_the_profile_and_writes_the_episode(tmp_path: Path) -> None:
    out = tmp_path / "episode.json"
    result = runner.invoke(
        app, ["audit", "generate", "--task", "hard", "--seed", "42", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "errors_by_type" in result.output and "bias_mode" in result.output
    document = json.loads(out.read_text())
    assert len(document["records"]) == 720
    assert document["protocol"]["comorbidity_threshold"] in (3, 4)
    assert "labels" not in document
    with_truth = runner.invoke(
        app,
        ["audit", "generate", "--task", "easy", "--seed", "1", "--out", str(out), "--with-truth"],
    )
    assert with_truth.exit_code == 0
    assert json.loads(out.read_text())["labels"]
