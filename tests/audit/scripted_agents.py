"""Agents for tests: the rule oracle and blind strategies that never read a record."""

from __future__ import annotations

from collections import deque

import numpy as np

from trialscope.audit.agents.base import AuditAgent
from trialscope.audit.difficulty import BIAS_DISTRIBUTIONS, difficulty_of
from trialscope.audit.environment import AuditEnvironment, EpisodeResult
from trialscope.audit.models import AuditAction, AuditObservation
from trialscope.audit.rules import BIAS_TARGET

KEYWORD_REPORT = (
    "Audit complete. Protocol compliance reviewed; root cause analysis, risk assessment, "
    "corrective action plan and fairness review included. Selection bias, temporal "
    "inconsistency, invalid age and protocol window violation were considered."
)


def oracle_episode(env: AuditEnvironment, task: str, seed: int) -> EpisodeResult:
    """Pass the gate, then flag exactly the ground truth (read from the episode) and stop."""
    env.reset(seed=seed, task=task)
    episode = env.episode
    assert episode is not None
    difficulty = difficulty_of(task)
    for variable in difficulty.key_variables:
        env.step(AuditAction(tool="investigate_pattern", variable=variable))
    if "selection_bias" in difficulty.error_types:
        for variable in BIAS_DISTRIBUTIONS:
            env.step(AuditAction(tool="compute_distribution", variable=variable))
    for target, error_type in episode.labels.items():
        patient = None if target == BIAS_TARGET else target
        obs = env.step(
            AuditAction(tool="flag_error", patient_id=patient, error_type=error_type, confidence=1.0)
        )
        assert obs.error is None, obs.error
    env.step(AuditAction(tool="submit_report", report=""))
    return env.episode_result()


class BlindFlagger(AuditAgent):
    """Passes the gate without reading records, then flags random patients until the budget ends.

    With `bias_guess` it also claims selection bias; the report is keywords only.
    """

    name = "blind"

    def __init__(self, seed: int = 0, bias_guess: bool = True, confidence: float = 0.5) -> None:
        self.rng = np.random.default_rng(seed)
        self.bias_guess = bias_guess
        self.confidence = confidence
        self.plan: deque[AuditAction] = deque()
        self.patients: list[str] = []

    def reset(self, observation: AuditObservation) -> None:
        result = observation.result or {}
        n = int(result["n_patients"])
        self.patients = [f"P{i:04d}" for i in self.rng.permutation(np.arange(1, n + 1))]
        self.plan = deque(
            AuditAction(tool="investigate_pattern", variable=v) for v in result["key_variables"]
        )
        if "selection_bias" in result["error_types"]:
            self.plan.extend(
                AuditAction(tool="compute_distribution", variable=v) for v in BIAS_DISTRIBUTIONS
            )
            self.plan.append(
                AuditAction(tool="compute_distribution", variable="outcome", stratify_by="stage")
            )
            if self.bias_guess:
                self.plan.append(AuditAction(tool="flag_error", error_type="selection_bias"))
        self.error_types = [e for e in result["error_types"] if e != "selection_bias"]

    async def act(self, observation: AuditObservation) -> AuditAction | None:
        if observation.done:
            return None
        if observation.steps_remaining <= 1:
            return AuditAction(tool="submit_report", report=KEYWORD_REPORT)
        if self.plan:
            return self.plan.popleft()
        patient = self.patients.pop()
        error_type = self.error_types[int(self.rng.integers(len(self.error_types)))]
        return AuditAction(
            tool="flag_error", patient_id=patient, error_type=error_type, confidence=self.confidence
        )


class PairBruteForcer(BlindFlagger):
    """The reference's exploit: try every (patient, error type) pair, in order."""

    name = "brute"

    async def act(self, observation: AuditObservation) -> AuditAction | None:
        if observation.done:
            return None
        if self.plan:
            return self.plan.popleft()
        if not hasattr(self, "pairs"):
            self.pairs = deque((p, e) for p in sorted(self.patients) for e in self.error_types)
        if not self.pairs:
            return AuditAction(tool="submit_report", report=KEYWORD_REPORT)
        patient, error_type = self.pairs.popleft()
        return AuditAction(tool="flag_error", patient_id=patient, error_type=error_type, confidence=1.0)
