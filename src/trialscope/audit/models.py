"""The environment's typed OpenEnv models: one action (`tool` plus that tool's arguments), the
observation and the state. The action's arguments are validated by the tool's own model in
`trialscope.audit.tools`, which is where each tool is declared."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

from openenv.core.env_server import Action, Observation, State
from pydantic import ConfigDict, Field, PrivateAttr, model_validator

from trialscope.audit.tools import TOOLS, RecordFilter, ToolCall, tool_schema

Mode = Literal["eval", "train"]
MODES: tuple[Mode, ...] = ("eval", "train")

__all__ = [
    "MODES",
    "ActionErrorCode",
    "AuditAction",
    "AuditObservation",
    "AuditState",
    "Mode",
    "RecordFilter",
]


class ActionErrorCode(StrEnum):
    """Why a frame or an action was not carried out (the `code` of an error)."""

    INVALID_FRAME = "INVALID_FRAME"
    """Not a JSON object with a message `type` (or nested too deeply): no step is spent."""
    INVALID_ACTION = "INVALID_ACTION"
    """Not a valid tool call (unknown tool, wrong argument types): no step is spent."""
    QUERY_ERROR = "QUERY_ERROR"
    """A valid call the episode cannot carry out (unknown field or patient): a step is spent."""
    LOCKED = "LOCKED"
    """The phase gate: flagging before the required investigations."""
    FINISHED = "FINISHED"
    """The episode is over; nothing changes."""
    NO_EPISODE = "NO_EPISODE"
    """No reset yet."""
    SUITE_EXHAUSTED = "SUITE_EXHAUSTED"
    """Every episode of the eval suite was already played with this token."""


def _action_schema(schema: dict[str, Any]) -> None:
    schema["oneOf"] = [
        {
            "type": "object",
            "properties": {"tool": {"const": name}, **tool_schema(model).get("properties", {})},
            "required": ["tool", *tool_schema(model).get("required", [])],
        }
        for name, model in TOOLS.items()
    ]
    schema["properties"]["tool"]["enum"] = list(TOOLS)


class AuditAction(Action):
    """A tool call: `tool` plus that tool's arguments, e.g. `{"tool": "investigate_pattern",
    "variable": "age"}`. Arguments are checked by the tool's model; `call` is the typed call."""

    model_config = ConfigDict(extra="allow", json_schema_extra=_action_schema)

    tool: str = Field(description="the tool to call")
    _call: ToolCall = PrivateAttr()

    if TYPE_CHECKING:  # the tool's arguments are attributes (e.g. `action.variable`)

        def __getattr__(self, name: str) -> Any: ...

    @model_validator(mode="after")
    def _check_arguments(self) -> AuditAction:
        model = TOOLS.get(self.tool)
        if model is None:
            raise ValueError(f"unknown tool {self.tool!r}; expected one of {', '.join(TOOLS)}")
        self._call = model.model_validate(dict(self.model_extra or {}))
        # The tool's arguments with their defaults, so `action.page` is always there.
        object.__setattr__(
            self,
            "__pydantic_extra__",
            {k: getattr(self._call, k) for k in type(self._call).model_fields},
        )
        return self

    @property
    def call(self) -> ToolCall:
        """The typed call (an instance of the tool's model)."""
        return self._call

    def arguments(self) -> dict[str, Any]:
        """The tool's arguments as JSON-ready values."""
        return self._call.model_dump(mode="json")


class AuditObservation(Observation):
    """What the agent sees: short text, a structured result, and the workflow position."""

    text: str = ""
    result: dict[str, Any] | None = None
    error: str | None = None
    error_code: ActionErrorCode | None = None
    task: str = ""
    phase: Literal["investigation", "flagging", "finished"] = "investigation"
    steps_remaining: int = 0
    feedback: str | None = Field(default=None, description="train mode only")


class AuditState(State):
    """Episode state; in eval mode it holds nothing that reveals correctness or the episode."""

    task: str = ""
    seed: int | None = Field(default=None, description="local and train episodes only")
    mode: Mode = "eval"
    step_budget: int = 0
    done: bool = False
    phase: str = "investigation"
    investigated: list[str] = Field(default_factory=list)
    distributions: list[str] = Field(default_factory=list)
    flags: list[dict[str, Any]] = Field(default_factory=list)
    score_so_far: float | None = Field(default=None, description="train mode only")
