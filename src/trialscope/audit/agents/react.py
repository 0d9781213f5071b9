"""The ReAct auditor: an LLM that calls the tools one JSON action at a time.

Built to survive small local models (SmolLM2-135M on two CPU cores): JSON mode, a short system
prompt, a capped answer length, a short history, robust parsing, and when a reply cannot be
used, the next step of the standard workflow instead of giving up.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from trialscope.audit.agents.action_parsing import ActionParseError, parse_action
from trialscope.audit.agents.base import AuditAgent
from trialscope.audit.agents.fallback_plan import FallbackPlan
from trialscope.audit.agents.llm_model import ask
from trialscope.audit.models import AuditAction, AuditObservation
from trialscope.audit.tools import TOOL_SPECS
from trialscope.models.base import ChatMessage, ChatModel

log = logging.getLogger(__name__)
ACTION_MAX_TOKENS = 256
"""One action is a small JSON object; a cap keeps a rambling small model from costing minutes."""
MAX_RESULT_CHARS = 700
"""Prompt evaluation dominates on CPU: the latest result is cut here, older ones are dropped."""
HISTORY_TURNS = 3
ACTION_TIMEOUT_S = 300.0
"""A small model on a busy two-core machine needs minutes for a long prompt; failures are costly."""
MAX_PROVIDER_FAILURES = 2
"""Consecutive failed requests before the agent stops asking (each may be a long timeout)."""

SYSTEM = """You audit clinical trial records. Reply with ONE JSON object per turn. Tools:
{tools}
Examples:
{{"tool": "investigate_pattern", "variable": "age"}}
{{"tool": "query_records", "filters": [{{"field": "age", "op": ">", "value": 70}}]}}
{{"tool": "flag_error", "patient_id": "P0012", "error_type": "invalid_age", "confidence": 0.9}}
{{"tool": "submit_report", "report": "P0012 invalid_age: age 82 is above 70."}}
Investigate key variables, query rule breaks, flag each once, then report."""


def tool_signatures() -> str:
    """One line per tool, `name(arg, ...)`: the compact listing a small model can afford."""
    return "\n".join(
        f"- {spec['name']}({', '.join(spec['parameters'].get('properties', {}))})"
        for spec in TOOL_SPECS
    )


def render_observation(observation: AuditObservation, max_result_chars: int) -> str:
    """The observation as the model reads it: text, error, compact result, phase and budget."""
    parts = [observation.text]
    if observation.error:
        parts.append(f"(error: {observation.error})")
    if observation.result is not None and max_result_chars > 0:
        body = json.dumps(observation.result, separators=(",", ":"), default=str)
        if len(body) > max_result_chars:
            body = body[:max_result_chars] + "...(cut)"
        parts.append(body)
    parts.append(f"[phase {observation.phase}, {observation.steps_remaining} steps left]")
    return "\n".join(p for p in parts if p)


def render_briefing(observation: AuditObservation) -> str:
    """The task and protocol (the reset text) without the field dump of the structured result."""
    result = observation.result or {}
    errors = ", ".join(result.get("error_types") or [])
    return f"{observation.text}\nError types: {errors}." if errors else observation.text


@dataclass
class ReactStats:
    """How an episode's actions came about (for logs and tests)."""

    requests: int = 0
    model_actions: int = 0
    fallback_actions: int = 0
    unparseable: int = 0
    provider_failures: int = 0


@dataclass
class _Turn:
    action: AuditAction
    note: str
    observation: AuditObservation | None = None


