"""Solvers turn a sample's requests into raw answers: a chat model or an offline baseline."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

from trialscope.engine.cache import ResponseCache, cache_key
from trialscope.engine.retry import RandomSource, RetryPolicy, call_with_retries
from trialscope.models.base import (
    ChatMessage,
    ChatModel,
    ChatResult,
    GenerationConfig,
    RetryableError,
)
from trialscope.models.prices import PriceTable
from trialscope.tasks.base import Request, Sample, Task

log = logging.getLogger(__name__)


@dataclass
class Answers:
    """A sample's raw answers (one per request) and what getting them cost."""

    texts: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    retries: int = 0
    cached: bool = False
    error: str | None = None
    """Set when a request failed for good; texts then holds the answers received before it."""
    messages: list[list[ChatMessage]] = field(default_factory=list)
    """The exact chat messages sent, one list per request (none for offline baselines)."""


class RequestFailed(Exception):
    """A request that failed for good, with the retries spent on it before giving up."""

    def __init__(self, error: Exception, retries: int) -> None:
        super().__init__(str(error))
        self.error = error
        self.retries = retries


def request_document(
    model: ChatModel, messages: list[ChatMessage], config: GenerationConfig
) -> dict[str, Any]:
    """What `model` would send for these messages: the body when the model can say, else the
    messages and every generation parameter that reaches a server (not the client's timeout)."""
    body = getattr(model, "request_body", None)
    if callable(body):
        return dict(body(messages, config))
    return {"messages": messages, "config": {**asdict(config), "timeout_s": None}}


class Solver(Protocol):
    """What the engine asks to answer a sample."""

    name: str

    async def prepare(self, task: Task, train: list[Sample] | None) -> None:
        """Get ready for a task (a baseline learns from `train` here)."""
        ...

    def needs_train_split(self) -> bool:
        """Whether `prepare` wants the task's train split."""
        ...

    async def answer(self, task: Task, sample: Sample, system_prompt: str | None) -> Answers:
        """Raw answers for every request of `sample`."""
        ...

    async def aclose(self) -> None:
        """Release connections or processes."""
        ...


class ModelSolver:
    """Answers through a ChatModel: per-model concurrency limit, response cache, retries, cost."""

    def __init__(
        self,
        model: ChatModel,
        *,
        config: GenerationConfig,
        semaphore: asyncio.Semaphore,
        cache: ResponseCache | None,
        retry_policy: RetryPolicy,
        rng: RandomSource,
        prices: PriceTable,
        on_retry: Callable[[], None] | None = None,
    ) -> None:
        self.name = model.name
        self.model = model
        self.config = config
        self._configs: dict[bool, GenerationConfig] = {}
        """`config` with each request's json_mode (frozen, so shared by every request)."""
        self._semaphore = semaphore
        self._cache = cache
        self._identity = model.cache_identity()
        self._retry_policy = retry_policy
        self._rng = rng
        self._prices = prices
        self.on_retry = on_retry
        self.unpriced_models: set[str] = set()

    def needs_train_split(self) -> bool:
        return False

    async def prepare(self, task: Task, train: list[Sample] | None) -> None:
        return None

    async def answer(self, task: Task, sample: Sample, system_prompt: str | None) -> Answers:
        requests = task.requests(sample, system_prompt)
        outcomes: list[tuple[ChatResult, int, bool] | BaseException]
        if len(requests) == 1:
            # Most samples send one request: awaited directly, without gather's extra task.
            try:
                outcomes = [await self._one(requests[0])]
            except Exception as exc:
                outcomes = [exc]
        else:
            outcomes = await asyncio.gather(
                *(self._one(request) for request in requests), return_exceptions=True
            )
        answers = Answers(cached=bool(requests), messages=[list(r.messages) for r in requests])
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                if not isinstance(outcome, Exception):
                    raise outcome
                cause = outcome.error if isinstance(outcome, RequestFailed) else outcome
                answers.error = answers.error or f"{type(cause).__name__}: {cause}"
                answers.retries += outcome.retries if isinstance(outcome, RequestFailed) else 0
                answers.cached = False
                continue
            result, retries, cached = outcome
            answers.texts.append(result.text)
            answers.reasoning.append(result.reasoning)
            answers.prompt_tokens += result.usage.prompt_tokens
            answers.completion_tokens += result.usage.completion_tokens
            answers.cost_usd += self._cost(result)
            answers.retries += retries
            answers.cached = answers.cached and cached
        return answers

    async def _one(self, request: Request) -> tuple[ChatResult, int, bool]:
        config = self._configs.get(request.json_mode)
        if config is None:
            config = self._configs[request.json_mode] = replace(
                self.config, json_mode=request.json_mode
            )
        key: str | None = None
        if self._cache is not None:
            key = cache_key(self._identity, request_document(self.model, request.messages, config))
            hit = self._cache.get(key)
            if hit is not None:
                return hit, 0, True

        async def send() -> ChatResult:
            async with self._semaphore:
                return await self.model.chat(request.messages, config)

        retries = 0

        def retried(attempt: int, error: RetryableError, wait_s: float) -> None:
            nonlocal retries
            retries = attempt
            self._retried(attempt, error, wait_s)

        try:
            result, _ = await call_with_retries(send, self._retry_policy, self._rng, retried)
        except Exception as exc:
            raise RequestFailed(exc, retries) from exc
        if self._cache is not None and key is not None:
            self._cache.put(key, result)
        return result, retries, False

    def _retried(self, attempt: int, error: RetryableError, wait_s: float) -> None:
        log.info("%s: retry %d in %.2fs after: %s", self.name, attempt, wait_s, error)
        if self.on_retry is not None:
            self.on_retry()

    def _cost(self, result: ChatResult) -> float:
        cost = self._prices.cost(result.usage, result.model, self.name)
        if cost is None:
            if self.name not in self.unpriced_models:
                self.unpriced_models.add(self.name)
                log.info(
                    "%s: no price known (served as %r); its cost is reported as 0",
                    self.name,
                    result.model,
                )
            return 0.0
        return cost

    async def aclose(self) -> None:
        await self.model.aclose()


class BaselineSolver:
    """Answers with an offline baseline, fitted on the task's train split first."""

    def __init__(self, name: str, baseline: Any) -> None:
        self.name = name
        self.baseline = baseline

    def needs_train_split(self) -> bool:
        return True

    async def prepare(self, task: Task, train: list[Sample] | None) -> None:
        await asyncio.to_thread(self.baseline.fit, task, train or [])

    async def answer(self, task: Task, sample: Sample, system_prompt: str | None) -> Answers:
        texts = await asyncio.to_thread(self.baseline.answer, task, sample)
        return Answers(texts=[str(text) for text in texts], reasoning=["" for _ in texts])

    async def aclose(self) -> None:
        return None
