"""The react agent's fallback: the audit workflow in order, never a flag, always a report."""

from __future__ import annotations

import pytest

from trialscope.audit.agents.fallback_plan import MAX_FALLBACK_PAGES, FallbackPlan
from trialscope.audit.difficulty import BIAS_DISTRIBUTIONS, TASK_NAMES, difficulty_of
from trialscope.audit.models import AuditAction
from trialscope.audit.server.environment import AuditEnvironment


@pytest.mark.parametrize("task", TASK_NAMES)
def test_the_plan_walks_the_workflow_and_the_environment_accepts_every_step(task: str) -> None:
    env = AuditEnvironment()
    observation = env.reset(seed=2, task=task)
    plan = FallbackPlan.from_briefing(observation)
    tools: list[AuditAction] = []
    while not observation.done:
        action = plan.next_action(observation.steps_remaining)
        plan.note(action, from_model=False)
        observation = env.step(action)
        assert observation.error is None, (action, observation.error)
        tools.append(action)
    difficulty = difficulty_of(task)
    n_keys = len(difficulty.key_variables)
    assert [a.variable for a in tools[:n_keys]] == list(difficulty.key_variables)
    bias = list(BIAS_DISTRIBUTIONS) if "selection_bias" in difficulty.error_types else []
    assert [a.variable for a in tools[n_keys : n_keys + len(bias)]] == bias
    pages = [a.page for a in tools if a.tool == "query_records"]
    assert pages == list(range(1, MAX_FALLBACK_PAGES + 1))
    assert tools[-1].tool == "submit_report" and not any(a.tool == "flag_error" for a in tools)
    result = env.episode_result()
    assert result.finished_by == "report" and result.flags == []
    assert result.components["workflow"] > 0.0 and result.score <= 0.15


def test_the_report_lists_the_flags_and_the_last_step_always_reports() -> None:
    plan = FallbackPlan(key_variables=["age"])
    flag = AuditAction(
        tool="flag_error", patient_id="P0007", error_type="invalid_age", reason="age 91 > 70"
    )
    plan.note(flag, from_model=True)
    assert plan.seen(flag.model_copy(update={"confidence": 0.2}))
    assert plan.next_action(steps_remaining=1).tool == "submit_report"
    report = plan.report().report or ""
    assert "P0007: invalid_age (age 91 > 70)" in report
    assert plan.next_action(steps_remaining=10).variable == "age"
