"""The 8 KB observation limit: measure an observation and cut its result to fit."""

from __future__ import annotations

import json
from typing import Any

from trialscope.audit.models import AuditObservation

MAX_OBSERVATION_BYTES = 8000


def observation_bytes(obs: AuditObservation) -> int:
    """Serialized size of an observation as the server sends it."""
    return len(obs.model_dump_json().encode())


def fit_observation(obs: AuditObservation) -> AuditObservation:
    """Keep every observation under 8 KB: drop rows (or strata) and say so."""
    if observation_bytes(obs) <= MAX_OBSERVATION_BYTES:
        return obs
    result = dict(obs.result or {})
    if isinstance(result.get("rows"), list):
        rows = list(result["rows"])
        while (
            rows
            and observation_bytes(obs.model_copy(update={"result": {**result, "rows": rows}}))
            > MAX_OBSERVATION_BYTES - 120
        ):
            rows.pop()
        result.update(
            rows=rows,
            truncated=True,
            note="rows cut to fit 8 KB; ask for fewer fields or a smaller page_size",
        )
        obs = obs.model_copy(update={"result": result})
    if isinstance(result.get("strata"), dict) and observation_bytes(obs) > MAX_OBSERVATION_BYTES:
        strata = {
            k: {arm: {kk: vv for kk, vv in v.items() if kk != "shares"} for arm, v in arms.items()}
            for k, arms in result["strata"].items()
        }
        result.update(strata=strata, truncated=True, note="shares dropped to fit 8 KB")
        obs = obs.model_copy(update={"result": result})
    if observation_bytes(obs) > MAX_OBSERVATION_BYTES:
        obs = obs.model_copy(
            update={"result": {"truncated": True, "note": "result over 8 KB; narrow the request"}}
        )
    if observation_bytes(obs) > MAX_OBSERVATION_BYTES:
        obs = obs.model_copy(update={"text": obs.text[:2000] + " [truncated]"})
    return obs


def dumps_result(result: dict[str, Any] | None) -> str:
    """Compact JSON of a tool result (what LLM agents read)."""
    return json.dumps(result, separators=(",", ":"), default=str)
