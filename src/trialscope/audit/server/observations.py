"""Observations as the agent receives them: always under 8 KB, errors with a code."""

from __future__ import annotations

from typing import Any, Literal

from trialscope.audit.models import ActionErrorCode, AuditObservation, AuditState
from trialscope.audit.observation_size import fit_observation


def phase_of(value: str) -> Literal["investigation", "flagging", "finished"]:
    """The state's phase as the observation's literal."""
    if value == "flagging":
        return "flagging"
    return "finished" if value == "finished" else "investigation"


def observation(
    state: AuditState,
    text: str,
    result: dict[str, Any] | None = None,
    error: str | None = None,
    code: ActionErrorCode | None = None,
    reward: float | None = None,
    feedback: str | None = None,
) -> AuditObservation:
    """An observation of the current state, cut to fit 8 KB."""
    return fit_observation(
        AuditObservation(
            text=f"Error: {error}" if error is not None and not text else text,
            result=result,
            error=error,
            error_code=code if error is not None else None,
            task=state.task,
            phase=phase_of(state.phase),
            steps_remaining=max(state.step_budget - state.step_count, 0),
            feedback=feedback,
            done=state.done,
            reward=reward,
        )
    )


def refusal(state: AuditState, message: str, code: ActionErrorCode) -> AuditObservation:
    """An observation that refuses a call and changes nothing (no step is spent)."""
    return observation(state, "", error=message, code=code, reward=0.0)
