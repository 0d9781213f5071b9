"""Engine speed against the scripted OpenAI-compatible server on loopback, side by side.

1. End to end: `trialscope run --task all` (one model, embedded default benchmark, no response
   cache) as a process, against a server answering after 100 ms, at --max-connections 32.
   Speed-up = (requests x 100 ms) / wall time from process start to exit. Goal >= 25x. The same
   run gives the fixed cost: process start to first request plus last answer to exit (goal < 1 s).
2. Client CPU per request, server answering at once, 64 in flight: the engine (in process,
   every sample parsed, scored and journalled) against a bare openai SDK loop
   (`chat.completions.create`) sending the same bodies. Goal: engine <= half the SDK's.
3. inspect_ai on the same server (the peer figure), when `--inspect-python` names an
   interpreter that has inspect_ai (it is not a trialscope dependency).
0. `trialscope --version` / `--help` wall time (goal < 0.3 s).

Beside part 1: the process's CPU seconds, the requests in flight per 0.5 s as the server saw
them (is the pool kept full?), and the server's own ceiling: a bare httpx loop sending the same
request bodies with 32 always in flight, and the server process's CPU per request in both. Each
goal figure is printed with this script's figure for main before the engine's fifth speed pass
(BEFORE).

Run from the repository root: `.venv/bin/python bench/bench_engine.py`. The server runs in its
own process. The machine's load average is printed beside every figure: on a shared machine the
wall-clock goals need an idle machine; CPU per request is less sensitive.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

import httpx
from pydantic import BaseModel

from trialscope.engine.runner import RunOptions, run_benchmark_async
from trialscope.models.base import GenerationConfig
from trialscope.models.openai_compatible import chat_request_body, encode_body
from trialscope.settings import load_settings
from trialscope.tasks.base import Parsed, Request, Sample, SampleResult, Task
from trialscope.tasks.loading import LoadedSplit

REPO = Path(__file__).resolve().parents[1]
MODEL = "bench"
BEFORE = {"speed_up": 23.9, "fixed_s": 0.78, "cpu_ratio": 0.29, "ceiling": 20.7}
"""This script's figures for main before the engine's fifth speed pass (11a579e, the lead's six
idle runs of 2026-11-30 15:51-16:32 UTC: median end to end and fixed cost; CPU ratio 0.26-0.31),
printed beside each new figure; the ceiling is from ae8507b (14:29). Before the fourth pass
(ae8507b): 20.0x, 0.99 s, 0.44; before the second pass (11:32): 13.2x, 1.89 s, 0.55."""


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f}"


class EchoRecord(BaseModel):
    id: str
    text: str


class EchoTask(Task):
    """One request per sample; the answer is correct when the server echoes the text back."""

    name: ClassVar[str] = "bench_echo"
    folder_names: ClassVar[tuple[str, ...]] = ("bench_echo",)
    record_model: ClassVar[type[BaseModel]] = EchoRecord
    headline_metrics: ClassVar[tuple[str, ...]] = ("accuracy",)
    default_system_prompt: ClassVar[str] = "Echo the user's text."

    def requests(self, sample: Sample, system_prompt: str | None) -> list[Request]:
        text = sample.raw["text"]
        return [
            Request(
                [
                    {"role": "system", "content": self.default_system_prompt},
                    {"role": "user", "content": text},
                ]
            )
        ]

    def parse(self, sample: Sample, responses: list[str]) -> Parsed:
        try:
            return Parsed(json.loads(responses[0])["echo"])
        except (ValueError, KeyError):
            return Parsed(None, error="not an echo")

    def score(self, sample: Sample, parsed: Parsed) -> dict[str, Any]:
        return {"score": float(parsed.prediction == sample.raw["text"])}

    def aggregate(self, results: list[SampleResult], seed: int = 0) -> dict[str, Any]:
        accuracy = sum(r.evaluation["score"] for r in results) / max(len(results), 1)
        return {"metrics": {"accuracy": accuracy}, "confidence_intervals": {}}


def samples(n: int) -> list[Sample]:
    out = []
    for i in range(n):
        raw = {"id": str(i), "text": f"sample {i} " + "word " * 40}
        out.append(Sample(str(i), EchoRecord(**raw), raw))
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(latency: float) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [sys.executable, "-m", "tests.support.openai_server", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--latency", str(latency)],
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


def server_stats(url: str, reset: bool = False) -> dict[str, Any]:
    stats_url = url.removesuffix("/v1") + "/stats"
    response = httpx.request("DELETE" if reset else "GET", stats_url, timeout=10)
    return dict(response.json())


def cli_run(url: str, connections: int, out: Path) -> dict[str, float]:
    """`trialscope run --task all` as a process: wall time, requests, fixed cost."""
    server_cpu = float(server_stats(url, reset=True)["server_cpu_s"])
    command = [
        sys.executable,
        "-m",
        "trialscope.cli.main",
        "run",
        "--task",
        "all",
        "--model",
        f"openai-compatible/{MODEL}@{url}",
        "--max-connections",
        str(connections),
        "--no-cache",
        "--output-path",
        str(out),
    ]
    env = {**os.environ, "TRIALSCOPE_CACHE_PATH": str(out / "cache.sqlite")}
    cpu_before = children_cpu()
    started = time.time()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    ended = time.time()
    cpu = children_cpu() - cpu_before
    if done.returncode not in (0, 4):
        raise RuntimeError(f"trialscope run failed ({done.returncode}): {done.stderr[-2000:]}")
    stats = server_stats(url)
    return {
        "wall": ended - started,
        "cpu": cpu,
        "requests": float(stats["request_count"]),
        "to_first_request": float(stats["first_request_at"]) - started,
        "after_last_answer": ended - float(stats["last_response_at"]),
        "request_phase": float(stats["last_response_at"]) - float(stats["first_request_at"]),
        "timeline": stats["in_flight_per_100ms"],
        "server_cpu": float(stats["server_cpu_s"]) - server_cpu,
    }


def cli_start(args: list[str], repeats: int = 3) -> float:
    """Fastest wall time of `trialscope <args>` as a process, over `repeats` runs."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "trialscope.cli.main", *args], capture_output=True, check=True
        )
        times.append(time.perf_counter() - started)
    return min(times)


