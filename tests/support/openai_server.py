"""A deterministic OpenAI-compatible chat server on 127.0.0.1, for tests and benchmarks.

Use the `openai_server` fixture (function-scoped, started and stopped for you) or the class:

    with OpenAIServer(latency_s=0.1) as server:          # server.base_url -> http://127.0.0.1:N/v1
        server.add_rule(r"capital of France", "Paris")  # regex on the last user message
        server.script(Reply.error(429, retry_after=0.1), Reply.garbage())  # one-shot, in order
        server.responder = lambda request: f"echo {request.last_user_text}"  # or a Reply
        ...
        server.requests          # every ChatRequest received (body, raw bytes, headers, path)
        server.max_concurrency   # most requests in flight at once
        server.in_flight_timeline()  # mean requests in flight per 100 ms since the first request

Switches for load-sharing tests: `capacity=N` serves N requests at once (the rest wait for a
slot, like a real server's batch limit); `server.hold()` / `server.release()` keep every request
waiting until released (a stalled endpoint, deterministic unlike a latency); `server.down = True`
answers every request with 503 (a sick endpoint); `stop()` then `start()` again kills it (connection
refused) and brings it back on the same port.

A reply is chosen by: the next scripted one-shot reply, else the first matching rule, else the
responder (default: `{"echo": <last user message>}`). `Reply` covers latency, HTTP errors with
Retry-After, garbage bodies, bodies dripped a byte at a time and hangs (answered only when the
server stops). `GET /stats` gives the request count, peak concurrency, the in-flight timeline
and the server process's CPU seconds (for benchmarks: is the client or the server the limit?).
Both OpenAI paths (`/v1/chat/completions`) and Azure paths
(`/openai/deployments/<d>/chat/completions`) are served.
Run it standalone for benchmarks: `python -m tests.support.openai_server --port N --latency 0.1`.
Standalone, it parses HTTP with httptools on uvloop (both in the `test` extra): echoing
4,000-token prompts at 300 requests/s, uvicorn's pure-Python h11 parser on the default loop cost
a third more server CPU per request. The answers are the same bytes either way (tested).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import importlib.util
import itertools
import json
import re
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route


@dataclass
class Reply:
    """What the server answers to one request."""

    text: str = "OK"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    body: str | None = None
    """A raw body sent instead of a chat completion (for garbage or custom shapes)."""
    hang: bool = False
    """Never answer (until the server stops): for client timeouts."""
    until: threading.Event | None = None
    """Answer only once this event is set (at most `until_max_s`): a request a test keeps in
    flight until something else has happened, with no timing involved."""
    until_max_s: float = 30.0
    drip_s: float = 0.0
    """Send the body one byte at a time, this many seconds apart (a server that never stalls
    long enough for a per-read timeout, but takes len(body) x drip_s to answer)."""
    prompt_tokens: int | None = None
    completion_tokens: int | None = None

    @classmethod
    def error(cls, status: int, retry_after: float | None = None, message: str = "") -> Reply:
        """An HTTP error in OpenAI's error shape, with Retry-After when given."""
        headers = {} if retry_after is None else {"retry-after": f"{retry_after:g}"}
        body = json.dumps({"error": {"message": message or f"injected {status}", "code": status}})
        return cls(status=status, headers=headers, body=body)

    @classmethod
    def garbage(cls) -> Reply:
        """HTTP 200 whose body is not a chat completion."""
        return cls(body="<html>upstream proxy says hello</html>")

    @classmethod
    def drip(cls, text: str = "OK", interval_s: float = 0.1) -> Reply:
        """A valid completion sent one byte every `interval_s` seconds."""
        return cls(text=text, drip_s=interval_s)

    @classmethod
    def timeout(cls) -> Reply:
        """A request that is never answered."""
        return cls(hang=True)


@dataclass
class ChatRequest:
    """One request as the server received it."""

    index: int
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: dict[str, Any]
    raw: bytes = b""
    """The body exactly as received."""

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages") or [])

    @property
    def last_user_text(self) -> str:
        users = [m for m in self.messages if m.get("role") == "user"]
        return str(users[-1].get("content", "")) if users else ""

    @property
    def model(self) -> str:
        return str(self.body.get("model", ""))


Responder = Callable[[ChatRequest], "Reply | str"]


def echo_responder(request: ChatRequest) -> Reply:
    """The default: answer `{"echo": <last user message>}`."""
    return Reply(text=json.dumps({"echo": request.last_user_text}))


async def _dripped(payload: bytes, interval_s: float) -> AsyncIterator[bytes]:
    for index in range(len(payload)):
        yield payload[index : index + 1]
        await asyncio.sleep(interval_s)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _words(text: str) -> int:
    return len(text.split())


