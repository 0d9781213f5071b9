"""`trialscope data synth` and `trialscope data build`, driven as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import Result
from typer.testing import CliRunner

from trialscope.cli.main import app
from trialscope.data.builders import TASK_FOLDERS


def trialscope(*args: str) -> Result:
    """Run the real Typer app in-process, as the console script would."""
    return CliRunner().invoke(app, list(args))


def test_synth_into_a_store_then_build_a_time_split(tmp_path: Path) -> None:
    store = tmp_path / "trials.duckdb"
    made = trialscope("data", "synth", "--trials", "800", "--seed", "2", "--store", str(store))
    assert made.exit_code == 0, made.output
    assert "800 trials" in made.output
    out = tmp_path / "bench"
    built = trialscope(
        "data", "build", "--store", str(store), "--out", str(out), "--seed", "1",
        "--train-size", "50", "--test-size", "25", "--registered-after", "2019-01-01",
    )  # fmt: skip
    assert built.exit_code == 0, built.output
    for task in TASK_FOLDERS:
        assert (out / task / "test.jsonl").is_file(), task
    lines = (out / "trial_completion_assessment" / "test.jsonl").read_text().splitlines()
    assert len(lines) == 25
    assert json.loads(lines[0])["metadata"]["study_nctid"].startswith("NCT")


def test_synth_to_jsonl_files(tmp_path: Path) -> None:
    made = trialscope("data", "synth", "--trials", "60", "--out", str(tmp_path))
    assert made.exit_code == 0, made.output
    studies = (tmp_path / "studies.jsonl").read_text().splitlines()
    assert len(studies) == 60
    assert "protocolSection" in json.loads(studies[0])
    assert (tmp_path / "publications.jsonl").is_file()
    assert (tmp_path / "reviews.jsonl").is_file()


def test_bad_arguments_are_named(tmp_path: Path) -> None:
    both = trialscope("data", "synth", "--trials", "5")
    assert both.exit_code != 0 and "--store" in both.output
    date = trialscope(
        "data", "build", "--store", str(tmp_path / "missing.duckdb"), "--out", str(tmp_path)
    )
    assert date.exit_code != 0 and "does not exist" in date.output
