"""The three audit tasks: size, step budget, error types and the variables each must investigate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from trialscope.audit.error_types import ErrorType

TaskName = Literal["easy", "medium", "hard"]
TASK_NAMES: tuple[TaskName, ...] = ("easy", "medium", "hard")

ERROR_TYPES: tuple[str, ...] = tuple(e.value for e in ErrorType)
BIAS_DISTRIBUTIONS: tuple[str, ...] = ("ethnicity", "gender", "outcome")
"""The unstratified distributions agents compute for the bias rule (it also needs outcome by
stage: see `rules.TRIAL_RULES`)."""


@dataclass(frozen=True)
class Difficulty:
    """What one task asks of the auditor."""

    name: TaskName
    title: str
    n_patients: int
    step_budget: int
    error_types: tuple[str, ...]
    key_variables: tuple[str, ...]


DIFFICULTIES: dict[str, Difficulty] = {
    "easy": Difficulty(
        name="easy",
        title="Dynamic eligibility screening",
        n_patients=300,
        step_budget=25,
        error_types=(ErrorType.INVALID_AGE.value,),
        key_variables=("age",),
    ),
    "medium": Difficulty(
        name="medium",
        title="Protocol timeline audit",
        n_patients=480,
        step_budget=50,
        error_types=ERROR_TYPES[:3],
        key_variables=("age", "death_date", "enrollment_date", "stage"),
    ),
    "hard": Difficulty(
        name="hard",
        title="Equity and protocol audit",
        n_patients=720,
        step_budget=75,
        error_types=ERROR_TYPES,
        key_variables=("age", "death_date", "enrollment_date", "stage", "comorbidity_index"),
    ),
}


def difficulty_of(task: str) -> Difficulty:
    """The task's settings; accepts `easy` and the reference's `task_easy` spelling."""
    key = task.removeprefix("task_").lower()
    if key not in DIFFICULTIES:
        raise ValueError(f"unknown audit task {task!r}: expected one of easy, medium, hard")
    return DIFFICULTIES[key]
