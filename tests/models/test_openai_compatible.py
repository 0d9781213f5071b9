"""OpenAI, Azure and generic providers through the real SDK against the loopback server."""

from __future__ import annotations

import pytest
from tests.support.openai_server import OpenAIServer, Reply

from trialscope.models.base import GenerationConfig, ProviderError, RetryableError
from trialscope.models.openai_compatible import OpenAICompatibleModel, retry_after_seconds
from trialscope.models.registry import resolve_model
from trialscope.settings import load_settings

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]


async def test_openai_request_shape(openai_server: OpenAIServer) -> None:
    settings = load_settings(
        openai_api_key="sk-openai-test", openai_base_url=openai_server.base_url
    )
    model = resolve_model("openai/gpt-4o", settings)
    result = await model.chat(
        MESSAGES,  # type: ignore[arg-type]
        GenerationConfig(temperature=0.2, max_tokens=50, seed=3, json_mode=True),
    )
    await model.aclose()
    [request] = openai_server.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-openai-test"
    assert request.body == {
        "model": "gpt-4o",
        "messages": MESSAGES,
        "temperature": 0.2,
        "max_tokens": 50,
        "seed": 3,
        "response_format": {"type": "json_object"},
    }
    assert result.text == '{"echo": "Hi"}'
    assert result.usage.prompt_tokens == 3 and result.usage.completion_tokens == 2


async def test_reasoning_model_request_shape(openai_server: OpenAIServer) -> None:
    settings = load_settings(openai_api_key="k", openai_base_url=openai_server.base_url)
    model = resolve_model("openai/o3-mini", settings)
    await model.chat(MESSAGES, GenerationConfig(max_tokens=900, reasoning_effort="high"))  # type: ignore[arg-type]
    await model.aclose()
    body = openai_server.requests[0].body
    assert "temperature" not in body and "max_tokens" not in body
    assert body["max_completion_tokens"] == 900 and body["reasoning_effort"] == "high"


async def test_models_marked_reasoning_in_settings(openai_server: OpenAIServer) -> None:
    name = f"openai-compatible/deepseek-r1@{openai_server.base_url}"
    model = resolve_model(name, load_settings(reasoning_models=["deepseek-r1"]))
    await model.chat(MESSAGES, GenerationConfig())  # type: ignore[arg-type]
    await model.aclose()
    assert "max_completion_tokens" in openai_server.requests[0].body


async def test_azure_request_shape(openai_server: OpenAIServer) -> None:
    settings = load_settings(
        azure_openai_api_key="azure-key-test",
        azure_openai_endpoint=openai_server.root_url,
        azure_deployment_gpt4o_mini="mini-deploy",
    )
    model = resolve_model("azure/gpt-4o-mini", settings)
    result = await model.chat(MESSAGES, GenerationConfig())  # type: ignore[arg-type]
    await model.aclose()
    [request] = openai_server.requests
    assert request.path == "/openai/deployments/mini-deploy/chat/completions"
    assert request.query["api-version"] == "2024-12-01-preview"
    assert request.headers["api-key"] == "azure-key-test"
    assert request.body["temperature"] == 0.0 and result.text


async def test_requests_are_spread_over_base_urls() -> None:
    with OpenAIServer() as first, OpenAIServer() as second:
        model = resolve_model(
            f"openai-compatible/m@{first.base_url},{second.base_url}", load_settings()
        )
        for _ in range(6):
            await model.chat(MESSAGES, GenerationConfig())  # type: ignore[arg-type]
        await model.aclose()
        assert first.request_count == 3 and second.request_count == 3


async def test_think_blocks_and_server_reasoning(openai_server: OpenAIServer) -> None:
    openai_server.script(Reply(text='<think>long thought</think>\n{"answer_choice": "B"}'))
    model = resolve_model(f"openai-compatible/m@{openai_server.base_url}", load_settings())
    result = await model.chat(MESSAGES, GenerationConfig())  # type: ignore[arg-type]
    await model.aclose()
    assert result.text == '{"answer_choice": "B"}' and result.reasoning == "long thought"


