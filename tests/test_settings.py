"""Settings: flags over environment over .env over defaults; the original's names work."""

from __future__ import annotations

from pathlib import Path

import pytest

from trialscope.settings import load_settings


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
    assert settings.benchmark_data_path == "results" and settings.database_path is None


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
    assert settings.database_path == "/data/bench"
    assert settings.benchmark_data_path == "/data/results"


def test_flags_beat_environment_beats_dotenv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("TRIALSCOPE_MAX_CONNECTIONS=2\nDATABASE_PATH=/dotenv\n")
    monkeypatch.setenv("TRIALSCOPE_MAX_CONNECTIONS", "5")
    assert load_settings().max_connections == 5
    assert load_settings(max_connections=9).max_connections == 9
    assert load_settings(max_connections=None).max_connections == 5
    assert load_settings().database_path == "/dotenv"


def test_secrets_are_redacted() -> None:
    settings = load_settings(azure_openai_api_key="sk-very-secret", openai_api_key=None)
    redacted = settings.redacted()
    assert redacted["azure_openai_api_key"] == "***" and redacted["openai_api_key"] is None
    assert "sk-very-secret" not in str(redacted) and "sk-very-secret" not in repr(settings)
    assert settings.secret_values() == ["sk-very-secret"]


def test_bad_values_name_the_field() -> None:
    with pytest.raises(ValueError, match="max_connections"):
        load_settings(max_connections=0)
