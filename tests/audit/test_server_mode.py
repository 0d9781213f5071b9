"""The server's mode is its own setting: a client reset cannot switch an eval server to train."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from tests.support.app_server import serve_in_thread
from websockets.sync.client import connect

from trialscope.audit.server.app import ServerSettings, build_app
from trialscope.cli.audit_serve import serve_settings


@pytest.fixture(scope="module", params=["eval", "train"])
def server(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    settings = ServerSettings(max_envs=4, mode=request.param)
    with serve_in_thread(build_app(settings)) as port:
        yield f"ws://127.0.0.1:{port}/ws", request.param


def exchange(ws: Any, message: dict[str, Any]) -> dict[str, Any]:
    ws.send(json.dumps(message))
    reply: dict[str, Any] = json.loads(ws.recv(timeout=30))
    return reply


def test_a_reset_asking_for_the_other_mode_is_refused_and_changes_nothing(
    server: tuple[str, str],
) -> None:
    url, mode = server
    other = "train" if mode == "eval" else "eval"
    with connect(url) as ws:
        seeded = (lambda seed: {"seed": seed}) if mode == "train" else (lambda seed: {})
        first = exchange(ws, {"type": "reset", "data": {"task": "easy", **seeded(3)}})
        assert first["type"] == "observation"
        before = exchange(ws, {"type": "state"})["data"]
        refused = exchange(ws, {"type": "reset", "data": {"task": "hard", "mode": other}})
        assert refused["type"] == "error"
        message = refused["data"]["message"]
        assert f"runs in {mode} mode" in message and f"--mode {other}" in message
        after = exchange(ws, {"type": "state"})["data"]
        assert after == before  # same episode, same task, same mode
        assert after["mode"] == mode and after["task"] == "easy"
        # The session stays usable, and asking for the server's own mode is fine.
        again = exchange(ws, {"type": "reset", "data": {"task": "easy", **seeded(4), "mode": mode}})
        assert again["type"] == "observation"


def test_only_a_train_server_gives_correctness_feedback(server: tuple[str, str]) -> None:
    url, mode = server
    with connect(url) as ws:
        exchange(ws, {"type": "reset", "data": {"task": "easy"}})
        exchange(ws, {"type": "step", "data": {"tool": "investigate_pattern", "variable": "age"}})
        reply = exchange(
            ws,
            {
                "type": "step",
                "data": {
                    "tool": "flag_error",
                    "patient_id": "P0001",
                    "error_type": "invalid_age",
                    "reason": "probe",
                    "confidence": 0.5,
                },
            },
        )
        observation = reply["data"]["observation"]
        state = exchange(ws, {"type": "state"})["data"]
    assert state["mode"] == mode
    if mode == "eval":
        assert observation.get("feedback") is None
        assert reply["data"]["reward"] in (None, 0.0)  # eval: nothing until the report
        assert state.get("score_so_far") is None
    else:
        assert observation.get("feedback") in ("correct", "incorrect")
        assert state.get("score_so_far") is not None


def test_serve_takes_the_mode_from_the_flag_or_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TRIALSCOPE_AUDIT_MODE", raising=False)
    assert serve_settings(None, None, None, None).mode == "eval"
    monkeypatch.setenv("TRIALSCOPE_AUDIT_MODE", "train")
    assert serve_settings(None, None, None, None).mode == "train"
    assert serve_settings(None, None, None, None, "eval").mode == "eval"
