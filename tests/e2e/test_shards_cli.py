"""`trialscope run --shard I/N` then `trialscope merge`, as a user drives them, against the
loopback server: the merged run equals the unsharded run byte for byte where deterministic."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.support.openai_server import OpenAIServer
from tests.support.shard_runs import deterministic, make_root, mostly_right
from typer.testing import CliRunner

from trialscope.cli.main import app
from trialscope.report.run_folders import find_run_folders

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRIALSCOPE_CACHE_PATH", str(tmp_path / "cache.sqlite"))
    for var in ("DATABASE_PATH", "BENCHMARK_DATA_PATH", "OPENAI_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def run_args(server: OpenAIServer, root: Path, out: Path, *extra: str) -> list[str]:
    return [
        "run",
        "--task",
        "arm_design",
        "--model",
        f"openai-compatible/scripted@{server.base_url}",
        "--data-path",
        str(root),
        "--output-path",
        str(out),
        "--no-cache",
        "--seed",
        "5",
        *extra,
    ]


def runs_under(out: Path) -> list[Path]:
    return sorted(p for p in (out / "arm_design").glob("*/*") if p.is_dir())


def test_sharded_run_merges_to_the_unsharded_run(workdir: Path) -> None:
    root = make_root(workdir / "bench", 23)
    with OpenAIServer(mostly_right) as server:
        code, output = invoke(*run_args(server, root, workdir / "whole"))
        assert code == 0, output
        for index in (1, 2, 3):
            code, output = invoke(
                *run_args(server, root, workdir / "parts", "--shard", f"{index}/3")
            )
            assert code == 0, output
        # Resume continues each shard's own folder and asks nothing again.
        asked = server.request_count
        code, output = invoke(
            *run_args(server, root, workdir / "parts", "--shard", "2/3", "--resume")
        )
        assert code == 0 and server.request_count == asked, output

    [whole] = runs_under(workdir / "whole")
    shards = runs_under(workdir / "parts")
    assert [p.name.rsplit("-", 1)[-1] for p in shards] == ["shard1of3", "shard2of3", "shard3of3"]
    code, output = invoke("merge", str(workdir / "parts"), "--out", str(workdir / "merged"))
    assert code == 0, output
    assert "merged 3 shards of arm_design" in output
    [merged] = runs_under(workdir / "merged")
    metrics, results = deterministic(merged)
    assert (metrics, results) == deterministic(whole)
    assert '"confidence_intervals"' in metrics and json.loads(metrics)["n_samples"] == 23
    assert 0 < json.loads(metrics)["metrics"]["accuracy"] < 1
    # The merged manifest names the same data as the unsharded run (issue 12's data identity).
    whole_data = json.loads((whole / "manifest.json").read_text())["data"]
    assert json.loads((merged / "manifest.json").read_text())["data"] == whole_data
    assert whole_data["n_samples"] == 23
    # The report reads merged runs, never their shards (a shard would pass for the newest run).
    benchmark, _ = find_run_folders([workdir / "parts", workdir / "merged", workdir / "whole"])
    assert benchmark == sorted([merged, whole])


def test_mismatched_shard_is_a_one_line_error_naming_it(workdir: Path) -> None:
    root = make_root(workdir / "bench", 6)
    with OpenAIServer(mostly_right) as server:
        assert invoke(*run_args(server, root, workdir / "parts", "--shard", "1/2"))[0] == 0
        code, output = invoke(
            *run_args(server, root, workdir / "parts", "--shard", "2/2", "--temperature", "0.5")
        )
        assert code == 0, output
    env = {**os.environ, "COLUMNS": "60"}
    done = subprocess.run(
        [sys.executable, "-m", "trialscope.cli.main", "merge", str(workdir / "parts")],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("error: arm_design on openai-compatible/scripted@")
    assert "shard 2/2 (" in line and "generation.temperature" in line

    code, output = invoke(
        "run", "--task", "arm_design", "--model", "baseline/majority", "--shard", "3/2"
    )
    assert code == 2 and "--shard '3/2'" in output
