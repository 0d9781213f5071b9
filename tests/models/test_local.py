"""The `local/` provider against the real llama.cpp server with the real SmolLM2 model.

Integration tier: these tests assert format, usage counts and plumbing, never answer correctness
(a 135M-parameter model is near chance on the benchmark's questions).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from trialscope.models.base import ConfigurationError, GenerationConfig
from trialscope.models.local import LocalChatModel, create_local_model, resolve_gguf
from trialscope.models.registry import resolve_model
from trialscope.settings import load_settings

pytestmark = pytest.mark.local_llm

QUESTION = [
    {"role": "system", "content": "You answer in JSON."},
    {"role": "user", "content": 'Reply with {"answer_choice": "A"} or {"answer_choice": "B"}.'},
]


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it is gone for our purposes once it no longer runs.
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "State:\tZ" not in status.read_text()


def test_chat_through_the_registry_returns_text_and_usage() -> None:
    async def scenario() -> None:
        model = resolve_model("local/smollm2", load_settings())
        assert isinstance(model, LocalChatModel)
        try:
            result = await model.chat(QUESTION, GenerationConfig(max_tokens=24, temperature=0.0))
            assert result.text.strip()
            assert result.usage.prompt_tokens > 10
            assert 0 < result.usage.completion_tokens <= 24
            again = await model.chat(QUESTION, GenerationConfig(max_tokens=24, temperature=0.0))
            assert again.text == result.text, "temperature 0 must be deterministic"
        finally:
            await model.aclose()
        assert not model.server.running

    asyncio.run(scenario())


def test_json_mode_yields_parseable_json() -> None:
    async def scenario() -> None:
        model = create_local_model("local/smollm2", load_settings())
        try:
            result = await model.chat(QUESTION, GenerationConfig(max_tokens=48, json_mode=True))
            assert isinstance(json.loads(result.text), dict)
        finally:
            await model.aclose()

    asyncio.run(scenario())


def test_concurrent_requests_against_a_one_at_a_time_server_all_complete() -> None:
    async def scenario() -> None:
        model = create_local_model("local/smollm2", load_settings())
        try:
            prompts = [[{"role": "user", "content": f"Count to {n}."}] for n in range(2, 8)]
            results = await asyncio.gather(
                *(model.chat(p, GenerationConfig(max_tokens=12)) for p in prompts)
            )
            assert len(results) == len(prompts)
            assert all(r.usage.completion_tokens > 0 for r in results)
            assert model.server.running
        finally:
            await model.aclose()

    asyncio.run(scenario())


def test_cache_identity_is_stable_across_server_restarts() -> None:
    first = create_local_model("local/smollm2", load_settings()).cache_identity()
    second = create_local_model("local/smollm2", load_settings()).cache_identity()
    assert first == second
    assert "port" not in json.dumps(first)


def test_unknown_local_model_names_the_valid_forms(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="local/smollm2"):
        resolve_gguf("not-a-model")
    with pytest.raises(ConfigurationError, match="not found"):
        resolve_gguf(str(tmp_path / "missing.gguf"))


def test_any_gguf_path_is_served(tmp_path: Path) -> None:
    copy = tmp_path / "my-model.gguf"
    copy.symlink_to(resolve_gguf("smollm2")[0])
    path, alias = resolve_gguf(str(copy))
    assert alias == "my-model"
    assert path == copy.resolve()


def test_server_dies_with_its_parent_even_on_sigkill() -> None:
    script = (
        "import sys, time\n"
        "from trialscope.models.local import create_local_model\n"
        "from trialscope.settings import load_settings\n"
        "m = create_local_model('local/smollm2', load_settings())\n"
        "m.server.start()\n"
        "print(m.server.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child_pid = int(parent.stdout.readline())
    assert _process_alive(child_pid)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    for _ in range(200):
        if not _process_alive(child_pid):
            break
        time.sleep(0.1)
    alive = _process_alive(child_pid)
    if alive:
        os.kill(child_pid, signal.SIGKILL)
    assert not alive, "the llama.cpp server outlived its SIGKILLed parent"
