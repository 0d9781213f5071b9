"""The eight tasks by name: canonical names, the README's and released data's aliases."""

from __future__ import annotations

from typing import Any

from trialscope.errors import ConfigurationError
from trialscope.tasks.base import Task
from trialscope.tasks.multiple_choice import (
    ArmDesignTask,
    EligibilityCriteriaDesignTask,
    EndpointDesignTask,
    EvidenceSummaryTask,
)
from trialscope.tasks.names import ALIASES, TASK_NAMES
from trialscope.tasks.sample_size import SampleSizeTask
from trialscope.tasks.study_screening import StudyScreeningTask
from trialscope.tasks.study_search import StudySearchTask
from trialscope.tasks.trial_completion import TrialCompletionTask

TASK_CLASSES: dict[str, type[Task]] = {
    "study_search": StudySearchTask,
    "study_screening": StudyScreeningTask,
    "trial_completion": TrialCompletionTask,
    "arm_design": ArmDesignTask,
    "eligibility_criteria_design": EligibilityCriteriaDesignTask,
    "endpoint_design": EndpointDesignTask,
    "evidence_summary": EvidenceSummaryTask,
    "sample_size_estimation": SampleSizeTask,
}

if tuple(TASK_CLASSES) != TASK_NAMES:
    raise RuntimeError("trialscope.tasks.names and the registry disagree on the tasks")


class TaskOptionsError(ConfigurationError, ValueError):
    """A task was given options it does not take."""


class UnknownTaskError(ConfigurationError, ValueError):
    """A task name that is neither canonical nor a known alias."""


def canonical_name(name: str) -> str:
    """The canonical name for a canonical name or an alias (case- and dash-blind)."""
    key = name.strip().lower().replace("-", "_")
    if key in TASK_CLASSES:
        return key
    if key in ALIASES:
        return ALIASES[key]
    valid = ", ".join(TASK_NAMES)
    aliases = ", ".join(sorted(ALIASES))
    raise UnknownTaskError(f"unknown task {name!r}: expected one of {valid} (or {aliases})")


def get_task(name: str, **options: Any) -> Task:
    """A task by name with its options (`study_search`: backend, k_values, cache_dir;
    `study_screening`: batch_size, max_prompt_chars)."""
    cls = TASK_CLASSES[canonical_name(name)]
    try:
        return cls(**options)
    except TypeError as error:
        raise TaskOptionsError(f"bad options for task {cls.name!r}: {error}") from error


def all_folder_names() -> tuple[str, ...]:
    """Every task folder name either convention uses."""
    return tuple(name for cls in TASK_CLASSES.values() for name in cls.folder_names)