class ReactAgent(AuditAgent):
    """A bounded conversation: system, the task, and the last few action/observation turns."""

    name = "react"

    def __init__(
        self,
        chat_model: ChatModel,
        max_tokens: int = ACTION_MAX_TOKENS,
        max_actions: int | None = None,
        timeout_s: float = ACTION_TIMEOUT_S,
    ) -> None:
        self.chat_model = chat_model
        self.model = chat_model.name
        self.max_tokens = max_tokens
        self.timeout_s = timeout_s
        self.max_actions = max_actions
        self._system = SYSTEM.format(tools=tool_signatures())
        self._briefing = ""
        self._turns: list[_Turn] = []
        self._plan = FallbackPlan()
        self._failures_in_a_row = 0
        self.stats = ReactStats()

    def reset(self, observation: AuditObservation) -> None:
        """Start the conversation from the task and protocol."""
        self._briefing = render_briefing(observation)
        self._turns = []
        self._plan = FallbackPlan.from_briefing(observation)
        self._failures_in_a_row = 0
        self.stats = ReactStats()

    def _messages(self) -> list[ChatMessage]:
        messages: list[ChatMessage] = [
            {"role": "system", "content": self._system},
            {"role": "user", "content": self._briefing},
        ]
        recent = self._turns[-HISTORY_TURNS:]
        for index, turn in enumerate(recent):
            latest = index == len(recent) - 1
            action = turn.action.model_dump(exclude_none=True, exclude={"metadata"})
            messages.append({"role": "assistant", "content": json.dumps(action)})
            if turn.observation is not None:
                limit = MAX_RESULT_CHARS if latest else 0
                body = render_observation(turn.observation, limit)
                messages.append({"role": "user", "content": f"{turn.note}{body}"})
        if messages[-1]["role"] == "assistant" or len(messages) == 2:
            messages.append({"role": "user", "content": "Your first action?"})
        messages[-1]["content"] += "\nNext action, one JSON object:"
        return messages

    def _take(self, action: AuditAction, note: str, from_model: bool) -> AuditAction:
        self._plan.note(action, from_model)
        self._turns.append(_Turn(action, note))
        if from_model:
            self.stats.model_actions += 1
        else:
            self.stats.fallback_actions += 1
        return action

    async def act(self, observation: AuditObservation) -> AuditAction | None:
        """Ask the model for the next action; on an unusable reply take the workflow's next step."""
        if observation.done:
            return None
        if self._turns and self._turns[-1].observation is None:
            self._turns[-1].observation = observation
        taken = self.stats.model_actions + self.stats.fallback_actions
        if observation.steps_remaining <= 1 or (
            self.max_actions is not None and taken >= self.max_actions
        ):
            return self._take(self._plan.report(), "", from_model=False)
        self.stats.requests += 1
        try:
            text = await ask(
                self.chat_model,
                self._messages(),
                self.max_tokens,
                json_mode=True,
                timeout_s=self.timeout_s,
            )
        except Exception as exc:  # a broken model server must not end the run with a traceback
            log.warning("react: model %s raised %s: %s", self.model, type(exc).__name__, exc)
            text = None
        if text is None:
            self.stats.provider_failures += 1
            self._failures_in_a_row += 1
            if self._failures_in_a_row >= MAX_PROVIDER_FAILURES:
                return None  # the runner submits the (empty) report
            fallback = self._plan.next_action(observation.steps_remaining)
            return self._take(fallback, "(The model did not answer.) ", from_model=False)
        self._failures_in_a_row = 0
        try:
            action = parse_action(text)
        except ActionParseError as exc:
            self.stats.unparseable += 1
            log.info("react: unparseable reply (%s): %.200r", exc, text)
            fallback = self._plan.next_action(observation.steps_remaining)
            note = f"(Could not use that reply: {exc}. Ran the action above instead.) "
            return self._take(fallback, note, from_model=False)
        if self._plan.seen(action) and action.tool != "submit_report":
            fallback = self._plan.next_action(observation.steps_remaining)
            note = "(That exact call was already made; ran the action above instead.) "
            return self._take(fallback, note, from_model=False)
        return self._take(action, "", from_model=True)

    async def aclose(self) -> None:
        """Close the model."""
        log.info("react: %s", self.stats)
        await self.chat_model.aclose()
