"""Connections to model endpoints: environment proxies honoured (as httpx honoured them)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
import subprocess
from pathlib import Path
from typing import Any

import pytest

from trialscope.models.base import GenerationConfig, RetryableError
from trialscope.models.http_connections import environment_proxy
from trialscope.models.openai_compatible import OpenAICompatibleModel

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture
def clean_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    return monkeypatch


async def _read_request(reader: asyncio.StreamReader) -> bytes:
    """Read one HTTP request (head and content-length body); returns its head."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    await reader.readexactly(length)
    return head


async def _answer_json(writer: asyncio.StreamWriter, body: bytes) -> None:
    """Answer with 200 and the JSON `body`."""
    writer.write(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
        + b"content-length: %d\r\n\r\n" % len(body)
        + body
    )
    await writer.drain()


async def _answer_one_request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, body: bytes
) -> None:
    """Read one HTTP request and answer it with the JSON `body`."""
    await _read_request(reader)
    await _answer_json(writer, body)


async def test_requests_go_through_the_environment_proxy(
    clean_proxy_environment: pytest.MonkeyPatch,
) -> None:
    seen: list[bytes] = []
    proxy_auth: list[bytes] = []
    completion = json.dumps(
        {"model": "m", "choices": [{"message": {"content": "via proxy"}, "finish_reason": "stop"}]}
    ).encode()

    async def forward_proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await _read_request(reader)
        seen.append(head.split(b"\r\n", 1)[0])
        proxy_auth.extend(
            line for line in head.lower().split(b"\r\n") if line.startswith(b"proxy-authorization")
        )
        await _answer_json(writer, completion)
        writer.close()

    server = await asyncio.start_server(forward_proxy, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    clean_proxy_environment.setenv("HTTP_PROXY", f"http://user:secret@127.0.0.1:{port}")
    model = OpenAICompatibleModel(
        "openai-compatible/m",
        provider="openai-compatible",
        model="m",
        base_urls=["http://model.invalid/v1"],
        api_key=None,
    )
    try:
        result = await model.chat([{"role": "user", "content": "hi"}], GenerationConfig())
    finally:
        await model.aclose()
        server.close()
    assert result.text == "via proxy"
    assert seen == [b"POST http://model.invalid/v1/chat/completions HTTP/1.1"]
    assert proxy_auth == [b"proxy-authorization: basic dxnlcjpzzwnyzxq="]  # user:secret


def test_no_proxy_and_scheme_decide_which_urls_are_proxied(
    clean_proxy_environment: pytest.MonkeyPatch,
) -> None:
    clean_proxy_environment.setenv("HTTPS_PROXY", "proxy.example:3128")
    clean_proxy_environment.setenv("NO_PROXY", "internal.example")
    proxied = environment_proxy("https://api.example/v1")
    assert proxied is not None and proxied.url.host == b"proxy.example"
    assert proxied.url.port == 3128
    assert environment_proxy("https://internal.example/v1") is None
    assert environment_proxy("http://api.example/v1") is None


async def test_a_connection_the_server_closed_while_idle_is_not_reused(
    monkeypatch: pytest.MonkeyPatch, clean_proxy_environment: pytest.MonkeyPatch
) -> None:
    """A keep-alive connection the server dropped (its idle timeout) is replaced, not failed on."""
    completion = json.dumps({"choices": [{"message": {"content": "ok"}}]}).encode()
    closed = asyncio.Event()
    connections = 0

    async def answer_once_then_hang_up(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        nonlocal connections
        connections += 1
        await _answer_one_request(reader, writer, completion)
        writer.close()  # no "connection: close": the client believes the connection is reusable
        await writer.wait_closed()
        closed.set()

    server, port = await _serve(answer_once_then_hang_up)
    model = _model_at(port)
    try:
        first = await model.chat([{"role": "user", "content": "one"}], GenerationConfig())
        await closed.wait()
        await asyncio.sleep(0.05)  # let the FIN reach the client's socket
        second = await model.chat([{"role": "user", "content": "two"}], GenerationConfig())
    finally:
        await model.aclose()
        server.close()
    assert (first.text, second.text, connections) == ("ok", "ok", 2)


async def test_https_endpoints_verify_the_server_and_answer(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clean_proxy_environment: pytest.MonkeyPatch,
) -> None:
    """TLS through the asyncio network backend: a trusted certificate works, an unknown one is a
    connection error (retryable), never a silent plain-text fallback."""
    import trialscope.models.http_connections as http_connections

    certificate, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    request = "req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1"
    files = ["-keyout", str(key), "-out", str(certificate)]
    subprocess.run(
        ["openssl", *request.split(), "-addext", "subjectAltName=IP:127.0.0.1", *files],
        check=True,
        capture_output=True,
    )
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(certificate, key)
    completion = json.dumps({"choices": [{"message": {"content": "over tls"}}]}).encode()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # The untrusting client hangs up during the handshake: nothing to answer then.
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            await _answer_one_request(reader, writer, completion)
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=server_context)
    port = server.sockets[0].getsockname()[1]

    def model() -> OpenAICompatibleModel:
        return OpenAICompatibleModel(
            "openai-compatible/m",
            provider="openai-compatible",
            model="m",
            base_urls=[f"https://127.0.0.1:{port}/v1"],
            api_key=None,
        )

    try:
        untrusting = model()  # certifi's roots do not know this certificate
        with pytest.raises(RetryableError, match="connection error"):
            await untrusting.chat([{"role": "user", "content": "hi"}], GenerationConfig())
        await untrusting.aclose()
        trusting = ssl.create_default_context(cafile=str(certificate))
        monkeypatch.setattr(http_connections, "tls_context", lambda: trusting)
        trusted = model()
        result = await trusted.chat([{"role": "user", "content": "hi"}], GenerationConfig())
        await trusted.aclose()
    finally:
        server.close()
    assert result.text == "over tls"


async def test_plain_http_endpoints_never_build_a_tls_context(
    openai_server: Any, monkeypatch: pytest.MonkeyPatch, clean_proxy_environment: pytest.MonkeyPatch
) -> None:
    """Reading the CA bundle costs ~30 ms, before the first request: only https pays it."""
    import trialscope.models.http_connections as http_connections

    built: list[ssl.SSLContext] = []
    real = http_connections.tls_context

    def recording_tls_context() -> ssl.SSLContext:
        built.append(real())
        return built[-1]

    monkeypatch.setattr(http_connections, "tls_context", recording_tls_context)
    plain = OpenAICompatibleModel(
        "openai-compatible/m",
        provider="openai-compatible",
        model="m",
        base_urls=[openai_server.base_url],
        api_key=None,
    )
    try:
        result = await plain.chat([{"role": "user", "content": "hi"}], GenerationConfig())
    finally:
        await plain.aclose()
    # (https endpoints do use it: test_https_endpoints_verify_the_server_and_answer)
    assert json.loads(result.text) == {"echo": "hi"} and built == []


def _model_at(port: int) -> OpenAICompatibleModel:
    return OpenAICompatibleModel(
        "openai-compatible/m",
        provider="openai-compatible",
        model="m",
        base_urls=[f"http://127.0.0.1:{port}/v1"],
        api_key="k",
    )


async def _serve(handler: Any) -> tuple[asyncio.AbstractServer, int]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def test_requests_are_the_bytes_httpcore_sends(
    clean_proxy_environment: pytest.MonkeyPatch,
) -> None:
    """Head and body, byte for byte, as an httpcore connection pool sends the same request."""
    import httpcore

    from trialscope.models.http_connections import EndpointConnections

    received: list[bytes] = []
    completion = json.dumps({"choices": [{"message": {"content": "ok"}}]}).encode()

    async def capture(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        received.append(head + await reader.readexactly(length))
        await _answer_json(writer, completion)
        writer.close()

    server, port = await _serve(capture)
    url = f"http://127.0.0.1:{port}/v1/chat/completions"
    headers = {"content-type": "application/json", "authorization": "Bearer k"}
    body = json.dumps({"model": "m", "messages": [{"role": "user", "content": "é ok"}]}).encode()
    try:
        ours = EndpointConnections([url], headers)
        reply = await ours.post(0, body)
        await ours.aclose()
        async with httpcore.AsyncConnectionPool() as pool:
            await pool.request("POST", url, headers=list(headers.items()), content=body)
    finally:
        server.close()
    assert reply.status_code == 200 and json.loads(reply.content) == json.loads(completion)
    assert len(received) == 2 and received[0] == received[1]


@pytest.mark.parametrize(
    "answer",
    [
        # the body stops halfway and the server hangs up
        b'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 40\r\n\r\n{"cho',
        # not HTTP at all
        b"SSH-2.0-OpenSSH_9.6\r\n",
        # hung up before any byte
        b"",
    ],
)
async def test_a_broken_response_is_a_retryable_connection_error_and_never_reused(
    answer: bytes, clean_proxy_environment: pytest.MonkeyPatch
) -> None:
    completion = json.dumps({"choices": [{"message": {"content": "fine"}}]}).encode()
    connections = 0

    async def first_broken_then_fine(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        nonlocal connections
        connections += 1
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            await _read_request(reader)
            if connections == 1:
                writer.write(answer)
                await writer.drain()
            else:
                await _answer_json(writer, completion)
                await _answer_one_request(reader, writer, completion)
        writer.close()

    server, port = await _serve(first_broken_then_fine)
    model = _model_at(port)
    try:
        with pytest.raises(RetryableError, match="connection error"):
            await model.chat([{"role": "user", "content": "one"}], GenerationConfig())
        texts = [
            (await model.chat([{"role": "user", "content": "again"}], GenerationConfig())).text
            for _ in range(2)
        ]
    finally:
        await model.aclose()
        server.close()
    # the broken connection was dropped; the next one is kept alive for both requests
    assert texts == ["fine", "fine"] and connections == 2


async def test_chunked_responses_and_interim_responses_are_read_whole(
    clean_proxy_environment: pytest.MonkeyPatch,
) -> None:
    body = json.dumps({"choices": [{"message": {"content": "in pieces"}}]}).encode()

    async def chunked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n")
        writer.write(b"transfer-encoding: chunked\r\n\r\n")
        for start in range(0, len(body), 7):
            piece = body[start : start + 7]
            writer.write(b"%x\r\n%b\r\n" % (len(piece), piece))
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        writer.close()

    server, port = await _serve(chunked)
    model = _model_at(port)
    try:
        result = await model.chat([{"role": "user", "content": "hi"}], GenerationConfig())
    finally:
        await model.aclose()
        server.close()
    assert result.text == "in pieces"


async def test_a_refused_connection_is_a_retryable_connection_error(
    clean_proxy_environment: pytest.MonkeyPatch,
) -> None:
    server, port = await _serve(lambda reader, writer: writer.close())
    server.close()
    await server.wait_closed()
    model = _model_at(port)
    try:
        with pytest.raises(RetryableError, match="connection error"):
            await model.chat([{"role": "user", "content": "hi"}], GenerationConfig())
    finally:
        await model.aclose()
