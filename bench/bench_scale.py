"""Past one process: shards on a local Ray cluster against several endpoints, side by side with one
process against one endpoint, in the same script and on the same data.

Four loopback endpoints (tests/support/openai_server.py, each in its own process) answer after
`--latency` seconds and serve at most `--capacity` requests at once (the rest queue, like a real
server's batch limit), so one endpoint bounds throughput at capacity / latency. Runs of the
registered `arm_design` task over `--samples` generated samples:

1. one process, one endpoint (the baseline);
2. one process, four endpoints (least-busy routing, models/endpoint_pool.py);
3. `--ray`: four shards as Ray tasks on a local cluster (4 logical CPUs), each with the same four
   endpoints, merged on the driver.

Reports wall times, speed-ups against (1), Ray's start-up time, the merge time, and whether the
merged run equals run (2) (same model name, same samples) byte for byte where deterministic.

Run from the repository root: `.venv/bin/python bench/bench_scale.py [--samples 400]`.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.shard_runs import deterministic, make_root  # noqa: E402

from trialscope.engine.runner import RunOptions, run_benchmark  # noqa: E402
from trialscope.launch.ray_shards import import_ray, run_on_ray  # noqa: E402
from trialscope.settings import load_settings  # noqa: E402

ENDPOINTS = 4
SHARDS = 4


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(latency: float, capacity: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.openai_server",
            "--port",
            str(port),
            "--latency",
            str(latency),
            "--capacity",
            str(capacity),
            "--responder",
            "tests.support.shard_runs:mostly_right",
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(url + "/models", timeout=1)
            return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the scripted server did not start")


def options(root: Path, out: Path, connections: int) -> RunOptions:
    return RunOptions(
        data_path=str(root),
        output_path=str(out),
        settings=load_settings(cache_path=out / "cache.sqlite"),
        live_progress=False,
        use_cache=False,
        max_connections=connections,
        seed=0,
    )


def _import_engine() -> int:
    """What every shard imports first: the engine, the OpenAI client, the task."""
    import trialscope.engine.runner
    import trialscope.models.openai_compatible  # noqa: F401
    from trialscope.tasks.registry import get_task

    get_task("arm_design")
    return os.getpid()


def _run_seconds(folder: Path) -> float:
    manifest = json.loads((folder / "manifest.json").read_text())
    started = datetime.fromisoformat(manifest["started_at"])
    return (datetime.fromisoformat(manifest["finished_at"]) - started).total_seconds()


def load() -> str:
    return "/".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=400)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--capacity", type=int, default=2, help="requests each endpoint serves")
    parser.add_argument("--connections", type=int, default=8, help="per process or shard")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("trialscope").setLevel(logging.WARNING)
    ray = import_ray()

    servers = [start_server(args.latency, args.capacity) for _ in range(ENDPOINTS)]
    urls = [url for _, url in servers]
    one = f"openai-compatible/scripted@{urls[0]}"
    many = f"openai-compatible/scripted@{','.join(urls)}"
    bound = args.samples * args.latency / args.capacity
    print(
        f"{args.samples} arm_design samples; {ENDPOINTS} endpoints, each {args.capacity} at once "
        f"x {args.latency * 1000:.0f} ms (one endpoint's bound: {bound:.1f} s); "
        f"{args.connections} connections per process; load average before: {load()}"
    )
    rows: list[tuple[str, float, str]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = make_root(Path(tmp) / "bench", args.samples)
            out = Path(tmp) / "out"

            started = time.perf_counter()
            run_benchmark(["arm_design"], [one], options(root, out / "one", args.connections))
            rows.append(("1 process, 1 endpoint", time.perf_counter() - started, load()))

            started = time.perf_counter()
            [pooled] = run_benchmark(
                ["arm_design"], [many], options(root, out / "pooled", args.connections)
            )
            rows.append(
                (f"1 process, {ENDPOINTS} endpoints", time.perf_counter() - started, load())
            )

            started = time.perf_counter()
            ray.init(
                num_cpus=SHARDS,
                include_dashboard=False,
                logging_level=logging.WARNING,
                log_to_driver=False,
            )
            # Start every worker process and import the engine in it, as a long-lived cluster's
            # workers would have done already; counted as start-up, not in the Ray row.
            warm = ray.remote(num_cpus=1)(_import_engine)
            ray.get([warm.remote() for _ in range(SHARDS)])
            ray_start = time.perf_counter() - started
            started = time.perf_counter()
            [merged] = run_on_ray(
                ["arm_design"],
                [many],
                options(root, out / "ray", args.connections),
                shards=SHARDS,
            )
            ray_wall = time.perf_counter() - started
            rows.append((f"Ray: {SHARDS} shards, {ENDPOINTS} endpoints, merged", ray_wall, load()))
            exact = deterministic(merged.summary.run_dir) == deterministic(pooled.run_dir)
            shard_seconds = [_run_seconds(folder) for folder in merged.shards]
            kb_per_sample = (
                sum((folder / "results.json").stat().st_size for folder in merged.shards)
                / args.samples
                / 1024
            )
            ray.shutdown()
    finally:
        for process, _ in servers:
            process.terminate()
            process.wait(timeout=10)

    baseline = rows[0][1]
    print(f"{'run':<40} {'wall s':>8} {'speed-up':>9}  load average after (1/5/15 min)")
    for name, seconds, after in rows:
        print(f"{name:<40} {seconds:8.2f} {baseline / seconds:8.2f}x  {after}")
    print(f"Ray start-up (local cluster, {SHARDS} warm workers; not in rows): {ray_start:.2f} s")
    print(
        f"each shard's own run (manifest started_at..finished_at, whole seconds): "
        f"{', '.join(f'{s:.0f}' for s in shard_seconds)} s"
    )
    print(f"sent back to the driver: results.json {kb_per_sample:.1f} KB per sample")
    print(f"merge of {SHARDS} shards on the driver: {merged.seconds:.3f} s (inside the Ray row)")
    print(f"merged run equals the unsharded {ENDPOINTS}-endpoint run where deterministic: {exact}")


if __name__ == "__main__":
    main()
