"""Read an LLM's reply into an AuditAction, tolerating fences, prose and loose argument shapes."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from trialscope.audit.models import AuditAction
from trialscope.audit.tools import TOOL_NAMES, TOOLS

TOOL_KEYS = ("tool", "action", "action_type", "name", "function")
ARGUMENT_KEYS = ("arguments", "args", "parameters", "params", "input")
TOOL_ARGUMENTS: dict[str, set[str]] = {
    name: set(model.model_fields) for name, model in TOOLS.items()
}
ACTION_FIELDS = set().union(*TOOL_ARGUMENTS.values())
"""Each tool's own arguments: others a (small) model adds are noise and are dropped."""


class ActionParseError(ValueError):
    """The reply holds no usable action; the message tells the model what to fix."""


def json_objects(text: str) -> list[Any]:
    """Every top-level JSON object in the text, in order (braces inside strings respected)."""
    found: list[Any] = []
    decoder = json.JSONDecoder()
    index = text.find("{")
    while index != -1:
        try:
            value, end = decoder.raw_decode(text, index)
        except json.JSONDecodeError:
            index = text.find("{", index + 1)
            continue
        found.append(value)
        index = text.find("{", end)
    return found


def action_from_mapping(data: dict[str, Any]) -> AuditAction:
    """Build the action from a dict in any of the common tool-call shapes."""
    if isinstance(data.get("function"), dict):
        data = data["function"]
    tool = next((data[k] for k in TOOL_KEYS if isinstance(data.get(k), str)), None)
    if tool is None:
        raise ActionParseError(f'no tool name; use {{"tool": one of {", ".join(TOOL_NAMES)}, ...}}')
    tool = tool.strip()
    if tool not in TOOL_NAMES:
        raise ActionParseError(f"unknown tool {tool!r}; expected one of {', '.join(TOOL_NAMES)}")
    arguments: dict[str, Any] = {}
    for key in ARGUMENT_KEYS:
        nested = data.get(key)
        if isinstance(nested, str):
            parsed = json_objects(nested)
            nested = parsed[0] if parsed else None
        if isinstance(nested, dict):
            arguments.update(nested)
    arguments.update({k: v for k, v in data.items() if k in ACTION_FIELDS})
    allowed = ACTION_FIELDS & TOOL_ARGUMENTS.get(tool, ACTION_FIELDS)
    clean = {k: v for k, v in arguments.items() if k in allowed and v is not None}
    if isinstance(clean.get("filters"), dict):
        clean["filters"] = [clean["filters"]]
    if isinstance(clean.get("fields"), str):
        clean["fields"] = [f.strip() for f in clean["fields"].split(",") if f.strip()]
    if "proposed_value" in clean:
        clean["proposed_value"] = str(clean["proposed_value"])
    if "report" in clean and not isinstance(clean["report"], str):
        clean["report"] = json.dumps(clean["report"])
    try:
        return AuditAction.model_validate({"tool": tool, **clean})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:3]
        )
        raise ActionParseError(f"bad arguments for {tool}: {problems}") from exc


def parse_action(text: str) -> AuditAction:
    """The first JSON object in the reply that is a valid action."""
    objects = [o for o in json_objects(text) if isinstance(o, dict)]
    if not objects:
        raise ActionParseError("no JSON object found; reply with one JSON object")
    first_error: ActionParseError | None = None
    for candidate in objects:
        try:
            return action_from_mapping(candidate)
        except ActionParseError as exc:
            first_error = first_error or exc
    assert first_error is not None
    raise first_error
