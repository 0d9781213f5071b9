"""The OpenEnv client for running audit servers (`/ws`), a pool that spreads sessions over
replicas, and how a model reads an observation."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from openenv.core.client_types import StepResult
from openenv.core.env_client import EnvClient

from trialscope.audit.models import AuditAction, AuditObservation, AuditState
from trialscope.audit.observation_size import dumps_result


class AuditClient(EnvClient[AuditAction, AuditObservation, AuditState]):
    """Async WebSocket client for a running audit server (`.sync()` for blocking use)."""

    def _step_payload(self, action: AuditAction) -> dict[str, Any]:
        return {"tool": action.tool, **action.arguments()}

    def _parse_result(self, payload: dict[str, Any]) -> StepResult[AuditObservation]:
        observation = AuditObservation(
            **payload.get("observation", {}),
            done=payload.get("done", False),
            reward=payload.get("reward"),
        )
        return StepResult(observation=observation, reward=observation.reward, done=observation.done)

    def _parse_state(self, payload: dict[str, Any]) -> AuditState:
        return AuditState(**payload)


def render_observation(observation: AuditObservation) -> str:
    """The text a model reads: the observation's text, then its result as compact JSON."""
    if observation.result is None:
        return observation.text
    return f"{observation.text}\n{dumps_result(observation.result)}"


class ServerPool:
    """Several audit servers (replicas): each new session goes to the one with the fewest open.

    Thread-safe: TRL creates wrappers from several threads, the runner from several tasks.
    """

    def __init__(self, urls: Sequence[str]) -> None:
        cleaned = [url.rstrip("/") for url in urls if url.strip()]
        if not cleaned:
            raise ValueError("a server pool needs at least one server URL")
        if len(set(cleaned)) != len(cleaned):
            raise ValueError(f"a server URL is listed twice: {', '.join(cleaned)}")
        self.urls: tuple[str, ...] = tuple(cleaned)
        self._open = dict.fromkeys(self.urls, 0)
        self._lock = threading.Lock()

    def acquire(self) -> str:
        """The least-busy server (the first listed on a tie); count a session on it."""
        with self._lock:
            url = min(self.urls, key=lambda u: self._open[u])
            self._open[url] += 1
            return url

    def release(self, url: str) -> None:
        """A session on `url` ended."""
        with self._lock:
            self._open[url] = max(0, self._open[url] - 1)

    def open_sessions(self) -> dict[str, int]:
        """Open sessions per server, now."""
        with self._lock:
            return dict(self._open)
