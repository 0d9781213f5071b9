"""Audit environment speed and observation size, in process and over the WebSocket.

Prints, per task, the reset time, the step time per tool, the observation bytes, and the same
over a real `/ws` session on a uvicorn server started here on 127.0.0.1, beside the figures
measured on the reference implementation (ClinicalBench): reset 15 / 22 / 39 ms, 191 / 305 /
458 KB per observation, 10-27 ms per WebSocket step.

    .venv/bin/python bench/bench_audit.py [--seeds 5] [--old-src /tmp/audit-old/src]

The actions replayed are those the heuristic agent takes on each (task, seed), so the mix of
tools is a real episode's; each episode is replayed on a fresh environment for timing. The goal
is reset and WebSocket step at least 3x faster than the reference. With `--old-src` (the `src`
of another checkout, e.g. `git worktree add /tmp/audit-old main`), resets of that code and of
this one are timed side by side, each in its own process, alternating task by task.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import uvicorn
from rich.console import Console
from rich.table import Table
from websockets.sync.client import connect

from trialscope.audit.agents import make_agent
from trialscope.audit.models import AuditAction
from trialscope.audit.runner import run_episode
from trialscope.audit.server.app import ServerSettings, build_app
from trialscope.audit.server.environment import AuditEnvironment

TASKS = ("easy", "medium", "hard")
REFERENCE_RESET_MS = {"easy": 15.0, "medium": 22.0, "hard": 39.0}
REFERENCE_OBS_KB = {"easy": 191.0, "medium": 305.0, "hard": 458.0}
REFERENCE_WS_STEP_MS = (10.0, 27.0)
GOAL_RATIO = 3.0
HERE_SRC = Path(__file__).resolve().parents[1] / "src"
RESET_TIMER = """
import json, statistics, sys, time
from trialscope.audit.server.environment import AuditEnvironment
task, seeds = sys.argv[1], int(sys.argv[2])
env = AuditEnvironment(mode="eval")
env.reset(seed=seeds, task=task)  # imports, caches and first-call costs out of the figures
wall, cpu = [], []
for seed in range(seeds):
    started, cpu_started = time.perf_counter(), time.thread_time()
    env.reset(seed=seed, task=task)
    cpu.append((time.thread_time() - cpu_started) * 1000)
    wall.append((time.perf_counter() - started) * 1000)
import trialscope
print(json.dumps({"wall": statistics.median(wall), "cpu": statistics.median(cpu),
                  "package": trialscope.__file__}))
