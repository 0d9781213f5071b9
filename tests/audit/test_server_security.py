"""The access guard on a real uvicorn server: token, cookie login, body and frame limits."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from hypothesis import given
from hypothesis import strategies as st
from tests.support.app_server import serve_in_thread
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from trialscope.audit.server.guard import COOKIE_NAME, AccessGuard, AccessPolicy

TOKEN = "s3cret-token-value-42"


def echo_app() -> FastAPI:
    app = FastAPI()

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "healthy"}

    @app.get("/things")
    async def things() -> dict[str, int]:
        return {"n": 3}

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"received": len(await request.body())}

    @app.websocket("/socket")
    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            while True:
                text = await websocket.receive_text()
                await websocket.send_text(json.dumps({"type": "echo", "length": len(text)}))
        except WebSocketDisconnect:
            pass

    return app


def serve(app: Any) -> Iterator[str]:
    with serve_in_thread(app, ws_max_size=2**20) as port:
        yield f"127.0.0.1:{port}"


@pytest.fixture(scope="module")
def guarded() -> Iterator[str]:
    policy = AccessPolicy(tokens=(TOKEN,), max_body_bytes=4096, max_message_bytes=4096)
    yield from serve(AccessGuard(echo_app(), policy))


@pytest.fixture(scope="module")
def open_server() -> Iterator[str]:
    yield from serve(AccessGuard(echo_app(), AccessPolicy(max_body_bytes=4096)))


def test_health_needs_no_token_but_everything_else_does(guarded: str) -> None:
    assert httpx.get(f"http://{guarded}/health").json() == {"status": "healthy"}
    refused = httpx.get(f"http://{guarded}/things")
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    wrong = httpx.get(f"http://{guarded}/things", headers={"Authorization": "Bearer nope-nope"})
    assert wrong.status_code == 401
    ok = httpx.get(f"http://{guarded}/things", headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.json() == {"n": 3}


def test_browser_gets_a_login_page_and_a_cookie_that_is_not_the_token(guarded: str) -> None:
    page = httpx.get(f"http://{guarded}/", headers={"Accept": "text/html"})
    assert page.status_code == 401
    assert '<form method="post" action="/auth">' in page.text
    failed = httpx.post(f"http://{guarded}/auth", data={"token": "wrong-token"})
    assert failed.status_code == 401
    assert "not accepted" in failed.text
    login = httpx.post(f"http://{guarded}/auth", data={"token": TOKEN})
    assert login.status_code == 303
    assert TOKEN not in login.headers["set-cookie"]
    cookie = login.cookies[COOKIE_NAME]
    assert httpx.get(f"http://{guarded}/things", cookies={COOKIE_NAME: cookie}).status_code == 200
    with connect(
        f"ws://{guarded}/socket", additional_headers={"Cookie": f"{COOKIE_NAME}={cookie}"}
    ) as ws:
        ws.send("hello")
        assert json.loads(ws.recv(timeout=10)) == {"type": "echo", "length": 5}


def test_websocket_without_credentials_is_refused(guarded: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        connect(f"ws://{guarded}/socket")
    assert refused.value.response.status_code == 403


def test_oversized_body_gets_413(guarded: str) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    small = httpx.post(f"http://{guarded}/echo", content=b"x" * 100, headers=headers)
    assert small.json() == {"received": 100}
    big = httpx.post(f"http://{guarded}/echo", content=b"x" * 5000, headers=headers)
    assert big.status_code == 413
    assert "4096 bytes" in big.json()["detail"]

    def chunks() -> Iterator[bytes]:
        for _ in range(5):
            yield b"y" * 1000

    streamed = httpx.post(f"http://{guarded}/echo", content=chunks(), headers=headers)
    assert streamed.status_code == 413


def test_oversized_and_binary_frames_get_an_error_and_the_socket_stays_usable(
    guarded: str,
) -> None:
    with connect(
        f"ws://{guarded}/socket", additional_headers={"Authorization": f"Bearer {TOKEN}"}
    ) as ws:
        ws.send("z" * 10_000)
        error = json.loads(ws.recv(timeout=10))
        assert error["type"] == "error"
        assert error["data"]["code"] == "MESSAGE_TOO_LARGE"
        assert "10000 bytes" in error["data"]["message"]
        ws.send(b"\x00\x01")
        assert json.loads(ws.recv(timeout=10))["data"]["code"] == "INVALID_FRAME"
        ws.send("still here")
        assert json.loads(ws.recv(timeout=10)) == {"type": "echo", "length": 10}


def test_without_a_token_everything_is_open(open_server: str) -> None:
    assert httpx.get(f"http://{open_server}/things").json() == {"n": 3}
    with connect(f"ws://{open_server}/socket") as ws:
        ws.send("a")
        assert json.loads(ws.recv(timeout=10))["length"] == 1


def test_policy_rejects_short_tokens_and_tiny_limits() -> None:
    with pytest.raises(ValueError, match="at least 8 characters"):
        AccessPolicy(tokens=("short",))
    with pytest.raises(ValueError, match="at least 1024 bytes"):
        AccessPolicy(max_body_bytes=10)


@given(
    token=st.text(
        alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=8, max_size=40
    ),
    presented=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=40),
)
def test_only_the_exact_token_or_its_cookie_is_accepted(token: str, presented: str) -> None:
    policy = AccessPolicy(tokens=(token,))
    assert policy.allows({"authorization": f"Bearer {token}"})
    assert policy.allows({"cookie": f"a=b; {COOKIE_NAME}={policy.session_cookie_value(token)}"})
    assert policy.allows({"authorization": f"Bearer {presented}"}) == (presented == token)
    assert not policy.allows({"cookie": f"{COOKIE_NAME}={token}"})
    assert token not in policy.session_cookie_value(token)
    assert token not in repr(policy)
