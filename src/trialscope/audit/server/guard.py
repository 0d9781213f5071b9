"""Access control for the audit server, as one ASGI middleware in front of every route.

- Host and Origin: a request whose `Host` is not one the server answers to (DNS rebinding), or
  whose `Origin` is another site's, is refused on every HTTP route and WebSocket.
- Tokens: with tokens configured, every route but `/health` (and the `/auth` login form) needs
  one (`Authorization: Bearer`, or the dashboard's cookie: an HMAC of the token, never the
  token). Each token is one submitter of the eval suite.
- WebSockets: at most `max_sessions_per_client` open sockets per client (token, or address
  without tokens); a socket idle longer than `idle_timeout_s` is closed, which frees its session;
  frames are capped in size and `/ws` frames are checked (see `frames`) before openenv sees them.
- Request bodies are capped.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import html
import json
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from importlib import resources
from string import Template
from typing import Any
from urllib.parse import parse_qs, urlsplit

from trialscope.audit.server.eval_suite import LOCAL_SUBMITTER, submitter_id
from trialscope.audit.server.frames import check_ws_frame

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE_NAME = "trialscope_session"
LOGIN_PATH = "/auth"
EPISODE_SOCKET = "/ws"
SUBMITTER_SCOPE_KEY = "trialscope.submitter"
DEFAULT_MAX_BODY_BYTES = 64 * 1024
DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


@dataclass(frozen=True)
class AccessPolicy:
    """Who may call the server, from where, and how much."""

    tokens: tuple[str, ...] = field(default=(), repr=False)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
    allowed_hosts: frozenset[str] | None = LOOPBACK_NAMES
    """Host names the server answers to; None accepts any (a server bound beyond loopback)."""
    allowed_origins: frozenset[str] = frozenset()
    """Extra origins (`https://host:port`) allowed besides the server's own."""
    max_sessions_per_client: int = 64
    idle_timeout_s: float | None = 300.0
    open_paths: frozenset[str] = frozenset({"/health", LOGIN_PATH})

    def __post_init__(self) -> None:
        if any(len(token) < 8 for token in self.tokens):
            raise ValueError("every bearer token must be at least 8 characters long")
        if self.max_body_bytes < 1024 or self.max_message_bytes < 1024:
            raise ValueError("size limits must be at least 1024 bytes")
        if self.max_sessions_per_client < 1:
            raise ValueError("max_sessions_per_client must be at least 1")

    def session_cookie_value(self, token: str) -> str:
        """The cookie a browser holds after logging in: an HMAC of the token, not the token."""
        return hmac.new(token.encode(), b"trialscope-dashboard", hashlib.sha256).hexdigest()

    def token_of(self, headers: dict[str, str]) -> str | None:
        """The configured token these (lower-cased) headers present, if any."""
        scheme, _, presented = headers.get("authorization", "").partition(" ")
        cookie = _cookie(headers.get("cookie", ""), COOKIE_NAME)
        for token in self.tokens:
            if scheme.lower() == "bearer" and hmac.compare_digest(
                presented.strip().encode(), token.encode()
            ):
                return token
            if cookie is not None and hmac.compare_digest(
                cookie.encode(), self.session_cookie_value(token).encode()
            ):
                return token
        return None

    def allows(self, headers: dict[str, str]) -> bool:
        """Whether a request with these headers carries valid credentials."""
        return not self.tokens or self.token_of(headers) is not None

    def origin_problem(self, headers: dict[str, str]) -> str | None:
        """Why the Host or Origin header is not acceptable, or None."""
        host = headers.get("host", "")
        name = urlsplit(f"//{host}").hostname or ""
        if self.allowed_hosts is not None and name not in self.allowed_hosts and host:
            return f"host {host!r} is not served here"
        origin = headers.get("origin")
        if origin is None:
            return None  # not a browser, or a same-origin navigation
        if origin in self.allowed_origins:
            return None
        parts = urlsplit(origin)
        if parts.scheme in ("http", "https") and parts.netloc.lower() == host.lower():
            return None
        return f"origin {origin!r} may not call this server"


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def _headers(scope: Scope) -> dict[str, str]:
    return {
        key.decode("latin-1").lower(): value.decode("latin-1")
        for key, value in scope.get("headers", [])
    }


def ws_error_frame(message: str, code: str) -> str:
    """An error frame in the openenv WebSocket error shape."""
    return json.dumps({"type": "error", "data": {"message": message, "code": code}})


def login_page(failed: bool = False) -> str:
    """The small page that asks a browser user for the server's token."""
    notice = (
        '<p class="bad">That token was not accepted.</p>'
        if failed
        else "<p>This server requires its access token.</p>"
    )
    page = resources.files("trialscope.audit.server").joinpath("templates/login.html").read_text()
    return Template(page).substitute(login_path=html.escape(LOGIN_PATH), notice=notice)


