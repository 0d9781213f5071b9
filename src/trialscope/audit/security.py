"""Access control and size limits for the audit server, as one ASGI middleware.

Every route but `/health` (and the `/auth` login form) needs the bearer token when one is
configured. Browsers cannot put a header on a WebSocket, so `/auth` trades the token for an
HttpOnly cookie holding an HMAC of it: the token itself never travels back to a client.
Request bodies and WebSocket frames are capped; an oversized or binary frame gets an error
frame and the socket stays open, so a session survives a bad message.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE_NAME = "trialscope_session"
LOGIN_PATH = "/auth"
DEFAULT_MAX_BODY_BYTES = 64 * 1024
DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024


@dataclass(frozen=True)
class AccessPolicy:
    """Who may call the server and how large a request or frame may be."""

    token: str | None = field(default=None, repr=False)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
    open_paths: frozenset[str] = frozenset({"/health", LOGIN_PATH})

    def __post_init__(self) -> None:
        if self.token is not None and len(self.token) < 8:
            raise ValueError("the bearer token must be at least 8 characters long")
        if self.max_body_bytes < 1024 or self.max_message_bytes < 1024:
            raise ValueError("size limits must be at least 1024 bytes")

    def session_cookie_value(self) -> str:
        """The cookie a browser holds after logging in: an HMAC of the token, not the token."""
        if self.token is None:
            return ""
        return hmac.new(self.token.encode(), b"trialscope-dashboard", hashlib.sha256).hexdigest()

    def allows(self, headers: dict[str, str]) -> bool:
        """Whether a request with these (lower-cased) headers carries valid credentials."""
        if self.token is None:
            return True
        auth = headers.get("authorization", "")
        scheme, _, presented = auth.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            presented.strip().encode(), self.token.encode()
        ):
            return True
        cookie = _cookie(headers.get("cookie", ""), COOKIE_NAME)
        return cookie is not None and hmac.compare_digest(
            cookie.encode(), self.session_cookie_value().encode()
        )


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


class AccessGuard:
    """ASGI middleware enforcing an `AccessPolicy` on HTTP requests and WebSockets."""

    def __init__(self, app: ASGIApp, policy: AccessPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = _headers(scope)
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
        if path == LOGIN_PATH and self.policy.token is not None:
            await self._login(scope, body, send)
            return
        if path not in self.policy.open_paths and not self.policy.allows(headers):
            await self._refuse_http(headers, send)
            return
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
        token = self.policy.token or ""
        if not hmac.compare_digest(presented.encode(), token.encode()):
            await _respond(send, 401, login_page(failed=True), "text/html; charset=utf-8")
            return
        cookie = (
            f"{COOKIE_NAME}={self.policy.session_cookie_value()}; HttpOnly; SameSite=Strict; Path=/"
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
        if scope.get("path", "") not in self.policy.open_paths and not self.policy.allows(
            _headers(scope)
        ):
            # Closing before accepting makes the server answer the handshake with 403.
            await send({"type": "websocket.close", "code": 1008})
            return
        limit = self.policy.max_message_bytes

        async def guarded_receive() -> Message:
            while True:
                message = await receive()
                if message["type"] != "websocket.receive":
                    return message
                text = message.get("text")
                if text is None:
                    await send(
                        {
                            "type": "websocket.send",
                            "text": ws_error_frame(
                                "binary frames are not accepted: send JSON as a text frame",
                                "INVALID_FRAME",
                            ),
                        }
                    )
                    continue
                size = len(text.encode("utf-8"))
                if size > limit:
                    await send(
                        {
                            "type": "websocket.send",
                            "text": ws_error_frame(
                                f"message of {size} bytes exceeds the limit of {limit} bytes",
                                "MESSAGE_TOO_LARGE",
                            ),
                        }
                    )
                    continue
                return message

        await self.app(scope, guarded_receive, send)


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


def login_page(failed: bool = False) -> str:
    """The small page that asks a browser user for the server's token."""
    notice = (
        '<p class="bad">That token was not accepted.</p>'
        if failed
        else "<p>This server requires its access token.</p>"
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>trialscope audit: sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{{font-family:system-ui,sans-serif;background:#f4f6f9;color:#1d2733;display:grid;
place-items:center;min-height:100vh;margin:0}}
form{{background:#fff;padding:2rem 2.5rem;border-radius:12px;box-shadow:0 2px 12px #0002;
min-width:320px}}
h1{{font-size:1.2rem;margin-top:0}} .bad{{color:#b3261e}}
input{{width:100%;padding:.5rem;margin:.5rem 0 1rem;box-sizing:border-box;font-size:1rem}}
button{{background:#1f5fa8;color:#fff;border:0;padding:.55rem 1.2rem;border-radius:6px;
font-size:1rem;cursor:pointer}}
</style></head><body>
<form method="post" action="{html.escape(LOGIN_PATH)}">
<h1>trialscope clinical audit</h1>{notice}
<label for="token">Access token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form></body></html>"""
