"""One sample, start to finish: answers from a solver, the task's parser and scorer, a result."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from trialscope.engine.solver import Answers, Solver
from trialscope.tasks.base import Parsed, Sample, SampleResult, Task

log = logging.getLogger(__name__)


async def evaluate_sample(
    task: Task, sample: Sample, solver: Solver, system_prompt: str | None
) -> SampleResult:
    """Answer, parse and score one sample. Failures are recorded in the result, never raised."""
    started = time.monotonic()
    try:
        answers = await solver.answer(task, sample, system_prompt)
    except Exception as exc:  # a provider or baseline bug must not end the run
        log.exception("%s: sample %s: answering failed", solver.name, sample.sample_id)
        answers = Answers(error=f"{type(exc).__name__}: {exc}")
    latency = time.monotonic() - started

    status = "ok"
    error = answers.error
    if error is not None:
        status = "error"
        parsed = Parsed(prediction=None, error=error)
    else:
        try:
            parsed = task.parse(sample, answers.texts)
        except Exception as exc:
            log.exception("%s: sample %s: parser raised", task.name, sample.sample_id)
            parsed = Parsed(prediction=None, error=f"parser raised {type(exc).__name__}: {exc}")
        if parsed.error is not None:
            status, error = "parse_error", parsed.error
    evaluation = await _score(task, sample, parsed)
    if "score" not in evaluation:
        evaluation["score"] = 0.0
    if "scoring_error" in evaluation and status == "ok":
        status, error = "error", str(evaluation["scoring_error"])

    return SampleResult(
        sample_id=sample.sample_id,
        input=sample.raw,
        prediction=parsed.prediction,
        evaluation=evaluation,
        status=status,
        error=error,
        raw_responses=answers.texts,
        reasoning=answers.reasoning,
        prompt_tokens=answers.prompt_tokens,
        completion_tokens=answers.completion_tokens,
        cost_usd=answers.cost_usd,
        latency_s=round(latency, 6),
        retries=answers.retries,
        cached=answers.cached,
        messages=answers.messages,
    )


async def _score(task: Task, sample: Sample, parsed: Parsed) -> dict[str, Any]:
    try:
        if task.score_waits_on_io:
            evaluation = await asyncio.to_thread(task.score, sample, parsed)
        else:
            evaluation = task.score(sample, parsed)
    except Exception as exc:
        log.exception("%s: sample %s: scorer raised", task.name, sample.sample_id)
        return {"score": 0.0, "scoring_error": f"{type(exc).__name__}: {exc}"}
    return dict(evaluation)
