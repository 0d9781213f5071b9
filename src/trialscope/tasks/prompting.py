"""Pieces every task's prompts and aggregates share: chat requests, review setups, evaluations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from trialscope.models.base import ChatMessage
from trialscope.tasks.base import Parsed, Request, Sample, SampleResult, Task


def chat_request(system_prompt: str, user_text: str, json_mode: bool = True) -> Request:
    """A system + user chat request, in JSON mode only when the messages mention JSON (OpenAI
    refuses JSON mode otherwise, e.g. under a `--system-prompt` that does not ask for it)."""
    messages: list[ChatMessage] = [
        {"role": "system", "content": system_prompt},
        {"role": "user", "content": user_text},
    ]
    mentions_json = "json" in system_prompt.lower() or "json" in user_text.lower()
    return Request(messages=messages, json_mode=json_mode and mentions_json)


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(_text(item) for item in value)
    if isinstance(value, dict):
        return "\n".join(f"{key}: {_text(item)}" for key, item in value.items())
    return "" if value is None else str(value)


def review_setup(inputs: Mapping[str, Any]) -> str:
    """A review's sections as `# <section>: <text>` lines, in the record's order."""
    return "\n".join(f"# {key}: {_text(value)}" for key, value in inputs.items())


def evaluations_of(task: Task, results: Sequence[SampleResult]) -> list[dict[str, Any] | None]:
    """Each result's evaluation; a result without one (a failed request the engine did not
    score) is scored here as unanswered when its `input` is the raw record, else None."""
    found: list[dict[str, Any] | None] = []
    for result in results:
        if "score" in result.evaluation:
            found.append(result.evaluation)
            continue
        try:
            record = task.record_model.model_validate(result.input)
        except ValidationError:
            found.append(None)
            continue
        sample = Sample(sample_id=result.sample_id, record=record, raw=dict(result.input))
        parsed = Parsed(prediction=None, error=result.error or "no answer")
        found.append(task.score(sample, parsed))
    return found
