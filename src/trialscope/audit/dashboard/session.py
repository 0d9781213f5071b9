"""One dashboard tab's WebSocket: run an agent on a chosen task and seed, stream each step.

Each connection owns its own environment and agent; nothing is shared between tabs. The
episode runs in a worker thread with its own event loop (generation and rule checks are CPU
work; LLM agents await HTTP there), and its steps are handed to the server loop through a
queue, so one tab's episode never blocks another tab or the OpenEnv sessions.

Client messages: `{"type": "run", "agent": A, "task": T, "seed": S}` and `{"type": "stop"}`.
Server messages: `hello`, `started`, `step`, `finished`, `stopped`, `error`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect

from trialscope.audit.agents import AuditAgent, is_llm_agent, make_agent
from trialscope.audit.difficulty import TASK_NAMES as TASKS
from trialscope.audit.episode_result import EpisodeResult
from trialscope.audit.models import AuditAction, AuditObservation, Mode
from trialscope.audit.runner import StepRecord, run_episode
from trialscope.audit.server.environment import AuditEnvironment
from trialscope.audit.server.eval_suite import EVAL_SEED_FLOOR

MAX_SEED = EVAL_SEED_FLOOR - 1
"""Dashboard seeds are public (train space): the eval suite is out of its reach."""
STEP_TEXT_LIMIT = 4000
logger = logging.getLogger(__name__)


@dataclass
class DashboardOptions:
    """What the dashboard may run, and the shared worker pool and episode limit."""

    agents: list[str]
    model: str | None
    mode: Mode
    executor: Executor
    max_episodes: int
    slots: asyncio.Semaphore | None = field(default=None, init=False)

    def episode_slots(self) -> asyncio.Semaphore:
        """The semaphore bounding concurrent dashboard episodes (created on the server loop)."""
        if self.slots is None:
            self.slots = asyncio.Semaphore(self.max_episodes)
        return self.slots


class EpisodeStopped(Exception):
    """Raised inside the episode thread when the visitor pressed Stop or left."""


class _Sentinel:
    pass


_DONE = _Sentinel()


def _action_args(action: AuditAction) -> dict[str, Any]:
    """The arguments the action's tool takes, without empty ones."""
    data = action.arguments()
    return {key: value for key, value in data.items() if value not in ({}, [], "", None)}


def step_message(n: int, action: AuditAction, observation: AuditObservation) -> dict[str, Any]:
    """The `step` message for one action and its observation."""
    text = observation.text or ""
    if len(text) > STEP_TEXT_LIMIT:
        text = text[:STEP_TEXT_LIMIT] + "\n…"
    return {
        "type": "step",
        "n": n,
        "tool": action.tool,
        "args": _action_args(action),
        "text": text,
        "result": observation.result,
        "reward": observation.reward,
        "feedback": observation.feedback,
        "error": observation.error,
        "done": observation.done,
    }


def finished_message(result: EpisodeResult) -> dict[str, Any]:
    """The `finished` message: score, components, each flag's verdict, missed errors."""
    flags = [
        {
            "patient_id": flag["patient_id"],
            "error_type": flag["error_type"],
            "confidence": flag["confidence"],
            "correct": bool(flag["correct"]),
        }
        for flag in result.flags
    ]
    return {
        "type": "finished",
        "task": result.task,
        "seed": result.seed,
        "score": result.score,
        "components": dict(result.components),
        "flags": flags,
        "missed": len(result.missed),
        "missed_ids": result.missed[:50],
        "calibration": result.calibration_summary,
        "steps": result.steps,
        "finished_by": result.finished_by,
    }


class _BriefedEnvironment(AuditEnvironment):
    """An environment that hands its reset observation (the briefing) to a callback."""

    def __init__(self, mode: Mode, on_reset: Callable[[AuditObservation], None]) -> None:
        super().__init__(mode=mode)
        self._on_reset = on_reset

    def reset(
        self,
        seed: int | None = None,
        episode_id: str | None = None,
        task: str = "easy",
        **kwargs: Any,
    ) -> AuditObservation:
        """Reset as usual, then report the briefing."""
        observation = super().reset(seed=seed, episode_id=episode_id, task=task, **kwargs)
        self._on_reset(observation)
        return observation


