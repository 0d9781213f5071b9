"""PubMedSearch against a loopback server that speaks the esearch JSON format."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from tests.conftest import free_port

from trialscope.search.base import SearchError, normalize_date_cap
from trialscope.search.pubmed import PubMedSearch


@dataclass
class Script:
    """Responses to send, in order (the last one repeats), and the queries received."""

    responses: list[tuple[int, Any]] = field(default_factory=list)
    received: list[dict[str, str]] = field(default_factory=list)


def _esearch(ids: list[str]) -> dict[str, Any]:
    return {"header": {"type": "esearch"}, "esearchresult": {"count": str(len(ids)), "idlist": ids}}


@pytest.fixture
def esearch() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
            script.received.append(query)
            index = min(len(script.received), len(script.responses)) - 1
            status, body = script.responses[index]
            payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            if status == 429:
                self.send_header("Retry-After", "0")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/esearch.fcgi", script
    finally:
        server.shutdown()
        server.server_close()


def _client(url: str, **kwargs: Any) -> PubMedSearch:
    return PubMedSearch(base_url=url, backoff_s=0.0, min_interval_s=0.0, timeout_s=5.0, **kwargs)


def test_search_sends_the_original_parameters(esearch: tuple[str, Script]) -> None:
    url, script = esearch
    script.responses = [(200, _esearch(["3", "1", "2"]))]
    client = _client(url, api_key="secret")
    try:
        assert client.search("insulin AND diabetes", k=1000) == ["3", "1", "2"]
    finally:
        client.close()
    [params] = script.received
    assert params["db"] == "pubmed"
    assert params["term"] == "insulin AND diabetes"
    assert params["retmax"] == "1000"
    assert params["sort"] == "relevance"
    assert params["retmode"] == "json"
    assert params["api_key"] == "secret"
    assert "maxdate" not in params


def test_date_cap_and_api_key_from_environment(
    esearch: tuple[str, Script], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, script = esearch
    script.responses = [(200, _esearch(["9"]))]
    monkeypatch.setenv("PUBMED_API_KEY", "from-env")
    client = _client(url)
    try:
        assert client.search("q", k=5, date_cap="2018-03") == ["9"]
    finally:
        client.close()
    [params] = script.received
    assert params["api_key"] == "from-env"
    assert params["datetype"] == "pdat"
    assert params["maxdate"] == "2018/03/31"
    assert params["mindate"] == "1800/01/01"


def test_retries_server_errors_and_rate_limits(esearch: tuple[str, Script]) -> None:
    url, script = esearch
    script.responses = [
        (500, "oops"),
        (429, {"error": "API rate limit exceeded"}),
        (200, _esearch(["7"])),
    ]
    client = _client(url, max_attempts=3)
    try:
        assert client.search("q", k=10) == ["7"]
    finally:
        client.close()
    assert len(script.received) == 3


def test_gives_up_after_the_last_attempt(esearch: tuple[str, Script]) -> None:
    url, script = esearch
    script.responses = [(503, "busy")]
    client = _client(url, max_attempts=2)
    try:
        with pytest.raises(SearchError, match="after 2 attempts: HTTP 503"):
            client.search("q", k=10)
    finally:
        client.close()


def test_client_errors_and_refusals_are_not_retried(esearch: tuple[str, Script]) -> None:
    url, script = esearch
    script.responses = [(400, "bad request")]
    client = _client(url)
    try:
        with pytest.raises(SearchError, match="HTTP 400"):
            client.search("q", k=10)
        assert len(script.received) == 1
        script.responses = [(200, {"esearchresult": {"ERROR": "Empty term and query_key"}})]
        with pytest.raises(SearchError, match="refused the query"):
            client.search("q", k=10)
        script.responses = [(200, "<html>not json</html>")]
        with pytest.raises(SearchError, match="unparseable body"):
            client.search("q", k=10)
    finally:
        client.close()


def test_empty_query_sends_nothing(esearch: tuple[str, Script]) -> None:
    url, script = esearch
    client = _client(url)
    try:
        assert client.search("   ", k=10) == []
    finally:
        client.close()
    assert script.received == []


def test_unreachable_server_is_a_search_error() -> None:
    client = _client(f"http://127.0.0.1:{free_port()}/esearch.fcgi", max_attempts=2)
    try:
        with pytest.raises(SearchError, match="ConnectError"):
            client.search("q", k=10)
    finally:
        client.close()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019-05-01", "2019/05/01"),
        ("2019/5/1", "2019/05/01"),
        ("2019", "2019/12/31"),
        ("2019-02", "2019/02/28"),
        ("20190501", "2019/05/01"),
        ("2019-13", None),
        ("May 2019", None),
        (None, None),
    ],
)
def test_date_cap_forms(value: str | None, expected: str | None) -> None:
    assert normalize_date_cap(value) == expected


def test_api_key_kept_in_dotenv_is_used(
    esearch: tuple[str, Script], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url, script = esearch
    script.responses = [(200, _esearch(["9"]))]
    monkeypatch.delenv("PUBMED_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("PUBMED_API_KEY=from-dotenv\n")
    client = _client(url)
    try:
        client.search("q", k=5)
    finally:
        client.close()
    assert script.received[0]["api_key"] == "from-dotenv"
