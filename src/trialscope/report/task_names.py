"""Canonical task names, the aliases old and new run folders use, and display labels."""

from __future__ import annotations

from trialscope.tasks.names import ALIASES as _ALIASES
from trialscope.tasks.names import TASK_NAMES as CANONICAL_TASKS

_LABELS: dict[str, str] = {
    "study_search": "Study search",
    "study_screening": "Study screening",
    "trial_completion": "Trial completion",
    "arm_design": "Arm design",
    "eligibility_criteria_design": "Criteria design",
    "endpoint_design": "Endpoint design",
    "evidence_summary": "Evidence summary",
    "sample_size_estimation": "Sample size",
}

CALIBRATED_TASKS: frozenset[str] = frozenset({"study_screening", "trial_completion"})


def canonical_task(name: str) -> str:
    """The canonical name for a task folder or `task` field (unknown names pass through)."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    return _ALIASES.get(key, key)


def task_label(name: str) -> str:
    """A short human label for a task."""
    return _LABELS.get(name, name.replace("_", " ").capitalize())


def task_order(name: str) -> tuple[int, str]:
    """Sort key: the paper's task order first, unknown tasks after, alphabetically."""
    if name in CANONICAL_TASKS:
        return (CANONICAL_TASKS.index(name), name)
    return (len(CANONICAL_TASKS), name)
