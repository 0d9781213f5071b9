"""SIGKILL a run at random moments, resume it, and get exactly the uninterrupted run's results."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from tests.engine.letter_task import letter_data, letter_responder
from tests.support.openai_server import OpenAIServer

from trialscope.engine.runner import RunOptions, run_benchmark
from trialscope.settings import load_settings

REPO = Path(__file__).resolve().parents[2]
SAMPLES = 60
RUN_ID = "20260101_000000"
KILLS = 2


def start_run(
    server: OpenAIServer, out: Path, cache: Path, no_cache: bool
) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "tests.engine.kill_resume_driver",
        "--base-url",
        server.base_url,
        "--out",
        str(out),
        "--samples",
        str(SAMPLES),
        "--cache",
        str(cache),
        "--run-id",
        RUN_ID,
    ]
    if no_cache:
        command.append("--no-cache")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def log_size(out: Path) -> int:
    return sum(path.stat().st_size for path in out.glob(f"letters/*/{RUN_ID}/run.log"))


def wait_for_start(out: Path, process: subprocess.Popen[bytes], size_before: int) -> None:
    """Return once this process has opened the journal and logged its start (or ended)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if log_size(out) > size_before:
            return
        time.sleep(0.01)


def run_folder(out: Path) -> Path:
    [folder] = list(out.glob(f"letters/*/{RUN_ID}"))
    return folder


def final_state(folder: Path) -> tuple[list[str], dict[str, object], list[object]]:
    results = json.loads((folder / "results.json").read_text())["results"]
    metrics = json.loads((folder / "metrics.json").read_text())
    return (
        [r["sample_id"] for r in results],
        {k: metrics[k] for k in ("metrics", "n_samples", "n_ok", "n_parse_errors", "n_errors")},
        [(r["prediction"], r["evaluation"], r["raw_responses"]) for r in results],
    )


@pytest.fixture(scope="module")
def server() -> object:
    with OpenAIServer(letter_responder, latency_s=0.02, log_requests=False) as running:
        yield running


@pytest.fixture(scope="module")
def uninterrupted(server: OpenAIServer, tmp_path_factory: pytest.TempPathFactory) -> tuple:
    # In-process: the same engine code the driver runs, without a second interpreter start.
    root = tmp_path_factory.mktemp("uninterrupted")
    options = RunOptions(
        output_path=str(root / "out"),
        run_id=RUN_ID,
        max_connections=4,
        use_cache=False,
        live_progress=False,
        settings=load_settings(cache_path=root / "cache.sqlite"),
    )
    data = letter_data(SAMPLES, requests_per_sample=2)
    run_benchmark([data], [f"openai-compatible/scripted@{server.base_url}"], options)
    return final_state(run_folder(root / "out"))


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_killed_and_resumed_run_matches_uninterrupted_run(
    seed: int, server: OpenAIServer, uninterrupted: tuple, tmp_path: Path
) -> None:
    rng = np.random.default_rng(seed)
    no_cache = seed == 2
    out, cache = tmp_path / "out", tmp_path / "cache.sqlite"
    kills = 0
    for attempt in range(KILLS + 1):
        size_before = log_size(out)
        process = start_run(server, out, cache, no_cache)
        if attempt == KILLS:
            kill_at = 120.0  # the last run goes to the end
        elif rng.uniform() < 0.25:
            kill_at = float(rng.uniform(0.0, 1.5))  # while starting up or loading
        else:
            wait_for_start(out, process, size_before)
            kill_at = float(rng.uniform(0.0, 0.4))  # mid-run
        try:
            process.wait(timeout=kill_at)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            kills += 1
            for path in out.glob(f"letters/*/{RUN_ID}/samples.jsonl"):
                complete_lines = path.read_bytes().split(b"\n")[:-1]
                ids = [json.loads(line)["sample_id"] for line in complete_lines]
                assert len(ids) == len(set(ids)), "a sample was journaled twice"
            continue
        assert process.returncode == 0, process.stderr.read().decode() if process.stderr else ""
        break
    else:
        pytest.fail("the run never finished")
    assert kills >= 1, "the run finished before any kill: lower the kill times"
    assert len((run_folder(out) / "samples.jsonl").read_bytes()) > 0
    assert final_state(run_folder(out)) == uninterrupted
    journal_lines = (run_folder(out) / "samples.jsonl").read_text().splitlines()
    assert len(journal_lines) == SAMPLES
    manifest = json.loads((run_folder(out) / "manifest.json").read_text())
    assert manifest["finished_at"] and 1 <= len(manifest["resumed_at"]) <= kills
