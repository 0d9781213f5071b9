"""The response cache: keyed on identity, messages and every generation parameter."""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import pytest

from trialscope.engine.cache import ResponseCache, cache_key
from trialscope.models.base import ChatMessage, ChatResult, GenerationConfig, Usage

IDENTITY = {"provider": "vllm", "model": "m", "base_urls": ["http://a/v1"]}
MESSAGES: list[ChatMessage] = [
    {"role": "system", "content": "s"},
    {"role": "user", "content": "u"},
]


def changed_value(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    return 1


@pytest.mark.parametrize("field_name", [f.name for f in fields(GenerationConfig)])
def test_every_generation_parameter_changes_the_key(field_name: str) -> None:
    config = GenerationConfig()
    other = replace(config, **{field_name: changed_value(getattr(config, field_name))})
    assert cache_key(IDENTITY, MESSAGES, config) != cache_key(IDENTITY, MESSAGES, other)


@pytest.mark.parametrize(
    "identity",
    [
        {**IDENTITY, "provider": "ollama"},
        {**IDENTITY, "model": "m2"},
        {**IDENTITY, "base_urls": ["http://b/v1"]},
    ],
)
def test_model_identity_changes_the_key(identity: dict[str, Any]) -> None:
    config = GenerationConfig()
    assert cache_key(IDENTITY, MESSAGES, config) != cache_key(identity, MESSAGES, config)


def test_every_message_changes_the_key() -> None:
    config = GenerationConfig()
    base = cache_key(IDENTITY, MESSAGES, config)
    assert base != cache_key(IDENTITY, [MESSAGES[0], {"role": "user", "content": "v"}], config)
    assert base != cache_key(IDENTITY, [{"role": "system", "content": "t"}, MESSAGES[1]], config)
    assert base != cache_key(IDENTITY, MESSAGES[1:], config)
    assert base == cache_key(dict(reversed(IDENTITY.items())), list(MESSAGES), config)


def test_round_trip_and_persistence(tmp_path: Path) -> None:
    path = tmp_path / "c" / "responses.sqlite"
    cache = ResponseCache(path)
    answer = ChatResult("B", Usage(10, 2), model="m-2024", reasoning="why", finish_reason="stop")
    assert cache.get("k") is None
    cache.put("k", answer)
    cache.close()
    reopened = ResponseCache(path)
    assert reopened.get("k") == answer and len(reopened) == 1
    reopened.close()


def test_an_unusable_cache_file_names_itself(tmp_path: Path) -> None:
    path = tmp_path / "responses.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(Exception, match=r"responses\.sqlite"):
        ResponseCache(path)
