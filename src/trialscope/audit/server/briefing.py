"""The reset observation: the task, the protocol in words and as parameters, the tools."""

from __future__ import annotations

from typing import Any

from trialscope.audit.difficulty import Difficulty
from trialscope.audit.generator import Episode
from trialscope.audit.queries import DERIVED_FIELDS, RecordTable
from trialscope.audit.rules import rule_descriptions, trial_rules_of
from trialscope.audit.tools import TOOL_NAMES


def briefing(
    episode: Episode, difficulty: Difficulty, table: RecordTable, seed: int | None
) -> tuple[str, dict[str, Any]]:
    """The briefing text and its structured result; `seed` is None for eval suite episodes."""
    protocol = episode.protocol
    gates = [f"Investigate {', '.join(difficulty.key_variables)} before flagging"]
    for rule in trial_rules_of(difficulty.error_types):
        gates.append(
            f"compute distributions of {', '.join(rule.required_distributions)} before a "
            f"{rule.error_type} flag"
        )
    rules = "\n".join([protocol.describe(), *rule_descriptions(difficulty.error_types)])
    text = (
        f"{difficulty.title} ({difficulty.name}): audit {difficulty.n_patients} patient records "
        f"against the protocol below in at most {difficulty.step_budget} tool calls.\n"
        f"{rules}\n"
        f"{'; '.join(gates)}. Tools: {', '.join(TOOL_NAMES)}. End with submit_report."
    )
    result: dict[str, Any] = {
        "protocol": protocol.parameters(),
        "fields": [f for f in table.fields if f not in DERIVED_FIELDS],
        "derived_fields": list(DERIVED_FIELDS),
        "key_variables": list(difficulty.key_variables),
        "error_types": list(difficulty.error_types),
        "n_patients": difficulty.n_patients,
        "step_budget": difficulty.step_budget,
    }
    if seed is not None:
        result["seed"] = seed
    return text, result
