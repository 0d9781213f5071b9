"""One sample of every task through the real local model (`local/smollm2`), driven as a user would.

Integration tier: asserts run-folder format, usage counts and plumbing (and that the llama.cpp
server trialscope started is gone afterwards), never answer correctness.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path

import pytest

from trialscope.tasks.registry import task_names

pytestmark = [pytest.mark.local_llm, pytest.mark.slow, pytest.mark.timeout(1800)]

REPO = Path(__file__).resolve().parents[2]
TRIALSCOPE = REPO / ".venv" / "bin" / "trialscope"
MARKER = "TRIALSCOPE_E2E_LOCAL_RUN"


def processes_marked(marker_value: str) -> list[int]:
    """Live (non-zombie) processes whose environment carries our marker: the CLI's children."""
    needle = f"{MARKER}={marker_value}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if needle not in (proc / "environ").read_bytes().split(b"\0"):
                continue
            if "State:\tZ" in (proc / "status").read_text():
                continue
        except OSError:  # gone meanwhile, or not ours to read
            continue
        found.append(int(proc.name))
    return found


def test_every_task_runs_one_sample_end_to_end_through_the_cli(tmp_path: Path) -> None:
    marker_value = uuid.uuid4().hex
    env = {
        **{
            k: v for k, v in os.environ.items() if k not in ("DATABASE_PATH", "BENCHMARK_DATA_PATH")
        },
        "TRIALSCOPE_CACHE_PATH": str(tmp_path / "responses.sqlite"),
        MARKER: marker_value,
    }
    command = [
        str(TRIALSCOPE), "run",
        "--task", "all",
        "--model", "local/smollm2",
        "--num-samples", "1",
        "--max-tokens", "256",
        "--no-cache",
        "--timeout", "900",
        "--max-retries", "0",
        # fewest requests: one screening prompt per ~22,000 characters of candidates
        "--screening-batch-size", "8",
        "--output-path", "tmp",
    ]  # fmt: skip
    completed = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=1700, check=False
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]

    assert processes_marked(marker_value) == [], "a llama.cpp server outlived `trialscope run`"

    output = tmp_path / "tmp"
    for task in task_names():
        folders = [p for p in (output / task).glob("*/*") if p.is_dir()]
        assert len(folders) == 1, f"{task}: expected one run folder, found {folders}"
        [run_dir] = folders
        assert run_dir.parent.name == "local--smollm2"
        metrics = json.loads((run_dir / "metrics.json").read_text())
        results = json.loads((run_dir / "results.json").read_text())
        manifest = json.loads((run_dir / "manifest.json").read_text())

        assert metrics["model"] == results["model"] == "local/smollm2"
        assert metrics["task"] == results["task"] == task
        assert metrics["n_samples"] == 1
        assert metrics["n_ok"] + metrics["n_parse_errors"] == 1, f"{task}: {metrics}"
        assert metrics["usage"]["prompt_tokens"] > 0
        assert metrics["usage"]["completion_tokens"] > 0
        assert metrics["usage"]["cached"] == 0
        assert manifest["finished_at"] is not None

        [result] = results["results"]
        assert result["status"] in ("ok", "parse_error"), f"{task}: {result['error']}"
        if result["status"] == "parse_error":
            assert result["error"], f"{task}: a parse error must say why"
        assert result["raw_responses"] and all(isinstance(r, str) for r in result["raw_responses"])
        assert result["prompt_tokens"] > 0
        assert result["completion_tokens"] > 0
        assert result["latency_s"] > 0
        assert result["cached"] is False
        assert "score" in result["evaluation"], f"{task}: evaluation lacks a per-sample score"

        journal = [
            json.loads(line) for line in (run_dir / "samples.jsonl").read_text().splitlines()
        ]
        assert [line["sample_id"] for line in journal] == [result["sample_id"]]
