"""The audit server over real HTTP and WebSocket: routes, episodes, errors, 64 isolated sessions.

Chosen seeds are a train-mode server's (an eval server chooses its episodes itself: see
tests/e2e/test_audit_server_eval.py)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from tests.support.app_server import serve_in_thread
from websockets.asyncio.client import connect as async_connect
from websockets.sync.client import connect

from trialscope.audit.client import AuditClient
from trialscope.audit.models import AuditAction
from trialscope.audit.server.app import ServerSettings, build_app
from trialscope.audit.server.environment import AuditEnvironment
from trialscope.audit.tools import TOOL_NAMES


def run_async(coroutine: Any) -> Any:
    """Run a coroutine on a fresh loop in a worker thread (Playwright may own the main one)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


SESSIONS = 64
"""The number of concurrent sessions a default server takes from one client."""


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    app = build_app(ServerSettings(mode="train", max_message_bytes=16_384))
    with serve_in_thread(app, ws_max_size=2**20) as port:
        yield f"127.0.0.1:{port}"


def exchange(ws: Any, message: dict[str, Any] | str) -> dict[str, Any]:
    ws.send(message if isinstance(message, str) else json.dumps(message))
    reply: dict[str, Any] = json.loads(ws.recv(timeout=30))
    return reply


def step(ws: Any, **action: Any) -> dict[str, Any]:
    return exchange(ws, {"type": "step", "data": action})


def test_health_schema_metadata_and_tool_listing(server: str) -> None:
    assert httpx.get(f"http://{server}/health").json() == {"status": "healthy"}
    schema = httpx.get(f"http://{server}/schema").json()
    assert set(schema["action"]["properties"]["tool"]["enum"]) == set(TOOL_NAMES)
    assert "text" in schema["observation"]["properties"]
    assert "step_budget" in schema["state"]["properties"]
    metadata = httpx.get(f"http://{server}/metadata").json()
    assert metadata["name"] and metadata["description"]
    tools = httpx.get(f"http://{server}/tools").json()["tools"]
    assert [tool["name"] for tool in tools] == list(TOOL_NAMES)
    assert all(tool["inputSchema"]["type"] == "object" and tool["description"] for tool in tools)
    listed = httpx.post(
        f"http://{server}/mcp", json={"jsonrpc": "2.0", "id": 7, "method": "tools/list"}
    ).json()
    assert listed["id"] == 7
    assert listed["result"]["tools"] == tools
    call = httpx.post(
        f"http://{server}/mcp",
        json={"jsonrpc": "2.0", "id": 8, "method": "tools/call", "params": {"name": "x"}},
    ).json()
    assert "/ws" in call["error"]["message"]
    assert httpx.post(f"http://{server}/mcp", json={}).json()["jsonrpc"] == "2.0"


def test_an_episode_over_the_openenv_client(server: str) -> None:
    with AuditClient(base_url=f"http://{server}").sync() as client:
        first = client.reset(task="easy", seed=11)
        assert "easy" in first.observation.text
        assert first.observation.result["seed"] == 11
        page = client.step(AuditAction(tool="query_records", fields=["age"], page_size=5))
        assert len(page.observation.result["rows"]) == 5
        assert page.observation.result["rows"][0]["patient_id"] == "P0001"
        state = client.state()
        assert (state.task, state.seed, state.step_count) == ("easy", 11, 1)
        assert state.score_so_far == 0.0


def test_malformed_messages_get_errors_and_the_session_stays_usable(server: str) -> None:
    with connect(f"ws://{server}/ws") as ws:
        assert (
            exchange(ws, {"type": "reset", "data": {"task": "medium", "seed": 4}})["type"]
            == "observation"
        )
        assert exchange(ws, "{not json")["data"]["code"] == "INVALID_JSON"
        assert exchange(ws, {"type": "dance"})["data"]["code"] == "UNKNOWN_TYPE"
        invalid = step(ws, tool="teleport")
        assert invalid["data"]["code"] == "INVALID_ACTION"
        assert "query_records" in invalid["data"]["message"]
        too_long = step(ws, tool="flag_error", error_type="invalid_age", reason="x" * 3000)
        assert too_long["data"]["code"] == "INVALID_ACTION"
        oversized = exchange(ws, json.dumps({"type": "step", "data": {"pad": "y" * 20_000}}))
        assert oversized["data"]["code"] == "MESSAGE_TOO_LARGE"
        ws.send(b"\x00binary")
        assert json.loads(ws.recv(timeout=30))["data"]["code"] == "INVALID_FRAME"
        state = exchange(ws, {"type": "state"})["data"]
        assert (state["task"], state["seed"], state["step_count"]) == ("medium", 4, 0)
        after = step(ws, tool="investigate_pattern", variable="age")
        assert after["type"] == "observation"
        assert after["data"]["observation"]["error"] is None


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ({"tool": "flag_error", "patient_id": "P9999", "error_type": "invalid_age"}, "P9999"),
        ({"tool": "flag_error", "patient_id": "P0001", "error_type": "bad_vibes"}, "bad_vibes"),
        ({"tool": "investigate_pattern", "variable": "shoe_size"}, "shoe_size"),
        ({"tool": "compute_distribution", "variable": "age", "stratify_by": "moon"}, "moon"),
        ({"tool": "propose_fix", "patient_id": "P0002", "proposed_value": "40"}, "not flagged"),
    ],
)
def test_bad_actions_get_a_clear_error(server: str, action: dict[str, Any], expected: str) -> None:
    with connect(f"ws://{server}/ws") as ws:
        exchange(ws, {"type": "reset", "data": {"task": "hard", "seed": 1}})
        observation = step(ws, **action)["data"]["observation"]
        assert observation["error"] and expected in observation["error"]
        assert observation["text"].startswith("Error:")


