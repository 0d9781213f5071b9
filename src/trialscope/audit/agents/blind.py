"""Blind baselines that never read a record: the floor every real auditor must clear.

`random` passes the phase gate, then flags random patients with random error types until the
budget ends; `brute-force` tries every (patient, error type) pair in order (the exploit that
scored 0.80 in the reference). Both end with a report of keywords only.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from trialscope.audit.agents.base import AuditAgent
from trialscope.audit.difficulty import BIAS_DISTRIBUTIONS
from trialscope.audit.error_types import ErrorType
from trialscope.audit.models import AuditAction, AuditObservation

KEYWORD_REPORT = (
    "Audit complete. Protocol compliance reviewed; root cause analysis, risk assessment, "
    "corrective action plan and fairness review included. Selection bias, temporal "
    "inconsistency, invalid age and protocol window violation were considered."
)


class RandomFlagger(AuditAgent):
    """Flags random patients (and claims selection bias) without reading any record."""

    name = "random"

    def __init__(self, seed: int = 0, bias_guess: bool = True, confidence: float = 0.5) -> None:
        self.seed = seed
        self.bias_guess = bias_guess
        self.confidence = confidence
        self.rng = np.random.default_rng(seed)
        self.plan: deque[AuditAction] = deque()
        self.patients: list[str] = []
        self.error_types: list[str] = []

    def reset(self, observation: AuditObservation) -> None:
        """Pass the gate: investigate and compute what it asks for, nothing else."""
        result = observation.result or {}
        n = int(result["n_patients"])
        self.patients = [f"P{i:04d}" for i in self.rng.permutation(np.arange(1, n + 1))]
        self.plan = deque(
            AuditAction(tool="investigate_pattern", variable=v) for v in result["key_variables"]
        )
        if ErrorType.SELECTION_BIAS in result["error_types"]:
            self.plan.extend(
                AuditAction(tool="compute_distribution", variable=v) for v in BIAS_DISTRIBUTIONS
            )
            self.plan.append(
                AuditAction(tool="compute_distribution", variable="outcome", stratify_by="stage")
            )
            if self.bias_guess:
                self.plan.append(
                    AuditAction(tool="flag_error", error_type=ErrorType.SELECTION_BIAS)
                )
        self.error_types = [e for e in result["error_types"] if e != ErrorType.SELECTION_BIAS]

    async def act(self, observation: AuditObservation) -> AuditAction | None:
        """The next random flag, or the keyword report on the last step."""
        if observation.done:
            return None
        if observation.steps_remaining <= 1 or not self.patients:
            return AuditAction(tool="submit_report", report=KEYWORD_REPORT)
        if self.plan:
            return self.plan.popleft()
        patient = self.patients.pop()
        error_type = self.error_types[int(self.rng.integers(len(self.error_types)))]
        return AuditAction(
            tool="flag_error", patient_id=patient, error_type=error_type, confidence=self.confidence
        )


class PairBruteForcer(RandomFlagger):
    """Tries every (patient, error type) pair in order, fully confident, until refused."""

    name = "brute-force"

    def reset(self, observation: AuditObservation) -> None:
        """Queue every pair after the gate."""
        super().reset(observation)
        self.pairs = deque((p, e) for p in sorted(self.patients) for e in self.error_types)

    async def act(self, observation: AuditObservation) -> AuditAction | None:
        """The next untried pair."""
        if observation.done:
            return None
        if self.plan:
            return self.plan.popleft()
        if not self.pairs:
            return AuditAction(tool="submit_report", report=KEYWORD_REPORT)
        patient, error_type = self.pairs.popleft()
        return AuditAction(
            tool="flag_error", patient_id=patient, error_type=error_type, confidence=1.0
        )


class BiasOnlyFlagger(RandomFlagger):
    """Passes the gate, flags the trial-level bias without weighing the evidence, and reports."""

    name = "bias-only"

    def __init__(self, seed: int = 0, confidence: float = 1.0) -> None:
        super().__init__(seed=seed, bias_guess=False, confidence=confidence)

    def reset(self, observation: AuditObservation) -> None:
        """Queue the gate's investigations, then the bias flag (when the task audits bias)."""
        super().reset(observation)
        if ErrorType.SELECTION_BIAS in (observation.result or {}).get("error_types", []):
            self.plan.append(
                AuditAction(
                    tool="flag_error",
                    error_type=ErrorType.SELECTION_BIAS,
                    confidence=self.confidence,
                )
            )
        self.patients = []

    async def act(self, observation: AuditObservation) -> AuditAction | None:
        """The plan, then the keyword report."""
        if observation.done:
            return None
        if self.plan:
            return self.plan.popleft()
        return AuditAction(tool="submit_report", report=KEYWORD_REPORT)
