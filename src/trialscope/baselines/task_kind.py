"""Which of the five answer shapes a task expects, from its name or data folder names."""

from __future__ import annotations

from enum import StrEnum

from trialscope.tasks.base import Task


class TaskKind(StrEnum):
    """The answer shapes of the eight tasks (four of them are multiple choice)."""

    SEARCH = "search"
    SCREENING = "screening"
    COMPLETION = "completion"
    CHOICE = "choice"
    SAMPLE_SIZE = "sample_size"


_KIND_BY_NAME: dict[str, TaskKind] = {
    "study_search": TaskKind.SEARCH,
    "study_screening": TaskKind.SCREENING,
    "trial_completion": TaskKind.COMPLETION,
    "trial_completion_assessment": TaskKind.COMPLETION,
    "arm_design": TaskKind.CHOICE,
    "design_arms_qa": TaskKind.CHOICE,
    "eligibility_criteria_design": TaskKind.CHOICE,
    "design_criteria_qa": TaskKind.CHOICE,
    "endpoint_design": TaskKind.CHOICE,
    "design_outcome_qa": TaskKind.CHOICE,
    "evidence_summary": TaskKind.CHOICE,
    "evidence_summary_qa": TaskKind.CHOICE,
    "sample_size_estimation": TaskKind.SAMPLE_SIZE,
}


def kind_of_name(name: str) -> TaskKind | None:
    """The kind of a task or folder name, or None when the name is unknown."""
    return _KIND_BY_NAME.get(name.strip().lower().replace("-", "_"))


def task_kind(task: Task) -> TaskKind:
    """The answer shape `task` expects; raises ValueError for a task no baseline knows."""
    names = (task.name, *getattr(task, "folder_names", ()))
    for name in names:
        kind = kind_of_name(name)
        if kind is not None:
            return kind
    known = ", ".join(sorted(_KIND_BY_NAME))
    raise ValueError(f"no offline baseline answers task {task.name!r}; known tasks: {known}")
