"""Every provider that speaks the OpenAI chat API: OpenAI, Azure OpenAI, vLLM, Ollama, any server.

One model may be served from several base URLs; each request goes to the least-busy healthy one
(models/endpoint_pool.py).
The SDK's own retries are off (`max_retries=0`): the engine retries, so it can count and log them.
"""

from __future__ import annotations

import email.utils
import time
from typing import Any

import openai
from openai import AsyncAzureOpenAI, AsyncOpenAI
from openai.types.chat import ChatCompletion

from trialscope.models.base import (
    ChatMessage,
    ChatResult,
    ConfigurationError,
    GenerationConfig,
    ProviderError,
    RetryableError,
    Usage,
)
from trialscope.models.endpoint_pool import EndpointPool
from trialscope.models.reasoning import is_reasoning_model, split_thinking
from trialscope.settings import Settings

_RETRYABLE_STATUS = {408, 409, 425, 429}
_NO_KEY = "not-needed"
"""Local servers ignore the key, but the SDK insists on one."""


class OpenAICompatibleModel:
    """A chat model behind one or more OpenAI-compatible endpoints."""

    def __init__(
        self,
        name: str,
        *,
        provider: str,
        model: str,
        base_urls: list[str | None],
        api_key: str | None,
        reasoning: bool = False,
        azure_api_version: str | None = None,
    ) -> None:
        if not base_urls:
            raise ConfigurationError(f"{name}: no base URL given")
        self.name = name
        self.provider = provider
        self.model = model
        self.reasoning = reasoning
        self.base_urls = base_urls
        self._azure_api_version = azure_api_version
        self._clients: list[AsyncOpenAI] = [
            self._client(url, api_key or _NO_KEY, azure_api_version) for url in base_urls
        ]
        self.endpoints = EndpointPool([url or "default" for url in base_urls])

    @staticmethod
    def _client(url: str | None, api_key: str, azure_api_version: str | None) -> AsyncOpenAI:
        if azure_api_version is not None:
            return AsyncAzureOpenAI(
                azure_endpoint=url or "",
                api_key=api_key,
                api_version=azure_api_version,
                max_retries=0,
            )
        return AsyncOpenAI(base_url=url, api_key=api_key, max_retries=0)

    def cache_identity(self) -> dict[str, Any]:
        """Provider, model (deployment for Azure), base URLs and the request dialect."""
        return {
            "provider": self.provider,
            "model": self.model,
            "base_urls": sorted(url or "default" for url in self.base_urls),
            "reasoning": self.reasoning,
            "azure_api_version": self._azure_api_version,
        }

    def request_params(
        self, messages: list[ChatMessage], config: GenerationConfig
    ) -> dict[str, Any]:
        """The keyword arguments of `chat.completions.create` for one request."""
        params: dict[str, Any] = {"model": self.model, "messages": messages}
        if self.reasoning:
            params["max_completion_tokens"] = config.max_tokens
            params["reasoning_effort"] = config.reasoning_effort
        else:
            params["max_tokens"] = config.max_tokens
            params["temperature"] = config.temperature
        if config.seed is not None:
            params["seed"] = config.seed
        if config.json_mode:
            params["response_format"] = {"type": "json_object"}
        return params

    async def chat(self, messages: list[ChatMessage], config: GenerationConfig) -> ChatResult:
        """Send one request to the least-busy healthy endpoint, counting how it went there."""
        index = self.endpoints.acquire()
        started = time.perf_counter()
        error, fault = True, False
        try:
            result = await self._chat_at(self._clients[index], messages, config)
            error = False
            return result
        except ProviderError as exc:
            fault = _endpoint_fault(exc)
            raise
        finally:
            self.endpoints.release(index, time.perf_counter() - started, error=error, fault=fault)

    async def _chat_at(
        self, client: AsyncOpenAI, messages: list[ChatMessage], config: GenerationConfig
    ) -> ChatResult:
        """Send one request to `client`'s endpoint; SDK errors become Retryable/ProviderError."""
        params = self.request_params(messages, config)
        try:
            # `post` is the SDK's own request path (auth, Azure deployment routing, error types)
            # without `create`'s per-call re-typing of the body: a third of the client's CPU per
            # request, which bounds throughput at high concurrency. The body is plain JSON already.
            completion = await client.post(
                "/chat/completions",
                body=params,
                cast_to=ChatCompletion,
                options={"timeout": config.timeout_s},
            )
        except openai.APITimeoutError as exc:
            raise RetryableError(
                f"{self.name}: request timed out after {config.timeout_s}s"
            ) from exc
        except openai.APIConnectionError as exc:
            raise RetryableError(f"{self.name}: connection error: {exc}") from exc
        except openai.APIStatusError as exc:
            raise _status_error(self.name, exc) from exc
        except (openai.APIResponseValidationError, ValueError, TypeError) as exc:
            raise RetryableError(f"{self.name}: unreadable response: {exc}") from exc
        except openai.OpenAIError as exc:
            raise ProviderError(f"{self.name}: {exc}") from exc
        return self._result(completion)

    def _result(self, completion: Any) -> ChatResult:
        choices = getattr(completion, "choices", None)
        if not choices or getattr(choices[0], "message", None) is None:
            raise RetryableError(f"{self.name}: response has no choices: {str(completion)[:200]}")
        message = choices[0].message
        content = message.content or ""
        answer, thinking = split_thinking(content)
        extra = getattr(message, "model_extra", None) or {}
        server_reasoning = extra.get("reasoning_content") or extra.get("reasoning") or ""
        if isinstance(server_reasoning, str) and server_reasoning.strip():
            thinking = "\n\n".join(part for part in (server_reasoning.strip(), thinking) if part)
        usage = getattr(completion, "usage", None)
        return ChatResult(
            text=answer,
            usage=Usage(
                prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
                completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
            ),
            model=str(getattr(completion, "model", "") or self.model),
            reasoning=thinking,
            finish_reason=getattr(choices[0], "finish_reason", None),
        )

    async def aclose(self) -> None:
        """Close every endpoint's connection pool."""
        for client in self._clients:
            await client.close()


