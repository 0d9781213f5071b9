"""The curated condition catalogue (conditions.yaml) the synthetic registry writes trials about."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict


@dataclass(frozen=True)
class InterventionClass:
    """A family of interventions studied for a condition (e.g. SGLT2 inhibitors)."""

    name: str
    kind: str
    agents: tuple[str, ...]
    doses: tuple[str, ...]
    class_outcome: str


@dataclass(frozen=True)
class Condition:
    """A condition with everything the generator needs to write trials about it."""

    name: str
    mesh_id: str
    mesh_term: str
    area: str
    classes: tuple[InterventionClass, ...]
    efficacy_outcomes: tuple[str, ...]
    secondary_outcomes: tuple[str, ...]
    inclusion: tuple[str, ...]
    exclusion: tuple[str, ...]
    enrollment_scale: float
    pediatric: bool = False


class _ClassEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    kind: str
    agents: list[str]
    doses: list[str]
    class_outcome: str


class _ConditionEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    mesh_id: str
    mesh_term: str
    area: str
    classes: list[_ClassEntry]
    efficacy_outcomes: list[str]
    secondary_outcomes: list[str]
    inclusion: list[str]
    exclusion: list[str]
    enrollment_scale: float
    pediatric: bool = False


def _load() -> tuple[Condition, ...]:
    text = (
        resources.files("trialscope.data.synthetic").joinpath("conditions.yaml").read_text("utf-8")
    )
    raw: list[dict[str, Any]] = yaml.safe_load(text)
    conditions = []
    for entry in (_ConditionEntry.model_validate(item) for item in raw):
        classes = tuple(
            InterventionClass(c.name, c.kind, tuple(c.agents), tuple(c.doses), c.class_outcome)
            for c in entry.classes
        )
        conditions.append(
            Condition(
                entry.name,
                entry.mesh_id,
                entry.mesh_term,
                entry.area,
                classes,
                tuple(entry.efficacy_outcomes),
                tuple(entry.secondary_outcomes),
                tuple(entry.inclusion),
                tuple(entry.exclusion),
                entry.enrollment_scale,
                entry.pediatric,
            )
        )
    return tuple(conditions)


CONDITIONS: tuple[Condition, ...] = _load()
"""The catalogue; its order is part of the generator's determinism, so append, never reorder."""
