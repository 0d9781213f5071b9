"""Agents: heuristic through the tools, naive and react against a deterministic loopback model."""

from __future__ import annotations

import json
import re

import pytest
from tests.support.openai_server import ChatRequest, OpenAIServer, Reply
from tests.support.openai_server import openai_server as openai_server

from trialscope.audit.agents import make_agent
from trialscope.audit.agents.heuristic import HeuristicAgent
from trialscope.audit.difficulty import TASK_NAMES
from trialscope.audit.generator import generate_episode
from trialscope.audit.runner import StepRecord, run_episode
from trialscope.audit.server.environment import AuditEnvironment


@pytest.mark.parametrize("task", TASK_NAMES)
async def test_heuristic_applies_the_protocol_through_the_tools(task: str) -> None:
    steps: list[StepRecord] = []
    for seed in range(6):
        steps.clear()
        result = await run_episode(
            AuditEnvironment(), HeuristicAgent(), task, seed, on_step=steps.append
        )
        assert result.score >= 0.95, (seed, result.components, result.missed)
        assert result.finished_by == "report"
        assert any(s.action.tool == "query_records" for s in steps)
        assert len(steps) == result.steps <= result.step_budget


def _model_name(server: OpenAIServer) -> str:
    return f"openai-compatible/scripted@{server.base_url}"


def test_make_agent_names_and_errors(openai_server: OpenAIServer) -> None:
    assert make_agent("heuristic").name == "heuristic"
    assert make_agent("react", _model_name(openai_server)).name == "react"
    with pytest.raises(ValueError, match="needs a model"):
        make_agent("naive")
    with pytest.raises(ValueError, match="unknown agent"):
        make_agent("oracle")


async def test_naive_asks_once_and_flags_what_the_model_says(openai_server: OpenAIServer) -> None:
    episode = generate_episode("easy", 7)
    target = next(iter(episode.labels))

    def responder(request: ChatRequest) -> str:
        ids = re.findall(r"\"patient_id\":\"(P\d{4})\"", request.last_user_text)
        assert len(ids) == 25, "the naive agent sends one page of sampled records"
        return json.dumps(
            {
                "flags": [
                    {"patient_id": target, "error_type": "invalid_age", "confidence": 0.9},
                    {"patient_id": ids[0], "error_type": "invalid_age", "confidence": "high"},
                    "junk",
                ],
                "report": f"{target}: invalid age.",
            }
        )

    openai_server.responder = responder
    agent = make_agent("naive", _model_name(openai_server))
    result = await run_episode(AuditEnvironment(), agent, "easy", 7)
    await agent.aclose()
    assert len(openai_server.requests) == 1
    flagged = {f["patient_id"] for f in result.flags}
    assert target in flagged
    assert result.finished_by == "report"
    assert 0.0 < result.score < 1.0


async def test_react_recovers_from_bad_replies_and_finishes(openai_server: OpenAIServer) -> None:
    episode = generate_episode("easy", 5)
    age_max = episode.protocol.age_max
    script = iter(
        [
            'Thought: start.\n{"tool": "investigate_pattern", "variable": "age"}',
            "I am not sure what to do.",
            '```json\n{"action": "query_records", "arguments": {"filters": [{"field": "age", '
            f'"op": ">", "value": {age_max}}}], "fields": "age"}}}}\n```',
        ]
    )

    def responder(request: ChatRequest) -> str:
        step = next(script, None)
        if step is not None:
            return step
        text = request.last_user_text
        if "Flag recorded" in text:
            return json.dumps({"tool": "submit_report", "report": "done"})
        ids = re.findall(r'"patient_id":"(P\d{4})"', text)
        if ids:
            return json.dumps(
                {
                    "name": "flag_error",
                    "parameters": {
                        "patient_id": ids[0],
                        "error_type": "invalid_age",
                        "confidence": 0.7,
                    },
                }
            )
        return '{"tool": "submit_report", "report": "nothing found"}'

    openai_server.responder = responder
    agent = make_agent("react", _model_name(openai_server))
    steps: list[StepRecord] = []
    result = await run_episode(AuditEnvironment(), agent, "easy", 5, on_step=steps.append)
    await agent.aclose()
    tools = [s.action.tool for s in steps]
    assert tools[:2] == ["investigate_pattern", "query_records"]
    assert "flag_error" in tools and tools[-1] == "submit_report"
    assert result.flags and result.flags[0]["correct"]
    # The unparseable reply was answered with an explanation, not sent to the environment.
    assert any(
        "Could not use that reply" in m["content"]
        for r in openai_server.requests
        for m in r.messages
    )


