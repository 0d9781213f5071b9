"""Progress: rich bars on a terminal, plain log lines otherwise."""

from __future__ import annotations

import io
import logging

import pytest
from rich.console import Console

from trialscope.engine.progress import ProgressDisplay
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
