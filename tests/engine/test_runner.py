"""The engine end to end against the scripted OpenAI-compatible server on loopback."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from tests.engine.letter_task import (
    LetterTask,
    expected_accuracy,
    letter_data,
    letter_responder,
    letter_samples,
)
from tests.support.openai_server import ChatRequest, OpenAIServer, Reply

from trialscope.engine.run_folder import model_slug
from trialscope.engine.runner import RunOptions, run_benchmark_async
from trialscope.engine.task_run import ResumeError
from trialscope.models.base import ConfigurationError
from trialscope.settings import load_settings
from trialscope.tasks.base import Parsed, Sample
from trialscope.tasks.loading import LoadedSplit

SECRET = "sk-test-5f1e0c9a-do-not-write-me"


def options(tmp_path: Path, **overrides: object) -> RunOptions:
    settings = load_settings(cache_path=tmp_path / "cache.sqlite", openai_compatible_api_key=SECRET)
    values: dict[str, object] = {
        "output_path": str(tmp_path / "out"),
        "settings": settings,
        "live_progress": False,
        "retry_base_delay_s": 0.01,
        "max_connections": 4,
    }
    values.update(overrides)
    return RunOptions(**values)  # type: ignore[arg-type]


def model_name(server: OpenAIServer, model: str = "scripted") -> str:
    return f"openai-compatible/{model}@{server.base_url}"


async def test_run_writes_the_run_folder(openai_server: OpenAIServer, tmp_path: Path) -> None:
    openai_server.responder = letter_responder
    data = letter_data(12, tmp_path / "letters.jsonl")
    [summary] = await run_benchmark_async([data], [model_name(openai_server)], options(tmp_path))

    assert summary.n_samples == 12 and summary.n_ok == 12 and summary.n_errors == 0
    assert summary.metrics["accuracy"] == pytest.approx(expected_accuracy(12))
    folder = summary.run_dir
    assert folder.parent == tmp_path / "out" / "letters" / model_slug(model_name(openai_server))
    assert re.fullmatch(r"openai-compatible--scripted_[0-9a-f]{8}", folder.parent.name)
    assert {p.name for p in folder.iterdir()} >= {
        "samples.jsonl",
        "results.json",
        "metrics.json",
        "manifest.json",
        "run.log",
    }
    results = json.loads((folder / "results.json").read_text())
    assert [r["sample_id"] for r in results["results"]] == [str(i) for i in range(12)]
    assert set(results) == {"task", "model", "timestamp", "metrics", "results"}
    first = results["results"][0]
    for key in (
        "input",
        "prediction",
        "evaluation",
        "status",
        "error",
        "raw_responses",
        "prompt_tokens",
        "completion_tokens",
        "cost_usd",
        "latency_s",
    ):
        assert key in first
    assert first["evaluation"]["score"] in (0.0, 1.0)
    metrics = json.loads((folder / "metrics.json").read_text())
    assert metrics["n_samples"] == 12 and metrics["headline"] == ["accuracy"]
    assert metrics["usage"]["prompt_tokens"] > 0 and metrics["usage"]["cost_known"] is False
    assert metrics["timestamp"] == folder.name


async def test_manifest_is_complete(openai_server: OpenAIServer, tmp_path: Path) -> None:
    openai_server.responder = letter_responder
    data = letter_data(3, tmp_path / "letters.jsonl")
    [summary] = await run_benchmark_async(
        [data], [model_name(openai_server)], options(tmp_path, seed=7)
    )
    manifest = json.loads((summary.run_dir / "manifest.json").read_text())
    for key in (
        "trialscope_version",
        "git_revision",
        "packages",
        "dataset_files",
        "prompt_hash",
        "seed",
        "settings",
        "started_at",
        "finished_at",
        "generation",
    ):
        assert key in manifest, key
    assert manifest["seed"] == 7 and manifest["finished_at"] is not None
    assert manifest["packages"]["openai"]
    assert next(iter(manifest["dataset_files"].values())) and len(manifest["prompt_hash"]) == 64
    assert manifest["settings"]["openai_compatible_api_key"] == "***"
    assert manifest["generation"]["seed"] == 7


async def test_no_secret_is_written_anywhere(openai_server: OpenAIServer, tmp_path: Path) -> None:
    openai_server.responder = letter_responder
    openai_server.script(Reply.error(500), Reply.error(401, message="bad key"))
    data = letter_data(4, tmp_path / "letters.jsonl")
    await run_benchmark_async([data], [model_name(openai_server)], options(tmp_path))
    assert any(SECRET in r.headers.get("authorization", "") for r in openai_server.requests)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


async def test_no_file_is_synced_on_the_event_loop_thread(
    openai_server: OpenAIServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An fsync waits for the disk (tens of ms on a busy one); on the loop's thread it stalls every
    # request in flight, so manifests and outputs are synced from worker threads.
    synced: list[bool] = []
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        try:
            asyncio.get_running_loop()
            synced.append(True)
        except RuntimeError:
            synced.append(False)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    openai_server.responder = letter_responder
    data = letter_data(6, tmp_path / "letters.jsonl")
    [summary] = await run_benchmark_async([data], [model_name(openai_server)], options(tmp_path))
    assert summary.n_ok == 6
    # manifest at the start; results, metrics and manifest at the end
    assert len(synced) >= 4 and not any(synced), synced


async def test_a_run_leaves_the_collector_and_the_switch_interval_as_it_found_them(
    openai_server: OpenAIServer, tmp_path: Path
) -> None:
    # The run freezes what exists before its requests; a library caller's objects must be
    # collectable again afterwards, and a caller's own freeze is left alone.
    import gc

    openai_server.responder = letter_responder
    assert gc.get_freeze_count() == 0
    interval = sys.getswitchinterval()
    await run_benchmark_async([letter_data(3)], [model_name(openai_server)], options(tmp_path))
    assert gc.get_freeze_count() == 0
    assert sys.getswitchinterval() == interval  # shortened for the run only
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        await run_benchmark_async(
            [letter_data(3)], [model_name(openai_server)], options(tmp_path / "again")
        )
        # still frozen, and nothing more (frozen objects freed by refcount leave the count)
        assert 0 < gc.get_freeze_count() <= frozen
    finally:
        gc.unfreeze()


async def test_concurrency_limit_is_honoured(tmp_path: Path) -> None:
    with OpenAIServer(letter_responder, latency_s=0.05) as server:
        data = letter_data(40)
        await run_benchmark_async(
            [data], [model_name(server)], options(tmp_path, max_connections=5, use_cache=False)
        )
        assert server.max_concurrency == 5


class WaitingScorerTask(LetterTask):
    """Scoring of samples 0 and 1 waits (like a search index being built) until `released`."""

    score_waits_on_io = True

    def __init__(self) -> None:
        super().__init__()
        self.released = threading.Event()
        self.waited_out = False

    def score(self, sample: Sample, parsed: Parsed) -> dict[str, Any]:
        if sample.sample_id in ("0", "1") and not self.released.wait(timeout=30):
            self.waited_out = True
        return super().score(sample, parsed)


async def test_a_waiting_scorer_does_not_leave_connections_idle(tmp_path: Path) -> None:
    # Two connections; the first two samples' scoring waits. The pool must go on sending the
    # next samples' requests meanwhile (the server releases the scorer when it sees sample 3).
    task = WaitingScorerTask()

    def responder(request: ChatRequest) -> str:
        if "Question 3:" in request.last_user_text:
            task.released.set()
        return letter_responder(request)

    with OpenAIServer(responder) as server:
        data = LoadedSplit(task, letter_samples(8), [])
        [summary] = await run_benchmark_async(
            [data], [model_name(server)], options(tmp_path, max_connections=2, use_cache=False)
        )
        assert server.max_concurrency <= 2
    assert not task.waited_out, "no request was sent while two samples were being scored"
    assert summary.n_ok == 8 and server.request_count == 8


async def test_run_files_are_written_while_the_default_executor_is_full(
    openai_server: OpenAIServer, tmp_path: Path
) -> None:
    # Scorers that wait on I/O (a search backend loading) can fill asyncio's default executor;
    # a task's manifest and outputs must not queue behind them.
    openai_server.responder = letter_responder
    release = threading.Event()
    loop = asyncio.get_running_loop()
    blockers = [loop.run_in_executor(None, release.wait, 60) for _ in range(32)]
    try:
        [summary] = await asyncio.wait_for(
            run_benchmark_async([letter_data(3)], [model_name(openai_server)], options(tmp_path)),
            timeout=60,
        )
    finally:
        release.set()
        await asyncio.gather(*blockers)
    assert summary.n_ok == 3 and (summary.run_dir / "metrics.json").is_file()


async def test_concurrency_limit_holds_across_requests_of_one_sample(tmp_path: Path) -> None:
    with OpenAIServer(letter_responder, latency_s=0.03) as server:
        data = letter_data(10, requests_per_sample=4)
        [summary] = await run_benchmark_async(
            [data], [model_name(server)], options(tmp_path, max_connections=3, use_cache=False)
        )
        assert server.max_concurrency == 3
        assert server.request_count == 40 and summary.n_ok == 10


async def test_transient_errors_are_retried(openai_server: OpenAIServer, tmp_path: Path) -> None:
    openai_server.responder = letter_responder
    openai_server.script(
        Reply.error(429, retry_after=0.05),
        Reply.error(500),
        Reply.error(503),
        Reply.garbage(),
        Reply(body='{"choices": []}'),
    )
    data = letter_data(6)
    [summary] = await run_benchmark_async(
        [data], [model_name(openai_server)], options(tmp_path, max_connections=1)
    )
    assert summary.n_ok == 6 and summary.n_errors == 0
    assert summary.usage["retries"] == 5
    assert summary.metrics["accuracy"] == pytest.approx(expected_accuracy(6))


async def test_timeouts_are_retried(openai_server: OpenAIServer, tmp_path: Path) -> None:
    openai_server.responder = letter_responder
    openai_server.script(Reply.timeout())
    [summary] = await run_benchmark_async(
        [letter_data(2)],
        [model_name(openai_server)],
        options(tmp_path, timeout_s=0.3, max_connections=1),
    )
    assert summary.n_ok == 2 and summary.usage["retries"] == 1


async def test_a_sample_that_keeps_failing_is_recorded_and_counted(
    openai_server: OpenAIServer, tmp_path: Path
) -> None:
    def responder(request: object) -> Reply | str:
        text = getattr(request, "last_user_text", "")
        if "Question 2:" in text:
            return Reply.error(500)
        if "Question 3:" in text:
            return Reply.error(400, message="content policy")
        return letter_responder(request)

    openai_server.responder = responder
    [summary] = await run_benchmark_async(
        [letter_data(5)], [model_name(openai_server)], options(tmp_path, max_retries=2)
    )
    assert summary.n_samples == 5 and summary.n_errors == 2 and summary.n_ok == 3
    results = json.loads((summary.run_dir / "results.json").read_text())["results"]
    by_id = {r["sample_id"]: r for r in results}
    assert by_id["2"]["status"] == "error" and "HTTP 500" in by_id["2"]["error"]
    assert by_id["3"]["status"] == "error" and "HTTP 400" in by_id["3"]["error"]
    assert by_id["2"]["evaluation"]["score"] == 0.0
    # Errors count as wrong: every sample stays in the denominator.
    assert summary.metrics["n_scored"] == 5
    requests_for_2 = [r for r in openai_server.requests if "Question 2:" in r.last_user_text]
    requests_for_3 = [r for r in openai_server.requests if "Question 3:" in r.last_user_text]
    assert len(requests_for_2) == 3 and len(requests_for_3) == 1


async def test_unparseable_answers_are_parse_errors(
    openai_server: OpenAIServer, tmp_path: Path
) -> None:
    openai_server.responder = lambda request: "I think it is B"
    [summary] = await run_benchmark_async(
        [letter_data(3)], [model_name(openai_server)], options(tmp_path)
    )
    assert summary.n_parse_errors == 3 and summary.metrics["accuracy"] == 0.0
    results = json.loads((summary.run_dir / "results.json").read_text())["results"]
    assert results[0]["raw_responses"] == ["I think it is B"]


async def test_cache_never_serves_one_model_the_answers_of_another(tmp_path: Path) -> None:
    with (
        OpenAIServer(lambda r: '{"answer_choice": "A"}') as first,
        OpenAIServer(lambda r: '{"answer_choice": "B"}') as second,
    ):
        opts = options(tmp_path)
        [one] = await run_benchmark_async([letter_data(4)], [model_name(first, "m")], opts)
        [two] = await run_benchmark_async([letter_data(4)], [model_name(second, "m")], opts)
        [two_again] = await run_benchmark_async([letter_data(4)], [model_name(second, "m")], opts)
    assert first.request_count == 4 and second.request_count == 4
    preds = [
        [r["prediction"] for r in json.loads((s.run_dir / "results.json").read_text())["results"]]
        for s in (one, two, two_again)
    ]
    assert preds == [["A"] * 4, ["B"] * 4, ["B"] * 4]
    assert two_again.usage["cached"] == 4 and two.usage["cached"] == 0


async def test_cache_key_covers_generation_parameters(
    openai_server: OpenAIServer, tmp_path: Path
) -> None:
    openai_server.responder = letter_responder
    name = model_name(openai_server)
    await run_benchmark_async([letter_data(3)], [name], options(tmp_path))
    await run_benchmark_async([letter_data(3)], [name], options(tmp_path, temperature=0.5))
    await run_benchmark_async([letter_data(3)], [name], options(tmp_path, max_tokens=10))
    await run_benchmark_async([letter_data(3)], [name], options(tmp_path, max_tokens=10))
    await run_benchmark_async([letter_data(3)], [name], options(tmp_path, use_cache=False))
    assert openai_server.request_count == 12


async def test_several_models_run_concurrently_each_with_its_own_log(tmp_path: Path) -> None:
    with (
        OpenAIServer(letter_responder, latency_s=0.05) as a,
        OpenAIServer(letter_responder, latency_s=0.05) as b,
    ):
        summaries = await run_benchmark_async(
            [letter_data(8)],
            [model_name(a, "alpha"), model_name(b, "beta")],
            options(tmp_path, max_connections=2, use_cache=False),
        )
        assert a.max_concurrency == 2 and b.max_concurrency == 2
    assert len(summaries) == 2 and len({s.run_dir for s in summaries}) == 2
    for summary in summaries:
        log_text = (summary.run_dir / "run.log").read_text()
        own = summary.model.split("/")[1].split("@")[0]
        other = "beta" if own == "alpha" else "alpha"
        assert own in log_text and f"openai-compatible/{other}" not in log_text


async def test_missing_credentials_fail_before_any_request(
    openai_server: OpenAIServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigurationError, match="OPENAI_API_KEY"):
        await run_benchmark_async(
            [letter_data(2)],
            [model_name(openai_server), "openai/gpt-4o"],
            options(tmp_path),
        )
    assert openai_server.request_count == 0


def test_model_slugs() -> None:
    assert model_slug("baseline/bm25") == "baseline--bm25"
    assert model_slug("local/models/my model.gguf") == "local--models--my_model.gguf"
    a = model_slug("openai-compatible/m@http://a/v1")
    assert a.startswith("openai-compatible--m_") and a != model_slug(
        "openai-compatible/m@http://b/v1"
    )


async def test_system_prompt_override_is_sent_and_recorded(
    openai_server: OpenAIServer, tmp_path: Path
) -> None:
    openai_server.responder = letter_responder
    [summary] = await run_benchmark_async(
        [letter_data(2)], [model_name(openai_server)], options(tmp_path, system_prompt="Custom.")
    )
    assert {r.messages[0]["content"] for r in openai_server.requests} == {"Custom."}
    manifest = json.loads((summary.run_dir / "manifest.json").read_text())
    assert manifest["system_prompt"] == "Custom."


async def test_resume_retries_only_failed_samples(
    openai_server: OpenAIServer, tmp_path: Path
) -> None:
    def flaky(request: ChatRequest) -> Reply | str:
        if "Question 2:" in request.last_user_text:
            return Reply.error(503)
        return letter_responder(request)

    openai_server.responder = flaky
    name = model_name(openai_server)
    opts = options(tmp_path, max_retries=0, use_cache=False, run_id="20260101_000000")
    [first] = await run_benchmark_async([letter_data(6)], [name], opts)
    assert first.n_errors == 1
    openai_server.reset()
    openai_server.responder = letter_responder
    [second] = await run_benchmark_async([letter_data(6)], [name], opts)
    assert second.run_dir == first.run_dir and second.n_errors == 0 and second.n_ok == 6
    assert [r.last_user_text.split(":")[0] for r in openai_server.requests] == ["Question 2"]
    assert second.metrics["accuracy"] == pytest.approx(expected_accuracy(6))
    lines = (second.run_dir / "samples.jsonl").read_text().splitlines()
    assert len(lines) == 7  # the failed attempt stays in the journal; the last line counts


async def test_resume_refuses_a_changed_run(openai_server: OpenAIServer, tmp_path: Path) -> None:
    openai_server.responder = letter_responder
    name = model_name(openai_server)
    await run_benchmark_async([letter_data(3)], [name], options(tmp_path))
    with pytest.raises(ResumeError, match=r"generation\.temperature \(0\.0 → 0\.7\)"):
        await run_benchmark_async(
            [letter_data(3)], [name], options(tmp_path, resume=True, temperature=0.7)
        )
    [resumed] = await run_benchmark_async([letter_data(3)], [name], options(tmp_path, resume=True))
    assert len(list(resumed.run_dir.parent.iterdir())) == 1
