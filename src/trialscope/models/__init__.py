"""Model providers: the chat model contract and the provider registry.

What a provider author or a user of the models imports::

    from trialscope.models import ChatModel, ChatMessage, GenerationConfig, ChatResult
    from trialscope.models import ProviderSpec, resolve_model
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trialscope.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from trialscope.errors import (
        ConfigurationError as ConfigurationError,
    )
    from trialscope.errors import (
        ProviderError as ProviderError,
    )
    from trialscope.errors import (
        RetryableError as RetryableError,
    )
    from trialscope.models.base import (
        ChatMessage as ChatMessage,
    )
    from trialscope.models.base import (
        ChatModel as ChatModel,
    )
    from trialscope.models.base import (
        ChatResult as ChatResult,
    )
    from trialscope.models.base import (
        GenerationConfig as GenerationConfig,
    )
    from trialscope.models.base import (
        Usage as Usage,
    )
    from trialscope.models.registry import (
        ENTRY_POINT_GROUP as ENTRY_POINT_GROUP,
    )
    from trialscope.models.registry import (
        ModelFactory as ModelFactory,
    )
    from trialscope.models.registry import (
        ProviderRegistry as ProviderRegistry,
    )
    from trialscope.models.registry import (
        ProviderSpec as ProviderSpec,
    )
    from trialscope.models.registry import (
        default_providers as default_providers,
    )
    from trialscope.models.registry import (
        list_providers as list_providers,
    )
    from trialscope.models.registry import (
        resolve_model as resolve_model,
    )
    from trialscope.settings import (
        Settings as Settings,
    )
    from trialscope.settings import (
        load_settings as load_settings,
    )

# Loaded on first use, so importing one submodule (say `.base`) stays cheap.
_SOURCES: dict[str, str] = {
    "ConfigurationError": "trialscope.errors",
    "ProviderError": "trialscope.errors",
    "RetryableError": "trialscope.errors",
    "ChatMessage": "trialscope.models.base",
    "ChatModel": "trialscope.models.base",
    "ChatResult": "trialscope.models.base",
    "GenerationConfig": "trialscope.models.base",
    "Usage": "trialscope.models.base",
    "ENTRY_POINT_GROUP": "trialscope.models.registry",
    "ModelFactory": "trialscope.models.registry",
    "ProviderRegistry": "trialscope.models.registry",
    "ProviderSpec": "trialscope.models.registry",
    "default_providers": "trialscope.models.registry",
    "list_providers": "trialscope.models.registry",
    "resolve_model": "trialscope.models.registry",
    "Settings": "trialscope.settings",
    "load_settings": "trialscope.settings",
}

__all__ = sorted(_SOURCES)

__getattr__, __dir__ = lazy_exports(__name__, _SOURCES)
