"""The models layer as the LLM agents use it: resolve a name, chat, never raise on failure."""

from __future__ import annotations

import logging
from dataclasses import replace

from trialscope.models.base import ChatMessage, ChatModel, GenerationConfig, ProviderError

log = logging.getLogger(__name__)


def load_chat_model(name: str) -> ChatModel:
    """The chat model for `provider/model` (configuration errors surface here, before a run)."""
    from trialscope.models.registry import resolve_model
    from trialscope.settings import load_settings

    return resolve_model(name, load_settings())


async def ask(
    model: ChatModel,
    messages: list[ChatMessage],
    max_tokens: int,
    json_mode: bool = False,
    timeout_s: float | None = None,
) -> str | None:
    """The model's reply text, or None when the request failed for good (logged)."""
    config = GenerationConfig(temperature=0.0, max_tokens=max_tokens, json_mode=json_mode)
    if timeout_s is not None:
        config = replace(config, timeout_s=timeout_s)
    try:
        result = await model.chat(messages, config)
    except ProviderError as exc:
        log.warning("model %s failed: %s", model.name, exc)
        return None
    return result.text