class AccessGuard:
    """ASGI middleware enforcing an `AccessPolicy` on HTTP requests and WebSockets."""

    def __init__(self, app: ASGIApp, policy: AccessPolicy) -> None:
        self.app = app
        self.policy = policy
        self._open_sockets: Counter[str] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    def _submitter(self, headers: dict[str, str]) -> str:
        token = self.policy.token_of(headers) if self.policy.tokens else None
        return submitter_id(token) if token else LOCAL_SUBMITTER

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = _headers(scope)
        problem = self.policy.origin_problem(headers)
        if problem is not None:
            await _respond_json(send, 403, {"detail": problem})
            return
        declared = headers.get("content-length")
        if declared is not None and (
            not declared.isdigit() or int(declared) > self.policy.max_body_bytes
        ):
            await _respond_json(send, 413, self._too_large_detail())
            return
        body, complete = await _read_body(receive, self.policy.max_body_bytes)
        if not complete:
            await _respond_json(send, 413, self._too_large_detail())
            return
        path = scope.get("path", "")
        if path == LOGIN_PATH and self.policy.tokens:
            await self._login(scope, body, send)
            return
        if path not in self.policy.open_paths and not self.policy.allows(headers):
            await self._refuse_http(headers, send)
            return
        scope[SUBMITTER_SCOPE_KEY] = self._submitter(headers)
        await self.app(scope, _replay(body, receive), send)

    def _too_large_detail(self) -> dict[str, str]:
        return {"detail": f"request body exceeds the limit of {self.policy.max_body_bytes} bytes"}

    async def _refuse_http(self, headers: dict[str, str], send: Send) -> None:
        if "text/html" in headers.get("accept", ""):
            await _respond(send, 401, login_page(), "text/html; charset=utf-8")
            return
        await _respond_json(
            send,
            401,
            {"detail": "missing or invalid bearer token (send 'Authorization: Bearer <token>')"},
            extra=[(b"www-authenticate", b"Bearer")],
        )

    async def _login(self, scope: Scope, body: bytes, send: Send) -> None:
        if scope.get("method") != "POST":
            await _respond(send, 200, login_page(), "text/html; charset=utf-8")
            return
        form = parse_qs(body.decode("utf-8", "replace"))
        presented = (form.get("token") or [""])[0]
        token = self.policy.token_of({"authorization": f"Bearer {presented}"})
        if token is None:
            await _respond(send, 401, login_page(failed=True), "text/html; charset=utf-8")
            return
        cookie = (
            f"{COOKIE_NAME}={self.policy.session_cookie_value(token)}; HttpOnly; "
            "SameSite=Strict; Path=/"
        )
        await send(
            {
                "type": "http.response.start",
                "status": 303,
                "headers": [(b"location", b"/"), (b"set-cookie", cookie.encode())],
            }
        )
        await send({"type": "http.response.body", "body": b""})

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = _headers(scope)
        path = scope.get("path", "")
        # openenv lets a socket attach to an existing session by id; no client needs that (there
        # are no HTTP sessions), and it would let one client join another's episode.
        attaching = path == EPISODE_SOCKET and b"session_id" in scope.get("query_string", b"")
        if (
            attaching
            or self.policy.origin_problem(headers) is not None
            or (path not in self.policy.open_paths and not self.policy.allows(headers))
        ):
            # Closing before accepting makes the server answer the handshake with 403.
            await send({"type": "websocket.close", "code": 1008})
            return
        submitter = self._submitter(headers)
        client = submitter if self.policy.tokens else str((scope.get("client") or ("?",))[0])
        if self._open_sockets[client] >= self.policy.max_sessions_per_client:
            await self._refuse_capacity(receive, send)
            return
        self._open_sockets[client] += 1
        closed = asyncio.Event()

        async def guarded_send(message: Message) -> None:
            if closed.is_set():
                return  # the guard closed the socket (idle): the app's late close is moot
            await send(message)

        try:
            await self.app(
                scope, self._guarded_receive(path, submitter, receive, send, closed), guarded_send
            )
        finally:
            self._open_sockets[client] -= 1
            if self._open_sockets[client] <= 0:
                del self._open_sockets[client]

    async def _refuse_capacity(self, receive: Receive, send: Send) -> None:
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        limit = self.policy.max_sessions_per_client
        await send(
            {
                "type": "websocket.send",
                "text": ws_error_frame(
                    f"this client already holds {limit} open sessions (the per-client limit); "
                    "close one first",
                    "CAPACITY_REACHED",
                ),
            }
        )
        await send({"type": "websocket.close", "code": 1013})

    def _guarded_receive(
        self, path: str, submitter: str, receive: Receive, send: Send, closed: asyncio.Event
    ) -> Receive:
        limit = self.policy.max_message_bytes
        idle = self.policy.idle_timeout_s
        connected = False

        async def reply(text: str) -> None:
            await send({"type": "websocket.send", "text": text})

        async def guarded_receive() -> Message:
            nonlocal connected
            while True:
                if connected and idle is not None:
                    try:
                        message = await asyncio.wait_for(receive(), timeout=idle)
                    except TimeoutError:
                        await reply(
                            ws_error_frame(
                                f"no message for {idle:g} s: the session is closed",
                                "SESSION_IDLE",
                            )
                        )
                        await send({"type": "websocket.close", "code": 1001})
                        closed.set()
                        return {"type": "websocket.disconnect", "code": 1001}
                else:
                    message = await receive()
                connected = True
                if message["type"] != "websocket.receive":
                    return message
                text = message.get("text")
                if text is None:
                    await reply(
                        ws_error_frame(
                            "binary frames are not accepted: send JSON as a text frame",
                            "INVALID_FRAME",
                        )
                    )
                    continue
                size = len(text.encode("utf-8"))
                if size > limit:
                    await reply(
                        ws_error_frame(
                            f"message of {size} bytes exceeds the limit of {limit} bytes",
                            "MESSAGE_TOO_LARGE",
                        )
                    )
                    continue
                if path == EPISODE_SOCKET:
                    checked = check_ws_frame(text, submitter)
                    if checked.error is not None:
                        await reply(ws_error_frame(checked.error, checked.code))
                        continue
                    return {**message, "text": checked.text}
                return message

        return guarded_receive


async def _read_body(receive: Receive, limit: int) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), True
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", False
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _respond(
    send: Send,
    status: int,
    body: str,
    content_type: str,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    payload = body.encode("utf-8")
    headers = [
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(payload)).encode()),
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def _respond_json(
    send: Send,
    status: int,
    payload: dict[str, str],
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    await _respond(send, status, json.dumps(payload), "application/json", extra)
