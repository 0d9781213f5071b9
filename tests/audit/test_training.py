"""The TRL wrapper driven directly, as GRPOTrainer would, through whole heuristic episodes."""

from __future__ import annotations

import asyncio
import inspect
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from tests.support.app_server import serve_in_thread

from trialscope.audit.agents import make_agent
from trialscope.audit.models import AuditAction
from trialscope.audit.runner import run_episode
from trialscope.audit.server.app import ServerSettings, build_app
from trialscope.audit.server.environment import AuditEnvironment
from trialscope.audit.tools import TOOL_NAMES, TOOL_SPECS
from trialscope.audit.training import AuditToolEnv, audit_env_factory


def run_async(coroutine: Any) -> Any:
    """Run a coroutine on a fresh loop in a worker thread (Playwright may own the main one)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def heuristic_episode(task: str, seed: int, mode: str) -> tuple[float, list[AuditAction]]:
    actions: list[AuditAction] = []
    env = AuditEnvironment(mode=mode)
    result = run_async(
        run_episode(
            env, make_agent("heuristic"), task, seed, on_step=lambda r: actions.append(r.action)
        )
    )
    return result.score, actions


def call_tool(env: AuditToolEnv, action: AuditAction) -> str:
    """Call the wrapper's tool method with the action's arguments, as TRL would."""
    method = getattr(env, action.tool)
    accepted = set(inspect.signature(method).parameters)
    arguments = action.model_dump(exclude_none=True, include=accepted)
    if "filters" in arguments:
        arguments["filters"] = [dict(f) for f in arguments["filters"]]
    result: str = method(**arguments)
    return result


def public_methods(cls: type) -> set[str]:
    return {
        name
        for name, member in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_")
    }


def test_public_methods_are_exactly_reset_and_the_tools() -> None:
    assert public_methods(AuditToolEnv) == {"reset", *TOOL_NAMES}


@pytest.mark.parametrize("name", TOOL_NAMES)
def test_every_tool_documents_each_argument(name: str) -> None:
    method = getattr(AuditToolEnv, name)
    doc = inspect.getdoc(method) or ""
    parameters = [p for p in inspect.signature(method).parameters if p != "self"]
    assert "Args:" in doc and "Returns:" in doc
    for parameter in parameters:
        assert re.search(rf"^\s*{parameter}: \S", doc, re.MULTILINE), (name, parameter)
    spec = next(s for s in TOOL_SPECS if s["name"] == name)
    assert set(parameters) == set(spec["parameters"]["properties"])
    hints = inspect.get_annotations(method, eval_str=True)
    assert hints["return"] is str
    assert all(parameter in hints for parameter in parameters)


@pytest.mark.parametrize("task", ["easy", "medium", "hard"])
def test_a_full_heuristic_episode_through_the_wrapper_earns_its_score(task: str) -> None:
    seed = 13
    score, actions = heuristic_episode(task, seed, "train")
    env = audit_env_factory(task="easy")()
    briefing = env.reset(task=task, seed=seed, prompt=[{"role": "user", "content": "go"}])
    assert task in briefing and len(briefing.encode()) < 8000
    for action in actions:
        text = call_tool(env, action)
        assert len(text.encode()) < 8000
        assert not text.startswith("Error:"), text
    assert env.done
    assert env.reward == pytest.approx(score, abs=1e-5)
    with pytest.raises(ValueError, match="episode is over"):
        env.investigate_pattern(variable="age")


def test_bad_tool_arguments_come_back_as_text_and_reset_starts_over() -> None:
    env = audit_env_factory(task="medium", mode="eval")()
    env.reset(seed=3)
    text = env.flag_error(error_type="invalid_age", patient_id="P0001")
    assert text.startswith("Error:") and "locked" in text
    assert "unknown" in env.investigate_pattern(variable="favourite_colour")
    assert env.reward == 0.0 and not env.done
    assert "medium" in env.reset(seed=4)
    assert env.last_observation is not None
    assert env.last_observation.result is not None
    assert env.last_observation.result["seed"] == 4


def test_factory_rejects_an_unknown_mode() -> None:
    with pytest.raises(ValueError, match="mode must be"):
        audit_env_factory(mode="practice")


@pytest.fixture(scope="module", params=["train", "eval"])
def server(request: pytest.FixtureRequest) -> Iterator[str]:
    """A server in train mode (what the wrapper is for) and one in the default eval mode."""
    settings = ServerSettings(max_envs=4, mode=request.param)
    with serve_in_thread(build_app(settings)) as port:
        yield f"http://127.0.0.1:{port}#{request.param}"


def test_the_wrapper_drives_a_server_in_its_own_mode(server: str) -> None:
    base_url, mode = server.split("#")
    env: Any = audit_env_factory(task="medium", mode=mode, base_url=base_url)()  # type: ignore[arg-type]
    if mode == "eval":
        # An eval server chooses the episode and withholds its score (see the eval protocol).
        try:
            assert "medium" in env.reset()
            assert "Summary of age" in env.investigate_pattern(variable="age")
            assert "withheld" in env.submit_report(report="No findings.")
            assert env.done and env.reward == 0.0
        finally:
            env._close()
        return
    score, actions = heuristic_episode("medium", 8, mode)
    try:
        assert "medium" in env.reset(seed=8)
        for action in actions:
            call_tool(env, action)
        assert env.done
        assert env.reward == pytest.approx(score, abs=1e-5)
    finally:
        env._close()


def test_the_wrapper_is_refused_by_a_server_in_the_other_mode(server: str) -> None:
    base_url, mode = server.split("#")
    other = "eval" if mode == "train" else "train"
    env: Any = audit_env_factory(task="easy", mode=other, base_url=base_url)()  # type: ignore[arg-type]
    try:
        with pytest.raises(Exception, match=f"runs in {mode} mode") as caught:
            env.reset(**({"seed": 1} if mode == "train" else {}))
        assert f"--mode {other}" in str(caught.value)
        assert env.last_observation is None
    finally:
        env._close()
