"""Sample size estimation: how many participants the described trial enrolls.

`accuracy` (the original's name) and `accuracy_within_20pct` (the paper's) count an estimate
within +/-20% of the truth as correct, over every sample. `mae` and `median_absolute_error` are in
participants over the samples with a numeric answer (`num_answered` says how many): a mean error
needs a number, and imputing one would invent it.
"""

from __future__ import annotations

import statistics
from typing import Any, ClassVar, cast

from pydantic import Field, field_validator

from trialscope.tasks.answer_parsing import extract_json_object, field_of, parse_sample_size
from trialscope.tasks.base import AnswerKind, Parsed, Request, Sample, SampleResult, Task
from trialscope.tasks.prompting import chat_request, evaluations_of
from trialscope.tasks.record_base import TaskRecord, as_text

TOLERANCE = 0.2
"""An estimate within +/-20% of the true sample size counts as correct (the original's rule)."""


def within_tolerance(predicted: int, truth: int, tolerance: float = TOLERANCE) -> bool:
    """Whether `predicted` lies in [truth * (1 - tolerance), truth * (1 + tolerance)]."""
    return (1 - tolerance) * truth <= predicted <= (1 + tolerance) * truth


class SampleSizeRecord(TaskRecord):
    """Sample size estimation: a trial description in, the enrolled number as the answer."""

    id: str | None = None
    question: str
    answer: int = Field(gt=0)
    answer_type: str | None = None
    trial_id: str | None = None
    pmid: str | None = None
    explanation: str | None = None

    @field_validator("id", "trial_id", "pmid", mode="before")
    @classmethod
    def _idsas_text(cls, value: Any) -> Any:
        return as_text(value)

    @field_validator("answer", mode="before")
    @classmethod
    def _integral_answer(cls, value: Any) -> Any:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().replace(",", "").isdigit():
            return int(value.strip().replace(",", ""))
        return value


class SampleSizeTask(Task):
    """Estimate the number of participants a trial needs."""

    name = "sample_size_estimation"
    label = "Sample size"
    short_label = "size"
    paper_figures: ClassVar[dict[str, dict[str, float]]] = {
        "Accuracy (within 20%)": {
            "Llama-8B": 3.3,
            "Llama-70B": 18.7,
            "GPT-4o-mini": 22.8,
            "GPT-4o": 22.9,
            "o3-mini": 25.2,
        },
        "MAE (participants)": {
            "Llama-8B": 1760.6,
            "Llama-70B": 633.3,
            "GPT-4o-mini": 411.4,
            "GPT-4o": 512.6,
            "o3-mini": 452.1,
        },
    }
    answer_kind = AnswerKind.COUNT
    folder_names = ("sample_size_estimation",)
    record_model = SampleSizeRecord
    headline_metrics: ClassVar[tuple[str, ...]] = ("accuracy_within_20pct", "mae")
    default_system_prompt = (
        "You are a helpful assistant for estimating the sample size for the given clinical "
        "trial. Please output in JSON formatted exactly as: "
        '```json\n{"step_by_step_thinking": Str, "sample_size_needed": Int}\n```. '
        "Do not include anything else in your response."
    )

    def requests(self, sample: Sample, system_prompt: str | None) -> list[Request]:
        record = cast(SampleSizeRecord, sample.record)
        return [chat_request(system_prompt or self.default_system_prompt, record.question)]

    def parse(self, sample: Sample, responses: list[str]) -> Parsed:
        text = responses[0] if responses else ""
        count = parse_sample_size(text)
        thinking = field_of(extract_json_object(text) or {}, "step_by_step_thinking", "reasoning")
        prediction = {
            "sample_size_needed": count,
            "step_by_step_thinking": thinking if isinstance(thinking, str) else "",
        }
        if count is None:
            return Parsed(prediction, error="no positive participant count found in the answer")
        return Parsed(prediction)

    def score(self, sample: Sample, parsed: Parsed) -> dict[str, Any]:
        record = cast(SampleSizeRecord, sample.record)
        predicted = (
            parsed.prediction.get("sample_size_needed")
            if isinstance(parsed.prediction, dict)
            else None
        )
        correct = isinstance(predicted, int) and within_tolerance(predicted, record.answer)
        return {
            "score": 1.0 if correct else 0.0,
            "correct": correct,
            "true_answer": record.answer,
            "pred_answer": predicted,
            "absolute_error": abs(predicted - record.answer)
            if isinstance(predicted, int)
            else None,
        }

    def aggregate(self, results: list[SampleResult], seed: int = 0) -> dict[str, Any]:
        # numpy (through metrics) loads on first use, not before a run's first request.
        from trialscope.tasks import metrics as m

        evaluations = evaluations_of(self, results)
        n = len(results)
        correct = [float(bool(e and e.get("correct"))) for e in evaluations]
        errors = [
            float(e["absolute_error"]) if e and e.get("absolute_error") is not None else 0.0
            for e in evaluations
        ]
        answered = [1.0 if e and e.get("absolute_error") is not None else 0.0 for e in evaluations]
        n_answered = int(sum(answered))
        accuracy = sum(correct) / n if n else 0.0
        answered_errors = [err for err, a in zip(errors, answered, strict=True) if a]
        metrics: dict[str, Any] = {
            "accuracy": accuracy,
            "accuracy_within_20pct": accuracy,
            # MAE needs a number: it is over answered samples, with their count beside it
            "mae": sum(answered_errors) / n_answered if n_answered else None,
            "median_absolute_error": (statistics.median(answered_errors) if n_answered else None),
            "num_correct": int(sum(correct)),
            "num_answered": n_answered,
            **m.status_counts(results),
        }
        ci = m.mean_interval(correct, seed)
        intervals = {
            "accuracy": ci,
            "accuracy_within_20pct": ci,
            "mae": m.ratio_interval(errors, answered, seed) if n_answered else None,
        }
        return m.summary(metrics, intervals, self.headline_metrics)
