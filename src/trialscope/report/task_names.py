"""Canonical task names, the aliases old and new run folders use, and display labels.

All read from the task registry (each task declares them once, in its own module).
"""

from __future__ import annotations

from trialscope.tasks.registry import default_registry


def canonical_task(name: str) -> str:
    """The canonical name for a task folder or `task` field (unknown names pass through)."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    registry = default_registry()
    return registry.canonical_name(key) if key in registry else key


def task_label(name: str) -> str:
    """A short human label for a task."""
    registry = default_registry()
    if name in registry:
        return registry.task_class(name).label
    return name.replace("_", " ").capitalize()


def is_calibrated(name: str) -> bool:
    """Whether the task's answers carry a confidence (reliability diagrams are drawn for it)."""
    registry = default_registry()
    return name in registry and registry.task_class(name).calibrated


def task_order(name: str) -> tuple[int, str]:
    """Sort key: the registry's task order first, unknown tasks after, alphabetically."""
    names = default_registry().names
    if name in names:
        return (names.index(name), name)
    return (len(names), name)
