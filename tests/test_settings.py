"""Settings: flags over environment over .env over defaults; the original's names work."""

from __future__ import annotations

from pathlib import Path

import pytest

from trialscope.settings import Settings, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for var in (
        "AZURE_OPENAI_API_KEY",
        "AZURE_DEPLOYMENT_GPT4O",
        "DATABASE_PATH",
        "BENCHMARK_DATA_PATH",
        "PUBMED_API_KEY",
        "TRIALSCOPE_MAX_CONNECTIONS",
    ):
        monkeypatch.delenv(var, raising=False)


def test_defaults() -> None:
    settings = load_settings()
    assert settings.azure_openai_api_key is None
    assert settings.azure_openai_api_version == "2024-12-01-preview"
    assert settings.results_root == "results" and settings.benchmark_root is None


def test_dotenv_is_loaded_with_the_original_names(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "AZURE_OPENAI_API_KEY=from-dotenv\nAZURE_DEPLOYMENT_GPT4O=my-4o\n"
        "DATABASE_PATH=/data/bench\nBENCHMARK_DATA_PATH=/data/results\nPUBMED_API_KEY=pm\n"
    )
    settings = load_settings()
    assert settings.azure_openai_api_key is not None
    assert settings.azure_openai_api_key.get_secret_value() == "from-dotenv"
    assert settings.azure_deployment_for("gpt-4o") == "my-4o"
    assert settings.azure_deployment_for("other") == "other"
    assert settings.benchmark_root == "/data/bench"
    assert settings.results_root == "/data/results"


def test_flags_beat_environment_beats_dotenv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("TRIALSCOPE_MAX_CONNECTIONS=2\nDATABASE_PATH=/dotenv\n")
    monkeypatch.setenv("TRIALSCOPE_MAX_CONNECTIONS", "5")
    assert load_settings().max_connections == 5
    assert load_settings(max_connections=9).max_connections == 9
    assert load_settings(max_connections=None).max_connections == 5
    assert load_settings().benchmark_root == "/dotenv"


def test_secrets_are_redacted() -> None:
    settings = load_settings(azure_openai_api_key="sk-very-secret", openai_api_key=None)
    redacted = settings.redacted()
    assert redacted["azure_openai_api_key"] == "***" and redacted["openai_api_key"] is None
    assert "sk-very-secret" not in str(redacted) and "sk-very-secret" not in repr(settings)
    assert settings.secret_values() == ["sk-very-secret"]


def test_bad_values_name_the_field() -> None:
    with pytest.raises(ValueError, match="max_connections"):
        load_settings(max_connections=0)


def test_every_field_reads_its_own_name_and_the_prefixed_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRIALSCOPE_VLLM_BASE_URL", "http://prefixed:8000/v1")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://plain/v1")
    settings = load_settings()
    assert settings.vllm_base_url == "http://prefixed:8000/v1"
    assert settings.openai_base_url == "http://plain/v1"
    assert Settings.field_reading("vllm_base_url") == "vllm_base_url"
    assert Settings.field_reading("DATABASE_PATH") == "benchmark_root"
    assert Settings.field_reading("BENCHMARK_DATA_PATH") == "results_root"
    assert Settings.field_reading("NO_SUCH_VARIABLE") is None


def test_env_value_reads_fields_environment_and_dotenv_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("AZURE_OPENAI_API_KEY=k-dotenv\nPLUGIN_TOKEN=p-dotenv\n")
    monkeypatch.delenv("PLUGIN_TOKEN", raising=False)
    settings = load_settings()
    assert settings.env_value("AZURE_OPENAI_API_KEY") == "k-dotenv"  # a secret field, unwrapped
    assert settings.env_value("PLUGIN_TOKEN") == "p-dotenv"  # no field: read from .env
    monkeypatch.setenv("PLUGIN_TOKEN", "p-env")
    assert settings.env_value("PLUGIN_TOKEN") == "p-env"  # the environment beats .env
    assert settings.env_value("AZURE_OPENAI_ENDPOINT") is None
    assert load_settings(azure_openai_endpoint="https://e").env_value("AZURE_OPENAI_ENDPOINT")


def test_every_built_in_provider_variable_is_a_settings_field() -> None:
    from trialscope.models.registry import BUILTIN_PROVIDERS

    for spec in BUILTIN_PROVIDERS:
        for variable in (*spec.env_vars, *spec.optional_env_vars):
            assert Settings.field_reading(variable) is not None, (spec.prefix, variable)
