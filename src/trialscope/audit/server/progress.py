"""What the agent has done in an episode, and the score components it earns (the grader)."""

from __future__ import annotations

from dataclasses import dataclass, field

from trialscope.audit.difficulty import Difficulty
from trialscope.audit.generator import Episode
from trialscope.audit.report_rubric import ReportGrade
from trialscope.audit.rules import trial_rules_of
from trialscope.audit.scoring import FlagOutcome, findings_score, recall, weighted_precision


@dataclass
class Progress:
    """What the agent has done in the current episode."""

    investigated: list[str] = field(default_factory=list)
    distributions: list[str] = field(default_factory=list)
    flags: list[FlagOutcome] = field(default_factory=list)
    fixes: dict[str, str] = field(default_factory=dict)
    seen_actions: set[str] = field(default_factory=set)
    useful_steps: int = 0
    blocked_flags: int = 0
    report: str | None = None
    report_grade: ReportGrade | None = None
    finished_by: str = ""
    potential: float = 0.0
    reward_total: float = 0.0


def components(
    progress: Progress, episode: Episode, difficulty: Difficulty, steps: int, final: bool
) -> dict[str, float]:
    """The score components of the episode as it stands (the report counts once submitted)."""
    checks = [
        all(v in progress.investigated for v in difficulty.key_variables),
        progress.blocked_flags == 0,
        progress.finished_by == "report",
    ]
    for rule in trial_rules_of(difficulty.error_types):
        checks.append(all(v in progress.distributions for v in rule.required_distributions))
    n_errors = len(episode.labels)
    report = progress.report_grade.score if (final and progress.report_grade) else 0.0
    values = {
        "findings": findings_score(progress.flags, n_errors),
        "recall": recall(progress.flags, n_errors),
        "precision": weighted_precision(progress.flags),
        "workflow": sum(checks) / len(checks),
        "efficiency": progress.useful_steps / max(steps, 1),
        "report": report,
    }
    return {name: round(value, 6) for name, value in values.items()}
