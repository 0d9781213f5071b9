"""openenv.yaml declares the reward range the environment really emits, in both modes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from trialscope.audit.difficulty import BIAS_DISTRIBUTIONS, TASK_NAMES, difficulty_of
from trialscope.audit.models import AuditAction
from trialscope.audit.rules import BIAS_TARGET
from trialscope.audit.server.environment import AuditEnvironment

MANIFEST = Path(__file__).resolve().parents[2] / "openenv.yaml"


def declared_range() -> tuple[float, float]:
    low, high = yaml.safe_load(MANIFEST.read_text())["validation"]["reward"]["range"]
    return float(low), float(high)


def mixed_episode(mode: str, task: str, seed: int) -> list[float]:
    """Right flags, then wrong ones (score falls), then the report: every reward emitted."""
    env = AuditEnvironment(mode=mode)  # type: ignore[arg-type]
    rewards = [env.reset(seed=seed, task=task).reward]
    episode = env.episode
    assert episode is not None
    difficulty = difficulty_of(task)
    actions = [
        AuditAction(tool="investigate_pattern", variable=v) for v in difficulty.key_variables
    ]
    if "selection_bias" in difficulty.error_types:
        actions += [
            AuditAction(tool="compute_distribution", variable=v) for v in BIAS_DISTRIBUTIONS
        ]
    labelled = [t for t in episode.labels if t != BIAS_TARGET]
    clean = [r["patient_id"] for r in episode.records if r["patient_id"] not in episode.labels]
    actions += [
        AuditAction(tool="flag_error", patient_id=p, error_type=episode.labels[p], confidence=1.0)
        for p in labelled[:3]
    ]
    actions += [
        AuditAction(tool="flag_error", patient_id=p, error_type="invalid_age", confidence=1.0)
        for p in clean[:4]
    ]
    actions.append(AuditAction(tool="submit_report", report="done"))
    for action in actions:
        observation = env.step(action)
        rewards.append(observation.reward)
        if observation.done:
            break
    return [r for r in rewards if r is not None]


@pytest.mark.parametrize("task", TASK_NAMES)
def test_every_emitted_reward_is_inside_the_declared_range(task: str) -> None:
    low, high = declared_range()
    seen = {mode: mixed_episode(mode, task, 1) for mode in ("eval", "train")}
    for mode, rewards in seen.items():
        assert rewards and all(low <= r <= high for r in rewards), (mode, rewards)
    # eval: zero until the last step, then the score in [0, 1]
    assert all(r == 0.0 for r in seen["eval"][:-1]) and 0.0 <= seen["eval"][-1] <= 1.0
    # train: wrong flags lower the score, so a negative reward is real and must be declared
    assert min(seen["train"]) < 0.0
    assert low <= -1.0 + 1e-9 and high >= 1.0 - 1e-9