class _Episode:
    """One run: the environment, the agent and the thread-to-loop hand-off."""

    def __init__(self, options: DashboardOptions, agent: str, task: str, seed: int) -> None:
        self.options = options
        self.agent_name = agent
        self.task = task
        self.seed = seed
        self.stop = threading.Event()
        self.queue: asyncio.Queue[dict[str, Any] | _Sentinel] = asyncio.Queue()
        self.loop = asyncio.get_running_loop()
        self.steps = 0

    def _post(self, message: dict[str, Any] | _Sentinel) -> None:
        self.loop.call_soon_threadsafe(self.queue.put_nowait, message)

    def run_in_thread(self) -> dict[str, Any]:
        """Play the whole episode (worker thread); returns the final message."""
        try:
            return finished_message(asyncio.run(self._episode()))
        except EpisodeStopped:
            return {"type": "stopped", "steps": self.steps}
        except Exception as exc:
            logger.exception("dashboard episode failed")
            return {"type": "error", "message": f"the episode failed: {type(exc).__name__}: {exc}"}
        finally:
            self._post(_DONE)

    async def _episode(self) -> EpisodeResult:
        env = _BriefedEnvironment(self.options.mode, self._started)
        agent: AuditAgent = make_agent(
            self.agent_name, self.options.model if is_llm_agent(self.agent_name) else None
        )
        try:
            return await run_episode(env, agent, self.task, self.seed, on_step=self._on_step)
        finally:
            await agent.aclose()

    def _on_step(self, record: StepRecord) -> None:
        if self.stop.is_set():
            raise EpisodeStopped
        self.steps = record.step
        self._post(step_message(record.step, record.action, record.observation))

    def _started(self, observation: AuditObservation) -> None:
        result = observation.result or {}
        self._post(
            {
                "type": "started",
                "agent": self.agent_name,
                "task": self.task,
                "seed": self.seed,
                "budget": result.get("step_budget"),
                "patients": result.get("n_patients"),
                "briefing": observation.text,
            }
        )

    async def play(self, websocket: WebSocket) -> None:
        """Run the episode off the loop and forward its messages to the browser."""
        async with self.options.episode_slots():
            work = self.loop.run_in_executor(self.options.executor, self.run_in_thread)
            while True:
                message = await self.queue.get()
                if isinstance(message, _Sentinel):
                    break
                await websocket.send_text(json.dumps(message))
            await websocket.send_text(json.dumps(await work))


def parse_run(raw: dict[str, Any], agents: list[str]) -> tuple[str, str, int]:
    """Validate a `run` message; raises ValueError naming the bad field."""
    agent = raw.get("agent", agents[0])
    if agent not in agents:
        raise ValueError(f"agent must be one of {', '.join(agents)}; got {agent!r}")
    task = raw.get("task", "easy")
    if task not in TASKS:
        raise ValueError(f"task must be one of {', '.join(TASKS)}; got {task!r}")
    seed = raw.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be a whole number from 0 to {MAX_SEED}; got {seed!r}")
    return agent, task, seed


async def serve_dashboard_socket(websocket: WebSocket, options: DashboardOptions) -> None:
    """Handle one dashboard tab until it disconnects."""
    await websocket.accept()
    await websocket.send_text(
        json.dumps({"type": "hello", "agents": options.agents, "default_agent": options.agents[0]})
    )
    episode: _Episode | None = None
    running: asyncio.Task[None] | None = None
    try:
        while True:
            raw_text = await websocket.receive_text()
            try:
                message = json.loads(raw_text)
                if not isinstance(message, dict):
                    raise ValueError("a message must be a JSON object")
            except ValueError as exc:
                await _send_error(websocket, f"invalid message: {exc}")
                continue
            kind = message.get("type")
            if kind == "stop":
                if episode is not None:
                    episode.stop.set()
                continue
            if kind != "run":
                await _send_error(websocket, f"unknown message type {kind!r}: use run or stop")
                continue
            if running is not None and not running.done():
                await _send_error(websocket, "an episode is already running in this tab")
                continue
            try:
                agent, task, seed = parse_run(message, options.agents)
            except ValueError as exc:
                await _send_error(websocket, str(exc))
                continue
            episode = _Episode(options, agent, task, seed)
            running = asyncio.create_task(episode.play(websocket))
    except WebSocketDisconnect:
        pass
    finally:
        if episode is not None:
            episode.stop.set()
        if running is not None:
            try:
                await running
            except Exception:
                logger.debug("dashboard episode ended with the connection", exc_info=True)


async def _send_error(websocket: WebSocket, message: str) -> None:
    await websocket.send_text(json.dumps({"type": "error", "message": message}))
