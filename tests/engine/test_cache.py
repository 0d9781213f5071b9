"""The response cache: keyed on what is sent to whom, checked on open and on every read."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import pytest

from trialscope.engine.cache import ResponseCache, cache_key
from trialscope.engine.solver import request_document
from trialscope.models.base import ChatMessage, ChatResult, GenerationConfig, Usage
from trialscope.models.registry import resolve_model
from trialscope.settings import load_settings

MESSAGES: list[ChatMessage] = [
    {"role": "system", "content": "s"},
    {"role": "user", "content": "u"},
]
SETTINGS = load_settings(vllm_base_url=None, reasoning_models=[])


def key_of(name: str, config: GenerationConfig | None = None, **settings: Any) -> str:
    model = resolve_model(name, load_settings(**settings) if settings else SETTINGS)
    config = config or GenerationConfig()
    return cache_key(model.cache_identity(), request_document(model, MESSAGES, config))


def changed_value(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    return 1


SENT_FIELDS = {"temperature", "max_tokens", "seed", "json_mode"}
NOT_SENT = {"timeout_s", "reasoning_effort"}
"""Fields a plain chat model never receives: they must not split the cache."""


def test_every_config_field_is_classified() -> None:
    assert {f.name for f in fields(GenerationConfig)} == SENT_FIELDS | NOT_SENT


@pytest.mark.parametrize("field_name", sorted(SENT_FIELDS))
def test_every_parameter_sent_changes_the_key(field_name: str) -> None:
    config = GenerationConfig()
    other = replace(config, **{field_name: changed_value(getattr(config, field_name))})
    name = "openai-compatible/m@http://127.0.0.1:8000/v1"
    assert key_of(name, config) != key_of(name, other)


@pytest.mark.parametrize("field_name", sorted(NOT_SENT))
def test_parameters_never_sent_keep_the_key(field_name: str) -> None:
    config = GenerationConfig()
    other = replace(config, **{field_name: changed_value(getattr(config, field_name))})
    name = "openai-compatible/m@http://127.0.0.1:8000/v1"
    assert key_of(name, config) == key_of(name, other)


def test_reasoning_effort_matters_where_it_is_sent() -> None:
    name = "openai-compatible/o3-mini@http://127.0.0.1:8000/v1"
    low, high = GenerationConfig(reasoning_effort="low"), GenerationConfig(reasoning_effort="high")
    assert key_of(name, low) != key_of(name, high)


@pytest.mark.parametrize(
    "same",
    [
        "openai-compatible/m@http://localhost:8000/v1",
        "openai-compatible/m@http://127.0.0.1:8000/v1/",
        "openai-compatible/m@HTTP://LOCALHOST:8000/v1/",
        "vllm/m@http://127.0.0.1:8000/v1",
        "openai-compatible/m@http://user:secret@127.0.0.1:8000/v1",
    ],
)
def test_one_server_one_cache(same: str) -> None:
    assert key_of("openai-compatible/m@http://127.0.0.1:8000/v1") == key_of(same)


@pytest.mark.parametrize(
    "other",
    [
        "openai-compatible/m2@http://127.0.0.1:8000/v1",
        "openai-compatible/m@http://127.0.0.1:8001/v1",
        "openai-compatible/m@http://127.0.0.2:8000/v1",
        "openai-compatible/m@http://127.0.0.1:8000/v2",
    ],
)
def test_another_model_or_server_another_key(other: str) -> None:
    assert key_of("openai-compatible/m@http://127.0.0.1:8000/v1") != key_of(other)


def test_every_message_changes_the_key() -> None:
    identity = {"model": "m"}
    config = GenerationConfig()

    def key(messages: list[ChatMessage]) -> str:
        return cache_key(identity, {"messages": messages, "temperature": config.temperature})

    base = key(MESSAGES)
    assert base != key([MESSAGES[0], {"role": "user", "content": "v"}])
    assert base != key([{"role": "system", "content": "t"}, MESSAGES[1]])
    assert base != key(MESSAGES[1:])
    assert base == key(list(MESSAGES))


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


def test_a_garbage_file_is_set_aside_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "responses.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with caplog.at_level(logging.WARNING, logger="trialscope"):
        cache = ResponseCache(path)
    cache.put("k", ChatResult("A"))
    assert cache.get("k") == ChatResult("A")
    cache.close()
    assert "responses.sqlite" in caplog.text and "damaged" in caplog.text
    assert len(list(tmp_path.glob("responses.sqlite.damaged-*"))) == 1


def test_a_tampered_row_is_ignored_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "responses.sqlite"
    cache = ResponseCache(path)
    cache.put("k", ChatResult("A"))
    cache.put("j", ChatResult("C"))
    cache.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE answers_v2 SET text = 'B' WHERE key = 'k'")
    cache = ResponseCache(path)
    with caplog.at_level(logging.WARNING, logger="trialscope"):
        assert cache.get("k") is None
    assert cache.get("j") == ChatResult("C")
    assert "checksum" in caplog.text and cache.damaged_rows == 1
    cache.put("k", ChatResult("A"))
    assert cache.get("k") == ChatResult("A")
    cache.close()


@pytest.mark.parametrize("offset", [0.3, 0.5, 0.8, 0.95])
def test_garbage_anywhere_never_gives_a_wrong_answer(tmp_path: Path, offset: float) -> None:
    path = tmp_path / "responses.sqlite"
    cache = ResponseCache(path)
    stored = {f"key-{i}": ChatResult(f"answer {i} " + "x" * 200) for i in range(300)}
    for key, result in stored.items():
        cache.put(key, result)
    cache.close()
    data = bytearray(path.read_bytes())
    start = int(len(data) * offset)
    data[start : start + 4096] = bytes(range(256)) * 16
    path.write_bytes(bytes(data))
    cache = ResponseCache(path)
    answers = {key: cache.get(key) for key in stored}
    cache.close()
    assert all(answer is None or answer == stored[key] for key, answer in answers.items())
    assert any(answer is None for answer in answers.values()), "the damage went unnoticed"
