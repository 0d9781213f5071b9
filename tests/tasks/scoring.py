"""Run a task over samples with given answers, the way the engine does, without a model."""

from __future__ import annotations

from typing import Any

from trialscope.tasks.base import Parsed, Sample, SampleResult, Task


def sample_of(task: Task, raw: dict[str, Any], index: int = 0) -> Sample:
    record = task.record_model.model_validate(raw)
    return Sample(sample_id=task.sample_id(record, index), record=record, raw=raw)


def result_of(task: Task, sample: Sample, responses: list[str] | None) -> SampleResult:
    """`responses=None` is a request that failed after retries (scored as unanswered)."""
    if responses is None:
        parsed = Parsed(prediction=None, error="request failed")
        status = "error"
    else:
        parsed = task.parse(sample, responses)
        status = "ok" if parsed.error is None else "parse_error"
    return SampleResult(
        sample_id=sample.sample_id,
        input=sample.raw,
        prediction=parsed.prediction,
        evaluation=task.score(sample, parsed),
        status=status,
        error=parsed.error,
        raw_responses=responses or [],
    )