def test_actions_after_the_episode_ends_are_refused(server: str) -> None:
    with connect(f"ws://{server}/ws") as ws:
        exchange(ws, {"type": "reset", "data": {"task": "easy", "seed": 2}})
        done = step(ws, tool="submit_report", report="No findings.")["data"]
        assert done["done"] is True
        again = step(ws, tool="investigate_pattern", variable="age")["data"]
        assert again["done"] is True
        assert "finished" in again["observation"]["error"]
        assert exchange(ws, {"type": "state"})["data"]["step_count"] == 1


async def one_session(server: str, index: int) -> dict[str, Any]:
    task = ("easy", "medium", "hard")[index % 3]
    seed = 1000 + index
    async with async_connect(f"ws://{server}/ws", max_size=2**20) as ws:

        async def ask(message: dict[str, Any]) -> dict[str, Any]:
            await ws.send(json.dumps(message))
            reply: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 120))
            return reply

        reset = await ask({"type": "reset", "data": {"task": task, "seed": seed}})
        page = await ask(
            {
                "type": "step",
                "data": {"tool": "query_records", "fields": ["age", "stage"], "page_size": 10},
            }
        )
        await ask({"type": "step", "data": {"tool": "investigate_pattern", "variable": "age"}})
        state = await ask({"type": "state"})
        return {
            "task": task,
            "seed": seed,
            "reset": reset["data"]["observation"],
            "rows": page["data"]["observation"]["result"]["rows"],
            "state": state["data"],
        }


def test_64_concurrent_sessions_from_one_client_are_isolated(server: str) -> None:
    async def all_sessions() -> list[dict[str, Any]]:
        return await asyncio.gather(*(one_session(server, i) for i in range(SESSIONS)))

    results = run_async(all_sessions())
    assert len({r["state"]["episode_id"] for r in results}) == SESSIONS
    expected_rows: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for result in results:
        state = result["state"]
        assert (state["task"], state["seed"], state["step_count"]) == (
            result["task"],
            result["seed"],
            2,
        )
        assert state["investigated"] == ["age"]
        assert state["score_so_far"] == 0.0
        assert result["reset"]["result"]["seed"] == result["seed"]
        env = AuditEnvironment(mode="train")
        env.reset(seed=result["seed"], task=result["task"])
        mine = env.step(AuditAction(tool="query_records", fields=["age", "stage"], page_size=10))
        expected_rows[(result["task"], result["seed"])] = mine.result["rows"]
        assert result["rows"] == mine.result["rows"]
    distinct = {json.dumps(rows) for rows in expected_rows.values()}
    assert len(distinct) == SESSIONS


def test_settings_validate_dashboard_agents_and_hide_the_token() -> None:
    with pytest.raises(ValueError, match="dashboard_agents must list"):
        ServerSettings(dashboard_agents="heuristic,oracle")
    with pytest.raises(ValueError, match="DASHBOARD_MODEL"):
        ServerSettings(dashboard_agents="heuristic,react")
    settings = ServerSettings(
        dashboard_agents="heuristic, react", dashboard_model="local/smollm2", token="abcdefgh123"
    )
    assert settings.agent_list() == ["heuristic", "react"]
    assert "abcdefgh123" not in repr(settings)
    assert ServerSettings().max_envs >= 8


def test_max_envs_comes_from_the_environment_and_caps_sessions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRIALSCOPE_AUDIT_MAX_ENVS", "2")
    settings = ServerSettings()
    assert settings.max_envs == 2
    with (
        serve_in_thread(build_app(settings)) as port,
        connect(f"ws://127.0.0.1:{port}/ws") as one,
        connect(f"ws://127.0.0.1:{port}/ws") as two,
    ):
        for ws in (one, two):
            assert exchange(ws, {"type": "state"})["type"] == "state"
        with connect(f"ws://127.0.0.1:{port}/ws") as third:
            refused = json.loads(third.recv(timeout=30))
            assert refused["data"]["code"] == "CAPACITY_REACHED"
