"""Model providers: the chat model contract and the provider registry.

What a provider author or a user of the models imports::

    from trialscope.models import ChatModel, ChatMessage, GenerationConfig, ChatResult
    from trialscope.models import ProviderSpec, resolve_model
"""

from trialscope.errors import ConfigurationError, ProviderError, RetryableError
from trialscope.models.base import ChatMessage, ChatModel, ChatResult, GenerationConfig, Usage
from trialscope.models.registry import (
    ENTRY_POINT_GROUP,
    ModelFactory,
    ProviderRegistry,
    ProviderSpec,
    default_providers,
    list_providers,
    resolve_model,
)
from trialscope.settings import Settings, load_settings

__all__ = [
    "ENTRY_POINT_GROUP",
    "ChatMessage",
    "ChatModel",
    "ChatResult",
    "ConfigurationError",
    "GenerationConfig",
    "ModelFactory",
    "ProviderError",
    "ProviderRegistry",
    "ProviderSpec",
    "RetryableError",
    "Settings",
    "Usage",
    "default_providers",
    "list_providers",
    "load_settings",
    "resolve_model",
]
