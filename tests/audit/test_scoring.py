"""Scoring: a proper rule for confidence, earned trial-level flags, blind agents at the floor."""

from __future__ import annotations

import asyncio
import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialscope.audit.agents import HeuristicAgent
from trialscope.audit.agents.blind import BiasOnlyFlagger, PairBruteForcer, RandomFlagger
from trialscope.audit.difficulty import TASK_NAMES
from trialscope.audit.generator import generate_episode
from trialscope.audit.models import AuditAction, AuditObservation
from trialscope.audit.runner import run_episode
from trialscope.audit.scoring import (
    FlagOutcome,
    calibration_summary,
    episode_score,
    findings_score,
    flag_credit,
)
from trialscope.audit.server.environment import AuditEnvironment

BLIND_CEILING = 0.05
SEEDS = range(50)


def score_of(flags: list[FlagOutcome], n_errors: int) -> float:
    components = {
        "findings": findings_score(flags, n_errors),
        "workflow": 1.0,
        "efficiency": 0.9,
        "report": 0.5,
    }
    return episode_score(components)


@pytest.mark.parametrize("p", [round(x, 2) for x in np.arange(0.05, 1.0, 0.05)])
def test_stating_the_real_probability_maximises_the_expected_score(p: float) -> None:
    """Over a grid of confidences, c = p gives the highest expected episode score."""
    sure = [FlagOutcome(f"P{i:04d}", "invalid_age", 1.0, True) for i in range(10)]
    grid = np.round(np.arange(0.0, 1.0001, 0.01), 2)
    expected = [
        p * score_of([*sure, FlagOutcome("P0100", "invalid_age", float(c), True)], 20)
        + (1 - p) * score_of([*sure, FlagOutcome("P0100", "invalid_age", float(c), False)], 20)
        for c in grid
    ]
    best = float(grid[int(np.argmax(expected))])
    assert abs(best - p) < 0.011, (p, best)


@given(st.floats(0, 1))
def test_a_wrong_flag_costs_at_least_what_a_right_one_gains(c: float) -> None:
    assert -flag_credit(c, False) >= flag_credit(c, True) - 1e-12


def test_confidence_zero_no_longer_dominates() -> None:
    """An auditor that ignores the Stage IV extension does best by stating its real precision."""

    class IgnoresExtension(HeuristicAgent):
        def __init__(self, confidence: float) -> None:
            super().__init__()
            self.confidence = confidence

        def reset(self, observation: AuditObservation) -> None:
            super().reset(observation)
            assert self._protocol is not None
            self._protocol = dataclasses.replace(self._protocol, stage_iv_extension_days=0)

        async def act(self, observation: AuditObservation) -> AuditAction | None:
            action = await super().act(observation)
            if action is not None and action.tool == "flag_error":
                action = AuditAction(
                    **{**action.arguments(), "tool": "flag_error", "confidence": self.confidence}
                )
            return action

    async def mean_score(agent_confidence: float) -> tuple[float, float]:
        scores, right, total = [], 0, 0
        for seed in range(8):
            result = await run_episode(
                AuditEnvironment(), IgnoresExtension(agent_confidence), "medium", seed
            )
            scores.append(result.score)
            right += sum(f["correct"] for f in result.flags)
            total += len(result.flags)
        return float(np.mean(scores)), right / total

    at_zero, precision = asyncio.run(mean_score(0.0))
    honest, _ = asyncio.run(mean_score(round(precision, 2)))
    overconfident, _ = asyncio.run(mean_score(1.0))
    assert at_zero == 0.0
    assert honest > at_zero and honest >= overconfident


@pytest.mark.slow
@pytest.mark.parametrize("task", TASK_NAMES)
async def test_blind_agents_score_at_most_0_05_over_50_episodes(task: str) -> None:
    """Brute force, budget fill (random flags), and the blind bias-only flagger."""
    for name, make in (
        ("brute-force", lambda seed: PairBruteForcer(seed=seed)),
        ("budget-fill", lambda seed: RandomFlagger(seed=seed, confidence=0.5)),
        ("bias-only", lambda seed: BiasOnlyFlagger(seed=seed, confidence=1.0)),
        ("bias-only-prior", lambda seed: BiasOnlyFlagger(seed=seed, confidence=0.58)),
    ):
        scores = [
            (await run_episode(AuditEnvironment(), make(seed), task, seed)).score for seed in SEEDS
        ]
        assert float(np.mean(scores)) <= BLIND_CEILING, (name, np.mean(scores), max(scores))


@pytest.mark.parametrize("task", TASK_NAMES)
def test_flagging_every_patient_scores_nothing(task: str) -> None:
    """Even with no budget at all, flag-everyone with every type is worth nothing."""
    for seed in range(3):
        episode = generate_episode(task, seed)
        for confidence in (0.3, 0.6, 1.0):
            flags = []
            for record in episode.records:
                pid = record["patient_id"]
                etype = episode.labels.get(pid, episode.protocol.error_types[0])
                flags.append(FlagOutcome(pid, etype, confidence, episode.labels.get(pid) == etype))
            assert score_of(flags, len(episode.labels)) <= BLIND_CEILING


def test_a_perfect_audit_scores_one_and_nothing_scores_zero() -> None:
    perfect = {"findings": 1.0, "workflow": 1.0, "efficiency": 1.0, "report": 1.0}
    assert episode_score(perfect) == 1.0
    assert episode_score({k: 0.0 for k in perfect}) == 0.0
    assert episode_score({**perfect, "findings": 0.0}) == 0.0


@given(st.lists(st.tuples(st.floats(0, 1), st.booleans()), max_size=40))
def test_findings_and_calibration_stay_in_range(pairs: list[tuple[float, bool]]) -> None:
    flags = [FlagOutcome(f"P{i:04d}", "invalid_age", c, ok) for i, (c, ok) in enumerate(pairs)]
    assert 0.0 <= findings_score(flags, 10) <= 1.0
    summary = calibration_summary(pairs)
    if pairs:
        brier, ece = summary["brier"], summary["ece"]
        assert brier is not None and ece is not None
        assert 0.0 <= brier <= 1.0
        assert 0.0 <= ece <= 1.0
        assert summary["n"] == len(pairs)
    else:
        assert summary == {"brier": None, "ece": None, "n": 0}


@given(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1), st.floats(0, 1))
def test_score_is_bounded_and_monotone_in_findings(
    f: float, w: float, e: float, rep: float
) -> None:
    low = episode_score({"findings": f * 0.5, "workflow": w, "efficiency": e, "report": rep})
    high = episode_score({"findings": f, "workflow": w, "efficiency": e, "report": rep})
    assert 0.0 <= low <= high <= 1.0


async def test_blind_baselines_are_available_by_name() -> None:
    from trialscope.audit.agents import make_agent

    for name in ("random", "brute-force", "bias-only"):
        result = await run_episode(AuditEnvironment(), make_agent(name), "hard", 0)
        assert result.score <= BLIND_CEILING
