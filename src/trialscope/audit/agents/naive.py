"""The naive auditor: one LLM call on a small sample of records, as in the reference."""

from __future__ import annotations

import json
from collections import deque
from typing import Any

from trialscope.audit.agents.action_parsing import json_objects
from trialscope.audit.agents.base import AuditAgent
from trialscope.audit.agents.llm_model import ask
from trialscope.audit.difficulty import BIAS_DISTRIBUTIONS
from trialscope.audit.error_types import ErrorType
from trialscope.audit.models import AuditAction, AuditObservation
from trialscope.models.base import ChatMessage, ChatModel

SAMPLE_SIZE = 25
SAMPLE_FIELDS = [
    "age",
    "group",
    "enrollment_date",
    "treatment_start",
    "death_date",
    "stage",
    "comorbidity_index",
]
PROMPT = """You audit oncology trial records against this protocol:
{protocol}

Here is a sample of {n} records (JSON):
{records}

Answer with one JSON object: {{"flags": [{{"patient_id": "P0001", "error_type": "...",
"confidence": 0.0-1.0}}], "selection_bias": true|false, "report": "short audit report"}}.
Allowed error types: {error_types}."""


class NaiveAgent(AuditAgent):
    """Investigate what the gate requires, read one page of records, ask the model once, flag."""

    name = "naive"

    def __init__(self, chat_model: ChatModel) -> None:
        self.chat_model = chat_model
        self.model = chat_model.name
        self._plan: deque[AuditAction] = deque()
        self._protocol_text = ""
        self._error_types: list[str] = []
        self._asked = False
        self._sample: dict[str, Any] | None = None

    def reset(self, observation: AuditObservation) -> None:
        """Plan the gate's investigations and one sample query."""
        result = observation.result or {}
        self._protocol_text = observation.text
        self._error_types = list(result.get("error_types", []))
        self._asked = False
        self._sample = None
        self._plan = deque(
            AuditAction(tool="investigate_pattern", variable=v)
            for v in result.get("key_variables", [])
        )
        if ErrorType.SELECTION_BIAS in self._error_types:
            self._plan.extend(
                AuditAction(tool="compute_distribution", variable=v) for v in BIAS_DISTRIBUTIONS
            )
        self._plan.append(
            AuditAction(tool="query_records", fields=SAMPLE_FIELDS, page_size=SAMPLE_SIZE)
        )

    async def act(self, observation: AuditObservation) -> AuditAction | None:
        """Follow the plan; after the sample arrives, one model call decides flags and report."""
        if observation.done:
            return None
        if observation.result and "rows" in observation.result and self._sample is None:
            self._sample = observation.result
        if self._plan:
            return self._plan.popleft()
        if not self._asked:
            self._asked = True
            await self._decide()
            if self._plan:
                return self._plan.popleft()
        return None

    async def _decide(self) -> None:
        rows = (self._sample or {}).get("rows", [])
        prompt = PROMPT.format(
            protocol=self._protocol_text,
            n=len(rows),
            records=json.dumps(rows, separators=(",", ":")),
            error_types=", ".join(self._error_types),
        )
        messages: list[ChatMessage] = [{"role": "user", "content": prompt}]
        text = await ask(self.chat_model, messages, max_tokens=700)
        answer = next((o for o in json_objects(text or "") if isinstance(o, dict)), {})
        for flag in answer.get("flags") or []:
            if not isinstance(flag, dict):
                continue
            try:
                confidence = min(1.0, max(0.0, float(flag.get("confidence", 0.5))))
            except (TypeError, ValueError):
                confidence = 0.5
            self._plan.append(
                AuditAction(
                    tool="flag_error",
                    patient_id=str(flag.get("patient_id", ""))[:32],
                    error_type=str(flag.get("error_type", ""))[:64],
                    confidence=confidence,
                )
            )
        if (
            answer.get(ErrorType.SELECTION_BIAS) is True
            and ErrorType.SELECTION_BIAS in self._error_types
        ):
            self._plan.append(AuditAction(tool="flag_error", error_type=ErrorType.SELECTION_BIAS))
        report = answer.get("report")
        self._plan.append(
            AuditAction(tool="submit_report", report=str(report)[:20_000] if report else "")
        )

    async def aclose(self) -> None:
        """Close the model."""
        await self.chat_model.aclose()