class OpenAIServer:
    """The scripted server; runs uvicorn in a background thread."""

    def __init__(
        self,
        responder: Responder | None = None,
        *,
        latency_s: float = 0.0,
        port: int | None = None,
        log_requests: bool = True,
        capacity: int | None = None,
        http: str = "auto",
        loop: str = "auto",
    ) -> None:
        self.responder: Responder = responder or echo_responder
        self.http = http
        """uvicorn's HTTP implementation: "auto" (httptools when installed), "h11", "httptools"."""
        self.loop = loop
        """uvicorn's event loop: "auto" (uvloop when installed), "asyncio", "uvloop"."""
        self.latency_s = latency_s
        self.capacity = capacity
        self.down = False
        self._slots: asyncio.Semaphore | None = None
        self._open = threading.Event()
        self._open.set()
        self.port = port or _free_port()
        self.log_requests = log_requests
        self.requests: list[ChatRequest] = []
        self.request_count = 0
        self.in_flight = 0
        self.max_concurrency = 0
        self.first_request_at: float | None = None
        """Wall-clock time (time.time()) the first request arrived; for benchmarks."""
        self.last_response_at: float | None = None
        self._in_flight_changes: list[tuple[float, int]] = []
        """(time.time(), requests in flight from then on), one per arrival or answer."""
        self._rules: list[tuple[re.Pattern[str], Reply | str]] = []
        self._script: deque[Reply] = deque()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """The OpenAI base URL (`.../v1`)."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def root_url(self) -> str:
        """The server root, e.g. for an Azure endpoint."""
        return f"http://127.0.0.1:{self.port}"

    def add_rule(self, pattern: str, reply: Reply | str) -> None:
        """Answer `reply` whenever the last user message matches `pattern` (re.search)."""
        self._rules.append((re.compile(pattern, re.DOTALL), reply))

    def script(self, *replies: Reply) -> None:
        """Queue one-shot replies, used (in order) before rules and the responder."""
        with self._lock:
            self._script.extend(replies)

    def reset(self) -> None:
        """Forget requests, counters, rules and scripted replies."""
        with self._lock:
            self.requests.clear()
            self._rules.clear()
            self._script.clear()
            self.request_count = 0
            self.max_concurrency = 0
            self.first_request_at = self.last_response_at = None
            self._in_flight_changes.clear()

    def make_slots(self) -> None:
        """A fresh set of `capacity` serving slots (each start binds them to a new event loop)."""
        self._slots = None if self.capacity is None else asyncio.Semaphore(self.capacity)

    def hold(self) -> None:
        """Keep every request (new and in flight) waiting until `release()`."""
        self._open.clear()

    def release(self) -> None:
        """Let held requests go on."""
        self._open.set()

    def _choose(self, request: ChatRequest) -> Reply:
        with self._lock:
            if self._script:
                return self._script.popleft()
        for pattern, reply in self._rules:
            if pattern.search(request.last_user_text):
                return reply if isinstance(reply, Reply) else Reply(text=reply)
        chosen = self.responder(request)
        return chosen if isinstance(chosen, Reply) else Reply(text=chosen)

    async def _chat(self, http: Request) -> Response:
        try:
            raw = await http.body()
        except ClientDisconnect:
            return Response(status_code=499)
        try:
            body = json.loads(raw)
        except ValueError:
            return JSONResponse({"error": {"message": "body is not JSON"}}, status_code=400)
        with self._lock:
            request = ChatRequest(
                index=self.request_count,
                path=http.url.path,
                query=dict(http.query_params),
                headers=dict(http.headers),
                body=body,
                raw=raw,
            )
            self.request_count += 1
            if self.first_request_at is None:
                self.first_request_at = time.time()
            if self.log_requests:
                self.requests.append(request)
            self.in_flight += 1
            self.max_concurrency = max(self.max_concurrency, self.in_flight)
            self._in_flight_changes.append((time.time(), self.in_flight))
        try:
            if self.down:
                return JSONResponse({"error": {"message": "endpoint down"}}, status_code=503)
            if self._slots is None:
                return await self._reply(request)
            async with self._slots:
                return await self._reply(request)
        finally:
            with self._lock:
                self.in_flight -= 1
                self.last_response_at = time.time()
                self._in_flight_changes.append((self.last_response_at, self.in_flight))

    def in_flight_timeline(self, step_s: float = 0.1) -> list[float]:
        """Mean requests in flight over each `step_s` from the first request to the last answer."""
        with self._lock:
            changes = list(self._in_flight_changes)
        if not changes:
            return []
        start, end = changes[0][0], changes[-1][0]
        totals = [0.0] * (int((end - start) / step_s) + 1)
        for (at, count), (until, _) in itertools.pairwise(changes):
            # Spread `count` over [at, until), in units of step_s, across the buckets it covers.
            begin, finish = (at - start) / step_s, (until - start) / step_s
            for bucket in range(int(begin), min(int(finish), len(totals) - 1) + 1):
                totals[bucket] += count * max(0.0, min(finish, bucket + 1) - max(begin, bucket))
        return [round(total, 2) for total in totals]

    async def _reply(self, request: ChatRequest) -> Response:
        while not self._open.is_set() and not self._stopping.is_set():
            await asyncio.sleep(0.005)
        reply = self._choose(request)
        delay = self.latency_s + reply.delay_s
        if delay > 0:
            await asyncio.sleep(delay)
        if reply.until is not None:
            waited = 0.0
            while not reply.until.is_set() and not self._stopping.is_set():
                if waited >= reply.until_max_s:
                    break
                await asyncio.sleep(0.005)
                waited += 0.005
        if reply.hang:
            while not self._stopping.is_set():
                await asyncio.sleep(0.02)
            return JSONResponse({"error": {"message": "server stopping"}}, status_code=503)
        if reply.drip_s > 0:
            payload = json.dumps(self._completion(request, reply)).encode("utf-8")
            return StreamingResponse(
                _dripped(payload, reply.drip_s),
                status_code=reply.status,
                media_type="application/json",
            )
        if reply.body is not None:
            return Response(
                reply.body,
                status_code=reply.status,
                headers=reply.headers,
                media_type="application/json",
            )
        return JSONResponse(
            self._completion(request, reply), status_code=reply.status, headers=reply.headers
        )

    def _completion(self, request: ChatRequest, reply: Reply) -> dict[str, Any]:
        prompt_words = sum(_words(str(m.get("content", ""))) for m in request.messages)
        return {
            "id": f"chatcmpl-{request.index}",
            "object": "chat.completion",
            "created": 0,
            "model": request.model or "scripted",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": reply.prompt_tokens
                if reply.prompt_tokens is not None
                else prompt_words,
                "completion_tokens": reply.completion_tokens
                if reply.completion_tokens is not None
                else _words(reply.text),
                "total_tokens": 0,
            },
        }

    async def _stats(self, http: Request) -> Response:
        if http.method == "DELETE":
            self.reset()
        return JSONResponse(
            {
                "request_count": self.request_count,
                "max_concurrency": self.max_concurrency,
                "first_request_at": self.first_request_at,
                "last_response_at": self.last_response_at,
                "in_flight_per_100ms": self.in_flight_timeline(),
                "server_cpu_s": time.process_time(),
            }
        )

    async def _models(self, http: Request) -> Response:
        return JSONResponse({"object": "list", "data": [{"id": "scripted", "object": "model"}]})

    def app(self) -> Starlette:
        """The ASGI app (for running it some other way)."""
        return Starlette(
            routes=[
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
                Route("/chat/completions", self._chat, methods=["POST"]),
                Route(
                    "/openai/deployments/{deployment}/chat/completions",
                    self._chat,
                    methods=["POST"],
                ),
                Route("/v1/models", self._models, methods=["GET"]),
                Route("/stats", self._stats, methods=["GET", "DELETE"]),
            ]
        )

    def start(self) -> OpenAIServer:
        """Start serving in a background thread; returns once the port accepts connections."""
        self._stopping.clear()
        self.make_slots()
        config = uvicorn.Config(
            self.app(),
            host="127.0.0.1",
            port=self.port,
            log_level="error",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
            http=self.http,
            loop=self.loop,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="openai-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"scripted OpenAI server did not start on port {self.port}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Release hanging requests and stop the server."""
        self._stopping.set()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> OpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    """A started scripted server (echo responder, no latency), stopped after the test."""
    with OpenAIServer() as server:
        yield server


def main() -> None:
    """Serve in the foreground (benchmarks run it in its own process)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--capacity", type=int, default=None, help="requests served at once")
    parser.add_argument("--responder", help="module:function answering each request (default echo)")
    args = parser.parse_args()
    responder = None
    if args.responder:
        module, _, function = args.responder.partition(":")
        responder = getattr(importlib.import_module(module), function)
    server = OpenAIServer(
        responder,
        latency_s=args.latency,
        port=args.port,
        log_requests=False,
        capacity=args.capacity,
    )
    server.make_slots()
    fast = all(importlib.util.find_spec(name) is not None for name in ("httptools", "uvloop"))
    if not fast:
        print(
            "openai_server: httptools or uvloop is missing (pip install -e '.[test]'); serving "
            "on h11 and asyncio, which costs more server CPU per request",
            file=sys.stderr,
        )
    uvicorn.run(
        server.app(),
        host="127.0.0.1",
        port=args.port,
        log_level="error",
        access_log=False,
        lifespan="off",
        http="httptools" if fast else "h11",
        loop="uvloop" if fast else "asyncio",
    )


if __name__ == "__main__":
    main()
