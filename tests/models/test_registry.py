"""The provider registry: prefixes, clear errors, registration, entry points."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest

from trialscope.models.base import ChatResult, ConfigurationError, GenerationConfig
from trialscope.models.openai_compatible import OpenAICompatibleModel
from trialscope.models.registry import ProviderRegistry, ProviderSpec, resolve_model
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


def test_a_provider_added_to_a_registry_reads_its_variable_through_settings(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    echo = ProviderSpec("echo", lambda name, s: EchoModel(name), "echoes", ("ECHO_TOKEN",))
    providers = ProviderRegistry().with_provider(echo)
    assert "echo" not in ProviderRegistry().prefixes()  # the original is not changed
    monkeypatch.delenv("ECHO_TOKEN", raising=False)
    assert not echo.configured(settings)
    with pytest.raises(ConfigurationError, match="echo/x: set ECHO_TOKEN"):
        providers.resolve("echo/x", settings)
    (tmp_path / ".env").write_text("ECHO_TOKEN=t\n")  # the fixture's working directory
    assert echo.configured(load_settings())
    assert providers.resolve("echo/x", load_settings()).name == "echo/x"


def test_entry_point_providers_join_without_replacing_built_ins(settings: Settings) -> None:
    group = "trialscope.providers"
    found = [
        EntryPoint("thirdparty", f"{__name__}:echo_factory", group),
        EntryPoint("ignored", f"{__name__}:SPECCED", group),
        EntryPoint("openai", f"{__name__}:echo_factory", group),
    ]
    providers = ProviderRegistry.with_entry_points(found=found)
    assert providers.resolve("thirdparty/m", settings).name == "thirdparty/m"
    assert providers.resolve("specced/m", settings).name == "specced/m"
    assert providers.get("openai") is not None
    assert providers.get("openai").factory != echo_factory  # type: ignore[union-attr]


def test_a_broken_entry_point_is_named(settings: Settings) -> None:
    broken = EntryPoint("broken", "no_such_module_xyz:factory", "trialscope.providers")
    with pytest.raises(ConfigurationError, match="entry point broken = no_such_module_xyz"):
        ProviderRegistry.with_entry_points(found=[broken])


def test_bad_prefixes_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="contain no '/'"):
        ProviderSpec("a/b", echo_factory, "bad")
    with pytest.raises(ConfigurationError, match="reserved"):
        ProviderRegistry([ProviderSpec("baseline", echo_factory, "bad")])


def echo_factory(name: str, settings: Settings) -> EchoModel:
    return EchoModel(name)


SPECCED = ProviderSpec("specced", echo_factory, "from a spec")


def test_a_url_in_the_name_stands_in_for_the_base_url_variable(settings: Settings) -> None:
    model = resolve_model("vllm/llama@http://a:8000/v1", settings)
    assert isinstance(model, OpenAICompatibleModel) and model.base_urls == ["http://a:8000/v1"]
    with pytest.raises(ConfigurationError, match="set OPENAI_API_KEY"):
        resolve_model("openai/gpt-4o@http://a:8000/v1", settings)
