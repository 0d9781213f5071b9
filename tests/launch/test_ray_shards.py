"""`--ray`: shards as tasks on a real local Ray cluster (2 CPUs, one for the whole module), against
the loopback server, merged on the driver into exactly what a plain run gives."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import ray
from tests.support.openai_server import OpenAIServer
from tests.support.shard_runs import (
    DieOnce,
    FailShard,
    deterministic,
    make_root,
    mostly_right,
)

from trialscope.engine.runner import RunOptions, run_benchmark
from trialscope.errors import UserError
from trialscope.launch.ray_shards import run_on_ray
from trialscope.settings import load_settings

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A local Ray cluster with 2 CPUs; yields its address for other drivers."""
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        logging_level=logging.WARNING,
        log_to_driver=False,
        runtime_env={"env_vars": {"PYTHONPATH": str(REPO)}},
    )
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()


def options(tmp_path: Path, root: Path, out: str) -> RunOptions:
    return RunOptions(
        data_path=str(root),
        output_path=str(tmp_path / out),
        settings=load_settings(cache_path=tmp_path / "cache.sqlite"),
        live_progress=False,
        use_cache=False,
        seed=3,
        max_connections=4,
    )


def model(server: OpenAIServer) -> str:
    return f"openai-compatible/scripted@{server.base_url}"


def only_run(out: Path) -> Path:
    [folder] = [p for p in (out / "arm_design").glob("*/*") if p.is_dir()]
    return folder


def test_ray_run_with_a_dying_worker_equals_a_plain_run(cluster: str, tmp_path: Path) -> None:
    root = make_root(tmp_path / "bench", 17)
    marker = tmp_path / "died"
    with OpenAIServer(mostly_right) as server:
        [whole] = run_benchmark(["arm_design"], [model(server)], options(tmp_path, root, "whole"))
        [merged] = run_on_ray(
            ["arm_design"],
            [model(server)],
            options(tmp_path, root, "ray"),
            shards=3,
            before_shard=DieOnce(marker),
        )
        assert server.request_count == 2 * 17
    assert marker.exists() and int(marker.read_text()) != os.getpid()  # a worker did die
    assert deterministic(merged.summary.run_dir) == deterministic(whole.run_dir)
    shard_folders = sorted(p.name for p in (tmp_path / "ray" / "arm_design").glob("*/*-shard*"))
    assert len(shard_folders) == 3  # the retried shard continued its own folder
    manifest = json.loads((merged.summary.run_dir / "manifest.json").read_text())
    assert [m["shard"] for m in manifest["merged_from"]] == ["1/3", "2/3", "3/3"]


def test_a_failing_shard_is_named_and_nothing_is_merged(cluster: str, tmp_path: Path) -> None:
    root = make_root(tmp_path / "bench", 6)
    failed = r"1 shard\(s\) failed.*shard 2/2: .*cannot reach"
    with OpenAIServer(mostly_right) as server, pytest.raises(UserError, match=failed):
        run_on_ray(
            ["arm_design"],
            [model(server)],
            options(tmp_path, root, "ray"),
            shards=2,
            before_shard=FailShard(2),
        )
    folders = [p.name for p in (tmp_path / "ray" / "arm_design").glob("*/*")]
    assert len(folders) == 1 and folders[0].endswith("-shard1of2")  # shard 1 kept, no merge


def test_cli_ray_with_an_address_equals_a_plain_run(cluster: str, tmp_path: Path) -> None:
    root = make_root(tmp_path / "bench", 9)
    env: dict[str, Any] = {
        **os.environ,
        "TRIALSCOPE_CACHE_PATH": str(tmp_path / "cache.sqlite"),
        "PYTHONPATH": str(REPO),
    }
    with OpenAIServer(mostly_right) as server:
        [whole] = run_benchmark(["arm_design"], [model(server)], options(tmp_path, root, "whole"))
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "trialscope.cli.main",
                "run",
                "--task",
                "arm_design",
                "--model",
                model(server),
                "--data-path",
                str(root),
                "--output-path",
                str(tmp_path / "ray"),
                "--no-cache",
                "--seed",
                "3",
                "--ray-address",
                cluster,
                "--shards",
                "2",
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            check=False,
            timeout=300,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    merged = [p for p in (tmp_path / "ray" / "arm_design").glob("*/*") if "-shard" not in p.name]
    assert len(merged) == 1
    assert deterministic(merged[0]) == deterministic(whole.run_dir)


def test_ray_missing_is_one_line_with_the_install_command(tmp_path: Path) -> None:
    blocker = "import sys; sys.modules['ray'] = None; from trialscope.cli.main import entry_point; "
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            blocker + "sys.argv = ['trialscope', *sys.argv[1:]]; entry_point()",
            "run",
            "--task",
            "arm_design",
            "--model",
            "baseline/majority",
            "--ray",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "error: --ray needs Ray: pip install 'trialscope[ray]'"
