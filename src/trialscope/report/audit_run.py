"""Load one audit run folder: `episodes.jsonl` and `summary.json` of an agent."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trialscope.report.run_files import (
    RunFolderError,
    model_from_slug,
    normalise_timestamp,
    read_json_object,
    read_jsonl_objects,
)

_TASK_ORDER = ("easy", "task_easy", "medium", "task_medium", "hard", "task_hard")
_COMPONENT_ORDER = ("findings", "recall", "precision", "workflow", "efficiency", "report")
"""The audit score components in `trialscope.audit.scoring.COMPONENTS` order (the report reads
run folders, not the audit package)."""


def audit_task_order(name: str) -> tuple[int, str]:
    """Sort key: easy, medium, hard first, other task names after, alphabetically."""
    return (_TASK_ORDER.index(name) if name in _TASK_ORDER else len(_TASK_ORDER), name)


def component_order(name: str) -> tuple[int, str]:
    """Sort key: score components in the order of their weight in the episode score."""
    return (
        _COMPONENT_ORDER.index(name) if name in _COMPONENT_ORDER else len(_COMPONENT_ORDER),
        name,
    )


@dataclass
class AuditEpisode:
    """One finished episode."""

    task: str
    seed: int | None
    score: float
    components: dict[str, float]
    steps: int | None = None


@dataclass
class AuditTaskSummary:
    """An agent's result on one audit task."""

    n: int
    mean: float
    ci95: tuple[float, float] | None
    components: dict[str, float] = field(default_factory=dict)


@dataclass
class AuditRun:
    """One agent's audit run."""

    agent: str
    model: str
    timestamp: str
    folder: Path
    tasks: dict[str, AuditTaskSummary]
    episodes: list[AuditEpisode]


def is_audit_folder(folder: Path) -> bool:
    """Does this folder hold an audit run?"""
    return (folder / "episodes.jsonl").is_file() or (folder / "summary.json").is_file()


def _float(value: Any, where: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise RunFolderError(f"{where}: expected a number, found {value!r}")


def _episode(row: dict[str, Any], where: str) -> AuditEpisode:
    components = row.get("components") or {}
    if not isinstance(components, dict):
        raise RunFolderError(f"{where}: `components` must be an object")
    seed, steps = row.get("seed"), row.get("steps")
    return AuditEpisode(
        task=str(row.get("task", "?")),
        seed=seed if isinstance(seed, int) else None,
        score=_float(row.get("score"), f"{where}: score"),
        components={k: _float(v, f"{where}: components.{k}") for k, v in components.items()},
        steps=steps if isinstance(steps, int) else None,
    )


def _summary_from_episodes(episodes: list[AuditEpisode]) -> dict[str, AuditTaskSummary]:
    tasks: dict[str, AuditTaskSummary] = {}
    for task in sorted({e.task for e in episodes}):
        chosen = [e for e in episodes if e.task == task]
        names = sorted({name for e in chosen for name in e.components})
        tasks[task] = AuditTaskSummary(
            n=len(chosen),
            mean=sum(e.score for e in chosen) / len(chosen),
            ci95=None,
            components={
                name: sum(e.components.get(name, 0.0) for e in chosen) / len(chosen)
                for name in names
            },
        )
    return tasks


def _summary_tasks(doc: dict[str, Any], path: Path) -> dict[str, AuditTaskSummary]:
    raw = doc.get("tasks") or {}
    if not isinstance(raw, dict):
        raise RunFolderError(f"{path}: `tasks` must be an object keyed by task name")
    tasks: dict[str, AuditTaskSummary] = {}
    for task, entry in raw.items():
        if not isinstance(entry, dict):
            raise RunFolderError(f"{path}: tasks.{task} must be an object")
        ci = entry.get("ci95")
        interval = None
        if isinstance(ci, list | tuple) and len(ci) == 2:
            interval = (_float(ci[0], f"{path}: tasks.{task}.ci95"), _float(ci[1], str(path)))
        components = entry.get("components") or {}
        tasks[task] = AuditTaskSummary(
            n=int(entry.get("n", 0)),
            mean=_float(entry.get("mean"), f"{path}: tasks.{task}.mean"),
            ci95=interval,
            components={
                k: _float(v, f"{path}: tasks.{task}.components.{k}") for k, v in components.items()
            },
        )
    return tasks


def load_audit_run(folder: Path) -> AuditRun:
    """Read an audit run folder; the summary is recomputed from episodes when absent."""
    episodes_path, summary_path = folder / "episodes.jsonl", folder / "summary.json"
    episodes: list[AuditEpisode] = []
    if episodes_path.is_file():
        rows = read_jsonl_objects(episodes_path)
        episodes = [_episode(row, f"{episodes_path}: line {i + 1}") for i, row in enumerate(rows)]
    summary = read_json_object(summary_path) if summary_path.is_file() else {}
    tasks = _summary_tasks(summary, summary_path) if summary else _summary_from_episodes(episodes)
    agent = summary.get("agent") if isinstance(summary.get("agent"), str) else None
    model = summary.get("model") if isinstance(summary.get("model"), str) else ""
    return AuditRun(
        agent=agent or model_from_slug(folder.resolve().parent.name),
        model=model or "",
        timestamp=normalise_timestamp(folder.name) or "",
        folder=folder,
        tasks=tasks,
        episodes=episodes,
    )
