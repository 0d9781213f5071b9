"""Start `trialscope audit serve` as a user does (a subprocess on a free loopback port)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.conftest import free_port
from websockets.sync.client import ClientConnection, connect


@contextmanager
def serve_cli(log: Path, *flags: str, **variables: str) -> Iterator[int]:
    """Run `trialscope audit serve --port P *flags` with TRIALSCOPE_AUDIT_* variables; yield P."""
    port = free_port()
    env = os.environ | {f"TRIALSCOPE_AUDIT_{k.upper()}": v for k, v in variables.items()}
    cli = Path(sys.executable).with_name("trialscope")
    with log.open("w") as sink:
        process = subprocess.Popen(
            [str(cli), "audit", "serve", "--port", str(port), *flags],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                pytest.fail(f"serve exited early:\n{log.read_text()}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"serve did not come up:\n{log.read_text()}")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for a token."""
    return {"Authorization": f"Bearer {token}"}


def open_episode_socket(port: int, token: str | None = None) -> ClientConnection:
    """A `/ws` connection (the caller closes it)."""
    return connect(
        f"ws://127.0.0.1:{port}/ws",
        additional_headers=bearer(token) if token else None,
        max_size=2**22,
    )


def exchange(ws: ClientConnection, message: dict[str, Any] | str) -> dict[str, Any]:
    """Send one frame, return the decoded answer."""
    ws.send(message if isinstance(message, str) else json.dumps(message))
    answer = json.loads(str(ws.recv(timeout=120)))
    assert isinstance(answer, dict)
    return answer


def eval_results(port: int, token: str) -> dict[str, Any]:
    """`GET /eval/results` for this token."""
    response = httpx.get(f"http://127.0.0.1:{port}/eval/results", headers=bearer(token), timeout=30)
    response.raise_for_status()
    data = response.json()
    assert isinstance(data, dict)
    return data
