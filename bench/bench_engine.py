"""Engine throughput and overhead against the scripted OpenAI-compatible server on loopback.

1. 1,000 samples against a server answering after 100 ms, at --max-connections 32, against the
   sequential lower bound (1,000 x 100 ms). Goal: at least 25x faster.
2. Engine overhead per sample against a server answering at once: the engine's wall time per
   sample minus that of bare `AsyncOpenAI` calls at the same concurrency, measured side by side.
   Goal: under 2 ms per sample.

Run from the repository root: `.venv/bin/python bench/bench_engine.py [--samples 1000]`.
The server runs in its own process so its work does not share the engine's interpreter.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, ClassVar

import httpx
from openai import AsyncOpenAI
from openai.types.chat import ChatCompletion
from pydantic import BaseModel

from trialscope.engine.runner import RunOptions, run_benchmark_async
from trialscope.engine.task_run import LoadedSplit
from trialscope.settings import load_settings
from trialscope.tasks.base import Parsed, Request, Sample, SampleResult, Task

REPO = Path(__file__).resolve().parents[1]


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
        return {
            "metrics": {"accuracy": accuracy},
            "confidence_intervals": {},
            "headline": ["accuracy"],
        }


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
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.openai_server",
            "--port",
            str(port),
            "--latency",
            str(latency),
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


async def engine_run(url: str, n: int, connections: int, out: Path, use_cache: bool) -> float:
    options = RunOptions(
        output_path=str(out),
        max_connections=connections,
        use_cache=use_cache,
        live_progress=False,
        settings=load_settings(cache_path=out / "cache.sqlite"),
    )
    data = LoadedSplit(EchoTask(), samples(n), [])
    started = time.perf_counter()
    [summary] = await run_benchmark_async([data], [f"openai-compatible/bench@{url}"], options)
    elapsed = time.perf_counter() - started
    assert summary.n_ok == n and summary.metrics["accuracy"] == 1.0, summary
    return elapsed


async def bare_sdk_run(url: str, n: int, connections: int) -> float:
    client = AsyncOpenAI(base_url=url, api_key="x", max_retries=0)
    semaphore = asyncio.Semaphore(connections)
    task = EchoTask()

    async def one(sample: Sample) -> None:
        async with semaphore:
            messages = task.requests(sample, None)[0].messages
            body = {
                "model": "bench",
                "messages": messages,
                "max_tokens": 4096,
                "temperature": 0.0,
                "seed": 0,
            }
            # The same SDK request path the provider uses (see models/openai_compatible.py).
            await client.post("/chat/completions", body=body, cast_to=ChatCompletion)

    started = time.perf_counter()
    await asyncio.gather(*(one(s) for s in samples(n)))
    elapsed = time.perf_counter() - started
    await client.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    n, connections = args.samples, args.connections

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        server, url = start_server(0.1)
        try:
            asyncio.run(engine_run(url, 20, connections, root / "warm", False))
            cpu_before = time.process_time()
            wall = asyncio.run(engine_run(url, n, connections, root / "slow", False))
            engine_cpu = time.process_time() - cpu_before
            bare_wall = asyncio.run(bare_sdk_run(url, n, connections))
        finally:
            server.kill()
        bound = n * 0.1
        print(
            f"latency 100 ms: {n} samples at --max-connections {connections}: engine {wall:.2f} s "
            f"(engine process CPU {engine_cpu:.2f} s), bare SDK {bare_wall:.2f} s; sequential "
            f"lower bound {bound:.0f} s; speed-up {bound / wall:.1f}x (goal >= 25x; "
            f"ideal {connections}x)"
        )

        server, url = start_server(0.0)
        try:
            asyncio.run(bare_sdk_run(url, 50, connections))
            bare = asyncio.run(bare_sdk_run(url, n, connections))
            engine = asyncio.run(engine_run(url, n, connections, root / "fast", True))
            cached = asyncio.run(engine_run(url, n, connections, root / "fast", True))
        finally:
            server.kill()
        overhead_ms = (engine - bare) / n * 1000
        print(
            f"instant server: bare SDK {bare / n * 1000:.2f} ms/sample, engine "
            f"{engine / n * 1000:.2f} ms/sample, engine overhead {overhead_ms:.2f} ms/sample "
            f"(goal < 2 ms); all answers from the cache {cached / n * 1000:.2f} ms/sample"
        )


if __name__ == "__main__":
    main()