"""


def heuristic_actions(task: str, seed: int) -> list[AuditAction]:
    """The actions the heuristic agent takes on this episode."""
    actions: list[AuditAction] = []
    env = AuditEnvironment(mode="eval")
    agent = make_agent("heuristic")
    asyncio.run(run_episode(env, agent, task, seed, on_step=lambda r: actions.append(r.action)))
    return actions


def in_process(task: str, seed: int, actions: list[AuditAction]) -> dict[str, Any]:
    """Reset and step times (ms) and observation sizes (bytes) on one environment."""
    env = AuditEnvironment(mode="eval")
    started, cpu_started = time.perf_counter(), time.thread_time()
    observation = env.reset(seed=seed, task=task)
    reset_ms = (time.perf_counter() - started) * 1000
    # CPU time of this thread: under a loaded machine wall time mostly measures waiting.
    reset_cpu_ms = (time.thread_time() - cpu_started) * 1000
    sizes = [len(observation.model_dump_json())]
    steps: dict[str, list[float]] = defaultdict(list)
    for action in actions:
        started = time.perf_counter()
        observation = env.step(action)
        steps[action.tool].append((time.perf_counter() - started) * 1000)
        sizes.append(len(observation.model_dump_json()))
    return {"reset_ms": reset_ms, "reset_cpu_ms": reset_cpu_ms, "steps": steps, "sizes": sizes}


def over_websocket(url: str, task: str, seed: int, actions: list[AuditAction]) -> dict[str, Any]:
    """Reset and step round-trip times (ms) and frame sizes (bytes) over `/ws`."""
    sizes: list[int] = []
    steps: list[float] = []
    with connect(url, max_size=2**24) as ws:
        started = time.perf_counter()
        ws.send(json.dumps({"type": "reset", "data": {"seed": seed, "task": task}}))
        frame = str(ws.recv(timeout=60))
        reset_ms = (time.perf_counter() - started) * 1000
        sizes.append(len(frame))
        for action in actions:
            payload = action.model_dump(exclude_none=True, exclude={"metadata"})
            started = time.perf_counter()
            ws.send(json.dumps({"type": "step", "data": payload}))
            frame = str(ws.recv(timeout=60))
            steps.append((time.perf_counter() - started) * 1000)
            sizes.append(len(frame))
            if json.loads(frame).get("type") == "error":
                raise RuntimeError(f"server error on {task}/{seed}: {frame[:300]}")
    return {"reset_ms": reset_ms, "steps": steps, "sizes": sizes}


class BackgroundServer:
    """The real audit app on a free loopback port, in a thread."""

    def __init__(self) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        # Train mode: the benchmark replays chosen seeds, which an eval server does not accept
        # (it plays its own secret suite); the per-step work is the same in both modes.
        app = build_app(ServerSettings(port=self.port, max_envs=8, mode="train"))
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("the benchmark server did not start")
            time.sleep(0.02)
        return f"ws://127.0.0.1:{self.port}/ws"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def median(values: list[float]) -> float:
    """The median, or 0 for no values."""
    return statistics.median(values) if values else 0.0


def reset_times(src: Path, task: str, seeds: int) -> dict[str, Any]:
    """Median reset wall and CPU ms of the code under `src`, timed in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", RESET_TIMER, task, str(seeds)],
        env={**os.environ, "PYTHONPATH": str(src)},
        capture_output=True,
        text=True,
        check=True,
    )
    times: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if not str(times["package"]).startswith(str(src.resolve())):
        raise RuntimeError(f"timed {times['package']}, not the code under {src}")
    return times


def ratio(reference: float, measured: float) -> str:
    """How many times faster than the reference (reference / measured)."""
    return f"{reference / measured:.1f}x" if measured > 0 else "n/a"


def side_by_side(old_src: Path, seeds: int, console: Console) -> None:
    """Reset CPU and wall time of the old and this checkout, alternating, in one run."""
    console.print(f"load average (1, 5, 15 min) before the side-by-side: {os.getloadavg()}")
    table = Table(title=f"Reset, old ({old_src}) vs this checkout, seeds 0-{seeds - 1}, medians")
    for column in (
        "task",
        "old CPU ms",
        "new CPU ms",
        "old / new CPU",
        "old wall ms",
        "new wall ms",
        "old / new wall",
        "ref / new CPU (goal >= 3x)",
    ):
        table.add_column(column, justify="right")
    for number, task in enumerate(TASKS):
        order = [("old", old_src), ("new", HERE_SRC)]
        times = {
            name: reset_times(src, task, seeds) for name, src in order[:: 1 - 2 * (number % 2)]
        }
        old, new = times["old"], times["new"]
        table.add_row(
            task,
            f"{old['cpu']:.2f}",
            f"{new['cpu']:.2f}",
            ratio(old["cpu"], new["cpu"]),
            f"{old['wall']:.2f}",
            f"{new['wall']:.2f}",
            ratio(old["wall"], new["wall"]),
            ratio(REFERENCE_RESET_MS[task], new["cpu"]),
        )
    console.print(table)
    console.print(f"load average (1, 5, 15 min) after the side-by-side: {os.getloadavg()}")


