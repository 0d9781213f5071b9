"""A small multiple-choice task defined for engine tests (the real tasks live elsewhere)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel

from trialscope.engine.task_run import LoadedSplit
from trialscope.tasks.base import Parsed, Request, Sample, SampleResult, Task

QUESTION = re.compile(r"Question (\d+):")


class LetterRecord(BaseModel):
    id: str
    question: str
    answer: str


class LetterTask(Task):
    """Asks which letter is right; the answer is in the record. `requests_per_sample` > 1 splits
    a sample into several requests, like batched screening."""

    name: ClassVar[str] = "letters"
    folder_names: ClassVar[tuple[str, ...]] = ("letters",)
    record_model: ClassVar[type[BaseModel]] = LetterRecord
    headline_metrics: ClassVar[tuple[str, ...]] = ("accuracy",)
    default_system_prompt: ClassVar[str] = "Answer in JSON with answer_choice."

    def __init__(self, requests_per_sample: int = 1) -> None:
        self.requests_per_sample = requests_per_sample

    def requests(self, sample: Sample, system_prompt: str | None) -> list[Request]:
        record = sample.record
        assert isinstance(record, LetterRecord)
        return [
            Request(
                messages=[
                    {"role": "system", "content": system_prompt or self.default_system_prompt},
                    {
                        "role": "user",
                        "content": f"Question {record.id}: {record.question} ({part})",
                    },
                ]
            )
            for part in range(self.requests_per_sample)
        ]

    def parse(self, sample: Sample, responses: list[str]) -> Parsed:
        try:
            letters = [json.loads(text)["answer_choice"] for text in responses]
        except (ValueError, KeyError, TypeError):
            return Parsed(prediction=None, error=f"not JSON with answer_choice: {responses!r}")
        return Parsed(prediction=letters[0])

    def score(self, sample: Sample, parsed: Parsed) -> dict[str, Any]:
        record = sample.record
        assert isinstance(record, LetterRecord)
        correct = parsed.error is None and parsed.prediction == record.answer
        return {"score": float(correct), "correct": correct}

    def aggregate(self, results: list[SampleResult], seed: int = 0) -> dict[str, Any]:
        scores = [float(r.evaluation.get("score", 0.0)) for r in results]
        accuracy = sum(scores) / len(scores) if scores else 0.0
        return {
            "metrics": {"accuracy": accuracy, "n_scored": len(scores)},
            "confidence_intervals": {"accuracy": [accuracy, accuracy]},
            "headline": ["accuracy"],
        }


def right_answer(index: int) -> str:
    return "ABCD"[index % 4]


def model_answer(index: int) -> str:
    """What the scripted server answers: right unless the index is a multiple of 3."""
    return right_answer(index) if index % 3 else right_answer(index + 1)


def letter_responder(request: Any) -> str:
    """Server responder: answers question N with `model_answer(N)`."""
    match = QUESTION.search(request.last_user_text)
    index = int(match.group(1)) if match else 0
    return json.dumps({"answer_choice": model_answer(index)})


def expected_accuracy(n: int) -> float:
    return sum(model_answer(i) == right_answer(i) for i in range(n)) / n


def letter_samples(n: int) -> list[Sample]:
    samples = []
    for index in range(n):
        raw = {"id": str(index), "question": f"Pick letter {index}", "answer": right_answer(index)}
        samples.append(Sample(sample_id=str(index), record=LetterRecord(**raw), raw=raw))
    return samples


def letter_data(n: int, data_file: Path | None = None, **task_options: Any) -> LoadedSplit:
    """A LoadedSplit of `n` samples; writes them to `data_file` (for the manifest hash) if given."""
    files = []
    if data_file is not None:
        data_file.write_text(
            "".join(json.dumps(s.raw) + "\n" for s in letter_samples(n)), encoding="utf-8"
        )
        files.append(data_file)
    return LoadedSplit(LetterTask(**task_options), letter_samples(n), files)
