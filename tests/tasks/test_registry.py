"""The task registry: canonical names, aliases, options and prompt fingerprints."""

from __future__ import annotations

import pytest

from trialscope.tasks.base import Task
from trialscope.tasks.registry import (
    ALIASES,
    TASK_NAMES,
    UnknownTaskError,
    all_folder_names,
    canonical_name,
    get_task,
)
from trialscope.tasks.study_screening import StudyScreeningTask
from trialscope.tasks.study_search import StudySearchTask


def test_eight_canonical_tasks() -> None:
    assert TASK_NAMES == (
        "study_search",
        "study_screening",
        "trial_completion",
        "arm_design",
        "eligibility_criteria_design",
        "endpoint_design",
        "evidence_summary",
        "sample_size_estimation",
    )
    for name in TASK_NAMES:
        task = get_task(name)
        assert isinstance(task, Task)
        assert task.name == name
        assert task.headline_metrics


@pytest.mark.parametrize(("alias", "canonical"), sorted(ALIASES.items()))
def test_readme_names_map_to_canonical(alias: str, canonical: str) -> None:
    assert get_task(alias).name == canonical
    assert canonical_name(alias.upper().replace("_", "-")) == canonical


def test_unknown_name_lists_the_valid_ones() -> None:
    with pytest.raises(UnknownTaskError) as error:
        get_task("trial_design")
    for name in TASK_NAMES:
        assert name in str(error.value)


def test_options_reach_the_task() -> None:
    screening = get_task("study_screening", batch_size=3)
    assert isinstance(screening, StudyScreeningTask) and screening.batch_size == 3
    search = get_task("study_search", backend="pubmed", k_values=[10, 50])
    assert isinstance(search, StudySearchTask) and search.k_values == (10, 50, 100, 500)
    with pytest.raises(ValueError, match="bad options for task 'arm_design'"):
        get_task("arm_design", backend="bm25")


def test_both_folder_conventions_are_known() -> None:
    names = set(all_folder_names())
    assert {
        "trial_completion",
        "trial_completion_assessment",
        "design_arms_qa",
        "arm_design",
    } <= names
    assert {"evidence_summary_qa", "evidence_summary", "design_outcome_qa"} <= names


def test_prompt_fingerprint_is_a_stable_sha256_of_the_templates() -> None:
    fingerprints = {name: get_task(name).prompt_fingerprint() for name in TASK_NAMES}
    assert len(set(fingerprints.values())) == len(TASK_NAMES)
    for name, fingerprint in fingerprints.items():
        assert len(fingerprint) == 64
        assert get_task(name).prompt_fingerprint() == fingerprint