def children_cpu() -> float:
    """User + system CPU seconds of every finished child process so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def describe_in_flight(timeline: list[float], connections: int) -> str:
    """Mean requests in flight over the request phase, the share of 100 ms steps at >= 90% of
    the limit, and the timeline in 0.5 s steps (what starves the pool, and when)."""
    if not timeline:
        return "no requests"
    mean = sum(timeline) / len(timeline)
    busy = sum(value >= 0.9 * connections for value in timeline) / len(timeline)
    coarse = [
        sum(part) / len(part) for part in (timeline[i : i + 5] for i in range(0, len(timeline), 5))
    ]
    return (
        f"mean in flight {mean:.1f} of {connections}, {busy:.0%} of 100 ms steps at >= 90%; "
        f"per 0.5 s: {' '.join(f'{value:.0f}' for value in coarse)}"
    )


def task_bodies() -> list[bytes]:
    """Every request body `trialscope run --task all` sends to model MODEL (embedded default)."""
    from trialscope.engine.runner import _generation_config, _load_tasks

    options = RunOptions()
    settings = load_settings()
    config = _generation_config(options, settings)
    out = []
    for split in _load_tasks(["all"], options, settings):
        for sample in split.samples:
            for request in split.task.requests(sample, None):
                body = chat_request_body(
                    MODEL,
                    request.messages,
                    replace(config, json_mode=request.json_mode),
                    reasoning=False,
                )
                out.append(encode_body(body))
    return out


async def server_ceiling(url: str, work: list[bytes], connections: int) -> dict[str, Any]:
    """The server's own limit: a bare httpx loop (one client per slot) sending `work` with
    `connections` always in flight. Wall seconds, requests and the in-flight timeline."""
    server_cpu = float(server_stats(url, reset=True)["server_cpu_s"])
    queue = list(reversed(work))
    headers = {"content-type": "application/json", "authorization": "Bearer x"}

    async def slot() -> None:
        async with httpx.AsyncClient(headers=headers, timeout=60) as client:
            while queue:
                response = await client.post(url + "/chat/completions", content=queue.pop())
                response.raise_for_status()

    started = time.perf_counter()
    await asyncio.gather(*(slot() for _ in range(connections)))
    wall = time.perf_counter() - started
    stats = server_stats(url)
    return {
        "wall": wall,
        "requests": len(work),
        "timeline": stats["in_flight_per_100ms"],
        "server_cpu": float(stats["server_cpu_s"]) - server_cpu,
    }


async def engine_cpu(url: str, n: int, connections: int, out: Path) -> float:
    """Engine process CPU seconds per request (parse, score and journal included)."""
    options = RunOptions(
        output_path=str(out),
        max_connections=connections,
        use_cache=False,
        live_progress=False,
        settings=load_settings(cache_path=out / "cache.sqlite"),
    )
    data = LoadedSplit(EchoTask(), samples(n), [])
    started = time.process_time()
    [summary] = await run_benchmark_async([data], [f"openai-compatible/{MODEL}@{url}"], options)
    cpu = time.process_time() - started
    assert summary.n_ok == n and summary.metrics["accuracy"] == 1.0, summary
    return cpu / n


def bodies(n: int) -> list[dict[str, Any]]:
    task = EchoTask()
    return [
        chat_request_body(
            MODEL, task.requests(s, None)[0].messages, GenerationConfig(), reasoning=False
        )
        for s in samples(n)
    ]


async def sdk_cpu(url: str, n: int, connections: int, raw: bool) -> float:
    """A bare openai SDK loop: process CPU seconds per request."""
    from openai import AsyncOpenAI

    client = AsyncOpenAI(base_url=url, api_key="x", max_retries=0)
    semaphore = asyncio.Semaphore(connections)

    async def one(body: dict[str, Any]) -> None:
        async with semaphore:
            if raw:
                response = await client.chat.completions.with_raw_response.create(**body)
                json.loads(response.content)
            else:
                await client.chat.completions.create(**body)

    work = bodies(n)
    started = time.process_time()
    await asyncio.gather(*(one(body) for body in work))
    cpu = time.process_time() - started
    await client.close()
    return cpu / n


INSPECT_SCRIPT = textwrap.dedent(
    """
    import sys, time, tempfile
    from inspect_ai import Task, eval
    from inspect_ai.dataset import Sample
    from inspect_ai.scorer import includes
    from inspect_ai.solver import generate
    url, n, connections = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    dataset = [Sample(input=f"sample {i} " + "word " * 40, target=str(i)) for i in range(n)]
    task = Task(dataset=dataset, solver=[generate()], scorer=includes())
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as logs:
        eval(task, model="openai/bench", model_base_url=url, max_connections=connections,
             log_dir=logs, display="none", max_retries=0)
    print(time.perf_counter() - started)
    """
)


def inspect_run(python: str, url: str, n: int, connections: int) -> tuple[float, float]:
    """inspect_ai's eval wall time (inside its process) and its process's whole wall time."""
    env = {**os.environ, "OPENAI_API_KEY": "x"}
    started = time.perf_counter()
    done = subprocess.run(
        [python, "-c", INSPECT_SCRIPT, url, str(n), str(connections)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    total = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-1500:])
    return float(done.stdout.strip().splitlines()[-1]), total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cpu-requests", type=int, default=2000)
    parser.add_argument("--inspect-python", help="An interpreter with inspect_ai installed.")
    parser.add_argument("--inspect-samples", type=int, default=1000)
    parser.add_argument(
        "--cpu-only", action="store_true", help="Only part 2 (client CPU per request)."
    )
    args = parser.parse_args()

    if not args.cpu_only:
        end_to_end(args)
    cpu_per_request(args.cpu_requests)


def end_to_end(args: argparse.Namespace) -> None:
    """Parts 0, 1 and 3: start-up, `trialscope run --task all` end to end, inspect_ai."""
    version, help_ = cli_start(["--version"]), cli_start(["--help"])
    print(
        f"0. trialscope --version {version:.2f} s, --help {help_:.2f} s wall, fastest of 3 "
        f"(goal < 0.3 s) [{load()}]"
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        server, url = start_server(0.1)
        try:
            # The first run builds the embedded default benchmark if this machine lacks it.
            cli_run(url, 32, root / "warm")
            print(f"[{load()}]")
            run = cli_run(url, 32, root / "e2e")
            after = load()
            bound = run["requests"] * 0.1
            print(
                f"1. trialscope run --task all, 100 ms server, 32 connections: "
                f"{run['requests']:.0f} requests in {run['wall']:.2f} s wall (process start to "
                f"exit); sequential bound {bound:.1f} s; ideal at 32 {bound / 32:.2f} s; "
                f"speed-up {bound / run['wall']:.1f}x (goal >= 25x; before "
                f"{BEFORE['speed_up']}x) [{after}]"
            )
            fixed = run["to_first_request"] + run["after_last_answer"]
            print(
                f"   fixed cost: start to first request {run['to_first_request']:.2f} s + last "
                f"answer to exit {run['after_last_answer']:.2f} s = {fixed:.2f} s (goal < 1 s; "
                f"before {BEFORE['fixed_s']} s); "
                f"process CPU {run['cpu']:.2f} s ({run['cpu'] / run['requests'] * 1000:.2f} ms "
                f"per request incl. start)"
            )
            print(
                f"   request phase {run['request_phase']:.2f} s (ideal {bound / 32:.2f} s): "
                f"{describe_in_flight(run['timeline'], 32)}; server CPU "
                f"{run['server_cpu'] / run['requests'] * 1000:.2f} ms per request"
            )
            ceiling = asyncio.run(server_ceiling(url, task_bodies(), 32))
            print(
                f"   server ceiling (bare httpx loop, the same {ceiling['requests']} bodies, 32 "
                f"in flight): {ceiling['wall']:.2f} s = {bound / ceiling['wall']:.1f}x the "
                f"sequential bound (before {BEFORE['ceiling']}x); "
                f"{describe_in_flight(ceiling['timeline'], 32)}; server CPU "
                f"{ceiling['server_cpu'] / ceiling['requests'] * 1000:.2f} ms per request "
                f"[{load()}]"
            )
            if args.inspect_python:
                try:
                    n = args.inspect_samples
                    inside, total = inspect_run(args.inspect_python, url, n, 32)
                    peer_bound = n * 0.1
                    print(
                        f"3. inspect_ai, same server, {n} samples, max_connections 32: eval "
                        f"{inside:.2f} s ({peer_bound / inside:.1f}x the {peer_bound:.0f} s "
                        f"bound), process {total:.2f} s ({peer_bound / total:.1f}x) [{load()}]"
                    )
                except Exception as error:  # the peer is optional; say why it did not run
                    print(f"3. inspect_ai could not run: {error}")
        finally:
            server.kill()


def cpu_per_request(n: int) -> None:
    """Part 2: client CPU per request, engine against a bare openai SDK loop."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        server, url = start_server(0.0)
        try:
            asyncio.run(sdk_cpu(url, 200, 64, raw=False))
            sdk = asyncio.run(sdk_cpu(url, n, 64, raw=False))
            raw = asyncio.run(sdk_cpu(url, n, 64, raw=True))
            engine = asyncio.run(engine_cpu(url, n, 64, root / "cpu"))
        finally:
            server.kill()
        print(
            f"2. client CPU per request, instant server, 64 in flight, {n} requests: engine "
            f"{engine * 1000:.2f} ms (whole run: parse, score, journal, metrics); bare openai "
            f"SDK create() {sdk * 1000:.2f} ms; SDK with_raw_response {raw * 1000:.2f} ms; "
            f"engine / SDK = {engine / sdk:.2f} (goal <= 0.5; before {BEFORE['cpu_ratio']}) "
            f"[{load()}]"
        )


if __name__ == "__main__":
    main()
