"""Several server replicas: the TRL wrapper and the episode runner spread sessions over them."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from typing import Any

import pytest
from tests.support.app_server import serve_in_thread

from trialscope.audit.client import ServerPool
from trialscope.audit.runner import run_on_servers
from trialscope.audit.server.app import ServerSettings, build_app
from trialscope.audit.training import audit_env_factory


@pytest.fixture(scope="module")
def replicas() -> Iterator[list[str]]:
    with ExitStack() as stack:
        ports = [
            stack.enter_context(serve_in_thread(build_app(ServerSettings(mode="train"))))
            for _ in range(2)
        ]
        yield [f"http://127.0.0.1:{port}" for port in ports]


def test_the_pool_picks_the_least_busy_server() -> None:
    pool = ServerPool(["http://a", "http://b/"])
    first, second, third = pool.acquire(), pool.acquire(), pool.acquire()
    assert (first, second, third) == ("http://a", "http://b", "http://a")
    pool.release("http://a")
    pool.release("http://a")
    assert pool.acquire() == "http://a"
    assert pool.open_sessions() == {"http://a": 1, "http://b": 1}
    with pytest.raises(ValueError, match="at least one"):
        ServerPool([])
    with pytest.raises(ValueError, match="twice"):
        ServerPool(["http://a", "http://a/"])


def test_wrappers_open_their_sessions_on_both_replicas(replicas: list[str]) -> None:
    factory = audit_env_factory(task="easy", mode="train", base_url=replicas)
    envs: list[Any] = [factory() for _ in range(4)]
    try:
        assert Counter(env.server_url for env in envs) == {replicas[0]: 2, replicas[1]: 2}
        for seed, env in enumerate(envs):
            assert "easy" in env.reset(seed=seed)
            assert "Summary of age" in env.investigate_pattern(variable="age")
    finally:
        for env in envs:
            env._close()
    assert factory.servers is not None
    assert factory.servers.open_sessions() == dict.fromkeys(replicas, 0)


def test_the_runner_spreads_episodes_and_scores_as_in_process(replicas: list[str]) -> None:
    pool = ServerPool(replicas)
    with ThreadPoolExecutor(max_workers=1) as worker:
        lines = worker.submit(
            asyncio.run,
            run_on_servers("heuristic", ["easy", "medium"], [0, 1, 2, 3], pool, concurrency=4),
        ).result()
    assert len(lines) == 8
    assert {line["server"] for line in lines} == set(replicas)
    assert all(line["score"] == 1.0 for line in lines)
    assert pool.open_sessions() == dict.fromkeys(replicas, 0)


def test_audit_run_plays_on_several_servers(replicas: list[str]) -> None:
    from typer.testing import CliRunner

    from trialscope.cli.audit import app

    flags = [f for url in replicas for f in ("--server", url)]
    result = CliRunner().invoke(
        app, ["run", "--task", "easy", "--seeds", "0-3", "--concurrency", "2", *flags]
    )
    assert result.exit_code == 0, result.output
    assert "1.000" in result.output
    counts = {
        url: re.search(rf"{re.escape(url)}: (\d+) episode", result.output) for url in replicas
    }
    assert all(counts.values()), result.output
    assert sum(int(m.group(1)) for m in counts.values() if m) == 4
