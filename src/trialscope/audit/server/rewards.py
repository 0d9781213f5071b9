"""Reward shaping: dense potential-based rewards in train mode, nothing before the end in eval."""

from __future__ import annotations

from trialscope.audit.models import Mode
from trialscope.audit.server.progress import Progress


def step_reward(
    mode: Mode, progress: Progress, potential: float, done: bool, withheld: bool
) -> float:
    """The reward of one step.

    train: `Phi(s_t) - Phi(s_t-1)` with `Phi` the score if the episode ended now, so an episode's
    rewards add up to its score. eval: 0, then the score on the last step, unless the score is
    withheld (the server's eval suite releases scores per batch, never per episode).
    """
    if mode == "train":
        reward = potential - progress.potential
        progress.potential = potential
        progress.reward_total += reward
        return reward
    return potential if done and not withheld else 0.0
