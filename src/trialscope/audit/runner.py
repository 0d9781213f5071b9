"""Run agents through episodes: one episode with a step callback, or a whole run saved to disk."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import trialscope
from trialscope.atomic_files import write_json_atomic
from trialscope.audit.agents.base import AuditAgent
from trialscope.audit.client import AuditClient, ServerPool
from trialscope.audit.difficulty import TASK_NAMES
from trialscope.audit.episode_result import EpisodeResult
from trialscope.audit.generator import draw_seed
from trialscope.audit.models import AuditAction, AuditObservation, Mode
from trialscope.audit.scoring import COMPONENTS
from trialscope.audit.server.environment import AuditEnvironment
from trialscope.engine.manifest import git_revision, package_versions, utc_now
from trialscope.engine.run_folder import model_slug, new_run_id


@dataclass
class StepRecord:
    """One step of an episode, as the dashboard streams it."""

    step: int
    action: AuditAction
    observation: AuditObservation
    reward: float | None


StepCallback = Callable[[StepRecord], Awaitable[None] | None]


async def run_episode(
    env: AuditEnvironment,
    agent: AuditAgent,
    task: str,
    seed: int | None,
    on_step: StepCallback | None = None,
) -> EpisodeResult:
    """Play one episode to its end; an agent that stops early submits an empty report.

    Resets and steps run in a worker thread so an event loop serving others (the dashboard)
    stays responsive; one episode's calls are still strictly sequential.
    """
    observation = await asyncio.to_thread(env.reset, seed=seed, task=task)
    agent.reset(observation)
    step = 0
    while not observation.done:
        action = await agent.act(observation)
        if action is None:
            action = AuditAction(tool="submit_report", report="")
        observation = await asyncio.to_thread(env.step, action)
        step += 1
        if on_step is not None:
            outcome = on_step(StepRecord(step, action, observation, observation.reward))
            if outcome is not None:
                await outcome
    return env.episode_result()


def episode_line(result: EpisodeResult) -> dict[str, Any]:
    """The `episodes.jsonl` line of docs/formats.md (plus the detail a report may want)."""
    return result.to_dict()


def parse_seeds(spec: str) -> list[int]:
    """`0-49`, `1,5,9` or `7` as a list of seeds."""
    seeds: list[int] = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        low, sep, high = part.partition("-")
        try:
            if sep:
                start, stop = int(low), int(high)
                if stop < start:
                    raise ValueError
                seeds.extend(range(start, stop + 1))
            else:
                seeds.append(int(part))
        except ValueError as exc:
            raise ValueError(f"bad seeds {spec!r}: expected e.g. 0-49, 1,5,9 or 7") from exc
    if not seeds:
        raise ValueError(f"bad seeds {spec!r}: no seed given")
    return seeds


def bootstrap_ci(values: list[float], seed: int = 0, resamples: int = 2000) -> list[float]:
    """95% percentile bootstrap interval of the mean."""
    if not values:
        return [0.0, 0.0]
    arr = np.asarray(values, dtype=float)
    rng = np.random.default_rng(seed)
    means = arr[rng.integers(0, arr.size, size=(resamples, arr.size))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return [round(float(low), 4), round(float(high), 4)]


def summarize(results: list[EpisodeResult]) -> dict[str, Any]:
    """Per task: n, mean, 95% CI, component means, mean calibration (Brier)."""
    tasks: dict[str, Any] = {}
    for task in TASK_NAMES:
        mine = [r for r in results if r.task == task]
        if not mine:
            continue
        scores = [r.score for r in mine]
        briers = [
            r.calibration_summary["brier"]
            for r in mine
            if r.calibration_summary["brier"] is not None
        ]
        tasks[task] = {
            "n": len(mine),
            "mean": round(float(np.mean(scores)), 4),
            "ci95": bootstrap_ci(scores),
            "components": {
                name: round(float(np.mean([r.components[name] for r in mine])), 4)
                for name in COMPONENTS
            },
            "brier": round(float(np.mean(briers)), 4) if briers else None,
            "seeds": [r.seed for r in mine],
        }
    return tasks


async def run_audit(
    agent_name: str,
    tasks: list[str],
    seeds: list[int] | None,
    model: str | None = None,
    mode: Mode = "eval",
    output_path: Path = Path("results"),
    agent: AuditAgent | None = None,
    on_episode: Callable[[EpisodeResult], None] | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Run every (task, seed) episode and write `<output>/audit/<agent-slug>/<timestamp>/`."""
    from trialscope.audit.agents import make_agent

    seeds = seeds if seeds is not None else [draw_seed()]
    actor = agent or make_agent(agent_name, model)  # bad names fail before a folder is made
    slug = model_slug(agent_name if not model else f"{agent_name}/{model}")
    run_dir = _fresh_run_dir(output_path / "audit" / slug)
    manifest = {
        "trialscope_version": trialscope.__version__,
        "git_revision": git_revision(),
        "packages": package_versions(),
        "agent": agent_name,
        "model": model,
        "mode": mode,
        "tasks": tasks,
        "seeds": seeds,
        "started_at": utc_now(),
        "finished_at": None,
    }
    write_json_atomic(run_dir / "manifest.json", manifest)
    results: list[EpisodeResult] = []
    try:
        with (run_dir / "episodes.jsonl").open("a", encoding="utf-8") as journal:
            for task in tasks:
                for seed in seeds:
                    env = AuditEnvironment(mode=mode)
                    result = await run_episode(env, actor, task, seed)
                    results.append(result)
                    journal.write(json.dumps(episode_line(result), default=str) + "\n")
                    journal.flush()
                    if on_episode is not None:
                        on_episode(result)
    finally:
        await actor.aclose()
    summary = {"agent": agent_name, "model": model, "mode": mode, "tasks": summarize(results)}
    write_json_atomic(run_dir / "summary.json", summary)
    manifest["finished_at"] = utc_now()
    write_json_atomic(run_dir / "manifest.json", manifest)
    return run_dir, summary


def _fresh_run_dir(root: Path) -> Path:
    run_id = new_run_id()
    candidate, n = root / run_id, 1
    while candidate.exists():
        candidate, n = root / f"{run_id}_{n}", n + 1
    candidate.mkdir(parents=True)
    return candidate


async def run_on_servers(
    agent_name: str,
    tasks: list[str],
    seeds: list[int],
    servers: ServerPool,
    token: str | None = None,
    model: str | None = None,
    concurrency: int = 4,
) -> list[dict[str, Any]]:
    """Play every (task, seed) episode on train-mode servers, `concurrency` at a time, each
    session on the least-busy server; one line per episode (server, task, seed, score, steps)."""
    from trialscope.audit.agents import make_agent

    slots = asyncio.Semaphore(concurrency)
    headers = {"Authorization": f"Bearer {token}"} if token else None

    async def one(task: str, seed: int) -> dict[str, Any]:
        async with slots:
            url = servers.acquire()
            agent = make_agent(agent_name, model)
            try:
                async with AuditClient(base_url=url, headers=headers) as client:
                    observation = (
                        await client.reset(task=task, seed=seed, mode="train")
                    ).observation
                    agent.reset(observation)
                    while not observation.done:
                        action = await agent.act(observation)
                        if action is None:
                            action = AuditAction(tool="submit_report", report="")
                        observation = (await client.step(action)).observation
                    state = await client.state()
            finally:
                servers.release(url)
                await agent.aclose()
            return {
                "server": url,
                "task": task,
                "seed": seed,
                "score": state.score_so_far,
                "steps": state.step_count,
            }

    return list(await asyncio.gather(*(one(task, seed) for task in tasks for seed in seeds)))
