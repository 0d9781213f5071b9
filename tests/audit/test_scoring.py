"""Scoring: blind strategies (never reading a record) score at most 0.15 on every task."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialscope.audit.agents.blind import PairBruteForcer, RandomFlagger
from trialscope.audit.difficulty import TASK_NAMES
from trialscope.audit.environment import AuditEnvironment
from trialscope.audit.generator import generate_episode
from trialscope.audit.runner import run_episode
from trialscope.audit.scoring import (
    FlagOutcome,
    calibration_summary,
    episode_score,
    weighted_precision,
)

BLIND_CEILING = 0.15
SEEDS = range(6)


@pytest.mark.parametrize("task", TASK_NAMES)
@pytest.mark.parametrize("mode", ["eval", "train"])
async def test_random_flaggers_score_at_most_0_15(task: str, mode: str) -> None:
    for seed in SEEDS:
        for confidence in (0.1, 1.0):
            agent = RandomFlagger(seed=seed, confidence=confidence)
            result = await run_episode(AuditEnvironment(mode=mode), agent, task, seed)  # type: ignore[arg-type]
            assert result.score <= BLIND_CEILING, (seed, result.components)


@pytest.mark.parametrize("task", TASK_NAMES)
async def test_the_references_pair_brute_force_exploit_fails(task: str) -> None:
    for seed in SEEDS:
        result = await run_episode(AuditEnvironment(), PairBruteForcer(seed=seed), task, seed)
        assert result.score <= BLIND_CEILING, (seed, result.components)
        assert result.steps <= result.step_budget


@pytest.mark.parametrize("task", TASK_NAMES)
def test_flagging_every_patient_scores_at_most_0_15(task: str) -> None:
    """Even with no budget at all, flag-everyone with every type is worth nothing."""
    for seed in SEEDS:
        episode = generate_episode(task, seed)
        flags = []
        for record in episode.records:
            pid = record["patient_id"]
            etype = episode.labels.get(pid, episode.protocol.error_types[0])
            flags.append(FlagOutcome(pid, etype, 1.0, episode.labels.get(pid) == etype))
        precision = weighted_precision(flags)
        components = {
            "recall": 1.0,
            "precision": precision,
            "workflow": 1.0,
            "efficiency": 1.0,
            "report": 0.0,
        }
        assert episode_score(components) <= BLIND_CEILING


def test_a_perfect_audit_scores_one_and_nothing_scores_zero() -> None:
    perfect = {"recall": 1.0, "precision": 1.0, "workflow": 1.0, "efficiency": 1.0, "report": 1.0}
    assert episode_score(perfect) == 1.0
    assert episode_score({k: 0.0 for k in perfect}) == 0.0


@given(st.lists(st.tuples(st.floats(0, 1), st.booleans()), max_size=40))
def test_precision_and_calibration_stay_in_range(pairs: list[tuple[float, bool]]) -> None:
    flags = [FlagOutcome(f"P{i:04d}", "invalid_age", c, ok) for i, (c, ok) in enumerate(pairs)]
    assert 0.0 <= weighted_precision(flags) <= 1.0
    summary = calibration_summary(pairs)
    if pairs:
        assert 0.0 <= float(summary["brier"] or 0) <= 1.0
        assert 0.0 <= float(summary["ece"] or 0) <= 1.0
    else:
        assert summary["brier"] is None


@given(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1), st.floats(0, 1), st.floats(0, 1))
def test_score_is_bounded_and_monotone_in_recall(
    r: float, p: float, w: float, e: float, rep: float
) -> None:
    low = episode_score(
        {"recall": r * 0.5, "precision": p, "workflow": w, "efficiency": e, "report": rep}
    )
    high = episode_score(
        {"recall": r, "precision": p, "workflow": w, "efficiency": e, "report": rep}
    )
    assert 0.0 <= low <= high <= 1.0


async def test_blind_baselines_are_available_by_name() -> None:
    from trialscope.audit.agents import make_agent

    for name in ("random", "brute-force"):
        agent = make_agent(name)
        result = await run_episode(AuditEnvironment(), agent, "medium", 0)
        assert result.score <= BLIND_CEILING
