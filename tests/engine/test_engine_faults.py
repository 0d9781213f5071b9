"""What fault testing of the engine found (issue 11), each against the loopback server."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import ClassVar

import pytest
from tests.engine.letter_task import LetterTask, letter_data, letter_responder, letter_samples
from tests.engine.test_runner import model_name, options
from tests.support.openai_server import ChatRequest, OpenAIServer, Reply

from trialscope.engine.cache import ResponseCache
from trialscope.engine.runner import run_benchmark_async
from trialscope.engine.task_run import ResumeError
from trialscope.errors import InputError
from trialscope.tasks.loading import LoadedSplit


async def test_a_fresh_cache_keeps_every_answer(
    openai_server: OpenAIServer, tmp_path: Path
) -> None:
    """An empty cache is falsy: every request used to get the key "" and one answer survived."""
    openai_server.responder = letter_responder
    name = model_name(openai_server)
    await run_benchmark_async([letter_data(20)], [name], options(tmp_path, max_connections=8))
    cache = ResponseCache(tmp_path / "cache.sqlite")
    assert len(cache) == 20
    cache.close()
    [again] = await run_benchmark_async([letter_data(20)], [name], options(tmp_path))
    assert openai_server.request_count == 20 and again.usage["cached"] == 20


async def test_timeout_bounds_the_whole_request(
    openai_server: OpenAIServer, tmp_path: Path
) -> None:
    """A body dripped a byte every 0.1 s never stalls a read for long; --timeout still ends it."""
    openai_server.script(Reply.drip('{"answer_choice": "A"}' + " " * 300, interval_s=0.1))
    [summary] = await run_benchmark_async(
        [letter_data(1)],
        [model_name(openai_server)],
        options(tmp_path, timeout_s=1.0, max_retries=0, use_cache=False),
    )
    result = json.loads((summary.run_dir / "results.json").read_text())["results"][0]
    assert result["status"] == "error" and "timed out after 1s" in result["error"]


async def test_retries_of_samples_that_finally_failed_are_counted(
    openai_server: OpenAIServer, tmp_path: Path
) -> None:
    def responder(request: ChatRequest) -> Reply | str:
        if "Question 1:" in request.last_user_text or "Question 4:" in request.last_user_text:
            return Reply.error(503)
        return letter_responder(request)

    openai_server.responder = responder
    [summary] = await run_benchmark_async(
        [letter_data(6)], [model_name(openai_server)], options(tmp_path, max_retries=3)
    )
    results = json.loads((summary.run_dir / "results.json").read_text())["results"]
    assert [r["retries"] for r in results if r["status"] == "error"] == [3, 3]
    assert summary.usage["retries"] == openai_server.request_count - 6 == 6


class OtherLetterTask(LetterTask):
    name: ClassVar[str] = "letters_b"
    folder_names: ClassVar[tuple[str, ...]] = ("letters_b",)


async def test_one_pool_per_model_overlaps_tasks(tmp_path: Path) -> None:
    """While the first task's last (slow) sample is out, the second task's samples are sent."""
    seen_in_flight: list[int] = []
    slow_sent: list[bool] = []
    others_answered = threading.Event()

    with OpenAIServer() as server:

        def responder(request: ChatRequest) -> Reply | str:
            if "Question 0:" in request.last_user_text and not slow_sent:
                slow_sent.append(True)
                # Held until the six other requests came in (or 30 s, when they never do).
                return Reply(text=letter_responder(request), until=others_answered)
            seen_in_flight.append(server.in_flight)
            if len(seen_in_flight) == 6:
                others_answered.set()
            return letter_responder(request)

        server.responder = responder
        first = LoadedSplit(LetterTask(), letter_samples(1), [])
        second = LoadedSplit(OtherLetterTask(), letter_samples(6), [])
        summaries = await run_benchmark_async(
            [first, second],
            [model_name(server)],
            options(tmp_path, max_connections=4, use_cache=False),
        )
    assert [s.task for s in summaries] == ["letters", "letters_b"]
    assert all(s.n_ok == s.n_samples for s in summaries)
    # The second task did not wait for the first: its requests met the slow one in flight.
    assert seen_in_flight and min(seen_in_flight) >= 2
    assert len(list((tmp_path / "out").glob("*/*/*/samples.jsonl"))) == 2


async def test_credentials_in_a_base_url_are_never_written(
    openai_server: OpenAIServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = "KEY-9c1d-in-the-url"
    openai_server.responder = letter_responder
    url = openai_server.base_url.replace("http://", f"http://user:{key}@")
    [summary] = await run_benchmark_async(
        [letter_data(3)], [f"openai-compatible/scripted@{url}"], options(tmp_path)
    )
    assert summary.n_ok == 3 and key not in summary.model and "***@" in summary.model
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file():
            assert key.encode() not in path.read_bytes(), path
    captured = capsys.readouterr()
    assert key not in captured.out and key not in captured.err


async def test_a_garbage_manifest_is_named(openai_server: OpenAIServer, tmp_path: Path) -> None:
    openai_server.responder = letter_responder
    name = model_name(openai_server)
    [first] = await run_benchmark_async([letter_data(2)], [name], options(tmp_path))
    (first.run_dir / "manifest.json").write_text("\x00garbage{")
    with pytest.raises(InputError, match=r"manifest\.json") as info:
        await run_benchmark_async([letter_data(2)], [name], options(tmp_path, resume=True))
    assert str(first.run_dir) in str(info.value)


async def test_resume_names_the_field_that_differs(
    openai_server: OpenAIServer, tmp_path: Path
) -> None:
    openai_server.responder = letter_responder
    name = model_name(openai_server)
    await run_benchmark_async([letter_data(2)], [name], options(tmp_path))
    with pytest.raises(ResumeError, match=r"generation\.max_tokens \(4096 → 10\)"):
        await run_benchmark_async(
            [letter_data(2)], [name], options(tmp_path, resume=True, max_tokens=10)
        )
    # --timeout changes nothing the model is asked: the run continues.
    [resumed] = await run_benchmark_async(
        [letter_data(2)], [name], options(tmp_path, resume=True, timeout_s=33.0)
    )
    assert resumed.n_ok == 2


@pytest.mark.parametrize("damage", ["middle", "end", "truncate", "garbage"])
async def test_a_damaged_cache_never_fails_the_run(
    openai_server: OpenAIServer,
    tmp_path: Path,
    damage: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    openai_server.responder = letter_responder
    name = model_name(openai_server)
    n = 120
    await run_benchmark_async([letter_data(n)], [name], options(tmp_path))
    path = tmp_path / "cache.sqlite"
    data = bytearray(path.read_bytes())
    if damage == "middle":
        data[len(data) // 2 : len(data) // 2 + 4096] = bytes(range(256)) * 16
    elif damage == "end":
        data[-3000:-100] = b"\xff" * 2900
    elif damage == "truncate":
        data = data[: len(data) // 3]
    else:
        data = bytearray(b"not a database at all " * 500)
    path.write_bytes(bytes(data))
    openai_server.reset()
    openai_server.responder = letter_responder
    with caplog.at_level(logging.WARNING, logger="trialscope"):
        [summary] = await run_benchmark_async([letter_data(n)], [name], options(tmp_path))
    assert summary.n_ok == n and summary.n_errors == 0
    assert summary.usage["cached"] + openai_server.request_count == n
    assert openai_server.request_count > 0, "the damage went unnoticed"
    assert any("damaged" in record.getMessage() for record in caplog.records)
    # What was re-requested is stored again: a third run is answered from the cache.
    [third] = await run_benchmark_async([letter_data(n)], [name], options(tmp_path))
    assert third.usage["cached"] == n
