"""The agent's tools, each declared once as a typed pydantic model (arguments, limits, description).

Everything else derives from `TOOLS`: the JSON schemas (`tool_specs`), the action parsing
(`AuditAction` validates its arguments with the tool's model), the TRL wrapper methods, the MCP
tool listing and the `declared_tools` of openenv.yaml. Adding a tool means one model here and one
handler in `trialscope.audit.server.dispatch`.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_TEXT_CHARS = 20_000
MAX_FILTERS = 8
FILTER_OPS = ("==", "!=", "<", "<=", ">", ">=", "in", "is_null", "not_null")
Scalar = str | int | float | bool | None


class RecordFilter(BaseModel):
    """One condition on a record field, e.g. `{"field": "age", "op": "<", "value": 40}`."""

    model_config = ConfigDict(extra="forbid")

    field: str = Field(max_length=64, description="record or derived field")
    op: Literal["==", "!=", "<", "<=", ">", ">=", "in", "is_null", "not_null"] = Field(
        default="==", description="comparison"
    )
    value: Scalar | list[Scalar] = Field(
        default=None, description="number, ISO date or string; a list (at most 50) for `in`"
    )

    @model_validator(mode="after")
    def _value_fits_the_op(self) -> RecordFilter:
        if self.op == "in":
            if not isinstance(self.value, list) or len(self.value) > 50:
                raise ValueError("`in` needs a list of at most 50 values")
        elif isinstance(self.value, list):
            raise ValueError(f"`{self.op}` compares with one value, not a list")
        return self


class ToolCall(BaseModel):
    """A tool's arguments; the subclass's docstring is the tool's description."""

    model_config = ConfigDict(extra="forbid")

    name: ClassVar[str]
    description: ClassVar[str]


class QueryRecords(ToolCall):
    """Page through patient records matching all filters (AND). Derived fields delay_days
    (treatment_start - enrollment_date) and death_after_start_days (death_date -
    treatment_start) can be filtered and returned. Returns at most page_size rows with
    patient_id plus the chosen fields."""

    name = "query_records"
    filters: list[RecordFilter] = Field(
        default_factory=list,
        max_length=MAX_FILTERS,
        description='conditions combined with AND, e.g. [{"field": "age", "op": ">", "value": 75}]',
    )
    fields: list[str] | None = Field(
        default=None, max_length=30, description='fields to return besides patient_id, e.g. ["age"]'
    )
    page: int = Field(default=1, ge=1, le=10_000, description="page number, from 1")
    page_size: int = Field(default=20, ge=1, le=50, description="rows per page, 1 to 50")


class InvestigatePattern(ToolCall):
    """Summarise one variable over all patients (range, quantiles, missing values, top values).
    Investigating the task's key variables unlocks flagging."""

    name = "investigate_pattern"
    variable: str = Field(max_length=64, description='the field to summarise, e.g. "age"')


class ComputeDistribution(ToolCall):
    """Distribution of a variable by treatment arm, optionally stratified by another variable
    (e.g. stage or treatment_site). For outcome it reports mortality rates."""

    name = "compute_distribution"
    variable: str = Field(max_length=64, description='the field to tabulate, e.g. "ethnicity"')
    stratify_by: str | None = Field(
        default=None, max_length=64, description='optional field to stratify by, e.g. "stage"'
    )


class FlagError(ToolCall):
    """Flag one patient's error, or a trial-level error (selection_bias) without a patient_id.
    Each patient can be flagged once. State your real probability of being right as
    confidence: a right flag earns 1 - 2(1-c)^2, a wrong one costs 2c^2."""

    name = "flag_error"
    error_type: str = Field(
        max_length=64,
        description="invalid_age, temporal_inconsistency, protocol_window_violation or "
        "selection_bias (trial level)",
    )
    patient_id: str | None = Field(default=None, max_length=32, description='e.g. "P0042"')
    reason: str | None = Field(
        default=None, max_length=2_000, description="the rule broken and the values that show it"
    )
    confidence: float = Field(
        default=0.5, ge=0.0, le=1.0, description="your probability that the flag is right"
    )


class ProposeFix(ToolCall):
    """Propose a corrected value for a flagged patient's erroneous field."""

    name = "propose_fix"
    patient_id: str = Field(max_length=32, description="the flagged patient's id")
    proposed_value: str = Field(
        min_length=1, max_length=200, description="the value the field should hold"
    )


class SubmitReport(ToolCall):
    """Submit the final audit report and end the episode. Cite each finding as a patient id
    with its error type and the rule it breaks; for bias, state the stage-stratified evidence
    and your conclusion."""

    name = "submit_report"
    report: str = Field(max_length=MAX_TEXT_CHARS, description="the findings")


TOOLS: dict[str, type[ToolCall]] = {
    model.name: model
    for model in (
        QueryRecords,
        InvestigatePattern,
        ComputeDistribution,
        FlagError,
        ProposeFix,
        SubmitReport,
    )
}
TOOL_NAMES: tuple[str, ...] = tuple(TOOLS)


def tool_description(model: type[ToolCall]) -> str:
    """The tool's description: its docstring on one line."""
    return " ".join((model.__doc__ or "").split())


def tool_schema(model: type[ToolCall]) -> dict[str, Any]:
    """The JSON schema of a tool's arguments (inlined, no `$ref`)."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})
    schema.pop("title", None)
    schema.pop("description", None)
    return _inline(schema, definitions)


def _inline(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline(definitions[node["$ref"].rsplit("/", 1)[-1]], definitions)
        return {k: _inline(v, definitions) for k, v in node.items() if k != "title"}
    if isinstance(node, list):
        return [_inline(item, definitions) for item in node]
    return node


def tool_specs() -> list[dict[str, Any]]:
    """Name, description and JSON-schema parameters of every tool."""
    return [
        {"name": name, "description": tool_description(model), "parameters": tool_schema(model)}
        for name, model in TOOLS.items()
    ]


TOOL_SPECS: list[dict[str, Any]] = tool_specs()
