"""The contract every model provider keeps: messages in, text and usage out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypedDict, runtime_checkable

from trialscope.errors import ConfigurationError, ProviderError, RetryableError

__all__ = [
    "ChatMessage",
    "ChatModel",
    "ChatResult",
    "ConfigurationError",
    "GenerationConfig",
    "ProviderError",
    "RetryableError",
    "Usage",
]


class ChatMessage(TypedDict):
    """One OpenAI-style chat message."""

    role: Literal["system", "user", "assistant", "tool"]
    content: str


@dataclass(frozen=True)
class GenerationConfig:
    """Every generation parameter; all of it is part of the response-cache key."""

    temperature: float = 0.0
    max_tokens: int = 4096
    reasoning_effort: str = "low"
    seed: int | None = 0
    json_mode: bool = False
    timeout_s: float = 120.0


@dataclass(frozen=True)
class Usage:
    """Token counts reported by the server (zero when it reports none)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class ChatResult:
    """A model's answer: `text` is what parsers see; `reasoning` keeps stripped <think> blocks."""

    text: str
    usage: Usage = field(default_factory=Usage)
    model: str = ""
    reasoning: str = ""
    finish_reason: str | None = None


@runtime_checkable
class ChatModel(Protocol):
    """A chat model. Implementations raise RetryableError or ProviderError, never SDK errors."""

    name: str
    """The full `provider/model` name the user gave."""

    def cache_identity(self) -> dict[str, Any]:
        """What makes this model's answers distinct: provider, model, base URL(s) ..."""
        ...

    async def chat(self, messages: list[ChatMessage], config: GenerationConfig) -> ChatResult:
        """Send one chat request and return the answer."""
        ...

    async def aclose(self) -> None:
        """Release connections and any process the provider started."""
        ...
