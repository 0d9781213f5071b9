"""The episode score: findings under a proper scoring rule; everything else is earned through them.

Each flag with confidence c earns `1 - 2 (1 - c)^2` when right and `-2 c^2` when wrong (a Brier
rule shifted so that a wrong flag costs at least what a right one gains, at every confidence).
With p the agent's real probability of being right, the expected credit `p (1 - 2 (1 - c)^2) -
(1 - p) 2 c^2` is maximised at c = p (its derivative is 4 (p - c)), and it is positive only when
p > 1/2: a guess is worth nothing, a sure finding is worth 1, a confident mistake costs 2.

    findings = clip(sum of flag credits / number of labelled errors, 0, 1)
    score    = findings * (0.80 + 0.05 workflow + 0.05 efficiency + 0.10 report)

The score is linear in each flag's credit (workflow, efficiency and report do not depend on
which flags were right), so the expected score is maximised by stating c = p as well.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WEIGHTS = {"findings": 0.80, "workflow": 0.05, "efficiency": 0.05, "report": 0.10}
"""What the findings score is multiplied by: a perfect audit scores exactly 1."""
COMPONENTS: tuple[str, ...] = (
    "findings",
    "recall",
    "precision",
    "workflow",
    "efficiency",
    "report",
)
"""Every component an episode result carries (recall and precision are shown, not weighted)."""


@dataclass(frozen=True)
class FlagOutcome:
    """One flag as the grader sees it."""

    target: str
    error_type: str
    confidence: float
    correct: bool


def flag_credit(confidence: float, correct: bool) -> float:
    """The proper scoring rule: `1 - 2 (1 - c)^2` if right, `-2 c^2` if wrong."""
    c = min(1.0, max(0.0, float(confidence)))
    return 1.0 - 2.0 * (1.0 - c) ** 2 if correct else -2.0 * c * c


def findings_score(flags: Sequence[FlagOutcome], n_errors: int) -> float:
    """Summed flag credit over the labelled errors, clipped to [0, 1]."""
    total = sum(flag_credit(f.confidence, f.correct) for f in flags)
    if n_errors == 0:
        return 1.0 if not flags else max(0.0, min(1.0, 1.0 + total))
    return max(0.0, min(1.0, total / n_errors))


def weighted_precision(flags: Sequence[FlagOutcome]) -> float:
    """Right flags over all flags (0 without flags); shown, not weighted."""
    return sum(f.correct for f in flags) / len(flags) if flags else 0.0


def recall(flags: Sequence[FlagOutcome], n_errors: int) -> float:
    """Share of the episode's labelled errors that were flagged with the right type."""
    return sum(f.correct for f in flags) / n_errors if n_errors else 1.0


def episode_score(components: dict[str, float]) -> float:
    """Combine the components: nothing counts without findings."""
    earned = (
        WEIGHTS["findings"]
        + WEIGHTS["workflow"] * components["workflow"]
        + WEIGHTS["efficiency"] * components["efficiency"]
        + WEIGHTS["report"] * components["report"]
    )
    return round(min(1.0, max(0.0, components["findings"] * earned)), 6)


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
