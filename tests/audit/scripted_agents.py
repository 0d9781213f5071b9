"""Scripted play for tests: the rule oracle that flags exactly the ground truth."""

from __future__ import annotations

from trialscope.audit.difficulty import BIAS_DISTRIBUTIONS, difficulty_of
from trialscope.audit.episode_result import EpisodeResult
from trialscope.audit.models import AuditAction
from trialscope.audit.rules import BIAS_TARGET
from trialscope.audit.server.environment import AuditEnvironment


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
        env.step(AuditAction(tool="compute_distribution", variable="outcome", stratify_by="stage"))
    for target, error_type in episode.labels.items():
        patient = None if target == BIAS_TARGET else target
        obs = env.step(
            AuditAction(
                tool="flag_error", patient_id=patient, error_type=error_type, confidence=1.0
            )
        )
        assert obs.error is None, obs.error
    env.step(AuditAction(tool="submit_report", report=""))
    return env.episode_result()
