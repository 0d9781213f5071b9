"""What the report shows of a task, read from the task registry (each task declares its facts
once, in its own module).

Run folders may hold tasks the registry does not know (a plugin not installed here, an old name):
they are still shown, with a label derived from the name, after the registered tasks.
"""

from __future__ import annotations

from trialscope.tasks.base import Task
from trialscope.tasks.registry import default_registry


def _task_class(name: str) -> type[Task] | None:
    registry = default_registry()
    return registry.task_class(name) if name in registry else None


def canonical_task(name: str) -> str:
    """The canonical name for a task folder or `task` field (unknown names pass through)."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    registry = default_registry()
    return registry.canonical_name(key) if key in registry else key


def task_label(name: str) -> str:
    """The display label a task declares, else one derived from its name."""
    cls = _task_class(name)
    return cls.label if cls is not None else name.replace("_", " ").strip().capitalize()


def task_short_label(name: str) -> str:
    """The task's short terminal label (<= 8 characters), else its name unshortened."""
    cls = _task_class(name)
    return cls.short_label if cls is not None else name


def is_calibrated(name: str) -> bool:
    """Whether the task's answers carry a confidence (reliability diagrams are drawn for it)."""
    cls = _task_class(name)
    return cls is not None and cls.calibrated


def headline_metrics(name: str) -> tuple[str, ...]:
    """The headline metrics the task declares (empty for an unknown task)."""
    cls = _task_class(name)
    return tuple(cls.headline_metrics) if cls is not None else ()


def task_order(name: str) -> tuple[int, str]:
    """Sort key: the registry's task order first, unknown tasks after, alphabetically."""
    names = default_registry().names
    return (names.index(name), name) if name in names else (len(names), name)
