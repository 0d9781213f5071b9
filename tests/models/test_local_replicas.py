"""`TRIALSCOPE_LOCAL_REPLICAS=2`: two real llama.cpp servers of SmolLM2 share the requests."""

from __future__ import annotations

import asyncio

import pytest

from trialscope.models.base import GenerationConfig
from trialscope.models.local import LocalChatModel
from trialscope.models.registry import resolve_model
from trialscope.settings import load_settings

pytestmark = pytest.mark.local_llm

QUESTION = [
    {"role": "system", "content": "You answer in JSON."},
    {"role": "user", "content": 'Reply with {"answer_choice": "A"} or {"answer_choice": "B"}.'},
]


def test_two_replicas_share_the_requests_and_answer_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIALSCOPE_LOCAL_REPLICAS", "2")
    monkeypatch.setenv("TRIALSCOPE_LOCAL_THREADS", "1")

    async def scenario() -> tuple[list[str], list[int], LocalChatModel]:
        model = resolve_model("local/smollm2", load_settings())
        assert isinstance(model, LocalChatModel)
        config = GenerationConfig(max_tokens=16, temperature=0.0)
        try:
            results = await asyncio.gather(*(model.chat(QUESTION, config) for _ in range(4)))
            assert model.endpoints is not None
            counts = [item["requests"] for item in model.endpoints.stats()]
            assert len({server.base_url for server in model.servers}) == 2
        finally:
            await model.aclose()
        return [r.text for r in results], counts, model

    texts, counts, model = asyncio.run(scenario())
    # Two slots over two replicas: each request goes to the idle one, so both serve.
    assert sum(counts) == 4 and min(counts) >= 1
    assert len(set(texts)) == 1, "the replicas serve the same file with the same seed"
    assert not any(server.running for server in model.servers)
