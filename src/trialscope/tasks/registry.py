"""The task registry: the built-in tasks plus those other packages register as entry points.

Every fact about a task (name, folders, aliases, labels, answer kind ...) is a ClassVar on its
class; the registry only collects the classes. A built-in task is one line in `BUILTIN_TASKS`; a
task in another package is one line of that package's pyproject:

    [project.entry-points."trialscope.tasks"]
    my_task = "my_package.my_task:MyTask"
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

from trialscope.errors import ConfigurationError
from trialscope.tasks.arm_design import ArmDesignTask
from trialscope.tasks.base import AnswerKind, Task
from trialscope.tasks.eligibility_criteria_design import EligibilityCriteriaDesignTask
from trialscope.tasks.endpoint_design import EndpointDesignTask
from trialscope.tasks.evidence_summary import EvidenceSummaryTask
from trialscope.tasks.sample_size import SampleSizeTask
from trialscope.tasks.study_screening import StudyScreeningTask
from trialscope.tasks.study_search import StudySearchTask
from trialscope.tasks.trial_completion import TrialCompletionTask

ENTRY_POINT_GROUP = "trialscope.tasks"

BUILTIN_TASKS: tuple[type[Task], ...] = (
    StudySearchTask,
    StudyScreeningTask,
    TrialCompletionTask,
    ArmDesignTask,
    EligibilityCriteriaDesignTask,
    EndpointDesignTask,
    EvidenceSummaryTask,
    SampleSizeTask,
)
"""The eight TrialPanorama tasks, in the paper's order."""

_REQUIRED_FACTS = (
    "name",
    "folder_names",
    "record_model",
    "headline_metrics",
    "label",
    "short_label",
)


class UnknownTaskError(ConfigurationError):
    """A task name that is neither canonical nor a known folder name or alias."""


def _key(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def _check_task_class(cls: Any, origin: str) -> type[Task]:
    if not (isinstance(cls, type) and issubclass(cls, Task)):
        raise ConfigurationError(f"{origin}: {cls!r} is not a trialscope.tasks.Task subclass")
    missing = [fact for fact in _REQUIRED_FACTS if not hasattr(cls, fact)]
    if missing:
        raise ConfigurationError(f"{origin}: task class {cls.__name__} lacks {', '.join(missing)}")
    if not isinstance(getattr(cls, "answer_kind", None), AnswerKind):
        raise ConfigurationError(
            f"{origin}: task class {cls.__name__} needs answer_kind, one of "
            + ", ".join(kind.value for kind in AnswerKind)
        )
    if len(getattr(cls, "short_label", "")) > 8:
        raise ConfigurationError(
            f"{origin}: task {cls.name!r} short_label {cls.short_label!r} is longer than 8"
        )
    return cls


class TaskRegistry:
    """An immutable set of task classes, found by canonical name, folder name or alias."""

    def __init__(
        self, classes: Iterable[type[Task]], origins: Mapping[type[Task], str] | None = None
    ) -> None:
        self._classes: dict[str, type[Task]] = {}
        self._lookup: dict[str, str] = {}
        for cls in classes:
            origin = (origins or {}).get(cls, f"task class {cls.__qualname__}")
            cls = _check_task_class(cls, origin)
            if cls.name in self._classes:
                raise ConfigurationError(f"{origin}: a task named {cls.name!r} is already known")
            self._classes[cls.name] = cls
            for name in (cls.name, *cls.folder_names, *cls.aliases):
                owner = self._lookup.setdefault(_key(name), cls.name)
                if owner != cls.name:
                    raise ConfigurationError(
                        f"{origin}: task {cls.name!r} claims {name!r}, which is task {owner!r}'s"
                    )

    @classmethod
    def with_entry_points(
        cls,
        builtins: Iterable[type[Task]] = BUILTIN_TASKS,
        found: Iterable[EntryPoint] | None = None,
    ) -> TaskRegistry:
        """`builtins` plus every `trialscope.tasks` entry point (`found`, else the installed)."""
        if found is None:
            found = entry_points(group=ENTRY_POINT_GROUP)
        classes = list(builtins)
        origins: dict[type[Task], str] = {}
        for entry in found:
            origin = f"entry point {entry.name} = {entry.value} ({ENTRY_POINT_GROUP})"
            try:
                loaded = entry.load()
            except Exception as error:  # a broken plugin must say which one, whatever it raised
                raise ConfigurationError(f"{origin} cannot be loaded: {error}") from error
            task_class = _check_task_class(loaded, origin)
            classes.append(task_class)
            origins[task_class] = origin
        return cls(classes, origins)

    @property
    def names(self) -> tuple[str, ...]:
        """Canonical names: the built-in tasks in the paper's order, then plugins'."""
        return tuple(self._classes)

    def __iter__(self) -> Iterator[type[Task]]:
        return iter(self._classes.values())

    def __len__(self) -> int:
        return len(self._classes)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and _key(name) in self._lookup

    def canonical_name(self, name: str) -> str:
        """The canonical name for a canonical name, folder name or alias (case- and dash-blind)."""
        found = self._lookup.get(_key(name))
        if found is None:
            others = sorted(set(self._lookup) - set(self._classes))
            raise UnknownTaskError(
                f"unknown task {name!r}: expected one of {', '.join(self.names)} "
                f"(or {', '.join(others)})"
            )
        return found

    def task_class(self, name: str) -> type[Task]:
        """The class of a task given by any of its names."""
        return self._classes[self.canonical_name(name)]

    def get(self, name: str, **options: Any) -> Task:
        """A new task by name; `options` are its constructor's keyword arguments (the search
        task's backend and k_values, the screening task's batch_size ...)."""
        cls = self.task_class(name)
        try:
            return cls(**options)
        except TypeError as error:
            raise ConfigurationError(f"bad options for task {cls.name!r}: {error}") from error

    def present_in(self, root: Path) -> tuple[str, ...]:
        """Canonical names of the tasks that have a data folder under benchmark root `root`."""
        return tuple(
            cls.name for cls in self if any((root / folder).is_dir() for folder in cls.folder_names)
        )

    def folder_names(self) -> tuple[str, ...]:
        """Every task folder name either convention uses."""
        return tuple(folder for cls in self for folder in cls.folder_names)


@cache
def default_registry() -> TaskRegistry:
    """The registry of this installation: built-in tasks and installed entry points (built once;
    the registry itself is immutable)."""
    return TaskRegistry.with_entry_points()


def get_task(name: str, **options: Any) -> Task:
    """A task of the default registry by name, with its options."""
    return default_registry().get(name, **options)


def canonical_name(name: str) -> str:
    """The canonical name of a task in the default registry."""
    return default_registry().canonical_name(name)


def task_names() -> tuple[str, ...]:
    """Every canonical task name of the default registry, in order."""
    return default_registry().names


def all_folder_names() -> tuple[str, ...]:
    """Every task folder name of the default registry."""
    return default_registry().folder_names()
