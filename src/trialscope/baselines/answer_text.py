"""The raw answer strings baselines send, in the exact JSON formats the task parsers read."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from trialscope.tasks.completion_record import TERMINATION_CATEGORIES

TERMINATION_REASONS: tuple[str, ...] = TERMINATION_CATEGORIES


@dataclass(frozen=True)
class ScreeningDecision:
    """One candidate study's decision; `confidence` is in [0, 1]."""

    pmid: str
    included: bool
    confidence: float


def _percent(confidence: float) -> int:
    return round(min(max(confidence, 0.0), 1.0) * 100)


def search_answer(query: str) -> str:
    """`{"query": ...}`."""
    return json.dumps({"query": query})


def screening_answer(decisions: Iterable[ScreeningDecision]) -> str:
    """`{"results": [{"PMID", "decision", "confidence"}]}` for one batch of candidates."""
    results = [
        {
            "PMID": decision.pmid,
            "decision": "included" if decision.included else "excluded",
            "confidence": _percent(decision.confidence),
        }
        for decision in decisions
    ]
    return json.dumps({"results": results})


def completion_answer(
    outcome: str, confidence: float, termination_reason: str | None, explanation: str
) -> str:
    """`{"outcome", "confidence", "termination_reason", "explanation"}`."""
    if outcome not in ("complete", "terminate"):
        raise ValueError(f"outcome must be 'complete' or 'terminate', got {outcome!r}")
    if termination_reason is not None and termination_reason not in TERMINATION_REASONS:
        raise ValueError(f"termination_reason {termination_reason!r} is not a known category")
    return json.dumps(
        {
            "outcome": outcome,
            "confidence": _percent(confidence),
            "termination_reason": termination_reason,
            "explanation": explanation,
        }
    )


def choice_answer(letter: str, thinking: str) -> str:
    """`{"step_by_step_thinking", "answer_choice"}`."""
    return json.dumps({"step_by_step_thinking": thinking, "answer_choice": letter})


def sample_size_answer(sample_size: int, thinking: str) -> str:
    """`{"step_by_step_thinking", "sample_size_needed"}`."""
    return json.dumps({"step_by_step_thinking": thinking, "sample_size_needed": int(sample_size)})
