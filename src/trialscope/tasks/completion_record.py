"""The trial completion record and its termination categories (parsers and baselines read them)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from trialscope.tasks.record_base import TaskRecord

TERMINATION_CATEGORIES: tuple[str, ...] = (
    "enrollment issues",
    "feasibility",
    "lack of efficacy",
    "regulatory/approval",
    "safety issues",
)
"""The five termination-reason categories of the trial completion task."""

CRITERIA_CONTEXT = "eligibility_criteria"
"""`context[].type` of the item holding a trial's eligibility criteria."""
ARMS_CONTEXT = "arm_design"
"""`context[].type` of the item holding a trial's arms (the released data's value; it happens to
be the arm design task's name too)."""


class CompletionLabels(TaskRecord):
    """Whether the trial completed and, if not, why."""

    outcome: Literal["complete", "terminate"]
    terminate_type: str | None = None
    terminate_reason_desc: str | None = None

    @field_validator("outcome", mode="before")
    @classmethod
    def _normalise_outcome(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip().lower()
            return {"completed": "complete", "terminated": "terminate"}.get(text, text)
        return value


class CompletionRecord(TaskRecord):
    """Trial completion: design fields, criteria and arms in; outcome and reason as labels."""

    inputs: dict[str, Any]
    context: list[dict[str, Any]] = Field(default_factory=list)
    labels: CompletionLabels
    metadata: dict[str, Any] = Field(default_factory=dict)
