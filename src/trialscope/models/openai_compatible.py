"""Every provider that speaks the OpenAI chat API: OpenAI, Azure OpenAI, vLLM, Ollama, any server.

One model may be served from several base URLs; each request goes to the least-busy healthy one
(models/endpoint_pool.py).
Requests go out through httpcore connections (models/http_connections.py), not the openai SDK:
the body is the same JSON the SDK would send (a test compares the bytes), without the SDK's
per-call request building and response re-typing, which cost as much CPU as the HTTP exchange
itself. Nothing here retries: the engine does, so it can count and log every retry.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import re
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

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
from trialscope.models.http_connections import TRANSPORT_ERRORS, EndpointConnections, HTTPReply
from trialscope.models.reasoning import is_reasoning_model, split_thinking
from trialscope.settings import Settings

_RETRYABLE_STATUS = {408, 409, 425, 429}
_NO_KEY = "not-needed"
"""Local servers ignore the key, but OpenAI-compatible servers expect the header."""
OPENAI_DEFAULT_URL = "https://api.openai.com/v1"
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}


def redact_url_credentials(text: str) -> str:
    """`http://user:KEY@host/v1` → `http://***@host/v1`, wherever a URL appears in `text`."""
    return _USERINFO.sub("***@", text)


def normalise_base_url(url: str) -> str:
    """A base URL as the cache sees it: no credentials, lower-case scheme and host, loopback
    names as 127.0.0.1, no default port, no trailing slash."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if host in _LOOPBACK_NAMES:
        host = "127.0.0.1"
    scheme = parts.scheme.lower()
    port = parts.port
    default_port = {"http": 80, "https": 443}.get(scheme)
    netloc = host if port is None or port == default_port else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), parts.query, ""))


def chat_request_body(
    model: str, messages: list[ChatMessage], config: GenerationConfig, *, reasoning: bool
) -> dict[str, Any]:
    """The JSON body of one chat completion request, keys in the order the SDK sends them."""
    params: dict[str, Any] = {"model": model, "messages": messages}
    if reasoning:
        params["max_completion_tokens"] = config.max_tokens
        params["reasoning_effort"] = config.reasoning_effort
    else:
        params["max_tokens"] = config.max_tokens
    if config.json_mode:
        params["response_format"] = {"type": "json_object"}
    if config.seed is not None:
        params["seed"] = config.seed
    if not reasoning:
        params["temperature"] = config.temperature
    return params


