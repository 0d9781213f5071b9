"""The dashboard: its WebSocket protocol, per-tab isolation, and the page in headless Chromium."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from tests.support.app_server import serve_in_thread
from websockets.asyncio.client import connect as async_connect
from websockets.sync.client import connect

from trialscope.audit.agents import make_agent
from trialscope.audit.runner import run_episode
from trialscope.audit.scoring import COMPONENTS
from trialscope.audit.server.app import ServerSettings, build_app
from trialscope.audit.server.environment import AuditEnvironment


def run_async(coroutine: Any) -> Any:
    """Run a coroutine on a fresh loop in a worker thread (Playwright may own the main one)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve_in_thread(build_app(ServerSettings(max_envs=8))) as port:
        yield f"127.0.0.1:{port}"


async def run_in_tab(server: str, task: str, seed: int) -> list[dict[str, Any]]:
    async with async_connect(f"ws://{server}/dashboard/ws") as ws:
        messages = [json.loads(await ws.recv())]
        await ws.send(json.dumps({"type": "run", "agent": "heuristic", "task": task, "seed": seed}))
        while messages[-1]["type"] not in ("finished", "error", "stopped"):
            messages.append(json.loads(await asyncio.wait_for(ws.recv(), 120)))
        return messages


def test_each_tab_runs_its_own_episode(server: str) -> None:
    async def two_tabs() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        return await asyncio.gather(
            run_in_tab(server, "medium", 21), run_in_tab(server, "easy", 22)
        )

    for messages, (task, seed) in zip(
        run_async(two_tabs()), [("medium", 21), ("easy", 22)], strict=True
    ):
        hello, started, *steps, finished = messages
        assert hello == {"type": "hello", "agents": ["heuristic"], "default_agent": "heuristic"}
        assert (started["task"], started["seed"]) == (task, seed)
        assert task in started["briefing"]
        assert [s["n"] for s in steps] == list(range(1, len(steps) + 1))
        assert finished["type"] == "finished"
        assert finished["steps"] == len(steps)
        expected = run_async(run_episode(AuditEnvironment(), make_agent("heuristic"), task, seed))
        assert finished["score"] == expected.score
        assert finished["components"] == expected.components
        assert [f["patient_id"] for f in finished["flags"]] == [
            f["patient_id"] for f in expected.flags
        ]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ({"type": "run", "agent": "oracle", "task": "easy", "seed": 1}, "agent must be one of"),
        ({"type": "run", "agent": "heuristic", "task": "extreme", "seed": 1}, "task must be"),
        ({"type": "run", "agent": "heuristic", "task": "easy", "seed": -3}, "seed must be"),
        ({"type": "run", "agent": "heuristic", "task": "easy", "seed": "7"}, "seed must be"),
        ({"type": "launch"}, "unknown message type"),
        ("[1, 2]", "must be a JSON object"),
        ("{oops", "invalid message"),
    ],
)
def test_bad_dashboard_messages_get_an_error(
    server: str, message: dict[str, Any] | str, expected: str
) -> None:
    with connect(f"ws://{server}/dashboard/ws") as ws:
        ws.recv(timeout=30)
        ws.send(message if isinstance(message, str) else json.dumps(message))
        reply = json.loads(ws.recv(timeout=30))
        assert reply["type"] == "error"
        assert expected in reply["message"]


def test_stop_ends_a_running_episode(server: str) -> None:
    with connect(f"ws://{server}/dashboard/ws") as ws:
        ws.recv(timeout=30)
        ws.send(json.dumps({"type": "run", "agent": "heuristic", "task": "hard", "seed": 5}))
        ws.send(json.dumps({"type": "stop"}))
        kinds: list[str] = []
        while not kinds or kinds[-1] not in ("finished", "stopped", "error"):
            kinds.append(json.loads(ws.recv(timeout=120))["type"])
        # The stop may land after the episode already finished on a fast machine.
        assert kinds[-1] in ("stopped", "finished")
        ws.send(json.dumps({"type": "run", "agent": "heuristic", "task": "easy", "seed": 6}))
        while (last := json.loads(ws.recv(timeout=120)))["type"] not in ("finished", "error"):
            pass
        assert last["type"] == "finished"


@pytest.mark.browser
def test_page_runs_an_episode_in_chromium(server: str, browser: Any, artifacts_dir: Path) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    try:
        page.goto(f"http://{server}/")
        page.wait_for_selector("#connection.pill-good", timeout=30_000)
        assert page.locator("#agent option").all_inner_texts() == ["heuristic"]
        page.select_option("#task", "hard")
        page.fill("#seed", "7")
        page.select_option("#speed", "0")
        page.click("#run")
        page.locator("#status", has_text="Finished").wait_for(timeout=120_000)
        steps = page.locator("#timeline li").count()
        assert steps > 5
        assert page.locator("#components li").count() == len(COMPONENTS)
        assert page.locator("#flags .verdict-pending").count() == 0
        assert page.locator("#flags tr").count() > 0
        score = float(page.inner_text("#score"))
        assert 0.0 <= score <= 1.0
        page.locator("#protocol-box summary").click()
        page.screenshot(path=str(artifacts_dir / "audit_dashboard.png"), full_page=False)
    finally:
        page.close()
    assert problems == []
