"""`trialscope demo`, the main job, end to end on the embedded default (local model skipped here;
tests/e2e/test_local_tasks.py covers the local model through the same path)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from trialscope.tasks.registry import task_names


def test_demo_runs_every_task_and_the_audit_and_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    completed = subprocess.run(
        [sys.executable, "-m", "trialscope.cli.main", "demo", "--output-path", str(out),
         "--local-samples", "0", "--audit-seeds", "0-1"],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-3000:]
    for task in task_names():
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