def _endpoint_fault(exc: ProviderError) -> bool:
    """Whether a failure says the endpoint is unwell (not a 429 or 4xx about the request)."""
    status = getattr(exc.__cause__, "status_code", None)
    return isinstance(exc, RetryableError) and (status is None or status >= 500)


def _status_error(name: str, exc: openai.APIStatusError) -> ProviderError:
    status = exc.status_code
    message = f"{name}: HTTP {status}: {_short(exc.message)}"
    if status in _RETRYABLE_STATUS or status >= 500:
        return RetryableError(message, retry_after_s=retry_after_seconds(exc.response.headers))
    return ProviderError(message)


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def retry_after_seconds(headers: Any) -> float | None:
    """Seconds to wait from `retry-after-ms` or `retry-after` (seconds or an HTTP date)."""
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def split_model_and_urls(spec: str) -> tuple[str, list[str]]:
    """`model@url1,url2` → (`model`, [url1, url2]); no `@` → (`model`, [])."""
    if "@" not in spec:
        return spec, []
    model, _, urls = spec.partition("@")
    return model, [url.strip() for url in urls.split(",") if url.strip()]


def _urls(setting: str | None) -> list[str]:
    return [url.strip() for url in (setting or "").split(",") if url.strip()]


def _secret(value: Any) -> str | None:
    return value.get_secret_value() if value is not None else None


def _require_model(name: str, model: str) -> None:
    if not model:
        raise ConfigurationError(f"{name}: no model after the provider prefix (e.g. openai/gpt-4o)")


def create_openai_model(name: str, settings: Settings) -> OpenAICompatibleModel:
    """`openai/<model>[@url,...]`: needs OPENAI_API_KEY; OPENAI_BASE_URL overrides the endpoint."""
    model, urls = split_model_and_urls(name.split("/", 1)[1])
    _require_model(name, model)
    if settings.openai_api_key is None:
        raise ConfigurationError(f"{name}: set OPENAI_API_KEY (in the environment or .env)")
    return OpenAICompatibleModel(
        name,
        provider="openai",
        model=model,
        base_urls=[*(urls or _urls(settings.openai_base_url))] or [None],
        api_key=_secret(settings.openai_api_key),
        reasoning=is_reasoning_model(model, settings.reasoning_models),
    )


