"""What the report shows of a task, read from the task classes (`trialscope.tasks.registry`).

Run folders may hold tasks no registered class knows (a plugin's task, an old name): they are
still shown, with a label derived from the name, after the registered tasks.
"""

from __future__ import annotations

from trialscope.tasks.registry import TASK_CLASSES, UnknownTaskError, canonical_name


def canonical_task(name: str) -> str:
    """The canonical name for a task folder or `task` field (unknown names pass through)."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return canonical_name(key)
    except UnknownTaskError:
        return key


def _derived_label(name: str) -> str:
    return name.replace("_", " ").strip().capitalize() or name


def task_label(name: str) -> str:
    """The display label a task declares, else one derived from its name."""
    cls = TASK_CLASSES.get(name)
    return cls.label if cls is not None else _derived_label(name)


def task_short_label(name: str) -> str:
    """The task's short terminal label (<= 8 characters), else its name unshortened."""
    cls = TASK_CLASSES.get(name)
    return cls.short_label if cls is not None else name


def is_calibrated(name: str) -> bool:
    """Whether the task's answers carry a confidence (reliability diagrams are drawn)."""
    cls = TASK_CLASSES.get(name)
    return bool(cls is not None and cls.calibrated)


def headline_metrics(name: str) -> tuple[str, ...]:
    """The headline metrics the task declares (empty for an unknown task)."""
    cls = TASK_CLASSES.get(name)
    return tuple(cls.headline_metrics) if cls is not None else ()


def task_order(name: str) -> tuple[int, str]:
    """Sort key: the registry's order first, unknown tasks after, alphabetically."""
    order = list(TASK_CLASSES)
    return (order.index(name), name) if name in order else (len(order), name)
