"""The ReAct auditor: an LLM that calls the tools one JSON action at a time."""

from __future__ import annotations

import json
import logging

from trialscope.audit.agents.action_parsing import ActionParseError, parse_action
from trialscope.audit.agents.base import AuditAgent
from trialscope.audit.agents.llm_model import ask
from trialscope.audit.models import AuditAction, AuditObservation
from trialscope.audit.tools import TOOL_SPECS
from trialscope.models.base import ChatMessage, ChatModel

log = logging.getLogger(__name__)
MAX_RESULT_CHARS = 2500
HISTORY_TURNS = 6
MAX_PARSE_FAILURES = 3

SYSTEM = """You are a clinical trial data auditor. Each turn, call exactly one tool by replying
with one JSON object: {{"tool": "<name>", ...arguments}}. Example:
{{"tool": "query_records", "filters": [{{"field": "age", "op": ">", "value": 75}}],
 "fields": ["age"]}}
Tools:
{tools}
Investigate the key variables first, query records to find rule breaks, flag each erroneous
patient once (with a confidence), and finish with submit_report citing each patient, its error
type and the rule."""


def _tool_lines() -> str:
    lines = []
    for spec in TOOL_SPECS:
        params = ", ".join(spec["parameters"].get("properties", {}))
        lines.append(f"- {spec['name']}({params}): {spec['description']}")
    return "\n".join(lines)


def _render(observation: AuditObservation) -> str:
    parts = [observation.text]
    if observation.error:
        parts.append(f"(error: {observation.error})")
    if observation.result is not None:
        body = json.dumps(observation.result, separators=(",", ":"), default=str)
        if len(body) > MAX_RESULT_CHARS:
            body = body[:MAX_RESULT_CHARS] + "...(cut)"
        parts.append(body)
    parts.append(f"[phase {observation.phase}, {observation.steps_remaining} steps left]")
    return "\n".join(p for p in parts if p)


class ReactAgent(AuditAgent):
    """A bounded conversation: system, the task, and the last few action/observation turns."""

    name = "react"

    def __init__(self, chat_model: ChatModel, max_tokens: int = 400) -> None:
        self.chat_model = chat_model
        self.model = chat_model.name
        self.max_tokens = max_tokens
        self._system = SYSTEM.format(tools=_tool_lines())
        self._task = ""
        self._turns: list[ChatMessage] = []
        self._failures = 0

    def reset(self, observation: AuditObservation) -> None:
        """Start the conversation from the task and protocol."""
        self._task = _render(observation)
        self._turns = []
        self._failures = 0

    async def act(self, observation: AuditObservation) -> AuditAction | None:
        """Ask the model for the next action; give up politely after repeated garbage."""
        if observation.done:
            return None
        if self._turns and self._turns[-1]["role"] == "assistant":
            self._turns.append({"role": "user", "content": _render(observation)})
        while True:
            messages: list[ChatMessage] = [
                {"role": "system", "content": self._system},
                {"role": "user", "content": self._task},
                *self._turns[-2 * HISTORY_TURNS :],
            ]
            if messages[-1]["role"] == "assistant":
                messages.append({"role": "user", "content": "Next action (one JSON object)."})
            text = await ask(self.chat_model, messages, self.max_tokens)
            if text is None:
                return None
            self._turns.append({"role": "assistant", "content": text[:2000]})
            try:
                action = parse_action(text)
            except ActionParseError as exc:
                self._failures += 1
                log.info("react: unparseable reply (%s)", exc)
                if self._failures >= MAX_PARSE_FAILURES:
                    return AuditAction(tool="submit_report", report="")
                self._turns.append(
                    {
                        "role": "user",
                        "content": f"Could not use that reply: {exc}. Reply with one JSON object.",
                    }
                )
                continue
            self._failures = 0
            return action

    async def aclose(self) -> None:
        """Close the model."""
        await self.chat_model.aclose()