def create_azure_model(name: str, settings: Settings) -> OpenAICompatibleModel:
    """`azure/<deployment>`: needs AZURE_OPENAI_API_KEY and AZURE_OPENAI_ENDPOINT."""
    alias = name.split("/", 1)[1]
    _require_model(name, alias)
    missing = [
        var
        for var, value in (
            ("AZURE_OPENAI_API_KEY", settings.azure_openai_api_key),
            ("AZURE_OPENAI_ENDPOINT", settings.azure_openai_endpoint),
        )
        if not value
    ]
    if missing:
        raise ConfigurationError(
            f"{name}: set {' and '.join(missing)} (in the environment or .env)"
        )
    deployment = settings.azure_deployment_for(alias)
    extra = settings.reasoning_models
    return OpenAICompatibleModel(
        name,
        provider="azure",
        model=deployment,
        base_urls=list(_urls(settings.azure_openai_endpoint)),
        api_key=_secret(settings.azure_openai_api_key),
        reasoning=is_reasoning_model(alias, extra) or is_reasoning_model(deployment, extra),
        azure_api_version=settings.azure_openai_api_version,
    )


def create_vllm_model(name: str, settings: Settings) -> OpenAICompatibleModel:
    """`vllm/<model>[@url,...]`: needs VLLM_BASE_URL (comma-separated for several servers)."""
    model, urls = split_model_and_urls(name.split("/", 1)[1])
    _require_model(name, model)
    urls = urls or _urls(settings.vllm_base_url)
    if not urls:
        raise ConfigurationError(f"{name}: set VLLM_BASE_URL (e.g. http://localhost:8000/v1)")
    return OpenAICompatibleModel(
        name,
        provider="vllm",
        model=model,
        base_urls=list(urls),
        api_key=_secret(settings.vllm_api_key),
        reasoning=is_reasoning_model(model, settings.reasoning_models),
    )


def create_ollama_model(name: str, settings: Settings) -> OpenAICompatibleModel:
    """`ollama/<model>[@url,...]`: OLLAMA_BASE_URL, default http://localhost:11434/v1."""
    model, urls = split_model_and_urls(name.split("/", 1)[1])
    _require_model(name, model)
    return OpenAICompatibleModel(
        name,
        provider="ollama",
        model=model,
        base_urls=list(urls or _urls(settings.ollama_base_url)),
        api_key=None,
        reasoning=is_reasoning_model(model, settings.reasoning_models),
    )


def create_generic_model(name: str, settings: Settings) -> OpenAICompatibleModel:
    """`openai-compatible/<model>@<url>[,<url>...]`; key from OPENAI_COMPATIBLE_API_KEY if set."""
    model, urls = split_model_and_urls(name.split("/", 1)[1])
    _require_model(name, model)
    if not urls:
        raise ConfigurationError(
            f"{name}: give the server's base URL after '@', "
            "e.g. openai-compatible/my-model@http://127.0.0.1:8000/v1"
        )
    return OpenAICompatibleModel(
        name,
        provider="openai-compatible",
        model=model,
        base_urls=list(urls),
        api_key=_secret(settings.openai_compatible_api_key),
        reasoning=is_reasoning_model(model, settings.reasoning_models),
    )


def create_for_base_url(
    name: str, model: str, base_urls: list[str], settings: Settings
) -> OpenAICompatibleModel:
    """A model on servers the caller already knows (e.g. one it started), provider from `name`."""
    return OpenAICompatibleModel(
        name,
        provider=name.split("/", 1)[0] if "/" in name else "openai-compatible",
        model=model,
        base_urls=list(base_urls),
        api_key=_secret(settings.openai_compatible_api_key),
        reasoning=is_reasoning_model(model, settings.reasoning_models),
    )
