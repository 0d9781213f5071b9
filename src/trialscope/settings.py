"""Settings: command-line flags, then environment, then `.env`, then defaults.

A field reads the environment variable of its own name in upper case (`openai_api_key` reads
OPENAI_API_KEY) and the same with a `TRIALSCOPE_` prefix, so the providers' variables (named once,
in their `ProviderSpec`) need no second spelling here. The original TrialPanorama scripts' names
keep working (AZURE_DEPLOYMENT_GPT4O, DATABASE_PATH for the benchmark root, BENCHMARK_DATA_PATH
for the results root, ...).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

from dotenv import dotenv_values
from platformdirs import user_cache_dir
from pydantic import AliasChoices, AliasGenerator, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REDACTED = "***"


def _cache_dir() -> Path:
    # The same cache root as the data layer's (TRIALSCOPE_CACHE_DIR), so one variable moves both.
    override = os.environ.get("TRIALSCOPE_CACHE_DIR")
    return Path(override) if override else Path(user_cache_dir("trialscope"))


def _env(*names: str) -> Any:
    return AliasChoices(*names)


def _own_env_names(field_name: str) -> AliasChoices:
    return AliasChoices(f"TRIALSCOPE_{field_name.upper()}", field_name.upper())


class Settings(BaseSettings):
    """Everything trialscope reads from the environment; secrets are `SecretStr`."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        case_sensitive=False,
        alias_generator=AliasGenerator(validation_alias=_own_env_names),
    )

    # Azure OpenAI (the original's only provider).
    azure_openai_api_key: SecretStr | None = None
    azure_openai_endpoint: str | None = None
    azure_openai_api_version: str = "2024-12-01-preview"
    azure_deployment_gpt4o: str | None = None
    azure_deployment_gpt4o_mini: str | None = None
    azure_deployment_o3_mini: str | None = None

    # OpenAI and OpenAI-compatible servers.
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    vllm_base_url: str | None = None
    vllm_api_key: SecretStr | None = None
    ollama_base_url: str = "http://localhost:11434/v1"
    openai_compatible_api_key: SecretStr | None = None
    reasoning_models: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        validation_alias=_env("TRIALSCOPE_REASONING_MODELS"),
        description="Extra model names (or name prefixes) to treat as reasoning models.",
    )

    # Data, results and caches.
    pubmed_api_key: SecretStr | None = None
    benchmark_root: str | None = Field(
        None,
        validation_alias=_env("TRIALSCOPE_DATA_PATH", "DATABASE_PATH"),
        description="Benchmark data root (None: the embedded default benchmark).",
    )
    results_root: str = Field(
        "results",
        validation_alias=_env("TRIALSCOPE_OUTPUT_PATH", "BENCHMARK_DATA_PATH"),
        description="Where run folders are written.",
    )
    cache_path: Path = Field(
        default_factory=lambda: _cache_dir() / "responses.sqlite",
        validation_alias=_env("TRIALSCOPE_CACHE_PATH"),
    )
    prices_path: Path | None = Field(
        None,
        validation_alias=_env("TRIALSCOPE_PRICES_PATH"),
        description="A YAML price table that overrides or extends the shipped one.",
    )

    # Engine defaults.
    max_connections: int = Field(8, ge=1, validation_alias=_env("TRIALSCOPE_MAX_CONNECTIONS"))
    timeout_s: float = Field(120.0, gt=0, validation_alias=_env("TRIALSCOPE_TIMEOUT"))
    max_retries: int = Field(6, ge=0, validation_alias=_env("TRIALSCOPE_MAX_RETRIES"))

    @field_validator("reasoning_models", mode="before")
    @classmethod
    def _split_names(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    def azure_deployment_for(self, name: str) -> str:
        """The deployment behind `azure/<name>`: the original's per-model variables, else `name`."""
        aliases = {
            "gpt-4o": self.azure_deployment_gpt4o,
            "gpt-4o-mini": self.azure_deployment_gpt4o_mini,
            "o3-mini": self.azure_deployment_o3_mini,
        }
        return aliases.get(name) or name

    @classmethod
    def field_reading(cls, variable: str) -> str | None:
        """The name of the field that reads environment variable `variable`, if one does."""
        wanted = variable.upper()
        for field_name, info in cls.model_fields.items():
            alias = info.validation_alias
            names = alias.choices if isinstance(alias, AliasChoices) else [alias]
            if any(isinstance(name, str) and name.upper() == wanted for name in names):
                return field_name
        return None

    def env_value(self, variable: str) -> str | None:
        """An environment variable's value as trialscope reads it: through the field that reads
        it (flags, environment, `.env`), else from the environment, else from `.env`."""
        field_name = self.field_reading(variable)
        if field_name is not None:
            value = getattr(self, field_name)
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
            return str(value) if value not in (None, "") else None
        env_file = self.model_config.get("env_file")
        from_file = dotenv_values(env_file) if isinstance(env_file, str | Path) else {}
        return os.environ.get(variable) or from_file.get(variable) or None

    def secret_values(self) -> list[str]:
        """Every secret's plain value (to check that none is ever written out)."""
        values = []
        for field_name in type(self).model_fields:
            value = getattr(self, field_name)
            if isinstance(value, SecretStr) and value.get_secret_value():
                values.append(value.get_secret_value())
        return values

    def redacted(self) -> dict[str, Any]:
        """All settings as JSON-ready values, secrets replaced by `***` (None stays None)."""
        out: dict[str, Any] = {}
        for field_name in type(self).model_fields:
            value = getattr(self, field_name)
            if isinstance(value, SecretStr):
                out[field_name] = REDACTED if value.get_secret_value() else None
            elif isinstance(value, Path):
                out[field_name] = str(value)
            else:
                out[field_name] = value
        return out


def load_settings(**overrides: Any) -> Settings:
    """Settings from flags (`overrides`, None values ignored), environment, `.env`, defaults."""
    given = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**given)
