"""Which provider serves a `provider/model` name.

A provider is a factory `(name, settings) -> ChatModel` registered under a prefix. Built-ins are
imported lazily; third parties register theirs through the entry-point group
`trialscope.providers` (the entry point loads a `ProviderSpec` or a bare factory).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points

from trialscope.models.base import ChatModel, ConfigurationError
from trialscope.settings import Settings

ModelFactory = Callable[[str, Settings], ChatModel]

ENTRY_POINT_GROUP = "trialscope.providers"


@dataclass(frozen=True)
class ProviderSpec:
    """A provider prefix, how to build its models, and what it needs to be configured."""

    prefix: str
    factory: ModelFactory | str
    """A callable, or `"module:function"` imported on first use."""
    description: str
    env_vars: tuple[str, ...] = ()
    """Variables it needs (all of them) to be configured; shown by `trialscope models`."""
    optional_env_vars: tuple[str, ...] = ()
    is_configured: Callable[[Settings], bool] | None = field(default=None, compare=False)

    def load_factory(self) -> ModelFactory:
        """The factory, importing it if it was given as `module:function`."""
        if callable(self.factory):
            return self.factory
        module_name, _, attribute = self.factory.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            raise ConfigurationError(
                f"provider '{self.prefix}/' is not available yet ({module_name} is not installed)"
            ) from exc
        factory: ModelFactory = getattr(module, attribute)
        return factory

    def configured(self, settings: Settings) -> bool:
        """Whether its required settings are present."""
        if self.is_configured is not None:
            return self.is_configured(settings)
        return True


_OPENAI = "trialscope.models.openai_compatible"

_BUILTINS: tuple[ProviderSpec, ...] = (
    ProviderSpec(
        "azure",
        f"{_OPENAI}:create_azure_model",
        "Azure OpenAI deployments (azure/<deployment>; gpt-4o, gpt-4o-mini, o3-mini map "
        "through AZURE_DEPLOYMENT_*)",
        ("AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT"),
        (
            "AZURE_OPENAI_API_VERSION",
            "AZURE_DEPLOYMENT_GPT4O",
            "AZURE_DEPLOYMENT_GPT4O_MINI",
            "AZURE_DEPLOYMENT_O3_MINI",
        ),
        lambda s: bool(s.azure_openai_api_key and s.azure_openai_endpoint),
    ),
    ProviderSpec(
        "openai",
        f"{_OPENAI}:create_openai_model",
        "OpenAI (openai/<model>)",
        ("OPENAI_API_KEY",),
        ("OPENAI_BASE_URL",),
        lambda s: s.openai_api_key is not None,
    ),
    ProviderSpec(
        "vllm",
        f"{_OPENAI}:create_vllm_model",
        "vLLM servers (vllm/<model>; several comma-separated base URLs share the load)",
        ("VLLM_BASE_URL",),
        ("VLLM_API_KEY",),
        lambda s: bool(s.vllm_base_url),
    ),
    ProviderSpec(
        "ollama",
        f"{_OPENAI}:create_ollama_model",
        "Ollama (ollama/<model>)",
        (),
        ("OLLAMA_BASE_URL",),
    ),
    ProviderSpec(
        "openai-compatible",
        f"{_OPENAI}:create_generic_model",
        "Any OpenAI-compatible server (openai-compatible/<model>@<base_url>[,<base_url>...])",
        (),
        ("OPENAI_COMPATIBLE_API_KEY",),
    ),
    ProviderSpec(
        "local",
        "trialscope.models.local:create_local_model",
        "The offline local model on llama.cpp (local/smollm2 or local/<file.gguf>)",
        (),
        (),
        lambda _settings: importlib.util.find_spec("llama_cpp") is not None,
    ),
)

BASELINE_PREFIX = "baseline"
"""`baseline/<name>`: offline baselines, run by the engine itself (they answer tasks, not chats)."""

_registered: dict[str, ProviderSpec] = {}
_entry_points_loaded = False


def register_provider(
    prefix: str,
    factory: ModelFactory | str,
    *,
    description: str,
    env_vars: tuple[str, ...] | list[str] = (),
) -> None:
    """Make `prefix/...` names resolve through `factory` (replaces an earlier registration)."""
    if not prefix or "/" in prefix:
        raise ValueError(f"provider prefix must be non-empty and contain no '/': {prefix!r}")
    env = tuple(env_vars)
    _registered[prefix] = ProviderSpec(
        prefix,
        factory,
        description,
        env,
        is_configured=_all_env_set(env) if env else None,
    )


def _all_env_set(env_vars: tuple[str, ...]) -> Callable[[Settings], bool]:
    import os

    return lambda _settings: all(os.environ.get(var) for var in env_vars)


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        loaded = entry.load()
        if isinstance(loaded, ProviderSpec):
            _registered.setdefault(loaded.prefix, loaded)
        elif callable(loaded):
            _registered.setdefault(
                entry.name,
                ProviderSpec(entry.name, loaded, f"third-party provider ({entry.value})"),
            )


def list_providers() -> list[ProviderSpec]:
    """Built-in, registered and entry-point providers, registered ones overriding built-ins."""
    _load_entry_points()
    table = {spec.prefix: spec for spec in _BUILTINS}
    table.update(_registered)
    return list(table.values())


def provider_prefixes() -> list[str]:
    """Every valid prefix, baselines included."""
    return [spec.prefix for spec in list_providers()] + [BASELINE_PREFIX]


def split_model_name(name: str) -> tuple[str, str]:
    """`provider/model` → (provider, model), with a clear error for names without a prefix."""
    prefix, sep, rest = name.partition("/")
    if not sep or not prefix or not rest:
        raise ConfigurationError(
            f"model name {name!r} must look like provider/model; "
            f"providers: {', '.join(provider_prefixes())}"
        )
    return prefix, rest


def resolve_model(name: str, settings: Settings) -> ChatModel:
    """Build the chat model for `name`; raises ConfigurationError before any request is sent."""
    prefix, _ = split_model_name(name)
    if prefix == BASELINE_PREFIX:
        raise ConfigurationError(
            f"{name} is an offline baseline: it answers benchmark tasks (trialscope run), "
            "not free-form chat"
        )
    specs = {spec.prefix: spec for spec in list_providers()}
    spec = specs.get(prefix)
    if spec is None:
        raise ConfigurationError(
            f"unknown provider {prefix!r} in {name!r}; valid prefixes: "
            f"{', '.join(provider_prefixes())}"
        )
    model = spec.load_factory()(name, settings)
    return model
