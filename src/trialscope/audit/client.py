"""The OpenEnv client for a running audit server (`/ws`), and how a model reads an observation."""

from __future__ import annotations

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
