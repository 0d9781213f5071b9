"""The episode score: the reference's components, precision gating what blind agents earn."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WEIGHTS = {"recall": 0.70, "precision": 0.15, "workflow": 0.05, "efficiency": 0.05, "report": 0.05}
FULL_CREDIT_PRECISION = 0.75
"""Below this weighted precision, recall, workflow and efficiency count proportionally less."""


@dataclass(frozen=True)
class FlagOutcome:
    """One flag as the grader sees it."""

    target: str
    error_type: str
    confidence: float
    correct: bool


def weighted_precision(flags: Sequence[FlagOutcome]) -> float:
    """Correct over all flags, a wrong flag weighing 0.5 + its confidence (0 without flags)."""
    correct = sum(f.correct for f in flags)
    wrong = sum(0.5 + f.confidence for f in flags if not f.correct)
    return correct / (correct + wrong) if correct + wrong > 0 else 0.0


def recall(flags: Sequence[FlagOutcome], n_errors: int) -> float:
    """Share of the episode's labelled errors that were flagged with the right type."""
    return sum(f.correct for f in flags) / n_errors if n_errors else 1.0


def precision_gate(precision: float) -> float:
    """The factor on recall, workflow and efficiency: 1 at precision >= 0.75, linear below."""
    return min(1.0, precision / FULL_CREDIT_PRECISION)


def episode_score(components: dict[str, float]) -> float:
    """Combine the components; flag-everyone or never-read agents land near zero."""
    gate = precision_gate(components["precision"])
    gated = (
        WEIGHTS["recall"] * components["recall"]
        + WEIGHTS["workflow"] * components["workflow"]
        + WEIGHTS["efficiency"] * components["efficiency"]
    )
    total = (
        gate * gated
        + WEIGHTS["precision"] * components["precision"]
        + WEIGHTS["report"] * components["report"]
    )
    return round(min(1.0, max(0.0, total)), 6)


def calibration_summary(pairs: Sequence[tuple[float, bool]]) -> dict[str, float | None]:
    """Brier score and expected calibration error (5 bins) of the flags' confidences."""
    if not pairs:
        return {"brier": None, "ece": None, "n": 0}
    brier = sum((c - float(ok)) ** 2 for c, ok in pairs) / len(pairs)
    ece = 0.0
    for low in (0.0, 0.2, 0.4, 0.6, 0.8):
        members = [(c, ok) for c, ok in pairs if low <= c < low + 0.2 or (low == 0.8 and c == 1.0)]
        if members:
            mean_conf = sum(c for c, _ in members) / len(members)
            accuracy = sum(ok for _, ok in members) / len(members)
            ece += len(members) / len(pairs) * abs(mean_conf - accuracy)
    return {"brier": round(brier, 4), "ece": round(ece, 4), "n": len(pairs)}
