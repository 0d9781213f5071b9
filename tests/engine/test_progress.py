"""Progress: rich bars on a terminal, plain log lines otherwise."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from rich.console import Console
from tests.engine.letter_task import letter_data, letter_responder
from tests.engine.test_runner import model_name, options
from tests.support.openai_server import OpenAIServer, Reply

from trialscope.engine import progress as progress_module
from trialscope.engine.progress import ProgressDisplay
from trialscope.engine.runner import run_benchmark_async
from trialscope.tasks.base import SampleResult


def result(status: str = "ok") -> SampleResult:
    return SampleResult(
        "1",
        {},
        None,
        {"score": 0.0},
        status=status,
        prompt_tokens=5,
        completion_tokens=2,
        cost_usd=0.001,
    )


def test_terminal_shows_counts_in_a_bar() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=160)
    with ProgressDisplay(console=console) as display:
        assert display.live
        progress = display.track("openai/gpt-4o · arm_design", 3)
        progress.start(1)
        progress.advance(result())
        progress.retry()
        progress.advance(result("error"))
        progress.finish()
    text = buffer.getvalue()
    assert "openai/gpt-4o · arm_design" in text
    assert "err 1" in text and "retry 1" in text and "tok 14" in text and "3/3" in text


def test_without_a_terminal_progress_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    console = Console(file=io.StringIO(), force_terminal=False)
    caplog.set_level(logging.INFO, logger="trialscope.progress")
    with ProgressDisplay(console=console) as display:
        assert not display.live
        progress = display.track("m · t", 2)
        progress.start(0)
        progress.advance(result("parse_error"))
        progress.advance(result())
        progress.finish()
    assert "m · t: finished 2/2" in caplog.text and "parse 1" in caplog.text


async def test_off_a_terminal_a_slow_model_shows_each_sample_and_a_heartbeat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Lines reach stderr without any logging set up (as in the demo), one per slow sample,
    and a heartbeat while a request is out for longer than HEARTBEAT_S."""
    monkeypatch.setattr(progress_module, "HEARTBEAT_S", 0.3)
    monkeypatch.setattr(progress_module, "MIN_GAP_S", 0.0)
    with OpenAIServer(lambda request: Reply(letter_responder(request), delay_s=1.0)) as server:
        await run_benchmark_async(
            [letter_data(2)],
            [model_name(server)],
            options(tmp_path, max_connections=1, use_cache=False, live_progress=None),
        )
    lines = capsys.readouterr().err.splitlines()
    label = f"{model_name(server)} · letters"
    assert [line for line in lines if f"{label}: 1/2 " in line and "working" not in line]
    assert [line for line in lines if f"{label}: 2/2 " in line or "finished 2/2" in line]
    assert [line for line in lines if f"{label}: 0/2 " in line and "(working)" in line]
