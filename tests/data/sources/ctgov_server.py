"""A loopback stand-in for `GET /api/v2/studies`, serving recorded-format pages the test writes."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.conftest import free_port


@dataclass
class RecordedApi:
    """Pages by token (None = first page), scripted failures, and every request's parameters."""

    pages: dict[str | None, dict[str, Any]]
    failures: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    requests: list[dict[str, str]] = field(default_factory=list)
    base_url: str = ""


def recorded_pages(
    studies: list[dict[str, Any]], page_size: int
) -> dict[str | None, dict[str, Any]]:
    """Split studies into API pages linked by `nextPageToken`, as the real API returns them."""
    pages: dict[str | None, dict[str, Any]] = {}
    chunks = [studies[i : i + page_size] for i in range(0, len(studies), page_size)] or [[]]
    for number, chunk in enumerate(chunks):
        token = None if number == 0 else f"tok{number}"
        page: dict[str, Any] = {"studies": chunk}
        if number + 1 < len(chunks):
            page["nextPageToken"] = f"tok{number + 1}"
        pages[token] = page
    return pages


def _handler(api: RecordedApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlparse(self.path)
            params = {k: v[0] for k, v in parse_qs(url.query).items()}
            api.requests.append(params)
            if api.failures:
                status, headers = api.failures.pop(0)
                self._send(status, {"error": "scripted failure"}, headers)
                return
            if url.path != "/api/v2/studies":
                self._send(404, {"error": "not found"})
                return
            token = params.get("pageToken")
            if token not in api.pages:
                self._send(400, {"error": f"unknown page token {token}"})
                return
            body = dict(api.pages[token])
            if params.get("countTotal") == "true":
                body["totalCount"] = sum(len(p["studies"]) for p in api.pages.values())
            self._send(200, body)

        def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def serve_recorded_api(api: RecordedApi) -> Iterator[RecordedApi]:
    """Run the stand-in on 127.0.0.1 on a free port until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _handler(api))
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    api.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
