"""The scripted server answers the same bytes whichever HTTP parser and event loop serve it.

Benchmarks run it on httptools and uvloop (cheaper per request); tests and earlier figures used
h11 on asyncio. What a client receives must not depend on that choice.
"""

from __future__ import annotations

import json
import socket

import pytest
from tests.support.openai_server import OpenAIServer, Reply

PROMPT = 'Screen this study: "Café" trial, 4,000 words of protocol … \\ end'
BODY = json.dumps(
    {"model": "bench", "messages": [{"role": "user", "content": PROMPT}], "max_tokens": 8},
    ensure_ascii=False,
    separators=(",", ":"),
).encode("utf-8")


def exchange(port: int, path: str, body: bytes) -> tuple[bytes, list[bytes], bytes]:
    """One raw HTTP/1.1 POST: status line, headers (names lower-cased, no date) and body."""
    request = (
        f"POST {path} HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    ).encode("ascii") + body
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, content = data.partition(b"\r\n\r\n")
    status, *headers = head.split(b"\r\n")
    # Header names are case-insensitive (h11 writes "Connection", httptools "connection").
    named = [name.lower() + b":" + value for name, _, value in (h.partition(b":") for h in headers)]
    return status, [h for h in named if not h.startswith(b"date:")], content


def answers(http: str, loop: str) -> list[tuple[bytes, list[bytes], bytes]]:
    with OpenAIServer(http=http, loop=loop) as server:
        server.script(Reply.error(429, retry_after=0.5), Reply.garbage())
        return [exchange(server.port, "/v1/chat/completions", BODY) for _ in range(3)]


def test_echo_answer_is_the_exact_completion() -> None:
    [_, _, (status, headers, content)] = answers("h11", "asyncio")
    assert status == b"HTTP/1.1 200 OK"
    answer = json.dumps({"echo": PROMPT})
    expected = {
        "id": "chatcmpl-2",
        "object": "chat.completion",
        "created": 0,
        "model": "bench",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": len(PROMPT.split()),
            "completion_tokens": len(answer.split()),
            "total_tokens": 0,
        },
    }
    assert content == json.dumps(expected, ensure_ascii=False, separators=(",", ":")).encode()
    assert b"content-type: application/json" in headers


@pytest.mark.parametrize(("http", "loop"), [("httptools", "uvloop"), ("httptools", "asyncio")])
def test_answers_are_byte_identical_across_parsers_and_loops(http: str, loop: str) -> None:
    assert answers(http, loop) == answers("h11", "asyncio")
