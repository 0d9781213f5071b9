"""The graded outcome of one finished audit episode."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class EpisodeResult:
    """The graded outcome of a finished episode."""

    episode_id: str
    task: str
    seed: int
    mode: str
    score: float
    components: dict[str, float]
    steps: int
    step_budget: int
    finished_by: str
    n_errors: int
    flags: list[dict[str, Any]]
    missed: list[str]
    calibration: list[list[float]]
    calibration_summary: dict[str, float | None]
    report_parts: dict[str, float] = field(default_factory=dict)
    dense_reward_total: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)
