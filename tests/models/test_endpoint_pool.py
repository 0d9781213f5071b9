"""Least-busy routing and ejection, on the pool alone and against loopback servers that stall and
die. Every assertion is on counts; the clock is a fake one wherever time matters."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from tests.engine.letter_task import letter_data, letter_responder
from tests.support.openai_server import OpenAIServer

from trialscope.engine.runner import RunOptions, run_benchmark_async
from trialscope.models.base import GenerationConfig, RetryableError
from trialscope.models.endpoint_pool import EndpointPool
from trialscope.models.openai_compatible import create_generic_model
from trialscope.settings import load_settings


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_least_busy_then_least_recently_chosen() -> None:
    pool = EndpointPool(["a", "b", "c"])
    assert [pool.acquire() for _ in range(3)] == [0, 1, 2]  # one each while all are busy
    pool.release(1, 0.1, error=False, fault=False)
    assert pool.acquire() == 1  # b is the only idle one
    pool.release(0, 0.1, error=False, fault=False)
    pool.release(2, 0.1, error=False, fault=False)
    assert pool.acquire() == 0  # a and c idle: a was chosen longer ago
    assert [e.requests for e in pool.endpoints] == [2, 2, 1]


def test_repeated_faults_eject_and_a_probe_brings_it_back() -> None:
    clock = FakeClock()
    pool = EndpointPool(["a", "b"], failures_to_eject=3, ejection_s=30, clock=clock)
    for _ in range(2):
        pool.release(pool.acquire(), 0.0, error=True, fault=False)  # 429s: not its fault
    assert all(e.out_until is None for e in pool.endpoints)
    for _ in range(3):
        pool.endpoints[0].in_flight += 1
        pool.release(0, 0.0, error=True, fault=True)
    assert pool.endpoints[0].out_until == 30 and pool.stats()[0]["in_service"] is False
    assert {pool.acquire() for _ in range(5)} == {1}  # a is out, however idle
    clock.now = 31
    assert pool.acquire() == 0  # one probe
    assert pool.acquire() == 1  # only one at a time
    pool.release(0, 0.0, error=True, fault=True)  # the probe fails: out again
    assert pool.endpoints[0].out_until == 61
    clock.now = 62
    assert pool.acquire() == 0
    pool.release(0, 0.0, error=False, fault=False)  # the probe succeeds: back in
    assert pool.endpoints[0].out_until is None and pool.endpoints[0].ejections == 1


def test_when_every_endpoint_is_out_the_first_due_back_is_tried() -> None:
    clock = FakeClock()
    pool = EndpointPool(["a", "b"], failures_to_eject=1, ejection_s=10, clock=clock)
    pool.endpoints[1].in_flight += 1
    pool.release(1, 0.0, error=True, fault=True)
    clock.now = 5
    pool.endpoints[0].in_flight += 1
    pool.release(0, 0.0, error=True, fault=True)
    assert pool.acquire() == 1


def test_endpoint_counts_hold_no_credentials() -> None:
    model = create_generic_model("openai-compatible/m@http://u:KEY@h:8000/v1", load_settings())
    stats = json.dumps(model.endpoints.stats())
    assert "KEY" not in stats and "h:8000" in stats


def options(tmp_path: Path, **overrides: object) -> RunOptions:
    values: dict[str, object] = {
        "output_path": str(tmp_path / "out"),
        "settings": load_settings(cache_path=tmp_path / "cache.sqlite"),
        "live_progress": False,
        "retry_base_delay_s": 0.001,
        "use_cache": False,
    }
    values.update(overrides)
    return RunOptions(**values)  # type: ignore[arg-type]


def two_endpoint_model(a: OpenAIServer, b: OpenAIServer) -> str:
    return f"openai-compatible/scripted@{a.base_url},{b.base_url}"


async def test_a_stalled_endpoint_gets_no_more_than_its_share_in_flight(tmp_path: Path) -> None:
    connections = 4
    with (
        OpenAIServer(letter_responder) as stalled,
        OpenAIServer(letter_responder) as healthy,
    ):
        stalled.hold()
        run = asyncio.create_task(
            run_benchmark_async(
                [letter_data(40)],
                [two_endpoint_model(stalled, healthy)],
                options(tmp_path, max_connections=connections),
            )
        )
        # Wait (on counts, not time) until every request went out, or every connection is stuck
        # on the stalled endpoint, which is what round-robin would come to.
        while (
            stalled.request_count + healthy.request_count < 40 and stalled.in_flight < connections
        ):
            await asyncio.sleep(0.01)
        held = stalled.request_count
        stalled.release()
        [summary] = await run
    assert held <= connections // 2
    assert healthy.request_count == 40 - held and summary.n_ok == 40
    manifest = json.loads((summary.run_dir / "manifest.json").read_text())
    assert [e["requests"] for e in manifest["endpoints"]] == [held, 40 - held]
    assert manifest["endpoints"][0]["url"] == stalled.base_url


async def test_an_endpoint_that_fails_is_taken_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIALSCOPE_ENDPOINT_EJECTION_S", "3600")
    with OpenAIServer(letter_responder) as sick, OpenAIServer(letter_responder) as healthy:
        sick.down = True
        [summary] = await run_benchmark_async(
            [letter_data(12)],
            [two_endpoint_model(sick, healthy)],
            options(tmp_path, max_connections=1),
        )
    # One connection: a, b, a, b, a alternate until a's third failure in a row takes it out.
    assert sick.request_count == 3 and healthy.request_count == 12
    assert summary.n_ok == 12 and summary.usage["retries"] == 3
    manifest = json.loads((summary.run_dir / "manifest.json").read_text())
    first, second = manifest["endpoints"]
    assert (first["requests"], first["errors"], first["ejections"]) == (3, 3, 1)
    assert first["in_service"] is False and (second["requests"], second["errors"]) == (12, 0)
    log = (summary.run_dir / "run.log").read_text()
    sick_host = sick.base_url.split("/")[2]
    assert "taken out" in log
    # The progress lines carry the per-endpoint counts (the last one: all samples done).
    [finished] = [line for line in log.splitlines() if "finished 12/12" in line]
    assert f"| {sick_host} 3 req 3 err" in finished and "(out)" in finished


async def test_a_dead_endpoint_is_probed_back_in_when_it_returns() -> None:
    clock = FakeClock()
    config = GenerationConfig(max_tokens=10, timeout_s=10)
    messages = [{"role": "user", "content": "hello"}]
    with OpenAIServer() as dying, OpenAIServer() as healthy:
        model = create_generic_model(
            f"openai-compatible/m@{dying.base_url},{healthy.base_url}", load_settings()
        )
        model.endpoints = EndpointPool(model.base_urls, ejection_s=30, clock=clock)  # type: ignore[arg-type]

        async def ask() -> None:
            try:
                await model.chat(messages, config)
            except RetryableError:
                await model.chat(messages, config)  # what the engine's retry does

        dying.stop()  # connection refused from now on
        for _ in range(6):
            await ask()
        assert [e.requests for e in model.endpoints.endpoints] == [3, 6]
        assert model.endpoints.endpoints[0].out_until is not None
        dying.start()
        for _ in range(2):
            await ask()
        assert dying.request_count == 0  # still out: not due for a probe
        clock.now = 31
        for _ in range(4):
            await ask()
        await model.aclose()
    assert dying.request_count == 2 and healthy.request_count == 10  # probe, then takes turns
    assert model.endpoints.endpoints[0].out_until is None
