"""Hostile input against `trialscope audit serve --mode eval`: frames that are not actions,
capacity exhaustion (/mcp sessions, held and idle sockets), foreign origins and hosts, and a
server listening beyond loopback without a token."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from tests.audit.serve_cli import bearer, exchange, open_episode_socket, serve_cli
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from trialscope.audit.models import AuditAction
from trialscope.audit.tools import TOOL_NAMES, TOOLS

ATTACKER, VICTIM = "attacker-token-0123456789", "victim-token-0123456789"
ARGUMENT_NAMES = sorted({name for model in TOOLS.values() for name in model.model_fields})


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """Default settings (eval mode, no token, loopback)."""
    with serve_cli(tmp_path_factory.mktemp("hostile") / "serve.log", eval_episodes="1000") as port:
        yield port


@pytest.fixture(scope="module")
def small_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """Two submitters, room for 6 sessions, 3 per client, idle sockets closed after 2 s."""
    with serve_cli(
        tmp_path_factory.mktemp("small") / "serve.log",
        token=f"{ATTACKER},{VICTIM}",
        max_envs="6",
        max_sessions_per_client="3",
        idle_timeout_s="2",
        eval_episodes="1000",
    ) as port:
        yield port


@pytest.fixture(scope="module")
def session(server: int) -> Iterator[ClientConnection]:
    with open_episode_socket(server) as ws:
        assert exchange(ws, {"type": "reset", "data": {"task": "medium"}})["type"] == "observation"
        yield ws


def state_of(ws: ClientConnection) -> dict[str, Any]:
    reply = exchange(ws, {"type": "state"})
    assert reply["type"] == "state", reply
    data: dict[str, Any] = reply["data"]
    return data


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=24,
)
frames = st.one_of(
    json_values.filter(lambda v: not isinstance(v, dict)).map(json.dumps),
    st.dictionaries(st.text(max_size=8), json_values, max_size=4).map(json.dumps),
    st.builds(
        lambda tool, arguments: json.dumps({"type": "step", "data": {"tool": tool, **arguments}}),
        st.sampled_from([*TOOL_NAMES, "teleport"]),
        st.dictionaries(st.sampled_from(ARGUMENT_NAMES), json_values, max_size=4),
    ),
    st.builds(
        lambda value: json.dumps(
            {
                "type": "step",
                "data": {
                    "tool": "query_records",
                    "filters": [{"field": "age", "op": "<", "value": value}],
                },
            }
        ),
        json_values.filter(lambda v: isinstance(v, list | dict)),
    ),
    st.integers(20, 5000).map(lambda depth: "[" * depth + "]" * depth),
    st.text(max_size=40),
)


def is_a_message(frame: str) -> bool:
    """Whether the frame is a valid reset/state/close message or a valid action."""
    try:
        message = json.loads(frame)
    except (ValueError, RecursionError):
        return False
    if not isinstance(message, dict) or message.get("type") not in (
        "step",
        "reset",
        "state",
        "close",
    ):
        return False
    if message["type"] != "step":
        return True
    try:
        AuditAction.model_validate(message.get("data"))
    except (ValidationError, TypeError):
        return False
    return True


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(frame=frames)
def test_frames_that_are_not_actions_never_end_the_session_or_spend_budget(
    session: ClientConnection, frame: str
) -> None:
    assume(not is_a_message(frame))
    before = state_of(session)
    reply = exchange(session, frame)
    assert reply["type"] == "error", reply
    assert reply["data"]["code"] in (
        "INVALID_JSON",
        "INVALID_FRAME",
        "UNKNOWN_TYPE",
        "INVALID_ACTION",
    )
    after = state_of(session)
    assert after == before


@pytest.mark.parametrize(
    "frame",
    [
        "[]",
        "123",
        "null",
        '"step"',
        "[" * 100_00 + "]" * 100_00,
        json.dumps({"type": "step", "data": []}),
        json.dumps(
            {
                "type": "step",
                "data": {
                    "tool": "query_records",
                    "filters": [{"field": "age", "op": "<", "value": [1]}],
                },
            }
        ),
        json.dumps(
            {"type": "step", "data": {"type": "call_tool", "tool_name": "x", "arguments": {}}}
        ),
        json.dumps({"type": "mcp", "data": {"jsonrpc": "2.0", "method": "openenv/session/create"}}),
    ],
)
def test_the_frames_that_used_to_end_sessions(session: ClientConnection, frame: str) -> None:
    before = state_of(session)
    assert exchange(session, frame)["type"] == "error"
    assert state_of(session) == before
    works = exchange(
        session, {"type": "step", "data": {"tool": "investigate_pattern", "variable": "age"}}
    )
    assert works["type"] == "observation" and works["data"]["observation"]["error"] is None


def test_mcp_cannot_create_sessions_that_hold_capacity(small_server: int) -> None:
    url = f"http://127.0.0.1:{small_server}/mcp"
    for n in range(40):
        reply = httpx.post(
            url,
            json={"jsonrpc": "2.0", "id": n, "method": "openenv/session/create", "params": {}},
            headers=bearer(ATTACKER),
        ).json()
        assert "error" in reply and "/ws" in reply["error"]["message"]
    with open_episode_socket(small_server, VICTIM) as ws:
        assert exchange(ws, {"type": "reset", "data": {"task": "easy"}})["type"] == "observation"


def test_one_client_cannot_hold_all_capacity_and_idle_sockets_are_closed(small_server: int) -> None:
    with ExitStack() as stack:
        held = [stack.enter_context(open_episode_socket(small_server, ATTACKER)) for _ in range(3)]
        for ws in held:
            assert (
                exchange(ws, {"type": "reset", "data": {"task": "easy"}})["type"] == "observation"
            )
        with open_episode_socket(small_server, ATTACKER) as extra:
            refused = json.loads(str(extra.recv(timeout=30)))
            assert refused["data"]["code"] == "CAPACITY_REACHED"
        with open_episode_socket(small_server, VICTIM) as ws:
            assert (
                exchange(ws, {"type": "reset", "data": {"task": "easy"}})["type"] == "observation"
            )
        # The attacker goes quiet: each held socket is told why and closed, freeing its session.
        for ws in held:
            notice = json.loads(str(ws.recv(timeout=120)))
            assert notice["data"]["code"] == "SESSION_IDLE"
    with ExitStack() as stack:
        again = [stack.enter_context(open_episode_socket(small_server, ATTACKER)) for _ in range(3)]
        for ws in again:
            assert (
                exchange(ws, {"type": "reset", "data": {"task": "easy"}})["type"] == "observation"
            )


@pytest.mark.parametrize("path", ["/ws", "/dashboard/ws"])
def test_sockets_check_the_origin(server: int, path: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        connect(f"ws://127.0.0.1:{server}{path}", origin="http://evil.example")  # type: ignore[arg-type]
    assert refused.value.response.status_code == 403
    with connect(f"ws://127.0.0.1:{server}{path}", origin=f"http://127.0.0.1:{server}") as ws:  # type: ignore[arg-type]
        if path == "/ws":
            assert exchange(ws, {"type": "state"})["type"] == "state"
        else:
            assert json.loads(str(ws.recv(timeout=30)))["type"] == "hello"


def test_a_socket_cannot_attach_to_another_session(server: int) -> None:
    with pytest.raises(InvalidStatus) as refused:
        connect(f"ws://127.0.0.1:{server}/ws?session_id=00000000-0000-0000-0000-000000000000")
    assert refused.value.response.status_code == 403


@pytest.mark.parametrize("route", ["/schema", "/tools", "/eval/results", "/", "/metadata"])
def test_http_routes_check_origin_and_host(server: int, route: str) -> None:
    base = f"http://127.0.0.1:{server}"
    assert httpx.get(base + route).status_code == 200
    assert httpx.get(base + route, headers={"Origin": base}).status_code == 200
    assert httpx.get(base + route, headers={"Origin": "http://evil.example"}).status_code == 403
    # DNS rebinding: a foreign name that resolves to this machine.
    rebound = httpx.get(base + route, headers={"Host": f"evil.example:{server}"})
    assert rebound.status_code == 403


def test_listening_beyond_loopback_needs_a_token(tmp_path: Path) -> None:
    cli = Path(sys.executable).with_name("trialscope")
    env = {
        k: v for k, v in __import__("os").environ.items() if not k.startswith("TRIALSCOPE_AUDIT_")
    }
    result = subprocess.run(
        [str(cli), "audit", "serve", "--host", "0.0.0.0", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert result.returncode == 2
    assert "TRIALSCOPE_AUDIT_TOKEN" in result.stderr + result.stdout
