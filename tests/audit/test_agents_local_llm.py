"""The react agent with the real SmolLM2 on llama.cpp: it scores low, and it must not crash.

One short episode (easy task, at most two actions then the report) so that it runs in well
under two minutes on two cores; it checks format and plumbing, not the score.
"""

from __future__ import annotations

import pytest

from trialscope.audit.agents.llm_model import load_chat_model
from trialscope.audit.agents.react import ReactAgent
from trialscope.audit.runner import StepRecord, run_episode
from trialscope.audit.server.environment import AuditEnvironment
from trialscope.audit.tools import TOOL_NAMES

pytestmark = [pytest.mark.local_llm, pytest.mark.timeout(300)]

MAX_ACTIONS = 2


async def test_react_with_smollm2_finishes_a_short_episode() -> None:
    agent = ReactAgent(load_chat_model("local/smollm2"), max_actions=MAX_ACTIONS)
    steps: list[StepRecord] = []
    try:
        result = await run_episode(AuditEnvironment(), agent, "easy", 0, on_step=steps.append)
    finally:
        await agent.aclose()
    stats = agent.stats
    # The model was really asked, answered every time, and each answer became an action.
    assert stats.requests == MAX_ACTIONS and stats.provider_failures == 0
    assert stats.model_actions + stats.fallback_actions == len(steps)
    assert len(steps) == MAX_ACTIONS + 1 and steps[-1].action.tool == "submit_report"
    assert all(s.action.tool in TOOL_NAMES for s in steps)
    assert result.finished_by == "report"
    assert 0.0 <= result.score <= 1.0
