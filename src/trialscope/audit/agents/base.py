"""The agent contract: see an observation, answer with one action (None when finished)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from trialscope.audit.models import AuditAction, AuditObservation
from trialscope.audit.protocol import Protocol


class AuditAgent(ABC):
    """An auditor driven by the runner, one action per observation."""

    name: str = "agent"
    model: str | None = None

    @abstractmethod
    def reset(self, observation: AuditObservation) -> None:
        """Start a new episode from its first observation."""

    @abstractmethod
    async def act(self, observation: AuditObservation) -> AuditAction | None:
        """The next action, or None when the agent is finished."""

    async def aclose(self) -> None:  # noqa: B027 (optional hook; most agents hold nothing)
        """Release any model connection."""


def protocol_from_observation(observation: AuditObservation) -> Protocol:
    """The protocol parameters the reset observation carries, as a Protocol."""
    params: dict[str, Any] = dict((observation.result or {}).get("protocol") or {})
    if not params:
        raise ValueError("the observation carries no protocol (is it the reset observation?)")
    params["high_risk_sites"] = tuple(params.get("high_risk_sites") or ())
    params["error_types"] = tuple(params.get("error_types") or ())
    return Protocol(**params)
