"""Settings: command-line flags, then environment, then `.env`, then defaults.

The original TrialPanorama scripts' variable names keep working (AZURE_OPENAI_API_KEY,
AZURE_DEPLOYMENT_GPT4O, DATABASE_PATH, BENCHMARK_DATA_PATH, ...); each field also accepts a
`TRIALSCOPE_`-prefixed name.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

from platformdirs import user_cache_dir
from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REDACTED = "***"


def _cache_dir() -> Path:
    # The same cache root as the data layer's (TRIALSCOPE_CACHE_DIR), so one variable moves both.
    override = os.environ.get("TRIALSCOPE_CACHE_DIR")
    return Path(override) if override else Path(user_cache_dir("trialscope"))


def _env(*names: str) -> Any:
    return AliasChoices(*names)


class Settings(BaseSettings):
    """Everything trialscope reads from the environment; secrets are `SecretStr`."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        case_sensitive=False,
    )

    # Azure OpenAI (the original's only provider).
    azure_openai_api_key: SecretStr | None = Field(
        None, validation_alias=_env("TRIALSCOPE_AZURE_OPENAI_API_KEY", "AZURE_OPENAI_API_KEY")
    )
    azure_openai_endpoint: str | None = Field(
        None, validation_alias=_env("TRIALSCOPE_AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_ENDPOINT")
    )
    azure_openai_api_version: str = Field(
        "2024-12-01-preview",
        validation_alias=_env("TRIALSCOPE_AZURE_OPENAI_API_VERSION", "AZURE_OPENAI_API_VERSION"),
    )
    azure_deployment_gpt4o: str | None = Field(
        None, validation_alias=_env("TRIALSCOPE_AZURE_DEPLOYMENT_GPT4O", "AZURE_DEPLOYMENT_GPT4O")
    )
    azure_deployment_gpt4o_mini: str | None = Field(
        None,
        validation_alias=_env(
            "TRIALSCOPE_AZURE_DEPLOYMENT_GPT4O_MINI", "AZURE_DEPLOYMENT_GPT4O_MINI"
        ),
    )
    azure_deployment_o3_mini: str | None = Field(
        None,
        validation_alias=_env("TRIALSCOPE_AZURE_DEPLOYMENT_O3_MINI", "AZURE_DEPLOYMENT_O3_MINI"),
    )

    # OpenAI and OpenAI-compatible servers.
    openai_api_key: SecretStr | None = Field(
        None, validation_alias=_env("TRIALSCOPE_OPENAI_API_KEY", "OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        None, validation_alias=_env("TRIALSCOPE_OPENAI_BASE_URL", "OPENAI_BASE_URL")
    )
    vllm_base_url: str | None = Field(
        None, validation_alias=_env("TRIALSCOPE_VLLM_BASE_URL", "VLLM_BASE_URL")
    )
    vllm_api_key: SecretStr | None = Field(
        None, validation_alias=_env("TRIALSCOPE_VLLM_API_KEY", "VLLM_API_KEY")
    )
    ollama_base_url: str = Field(
        "http://localhost:11434/v1",
        validation_alias=_env("TRIALSCOPE_OLLAMA_BASE_URL", "OLLAMA_BASE_URL"),
    )
    openai_compatible_api_key: SecretStr | None = Field(
        None,
        validation_alias=_env("TRIALSCOPE_OPENAI_COMPATIBLE_API_KEY", "OPENAI_COMPATIBLE_API_KEY"),
    )
    reasoning_models: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        validation_alias=_env("TRIALSCOPE_REASONING_MODELS"),
        description="Extra model names (or name prefixes) to treat as reasoning models.",
    )

    # Data, results and caches.
    pubmed_api_key: SecretStr | None = Field(
        None, validation_alias=_env("TRIALSCOPE_PUBMED_API_KEY", "PUBMED_API_KEY")
    )
    database_path: str | None = Field(
        None,
        validation_alias=_env("TRIALSCOPE_DATA_PATH", "DATABASE_PATH"),
        description="Benchmark data root (None: the embedded default benchmark).",
    )
    benchmark_data_path: str = Field(
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
