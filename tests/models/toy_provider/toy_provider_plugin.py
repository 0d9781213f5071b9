"""A provider defined outside trialscope: a "model" that always picks option A.

The `.dist-info` folder beside this file registers `PROVIDER` as a `trialscope.providers` entry
point, exactly as one line in a plugin's pyproject would once installed. It needs one variable,
FIRST_LETTER_TOKEN, which trialscope reads through its Settings (environment or `.env`).
"""

from __future__ import annotations

import json
from typing import Any

from trialscope.models import (
    ChatMessage,
    ChatResult,
    GenerationConfig,
    ProviderSpec,
    Settings,
    Usage,
)


class FirstLetterModel:
    """Answers every multiple-choice question with option A."""

    def __init__(self, name: str, token: str) -> None:
        self.name = name
        self._token = token

    def cache_identity(self) -> dict[str, Any]:
        return {"provider": "first-letter", "model": self.name.split("/", 1)[1]}

    async def chat(self, messages: list[ChatMessage], config: GenerationConfig) -> ChatResult:
        text = json.dumps({"answer_choice": "A", "step_by_step_thinking": "Always A."})
        return ChatResult(text=text, usage=Usage(prompt_tokens=10, completion_tokens=5))

    async def aclose(self) -> None:
        return None


def create_first_letter_model(name: str, settings: Settings) -> FirstLetterModel:
    """`first-letter/<anything>`; the registry has checked FIRST_LETTER_TOKEN is set."""
    return FirstLetterModel(name, settings.env_value("FIRST_LETTER_TOKEN") or "")


PROVIDER = ProviderSpec(
    "first-letter",
    create_first_letter_model,
    "Always answers option A (a test plugin)",
    env_vars=("FIRST_LETTER_TOKEN",),
)
