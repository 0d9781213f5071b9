"""`trialscope audit serve` as a user runs it: token everywhere but /health, never echoed."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.audit.serve_cli import serve_cli
from tests.support.app_server import serve_in_thread
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from trialscope.audit.server.app import ServerSettings, build_app

TOKEN = "e2e-Token-7f3a9c1d5b"


@pytest.fixture(scope="module")
def served_with_token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with serve_cli(log, token=TOKEN, max_envs="4") as port:
        yield f"127.0.0.1:{port}", log


def test_serve_binds_loopback_by_default(served_with_token: tuple[str, Path]) -> None:
    address, log = served_with_token
    assert ServerSettings().host == "127.0.0.1"
    assert f"http://{address}" in log.read_text()


def test_token_guards_every_route_but_health_and_is_never_echoed(
    served_with_token: tuple[str, Path],
) -> None:
    address, log = served_with_token
    base = f"http://{address}"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    seen: list[str] = []

    def record(response: httpx.Response) -> httpx.Response:
        seen.append(response.text)
        seen.append(json.dumps(dict(response.headers)))
        return response

    assert record(httpx.get(f"{base}/health")).status_code == 200
    routes = ["/schema", "/tools", "/metadata", "/openapi.json", "/", "/docs", "/eval/results"]
    for route in routes:
        assert record(httpx.get(f"{base}{route}")).status_code == 401, route
        assert record(httpx.get(f"{base}{route}", headers=auth)).status_code == 200, route
    record(httpx.get(f"{base}/", headers={"Accept": "text/html"}))
    record(httpx.post(f"{base}/auth", data={"token": "not-the-token"}))
    login = record(httpx.post(f"{base}/auth", data={"token": TOKEN}))
    assert login.status_code == 303
    record(httpx.post(f"{base}/reset", json={"task": "easy", "seed": 1}, headers=auth))
    record(httpx.post(f"{base}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"}))
    record(httpx.get(f"{base}/dashboard/app.js", headers=auth))
    with pytest.raises(InvalidStatus):
        connect(f"ws://{address}/ws")
    with connect(f"ws://{address}/ws", additional_headers=auth) as ws:
        for message in (
            {"type": "reset", "data": {"task": "hard"}},
            {"type": "step", "data": {"tool": "query_records", "page_size": 50}},
            {"type": "step", "data": {"tool": "nonsense"}},
            {"type": "state"},
        ):
            ws.send(json.dumps(message))
            seen.append(str(ws.recv(timeout=30)))
    cookie = login.cookies["trialscope_session"]
    with connect(
        f"ws://{address}/dashboard/ws",
        additional_headers={"Cookie": f"trialscope_session={cookie}"},
    ) as ws:
        seen.append(str(ws.recv(timeout=30)))
        ws.send(json.dumps({"type": "run", "agent": "heuristic", "task": "easy", "seed": 4}))
        while True:
            frame = str(ws.recv(timeout=120))
            seen.append(frame)
            if json.loads(frame)["type"] in ("finished", "error"):
                break
    assert json.loads(seen[-1])["type"] == "finished"
    assert all(TOKEN not in text for text in seen)
    assert TOKEN not in log.read_text()


def test_openenv_validate_passes_against_a_running_server() -> None:
    with serve_in_thread(build_app(ServerSettings())) as port:
        openenv = Path(sys.executable).with_name("openenv")
        result = subprocess.run(
            [str(openenv), "validate", "--url", f"http://127.0.0.1:{port}", "--json"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["passed"] is True
    assert {c["id"] for c in report["criteria"] if c["passed"]} >= {
        "health_endpoint",
        "metadata_endpoint",
        "schema_endpoint",
        "mcp_endpoint",
    }
