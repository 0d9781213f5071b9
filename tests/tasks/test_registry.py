"""The task registry: every name resolves to its task, conflicts and broken plugins are refused."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest

from trialscope.errors import ConfigurationError
from trialscope.tasks.base import AnswerKind, Task
from trialscope.tasks.multiple_choice import MultipleChoiceTask
from trialscope.tasks.registry import (
    BUILTIN_TASKS,
    TaskRegistry,
    UnknownTaskError,
    default_registry,
    get_task,
    task_names,
)
from trialscope.tasks.study_screening import StudyScreeningTask
from trialscope.tasks.study_search import StudySearchTask


class ExtraChoiceTask(MultipleChoiceTask):
    """A ninth task, as a plugin would declare it."""

    name = "extra_choice"
    label = "Extra choice"
    short_label = "extra"
    answer_kind = AnswerKind.CHOICE
    folder_names = ("extra_choice", "extra_choice_qa")
    aliases = ("more_choice",)
    default_system_prompt = "Pick one. Answer in JSON."


def _entry(name: str, value: str) -> EntryPoint:
    return EntryPoint(name=name, value=value, group="trialscope.tasks")


@pytest.mark.parametrize("cls", BUILTIN_TASKS, ids=lambda cls: cls.name)
def test_every_name_of_a_task_resolves_to_it_in_any_spelling(cls: type[Task]) -> None:
    registry = default_registry()
    for name in (cls.name, *cls.folder_names, *cls.aliases):
        for spelling in (name, name.upper(), name.replace("_", "-"), f" {name} "):
            assert registry.canonical_name(spelling) == cls.name
    task = get_task(cls.name)
    assert type(task) is cls and task.name == cls.name


@pytest.mark.parametrize("cls", BUILTIN_TASKS, ids=lambda cls: cls.name)
def test_every_task_declares_its_facts(cls: type[Task]) -> None:
    assert cls.name == cls.name.lower() and " " not in cls.name
    assert cls.label and 0 < len(cls.short_label) <= 8
    assert isinstance(cls.answer_kind, AnswerKind)
    assert cls.headline_metrics and cls.folder_names
    task = get_task(cls.name)
    # an empty run still aggregates to the declared headline metrics
    summary = task.aggregate([])
    assert summary["headline"] == list(cls.headline_metrics)
    assert set(cls.headline_metrics) <= set(summary["metrics"])


def test_labels_and_short_labels_tell_the_tasks_apart() -> None:
    assert len({cls.label for cls in BUILTIN_TASKS}) == len(BUILTIN_TASKS)
    assert len({cls.short_label for cls in BUILTIN_TASKS}) == len(BUILTIN_TASKS)
    assert task_names() == tuple(cls.name for cls in BUILTIN_TASKS)


def test_unknown_name_lists_every_valid_name() -> None:
    with pytest.raises(UnknownTaskError) as error:
        get_task("trial_design")
    assert isinstance(error.value, ConfigurationError)  # a one-line user error, exit code 2
    for cls in BUILTIN_TASKS:
        assert cls.name in str(error.value)
        for alias in cls.aliases:
            assert alias in str(error.value)


def test_options_reach_the_task_and_bad_ones_name_it() -> None:
    screening = get_task(StudyScreeningTask.name, batch_size=3)
    assert isinstance(screening, StudyScreeningTask) and screening.batch_size == 3
    search = get_task(StudySearchTask.name, backend="pubmed", k_values=[10, 50])
    assert isinstance(search, StudySearchTask) and search.k_values == (10, 50, 100, 500)
    choice = BUILTIN_TASKS[3]
    with pytest.raises(ConfigurationError, match=f"bad options for task '{choice.name}'"):
        get_task(choice.name, backend="bm25")


def test_prompt_fingerprints_differ_between_tasks_and_are_stable() -> None:
    fingerprints = {name: get_task(name).prompt_fingerprint() for name in task_names()}
    assert len(set(fingerprints.values())) == len(fingerprints)
    for name, fingerprint in fingerprints.items():
        assert len(fingerprint) == 64
        assert get_task(name).prompt_fingerprint() == fingerprint


def test_an_entry_point_adds_a_task_after_the_built_ins() -> None:
    found = [_entry("extra", f"{__name__}:ExtraChoiceTask")]
    registry = TaskRegistry.with_entry_points(found=found)
    assert registry.names == (*task_names(), "extra_choice")
    assert registry.canonical_name("extra-choice-qa") == "extra_choice"
    assert registry.canonical_name("MORE_CHOICE") == "extra_choice"
    assert "extra_choice_qa" in registry.folder_names()
    assert isinstance(registry.get("extra_choice"), ExtraChoiceTask)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("no_such_module_xyz:Task", "cannot be loaded"),
        (f"{__name__}:_entry", "is not a trialscope.tasks.Task subclass"),
    ],
)
def test_a_broken_entry_point_is_named(value: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=f"entry point broken = {value}.*{message}"):
        TaskRegistry.with_entry_points(found=[_entry("broken", value)])


def test_a_task_claiming_another_tasks_name_or_folder_is_refused() -> None:
    first = BUILTIN_TASKS[0]
    same_name: Any = type("SameName", (ExtraChoiceTask,), {"name": first.name})
    with pytest.raises(ConfigurationError, match=f"a task named '{first.name}' is already known"):
        TaskRegistry([*BUILTIN_TASKS, same_name])
    folder = first.folder_names[0]
    same_folder: Any = type("SameFolder", (ExtraChoiceTask,), {"folder_names": (folder,)})
    with pytest.raises(ConfigurationError, match=f"claims '{folder}'"):
        TaskRegistry([*BUILTIN_TASKS, same_folder])


def test_a_task_without_an_answer_kind_or_with_a_long_short_label_is_refused() -> None:
    no_kind: Any = type("NoKind", (ExtraChoiceTask,), {"answer_kind": "choice"})
    with pytest.raises(ConfigurationError, match="needs answer_kind"):
        TaskRegistry([no_kind])
    long_label: Any = type("LongLabel", (ExtraChoiceTask,), {"short_label": "ninechars"})
    with pytest.raises(ConfigurationError, match="longer than 8"):
        TaskRegistry([long_label])


def test_present_in_lists_the_tasks_whose_folder_a_root_has(tmp_path: Path) -> None:
    registry = TaskRegistry.with_entry_points(
        found=[_entry("extra", f"{__name__}:ExtraChoiceTask")]
    )
    first = BUILTIN_TASKS[0]
    (tmp_path / first.folder_names[-1]).mkdir()
    (tmp_path / "extra_choice_qa").mkdir()
    (tmp_path / "unrelated").mkdir()
    assert registry.present_in(tmp_path) == (first.name, "extra_choice")