def encode_body(body: dict[str, Any]) -> bytes:
    """The body's bytes, serialised as the openai SDK serialises them."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode(
        "utf-8"
    )


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
            raise ConfigurationError(f"{redact_url_credentials(name)}: no base URL given")
        self.name = redact_url_credentials(name)
        self.provider = provider
        self.model = model
        self.reasoning = reasoning
        self.base_urls = [url or OPENAI_DEFAULT_URL for url in base_urls]
        self._azure_api_version = azure_api_version
        key = api_key or _NO_KEY
        self._headers = {"content-type": "application/json", "accept": "application/json"}
        if azure_api_version is not None:
            self._headers["api-key"] = key
            self._endpoints = [
                f"{url.rstrip('/')}/openai/deployments/{model}/chat/completions"
                f"?api-version={azure_api_version}"
                for url in self.base_urls
            ]
        else:
            self._headers["authorization"] = f"Bearer {key}"
            self._endpoints = [f"{url.rstrip('/')}/chat/completions" for url in self.base_urls]
        self._connections = EndpointConnections(self._endpoints, self._headers)
        self.endpoints = EndpointPool([redact_url_credentials(url) for url in self.base_urls])

    def cache_identity(self) -> dict[str, Any]:
        """The request dialect, model (deployment for Azure) and normalised base URLs.

        Not the provider prefix: `vllm/m@URL` and `openai-compatible/m@URL` ask the same server.
        """
        return {
            "dialect": "azure" if self._azure_api_version is not None else "openai",
            "model": self.model,
            "base_urls": sorted({normalise_base_url(url) for url in self.base_urls}),
            "azure_api_version": self._azure_api_version,
        }

    def request_body(self, messages: list[ChatMessage], config: GenerationConfig) -> dict[str, Any]:
        """The JSON body sent for one request (also what the response cache keys on)."""
        return chat_request_body(self.model, messages, config, reasoning=self.reasoning)

    def request_params(
        self, messages: list[ChatMessage], config: GenerationConfig
    ) -> dict[str, Any]:
        """Alias of `request_body` (the keyword arguments of `chat.completions.create`)."""
        return self.request_body(messages, config)

    async def chat(self, messages: list[ChatMessage], config: GenerationConfig) -> ChatResult:
        """Send one request to the least-busy healthy endpoint; `config.timeout_s` bounds the
        whole exchange. The endpoint pool counts it, and whether a failure was the endpoint's."""
        index = self.endpoints.acquire()
        started = time.perf_counter()
        error = fault = True
        try:
            response = await self._send(index, messages, config)
            if response.status_code >= 400:
                fault = response.status_code >= 500  # a 429 or 4xx says nothing of its health
                raise _status_error(self.name, response)
            result = self._result(self._document(response))
            error = fault = False
            return result
        finally:
            self.endpoints.release(index, time.perf_counter() - started, error=error, fault=fault)

    async def _send(
        self, index: int, messages: list[ChatMessage], config: GenerationConfig
    ) -> HTTPReply:
        content = encode_body(self.request_body(messages, config))
        try:
            async with asyncio.timeout(config.timeout_s):
                response = await self._connections.post(index, content)
        except TimeoutError as exc:
            raise RetryableError(
                f"{self.name}: request timed out after {config.timeout_s:g}s"
            ) from exc
        except TRANSPORT_ERRORS as exc:
            detail = redact_url_credentials(str(exc) or type(exc).__name__)
            message = f"{self.name}: connection error: Connection failed ({detail})"
            raise RetryableError(message) from exc
        return response

    def _document(self, response: HTTPReply) -> Any:
        try:
            return json.loads(response.content)
        except ValueError as exc:
            raise RetryableError(
                f"{self.name}: unreadable response: {response.content[:200]!r}"
            ) from exc

    def _result(self, completion: Any) -> ChatResult:
        choices = completion.get("choices") if isinstance(completion, dict) else None
        first = choices[0] if isinstance(choices, list) and choices else None
        message = first.get("message") if isinstance(first, dict) else None
        if not isinstance(message, dict):
            raise RetryableError(f"{self.name}: response has no choices: {str(completion)[:200]}")
        content = message.get("content") or ""
        if not isinstance(content, str):
            raise RetryableError(f"{self.name}: response content is not text: {content!r:.200}")
        answer, thinking = split_thinking(content)
        server_reasoning = message.get("reasoning_content") or message.get("reasoning") or ""
        if isinstance(server_reasoning, str) and server_reasoning.strip():
            thinking = "\n\n".join(part for part in (server_reasoning.strip(), thinking) if part)
        usage = completion.get("usage") or {}
        if not isinstance(usage, dict):
            usage = {}
        return ChatResult(
            text=answer,
            usage=Usage(
                prompt_tokens=_int(usage.get("prompt_tokens")),
                completion_tokens=_int(usage.get("completion_tokens")),
            ),
            model=str(completion.get("model") or self.model),
            reasoning=thinking,
            finish_reason=first.get("finish_reason") if isinstance(first, dict) else None,
        )

    async def aclose(self) -> None:
        """Close every connection."""
        await self._connections.aclose()


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _status_error(name: str, response: HTTPReply) -> ProviderError:
    status = response.status_code
    message = f"{name}: HTTP {status}: {_short(_error_message(response))}"
    if status in _RETRYABLE_STATUS or status >= 500:
        return RetryableError(message, retry_after_s=retry_after_seconds(response.headers))
    return ProviderError(message)


def _error_message(response: HTTPReply) -> str:
    try:
        document = json.loads(response.content)
    except ValueError:
        return response.text
    error = document.get("error") if isinstance(document, dict) else None
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"])
    return response.text


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


# The registry checks each provider's required variables (its ProviderSpec) before a factory runs.


def create_openai_model(name: str, settings: Settings) -> OpenAICompatibleModel:
    """`openai/<model>[@url,...]`; OPENAI_BASE_URL overrides the endpoint."""
    model, urls = split_model_and_urls(name.split("/", 1)[1])
    _require_model(name, model)
    return OpenAICompatibleModel(
        name,
        provider="openai",
        model=model,
        base_urls=[*(urls or _urls(settings.openai_base_url))] or [None],
        api_key=_secret(settings.openai_api_key),
        reasoning=is_reasoning_model(model, settings.reasoning_models),
    )


def create_azure_model(name: str, settings: Settings) -> OpenAICompatibleModel:
    """`azure/<deployment>` (or gpt-4o, gpt-4o-mini, o3-mini through AZURE_DEPLOYMENT_*)."""
    alias = name.split("/", 1)[1]
    _require_model(name, alias)
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
    """`vllm/<model>[@url,...]`; VLLM_BASE_URL may list several servers, comma-separated."""
    model, urls = split_model_and_urls(name.split("/", 1)[1])
    _require_model(name, model)
    urls = urls or _urls(settings.vllm_base_url)
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
