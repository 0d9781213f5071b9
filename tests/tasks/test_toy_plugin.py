"""A task shipped in another package (tests/tasks/toy_plugin, registered as a real
`trialscope.tasks` entry point) runs through `trialscope run` with every baseline and appears in
`trialscope report`, with no file of trialscope changed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PLUGIN_DIR = Path(__file__).parent / "toy_plugin"
BASELINES = ("baseline/majority", "baseline/random", "baseline/lexical")
TOPICS = (
    ("insulin", "glucose"),
    ("aspirin", "platelets"),
    ("statin", "cholesterol"),
    ("warfarin", "clotting"),
    ("metformin", "diabetes"),
)


def _records(n: int, offset: int) -> list[dict[str, object]]:
    """Statements whose true completion shares a word with them (a learnable lexical signal)."""
    records = []
    for index in range(offset, offset + n):
        drug, target = TOPICS[index % len(TOPICS)]
        others = [pair[1] for pair in TOPICS if pair[1] != target][:2]
        correct = index % 3
        choices = list(others)
        choices.insert(correct, f"{drug} changes {target}")
        records.append(
            {
                "uid": f"toy{index}",
                "statement": f"Trials of {drug} measured an effect: {drug} changes what?",
                "choices": choices,
                "correct_index": correct,
            }
        )
    return records


def _trialscope(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PLUGIN_DIR), env.get("PYTHONPATH")]))
    env["TRIALSCOPE_CACHE_PATH"] = str(cwd / "responses.sqlite")
    return subprocess.run(
        [sys.executable, "-m", "trialscope.cli.main", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def toy_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("toy")
    folder = root / "bench" / "toy_choice"
    folder.mkdir(parents=True)
    for split, records in (("train", _records(30, 0)), ("test", _records(10, 100))):
        lines = (json.dumps(record) for record in records)
        (folder / f"{split}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    models = [arg for name in BASELINES for arg in ("--model", name)]
    result = _trialscope(
        root, "run", "--task", "toy_choice", *models, "--data-path", "bench",
        "--output-path", "results",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return root


def test_every_baseline_answers_the_plugin_task_in_its_own_format(toy_run: Path) -> None:
    for model in BASELINES:
        slug = model.replace("/", "--")
        (run_folder,) = (toy_run / "results" / "toy_choice" / slug).iterdir()
        results = json.loads((run_folder / "results.json").read_text())
        assert results["task"] == "toy_choice"
        assert len(results["results"]) == 10
        # every answer went through the plugin's own parser and scorer without a parse error
        assert {row["status"] for row in results["results"]} == {"ok"}, model
        assert results["metrics"]["num_parse_errors"] == 0
        assert 0.0 <= results["metrics"]["accuracy"] <= 1.0


def test_the_plugin_task_appears_in_the_report_under_its_label(toy_run: Path) -> None:
    result = _trialscope(toy_run, "report", "results", "--out", "report")
    assert result.returncode == 0, result.stderr
    board = (toy_run / "report" / "leaderboard.md").read_text()
    assert "Toy choice" in board
    for model in BASELINES:
        assert model in board
    assert "Toy choice" in (toy_run / "report" / "report.html").read_text()


def test_a_task_name_no_registry_knows_is_a_one_line_user_error(toy_run: Path) -> None:
    result = _trialscope(toy_run, "run", "--task", "toy_choise", "--model", "baseline/random")
    assert result.returncode == 2
    assert "unknown task 'toy_choise'" in result.stderr
    assert "toy_choice" in result.stderr  # the plugin's task is listed among the valid ones