async def test_react_with_a_model_that_never_answers_json_does_not_crash(
    openai_server: OpenAIServer,
) -> None:
    openai_server.responder = lambda request: "Sure! Let me think about the audit."
    agent = make_agent("react", _model_name(openai_server))
    steps: list[StepRecord] = []
    result = await run_episode(AuditEnvironment(), agent, "hard", 1, on_step=steps.append)
    await agent.aclose()
    # Prose never reaches the environment: the agent walks the workflow and never invents flags.
    tools = [s.action.tool for s in steps]
    assert tools[:5] == ["investigate_pattern"] * 5
    assert tools[5:8] == ["compute_distribution"] * 3
    assert "query_records" in tools and tools[-1] == "submit_report"
    assert all(s.observation.error is None for s in steps)
    assert result.finished_by == "report" and result.flags == []
    assert result.score <= 0.15
    # JSON mode and the action cap were requested every time.
    bodies = [r.body for r in openai_server.requests]
    assert bodies and all(b.get("response_format") == {"type": "json_object"} for b in bodies)
    assert all(b.get("max_tokens", b.get("max_completion_tokens")) == 256 for b in bodies)


async def test_llm_agents_survive_a_failing_provider(openai_server: OpenAIServer) -> None:
    openai_server.responder = lambda request: Reply.error(400, message="bad request")
    for name in ("react", "naive"):
        agent = make_agent(name, _model_name(openai_server))
        result = await run_episode(AuditEnvironment(), agent, "medium", 2)
        await agent.aclose()
        assert result.finished_by == "report"
        assert result.flags == []


class _IgnoresStageIvExtension(HeuristicAgent):
    """A threshold auditor that applies the standard window to everyone (the trap's target)."""

    def _breaks(self, error_type: str, row: dict[str, object]) -> bool:
        if error_type == "protocol_window_violation":
            assert self._protocol is not None
            delay = row.get("delay_days")
            if delay is None:
                from trialscope.audit.rules import treatment_delay_days

                delay = treatment_delay_days(row)  # type: ignore[arg-type]
            return delay is not None and int(delay) > self._protocol.window_days  # type: ignore[call-overload]
        return super()._breaks(error_type, row)


async def test_traps_catch_an_auditor_that_skips_the_stage_iv_exception() -> None:
    for seed in range(4):
        result = await run_episode(AuditEnvironment(), _IgnoresStageIvExtension(), "medium", seed)
        episode = generate_episode("medium", seed)
        traps = {t.patient_id for t in episode.traps}
        wrong = [f for f in result.flags if not f["correct"]]
        assert wrong and all(f["patient_id"] in traps for f in wrong)
        assert result.score < 0.9


async def test_react_replaces_a_repeated_call_and_honours_its_action_cap(
    openai_server: OpenAIServer,
) -> None:
    from trialscope.audit.agents.llm_model import load_chat_model
    from trialscope.audit.agents.react import ReactAgent

    openai_server.responder = lambda request: '{"tool": "investigate_pattern", "variable": "age"}'
    agent = ReactAgent(load_chat_model(_model_name(openai_server)), max_actions=3)
    steps: list[StepRecord] = []
    result = await run_episode(AuditEnvironment(), agent, "easy", 3, on_step=steps.append)
    await agent.aclose()
    assert [s.action.tool for s in steps] == [
        "investigate_pattern",
        "query_records",
        "query_records",
        "submit_report",
    ]
    assert agent.stats.model_actions == 1 and agent.stats.fallback_actions == 3
    assert agent.stats.requests == 3 and result.finished_by == "report"
    # The model is told its repeat was replaced; the system prompt stays short.
    last = openai_server.requests[-1].messages
    assert any("already made" in m["content"] for m in last)
    assert len(last[0]["content"]) < 1000
