"""The environment's typed OpenEnv models: one action with a `tool` field, observation, state."""

from __future__ import annotations

from typing import Any, Literal

from openenv.core.env_server import Action, Observation, State
from pydantic import BaseModel, ConfigDict, Field

ToolName = Literal[
    "query_records",
    "investigate_pattern",
    "compute_distribution",
    "flag_error",
    "propose_fix",
    "submit_report",
]
MAX_TEXT_CHARS = 20_000


class RecordFilter(BaseModel):
    """One condition on a record field, e.g. `{"field": "age", "op": "<", "value": 40}`."""

    model_config = ConfigDict(extra="forbid")

    field: str = Field(max_length=64)
    op: Literal["==", "!=", "<", "<=", ">", ">=", "in", "is_null", "not_null"] = "=="
    value: Any = None


class AuditAction(Action):
    """A tool call: `tool` plus the arguments that tool takes (see `trialscope.audit.tools`)."""

    tool: ToolName
    filters: list[RecordFilter] | None = Field(default=None, max_length=8)
    fields: list[str] | None = Field(default=None, max_length=30)
    page: int = Field(default=1, ge=1, le=10_000)
    page_size: int = Field(default=20, ge=1, le=50)
    variable: str | None = Field(default=None, max_length=64)
    stratify_by: str | None = Field(default=None, max_length=64)
    patient_id: str | None = Field(default=None, max_length=32)
    error_type: str | None = Field(default=None, max_length=64)
    reason: str | None = Field(default=None, max_length=2_000)
    confidence: float = Field(default=0.5, ge=0.0, le=1.0)
    proposed_value: str | None = Field(default=None, max_length=200)
    report: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)


class AuditObservation(Observation):
    """What the agent sees: short text, a structured result, and the workflow position."""

    text: str = ""
    result: dict[str, Any] | None = None
    error: str | None = None
    task: str = ""
    phase: Literal["investigation", "flagging", "finished"] = "investigation"
    steps_remaining: int = 0
    feedback: str | None = Field(default=None, description="train mode only")


class AuditState(State):
    """Episode state; in eval mode it holds nothing that reveals correctness."""

    task: str = ""
    seed: int | None = None
    mode: Literal["eval", "train"] = "eval"
    step_budget: int = 0
    done: bool = False
    phase: str = "investigation"
    investigated: list[str] = Field(default_factory=list)
    distributions: list[str] = Field(default_factory=list)
    flags: list[dict[str, Any]] = Field(default_factory=list)
    score_so_far: float | None = Field(default=None, description="train mode only")