def main(argv: list[str] | None = None) -> int:
    """Measure and print the comparison table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="episodes per task (seeds 0..N-1)")
    parser.add_argument(
        "--old-src", type=Path, help="`src` of another checkout to time resets against"
    )
    parser.add_argument(
        "--reset-seeds", type=int, default=50, help="resets per task in the side-by-side"
    )
    args = parser.parse_args(argv)
    console = Console(width=170)  # the tables are wide; keep them unwrapped in logs too
    console.print(f"load average (1, 5, 15 min) before the run: {os.getloadavg()}")
    summary = Table(
        title=f"Audit environment, heuristic episodes, seeds 0-{args.seeds - 1} "
        f"(goal: reset and WS step >= {GOAL_RATIO:.0f}x faster than the reference)"
    )
    for column in (
        "task",
        "reset ms (ref)",
        "reset CPU ms",
        "ref / reset wall, CPU",
        "step ms median / p95",
        "obs KB mean / max (ref)",
        "WS reset ms",
        "WS step ms median / p95 (ref)",
        "ref / WS step",
    ):
        summary.add_column(column, justify="right")
    per_tool: dict[str, list[float]] = defaultdict(list)
    verdicts: list[str] = []
    with BackgroundServer() as url:
        for task in TASKS:
            resets: list[float] = []
            reset_cpu: list[float] = []
            steps: list[float] = []
            sizes: list[int] = []
            ws_resets: list[float] = []
            ws_steps: list[float] = []
            for seed in range(args.seeds):
                actions = heuristic_actions(task, seed)
                local = in_process(task, seed, actions)
                remote = over_websocket(url, task, seed, actions)
                resets.append(local["reset_ms"])
                reset_cpu.append(local["reset_cpu_ms"])
                for tool, times in local["steps"].items():
                    steps.extend(times)
                    per_tool[tool].extend(times)
                sizes.extend(local["sizes"])
                ws_resets.append(remote["reset_ms"])
                ws_steps.extend(remote["steps"])
            reference_reset, (ws_low, ws_high) = REFERENCE_RESET_MS[task], REFERENCE_WS_STEP_MS
            reset_ratio = reference_reset / median(resets)
            ws_ratio = ws_low / median(ws_steps)
            summary.add_row(
                task,
                f"{median(resets):.1f} ({reference_reset:.0f})",
                f"{median(reset_cpu):.1f}",
                f"{ratio(reference_reset, median(resets))}, "
                f"{ratio(reference_reset, median(reset_cpu))}",
                f"{median(steps):.2f} / {percentile(steps, 95):.2f}",
                f"{statistics.mean(sizes) / 1024:.2f} / {max(sizes) / 1024:.2f} "
                f"({REFERENCE_OBS_KB[task]:.0f})",
                f"{median(ws_resets):.1f}",
                f"{median(ws_steps):.2f} / {percentile(ws_steps, 95):.2f} "
                f"({ws_low:.0f}-{ws_high:.0f})",
                f">= {ratio(ws_low, median(ws_steps))}",
            )
            met = reset_ratio >= GOAL_RATIO and ws_ratio >= GOAL_RATIO
            verdicts.append(
                f"{task}: reset {reset_ratio:.1f}x, WS step >= {ws_ratio:.1f}x faster than the "
                f"reference (wall): {'goal met' if met else 'GOAL NOT MET'}"
            )
    console.print(summary)
    for verdict in verdicts:
        console.print(verdict)
    console.print(f"load average (1, 5, 15 min) after the run: {os.getloadavg()}")
    tools = Table(title="In-process step time per tool (all tasks)")
    for column in ("tool", "steps", "median ms", "p95 ms"):
        tools.add_column(column, justify="right")
    for tool, times in sorted(per_tool.items()):
        tools.add_row(tool, str(len(times)), f"{median(times):.2f}", f"{percentile(times, 95):.2f}")
    console.print(tools)
    if args.old_src is not None:
        side_by_side(args.old_src, args.reset_seeds, console)
    return 0


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank), or 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered)) - 1))
    return ordered[rank]


if __name__ == "__main__":
    sys.exit(main())
