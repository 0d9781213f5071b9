"""The TrialPanorama paper's published figures, shown beside measured results for reference."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class PaperFigures:
    """Published numbers: task -> metric -> model -> value (percent, MAE in participants)."""

    source: str
    models: tuple[str, ...]
    tasks: dict[str, dict[str, dict[str, float]]]


@cache
def paper_figures() -> PaperFigures:
    """Load the packaged `paper_results.json`."""
    text = resources.files("trialscope.report").joinpath("paper_results.json").read_text("utf-8")
    doc = json.loads(text)
    return PaperFigures(source=doc["source"], models=tuple(doc["models"]), tasks=doc["tasks"])
