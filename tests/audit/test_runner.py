"""The runner: episode callbacks, run folders as in docs/formats.md, seeds and CIs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialscope.audit.runner import bootstrap_ci, parse_seeds, run_audit
from trialscope.audit.scoring import COMPONENTS


async def test_run_audit_writes_episodes_summary_and_manifest(tmp_path: Path) -> None:
    run_dir, summary = await run_audit(
        "heuristic", ["easy", "hard"], [0, 1, 2], output_path=tmp_path
    )
    assert run_dir.parent == tmp_path / "audit" / "heuristic"
    lines = [json.loads(line) for line in (run_dir / "episodes.jsonl").read_text().splitlines()]
    assert [(line["task"], line["seed"]) for line in lines] == [
        ("easy", 0),
        ("easy", 1),
        ("easy", 2),
        ("hard", 0),
        ("hard", 1),
        ("hard", 2),
    ]
    for line in lines:
        assert tuple(line["components"]) == COMPONENTS
        assert {"score", "steps", "calibration"} <= set(line)
    on_disk = json.loads((run_dir / "summary.json").read_text())
    assert on_disk == summary
    assert set(summary["tasks"]) == {"easy", "hard"}
    easy = summary["tasks"]["easy"]
    assert easy["n"] == 3 and easy["ci95"][0] <= easy["mean"] <= easy["ci95"][1]
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["seeds"] == [0, 1, 2] and manifest["finished_at"]


async def test_a_run_without_seeds_draws_and_records_one(tmp_path: Path) -> None:
    run_dir, summary = await run_audit(
        "heuristic", ["easy"], None, output_path=tmp_path, mode="train"
    )
    seeds = json.loads((run_dir / "manifest.json").read_text())["seeds"]
    assert len(seeds) == 1 and summary["tasks"]["easy"]["seeds"] == seeds


def test_parse_seeds() -> None:
    assert parse_seeds("0-3") == [0, 1, 2, 3]
    assert parse_seeds("1,5, 9") == [1, 5, 9]
    assert parse_seeds("7") == [7]
    for bad in ("", "a-b", "5-1"):
        with pytest.raises(ValueError, match="bad seeds"):
            parse_seeds(bad)


@given(st.lists(st.floats(0, 1), min_size=1, max_size=30))
def test_bootstrap_ci_brackets_the_mean(values: list[float]) -> None:
    low, high = bootstrap_ci(values)
    mean = sum(values) / len(values)
    assert low - 1e-4 <= mean <= high + 1e-4
