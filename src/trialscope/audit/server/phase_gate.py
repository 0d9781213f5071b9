"""The phase gate: flagging waits for the investigations the task (and a trial rule) requires."""

from __future__ import annotations

from trialscope.audit.difficulty import Difficulty
from trialscope.audit.rules import TRIAL_RULES
from trialscope.audit.server.progress import Progress


def flagging_open(progress: Progress, difficulty: Difficulty) -> bool:
    """Whether every key variable was investigated."""
    return all(v in progress.investigated for v in difficulty.key_variables)


def missing_for_flag(progress: Progress, difficulty: Difficulty, error_type: str) -> list[str]:
    """What must still be investigated or computed before a flag of this type is accepted."""
    missing = [v for v in difficulty.key_variables if v not in progress.investigated]
    rule = TRIAL_RULES.get(error_type)
    if rule is not None:
        missing += [v for v in rule.required_distributions if v not in progress.distributions]
    return missing
