"""Which provider serves a `provider/model` name.

A provider is a `ProviderSpec`: a prefix, a factory `(name, settings) -> ChatModel` and the
environment variables it needs, named once there. Whether it is configured, the error for a
missing variable and `trialscope models` all read that declaration, and every value is read
through `Settings` (flags, environment, `.env`). Third parties register theirs as an entry point
of the group `trialscope.providers` (the entry point loads a `ProviderSpec` or a bare factory).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib.metadata import EntryPoint, entry_points

from trialscope.errors import ConfigurationError
from trialscope.models.base import ChatModel
from trialscope.settings import Settings

ModelFactory = Callable[[str, Settings], ChatModel]

ENTRY_POINT_GROUP = "trialscope.providers"

BASELINE_PREFIX = "baseline"
"""`baseline/<name>`: offline baselines, run by the engine itself (they answer tasks, not chats)."""


def _llama_cpp_installed() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


@dataclass(frozen=True)
class ProviderSpec:
    """A provider prefix, how to build its models, and the environment variables it reads."""

    prefix: str
    factory: ModelFactory | str
    """A callable, or `"module:function"` imported on first use."""
    description: str
    env_vars: tuple[str, ...] = ()
    """Variables it needs, all of them, to be configured; shown by `trialscope models`."""
    optional_env_vars: tuple[str, ...] = ()
    """Variables it reads when set (endpoints, deployments, keys some servers want)."""
    available: Callable[[], bool] | None = None
    """A condition beyond its variables (a package installed); None means always."""
    url_env_var: str | None = None
    """The base-URL variable that `provider/<model>@<url>[,<url>...]` replaces when given."""

    def __post_init__(self) -> None:
        if not self.prefix or "/" in self.prefix:
            raise ConfigurationError(
                f"provider prefix must be non-empty and contain no '/': {self.prefix!r}"
            )

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

    def missing_env_vars(self, settings: Settings, name: str = "") -> list[str]:
        """The required variables that have no value in `settings` (environment or `.env`),
        leaving out the base-URL variable when the model name `name` carries its own URLs."""
        inline_urls = "@" in name.partition("/")[2]
        return [
            var
            for var in self.env_vars
            if not settings.env_value(var) and not (inline_urls and var == self.url_env_var)
        ]

    def configured(self, settings: Settings) -> bool:
        """Whether every required variable has a value and the provider is available."""
        if self.missing_env_vars(settings):
            return False
        return self.available is None or self.available()


_OPENAI = "trialscope.models.openai_compatible"

BUILTIN_PROVIDERS: tuple[ProviderSpec, ...] = (
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
    ),
    ProviderSpec(
        "openai",
        f"{_OPENAI}:create_openai_model",
        "OpenAI (openai/<model>)",
        ("OPENAI_API_KEY",),
        ("OPENAI_BASE_URL",),
    ),
    ProviderSpec(
        "vllm",
        f"{_OPENAI}:create_vllm_model",
        "vLLM servers (vllm/<model>; several comma-separated base URLs share the load)",
        ("VLLM_BASE_URL",),
        ("VLLM_API_KEY",),
        url_env_var="VLLM_BASE_URL",
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
        available=_llama_cpp_installed,
    ),
)


def _spec_from_entry_point(entry: EntryPoint) -> ProviderSpec:
    origin = f"entry point {entry.name} = {entry.value} ({ENTRY_POINT_GROUP})"
    try:
        loaded = entry.load()
    except Exception as error:  # a broken plugin must say which one, whatever it raised
        raise ConfigurationError(f"{origin} cannot be loaded: {error}") from error
    if isinstance(loaded, ProviderSpec):
        return loaded
    if callable(loaded):
        return ProviderSpec(entry.name, loaded, f"third-party provider ({entry.value})")
    raise ConfigurationError(f"{origin}: expected a ProviderSpec or a factory, got {loaded!r}")


class ProviderRegistry:
    """An immutable table of providers by prefix; `with_provider` returns an extended copy."""

    def __init__(self, specs: Iterable[ProviderSpec] = BUILTIN_PROVIDERS) -> None:
        self._specs: dict[str, ProviderSpec] = {}
        for spec in specs:
            if spec.prefix == BASELINE_PREFIX:
                raise ConfigurationError(f"provider prefix {spec.prefix!r} is reserved")
            self._specs[spec.prefix] = spec

    @classmethod
    def with_entry_points(
        cls,
        builtins: Iterable[ProviderSpec] = BUILTIN_PROVIDERS,
        found: Iterable[EntryPoint] | None = None,
    ) -> ProviderRegistry:
        """`builtins` plus every `trialscope.providers` entry point (`found`, else the installed);
        a built-in prefix is never replaced by an entry point."""
        if found is None:
            found = entry_points(group=ENTRY_POINT_GROUP)
        specs = {spec.prefix: spec for spec in builtins}
        for entry in found:
            spec = _spec_from_entry_point(entry)
            specs.setdefault(spec.prefix, spec)
        return cls(specs.values())

    def with_provider(self, spec: ProviderSpec) -> ProviderRegistry:
        """A copy with `spec` added (replacing a provider of the same prefix)."""
        return ProviderRegistry([*self._specs.values(), spec])

    def __iter__(self) -> Iterator[ProviderSpec]:
        return iter(self._specs.values())

    def get(self, prefix: str) -> ProviderSpec | None:
        """The provider of a prefix, if any."""
        return self._specs.get(prefix)

    def prefixes(self) -> list[str]:
        """Every valid prefix, baselines included."""
        return [*self._specs, BASELINE_PREFIX]

    def split_model_name(self, name: str) -> tuple[str, str]:
        """`provider/model` → (provider, model), with a clear error for names without a prefix."""
        prefix, sep, rest = name.partition("/")
        if not sep or not prefix or not rest:
            raise ConfigurationError(
                f"model name {name!r} must look like provider/model; "
                f"providers: {', '.join(self.prefixes())}"
            )
        return prefix, rest

    def resolve(self, name: str, settings: Settings) -> ChatModel:
        """Build the chat model for `name`; raises ConfigurationError before any request."""
        prefix, _ = self.split_model_name(name)
        if prefix == BASELINE_PREFIX:
            raise ConfigurationError(
                f"{name} is an offline baseline: it answers benchmark tasks (trialscope run), "
                "not free-form chat"
            )
        spec = self._specs.get(prefix)
        if spec is None:
            raise ConfigurationError(
                f"unknown provider {prefix!r} in {name!r}; valid prefixes: "
                f"{', '.join(self.prefixes())}"
            )
        missing = spec.missing_env_vars(settings, name)
        if missing:
            raise ConfigurationError(
                f"{name}: set {' and '.join(missing)} (in the environment or .env)"
            )
        return spec.load_factory()(name, settings)


@cache
def default_providers() -> ProviderRegistry:
    """The providers of this installation: built-ins and installed entry points (built once;
    the registry itself is immutable)."""
    return ProviderRegistry.with_entry_points()


def list_providers() -> list[ProviderSpec]:
    """Every provider of the default registry."""
    return list(default_providers())


def provider_prefixes() -> list[str]:
    """Every valid prefix of the default registry, baselines included."""
    return default_providers().prefixes()


def split_model_name(name: str) -> tuple[str, str]:
    """`provider/model` → (provider, model) against the default registry."""
    return default_providers().split_model_name(name)


def resolve_model(name: str, settings: Settings) -> ChatModel:
    """Build the chat model for `name` from the default registry."""
    return default_providers().resolve(name, settings)
