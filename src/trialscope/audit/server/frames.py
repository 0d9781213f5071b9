"""The `/ws` frames the server accepts: anything else is answered with an error frame, costs no
step and leaves the session as it was.

openenv's own handler ends the session on some malformed frames (a JSON array, a number,
deep nesting) and reports others with messages that cannot be serialised, so the guard checks
every frame first. A reset frame also gets the caller's identity (the submitter) written in by
the guard, overwriting anything the client put there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from trialscope.audit.models import AuditAction
from trialscope.audit.server.environment import SUBMITTER_KEY

MAX_DEPTH = 16
MESSAGE_TYPES = ("reset", "step", "state", "close")


@dataclass(frozen=True)
class CheckedFrame:
    """The frame to pass on (possibly rewritten), or the error to answer with."""

    text: str = ""
    error: str | None = None
    code: str = "INVALID_FRAME"


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            return level
        if isinstance(node, dict):
            stack.extend((child, level + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, level + 1) for child in node)
    return deepest


def check_ws_frame(text: str, submitter: str) -> CheckedFrame:
    """Check one text frame sent to `/ws`."""
    try:
        message = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return CheckedFrame(error=f"invalid JSON: {str(exc)[:200]}", code="INVALID_JSON")
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        return CheckedFrame(
            error='a frame must be a JSON object with a "type" (reset, step, state or close)'
        )
    if _depth(message) > MAX_DEPTH:
        return CheckedFrame(error=f"the frame is nested deeper than {MAX_DEPTH} levels")
    kind = message["type"]
    if kind not in MESSAGE_TYPES:
        return CheckedFrame(
            error=f"unknown message type {kind[:40]!r}: use {', '.join(MESSAGE_TYPES)}",
            code="UNKNOWN_TYPE",
        )
    data = message.get("data", {})
    if not isinstance(data, dict):
        return CheckedFrame(error='"data" must be a JSON object')
    if kind == "step":
        try:
            AuditAction.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'action'}: {e['msg']}"
                for e in exc.errors()[:4]
            )
            return CheckedFrame(error=f"invalid action: {problems}", code="INVALID_ACTION")
        return CheckedFrame(text=json.dumps({"type": "step", "data": data}))
    if kind == "reset":
        return CheckedFrame(
            text=json.dumps({"type": "reset", "data": {**data, SUBMITTER_KEY: submitter}})
        )
    return CheckedFrame(text=json.dumps({"type": kind}))