@pytest.mark.parametrize(
    ("reply", "error", "retry_after"),
    [
        (Reply.error(429, retry_after=7), RetryableError, 7.0),
        (Reply.error(500), RetryableError, None),
        (Reply.error(502), RetryableError, None),
        (Reply.error(408), RetryableError, None),
        (Reply.garbage(), RetryableError, None),
        (Reply(body='{"object": "chat.completion"}'), RetryableError, None),
        (Reply.error(400), ProviderError, None),
        (Reply.error(401), ProviderError, None),
        (Reply.error(404), ProviderError, None),
    ],
)
async def test_errors_are_mapped(
    openai_server: OpenAIServer, reply: Reply, error: type[Exception], retry_after: float | None
) -> None:
    openai_server.script(reply)
    model = resolve_model(f"openai-compatible/m@{openai_server.base_url}", load_settings())
    with pytest.raises(error) as info:
        await model.chat(MESSAGES, GenerationConfig())  # type: ignore[arg-type]
    await model.aclose()
    assert type(info.value) is error
    assert getattr(info.value, "retry_after_s", None) == retry_after
    assert openai_server.request_count == 1, "the SDK must not retry on its own"


async def test_timeouts_and_refused_connections_are_retryable(
    openai_server: OpenAIServer,
) -> None:
    openai_server.script(Reply.timeout())
    model = resolve_model(f"openai-compatible/m@{openai_server.base_url}", load_settings())
    with pytest.raises(RetryableError, match="timed out"):
        await model.chat(MESSAGES, GenerationConfig(timeout_s=0.2))  # type: ignore[arg-type]
    await model.aclose()
    from tests.conftest import free_port

    closed = OpenAICompatibleModel(
        "x/m",
        provider="x",
        model="m",
        base_urls=[f"http://127.0.0.1:{free_port()}/v1"],
        api_key=None,
    )
    with pytest.raises(RetryableError, match="connection"):
        await closed.chat(MESSAGES, GenerationConfig(timeout_s=2))  # type: ignore[arg-type]
    await closed.aclose()


def test_retry_after_forms() -> None:
    assert retry_after_seconds({"retry-after": "3"}) == 3.0
    assert retry_after_seconds({"retry-after-ms": "250"}) == 0.25
    assert retry_after_seconds({}) is None
    assert retry_after_seconds({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0
    assert retry_after_seconds({"retry-after": "soon"}) is None


UNICODE_MESSAGES = [
    {"role": "system", "content": 'Réponds en JSON: {"a": 1}\n\ttab'},
    {"role": "user", "content": 'Patients ≥ 65 ans, 💊 dose </script> \\ "quoted"'},
]


@pytest.mark.parametrize("reasoning", [False, True])
@pytest.mark.parametrize(
    "config",
    [
        GenerationConfig(),
        GenerationConfig(temperature=0.7, max_tokens=12, seed=None, json_mode=True),
        GenerationConfig(reasoning_effort="high", seed=123456789),
    ],
)
async def test_request_bytes_match_the_openai_sdk(
    openai_server: OpenAIServer, config: GenerationConfig, reasoning: bool
) -> None:
    """The provider sends its own bytes, and they are exactly the SDK's for the same request."""
    from openai import AsyncOpenAI

    model = OpenAICompatibleModel(
        "x/m",
        provider="x",
        model="m",
        base_urls=[openai_server.base_url],
        api_key="k",
        reasoning=reasoning,
    )
    await model.chat(UNICODE_MESSAGES, config)  # type: ignore[arg-type]
    await model.aclose()
    client = AsyncOpenAI(base_url=openai_server.base_url, api_key="k", max_retries=0)
    await client.chat.completions.create(**model.request_body(UNICODE_MESSAGES, config))  # type: ignore[arg-type]
    await client.close()
    ours, sdk = openai_server.requests
    assert ours.raw == sdk.raw and ours.raw
    assert ours.path == sdk.path
