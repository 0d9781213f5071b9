"""Minimal real Task implementations that only know their request shape (JSON answers).

A `ShapeTask` named like a built-in task (or one of its folder names) has that task's answer kind
and validates its raw records into the kind's record layout, as a plugin task would.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from pydantic import BaseModel

from trialscope.baselines.kind_records import KIND_RECORDS
from trialscope.tasks.base import Parsed, Request, Sample, SampleResult, Task
from trialscope.tasks.registry import default_registry

from .synthetic_records import RawRecord


class ShapeTask(Task):
    """One request per sample; parse is plain JSON; no scoring (tests score themselves)."""

    folder_names: ClassVar[tuple[str, ...]] = ()
    record_model: ClassVar[type[BaseModel]] = RawRecord
    headline_metrics: ClassVar[tuple[str, ...]] = ()
    default_system_prompt: ClassVar[str] = ""

    def __init__(self, name: str) -> None:
        self.name = name  # type: ignore[misc]
        registry = default_registry()
        if name in registry:  # a built-in task's name: answer as that task's kind
            self.answer_kind = registry.task_class(name).answer_kind  # type: ignore[misc]

    def kind_record(self, sample: Sample) -> BaseModel:
        return KIND_RECORDS[self.answer_kind].model_validate(sample.raw)

    def requests(self, sample: Sample, system_prompt: str | None) -> list[Request]:
        return [Request(messages=[{"role": "user", "content": json.dumps(sample.raw)}])]

    def parse(self, sample: Sample, responses: list[str]) -> Parsed:
        return Parsed(prediction=[json.loads(response) for response in responses])

    def score(self, sample: Sample, parsed: Parsed) -> dict[str, Any]:
        return {"score": 0.0}

    def aggregate(self, results: list[SampleResult], seed: int = 0) -> dict[str, Any]:
        return {"metrics": {}, "confidence_intervals": {}, "headline": []}


class BatchedScreeningTask(ShapeTask):
    """Screening that sends at most `batch_size` candidates per request, like the real task."""

    def __init__(self, batch_size: int = 3) -> None:
        super().__init__("study_screening")
        self.batch_size = batch_size

    def batches(self, sample: Sample) -> list[list[dict[str, Any]]]:
        context = sample.raw["context"]
        return [
            context[start : start + self.batch_size]
            for start in range(0, len(context), self.batch_size)
        ]

    def requests(self, sample: Sample, system_prompt: str | None) -> list[Request]:
        return [
            Request(messages=[{"role": "user", "content": json.dumps(batch)}])
            for batch in self.batches(sample)
        ]
