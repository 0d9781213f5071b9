"""The TrialPanorama paper's published figures, shown beside measured results for reference.

Each task declares its own figures (`Task.paper_figures`); this module names the paper and the
models its tables compare.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from trialscope.tasks.registry import default_registry

PAPER = (
    "Wang et al. 2025, Developing Large Language Models for Clinical Research Using One Million "
    "Clinical Trials, arXiv 2505.16097 v1, Tables (percent; MAE in participants)"
)
PAPER_MODELS = ("Llama-8B", "Llama-70B", "GPT-4o-mini", "GPT-4o", "o3-mini")


@dataclass(frozen=True)
class PaperFigures:
    """Published numbers: task -> metric -> model -> value (percent, MAE in participants)."""

    source: str
    models: tuple[str, ...]
    tasks: dict[str, dict[str, dict[str, float]]]


@cache
def paper_figures() -> PaperFigures:
    """The figures every registered task declares, in registry order."""
    registry = default_registry()
    tasks = {
        name: registry.task_class(name).paper_figures
        for name in registry.names
        if registry.task_class(name).paper_figures
    }
    return PaperFigures(source=PAPER, models=PAPER_MODELS, tasks=tasks)
