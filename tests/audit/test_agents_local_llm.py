"""The react agent with the real SmolLM2 on llama.cpp: it scores low, and it must not crash."""

from __future__ import annotations

import pytest

from trialscope.audit.agents import make_agent
from trialscope.audit.environment import AuditEnvironment
from trialscope.audit.runner import run_episode

pytestmark = pytest.mark.local_llm


async def test_react_with_smollm2_finishes_an_episode() -> None:
    agent = make_agent("react", "local/smollm2")
    try:
        result = await run_episode(AuditEnvironment(), agent, "easy", 0)
    finally:
        await agent.aclose()
    assert result.finished_by in ("report", "budget")
    assert 0.0 <= result.score <= 1.0
    assert result.steps <= result.step_budget
