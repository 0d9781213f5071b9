"""The provider registry: prefixes, clear errors, registration, entry points."""

from __future__ import annotations

from typing import Any

import pytest

from trialscope.models import registry
from trialscope.models.base import ChatResult, ConfigurationError, GenerationConfig
from trialscope.models.openai_compatible import OpenAICompatibleModel
from trialscope.models.registry import (
    ProviderSpec,
    list_providers,
    register_provider,
    resolve_model,
)
from trialscope.settings import Settings, load_settings


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Settings:
    monkeypatch.chdir(tmp_path)  # no .env from the checkout
    for var in ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT", "VLLM_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    return load_settings()


def test_unknown_provider_lists_the_valid_prefixes(settings: Settings) -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve_model("nope/model", settings)
    for prefix in ("azure", "openai", "vllm", "ollama", "openai-compatible", "local", "baseline"):
        assert prefix in str(info.value)


def test_a_name_without_provider_is_explained(settings: Settings) -> None:
    with pytest.raises(ConfigurationError, match="provider/model"):
        resolve_model("gpt-4o", settings)


@pytest.mark.parametrize(
    ("name", "variable"),
    [
        ("openai/gpt-4o", "OPENAI_API_KEY"),
        ("azure/gpt-4o", "AZURE_OPENAI_API_KEY"),
        ("vllm/llama", "VLLM_BASE_URL"),
        ("openai-compatible/m", "@"),
    ],
)
def test_missing_credentials_name_the_variable(
    settings: Settings, name: str, variable: str
) -> None:
    with pytest.raises(ConfigurationError, match=variable):
        resolve_model(name, settings)


def test_azure_partial_configuration_names_only_what_is_missing() -> None:
    settings = load_settings(azure_openai_api_key="k")
    with pytest.raises(ConfigurationError) as info:
        resolve_model("azure/gpt-4o", settings)
    assert "AZURE_OPENAI_ENDPOINT" in str(info.value)
    assert "AZURE_OPENAI_API_KEY" not in str(info.value)


def test_baselines_are_not_chat_models(settings: Settings) -> None:
    with pytest.raises(ConfigurationError, match="baseline"):
        resolve_model("baseline/majority", settings)


def test_configured_providers_resolve(settings: Settings) -> None:
    configured = load_settings(
        openai_api_key="k",
        azure_openai_api_key="k",
        azure_openai_endpoint="https://x.openai.azure.com",
        azure_deployment_o3_mini="my-o3",
        vllm_base_url="http://a:8000/v1, http://b:8000/v1",
    )
    azure = resolve_model("azure/o3-mini", configured)
    assert isinstance(azure, OpenAICompatibleModel)
    assert azure.model == "my-o3" and azure.reasoning
    vllm = resolve_model("vllm/llama", configured)
    assert isinstance(vllm, OpenAICompatibleModel)
    assert vllm.base_urls == ["http://a:8000/v1", "http://b:8000/v1"]
    openai_model = resolve_model("openai/gpt-4o", configured)
    assert openai_model.cache_identity()["model"] == "gpt-4o"
    assert "k" not in str(openai_model.cache_identity())


class EchoModel:
    def __init__(self, name: str) -> None:
        self.name = name

    def cache_identity(self) -> dict[str, Any]:
        return {"provider": "echo", "model": self.name}

    async def chat(self, messages: Any, config: GenerationConfig) -> ChatResult:
        return ChatResult(text=messages[-1]["content"])

    async def aclose(self) -> None:
        return None


def test_register_provider(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_registered", {})
    register_provider(
        "echo", lambda name, s: EchoModel(name), description="echoes", env_vars=["ECHO_TOKEN"]
    )
    assert resolve_model("echo/x", settings).name == "echo/x"
    spec = {s.prefix: s for s in list_providers()}["echo"]
    monkeypatch.delenv("ECHO_TOKEN", raising=False)
    assert not spec.configured(settings)
    monkeypatch.setenv("ECHO_TOKEN", "t")
    assert spec.configured(settings)


def test_entry_point_providers(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeEntryPoint:
        name = "thirdparty"
        value = "pkg.module:factory"

        def load(self) -> Any:
            return lambda name, s: EchoModel(name)

    class SpecEntryPoint(FakeEntryPoint):
        name = "ignored"

        def load(self) -> Any:
            return ProviderSpec("specced", lambda name, s: EchoModel(name), "from a spec")

    monkeypatch.setattr(registry, "_registered", {})
    monkeypatch.setattr(registry, "_entry_points_loaded", False)
    monkeypatch.setattr(
        registry, "entry_points", lambda group: [FakeEntryPoint(), SpecEntryPoint()]
    )
    assert resolve_model("thirdparty/m", settings).name == "thirdparty/m"
    assert resolve_model("specced/m", settings).name == "specced/m"
