"""A task defined outside trialscope: pick the true statement's completion among choices.

It has its own record layout (`statement`, a list of `choices`, `correct_index`) and reaches the
baselines through `kind_record`, which gives its records in the choice kind's layout. The
`.dist-info` folder beside this file registers it (`entry_points.txt`), exactly as one line in a
plugin's pyproject would once installed.
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from pydantic import BaseModel, Field

from trialscope.tasks import (
    AnswerKind,
    MultipleChoiceRecord,
    Parsed,
    Request,
    Sample,
    SampleResult,
    Task,
    chat_request,
)
from trialscope.tasks import metrics as m
from trialscope.tasks.answer_parsing import parse_option_letter


class ToyRecord(BaseModel):
    """One question: a statement and its candidate completions."""

    uid: str
    statement: str
    choices: list[str] = Field(min_length=2, max_length=26)
    correct_index: int = Field(ge=0)

    def letters(self) -> list[str]:
        """`A`, `B`, ... one per choice."""
        return [chr(ord("A") + index) for index in range(len(self.choices))]


class ToyChoiceTask(Task):
    """Choose the completion that makes the statement true."""

    name = "toy_choice"
    label = "Toy choice"
    short_label = "toy"
    answer_kind = AnswerKind.CHOICE
    folder_names: ClassVar[tuple[str, ...]] = ("toy_choice",)
    record_model = ToyRecord
    headline_metrics: ClassVar[tuple[str, ...]] = ("accuracy",)
    default_system_prompt = (
        "Choose the completion that makes the statement true. Answer in JSON: "
        '{"answer_choice": "<letter>"}.'
    )

    def sample_id(self, record: BaseModel, index: int) -> str:
        return cast(ToyRecord, record).uid

    def kind_record(self, sample: Sample) -> BaseModel:
        record = cast(ToyRecord, sample.record)
        letters = record.letters()
        return MultipleChoiceRecord(
            id=record.uid,
            question=record.statement,
            options=dict(zip(letters, record.choices, strict=True)),
            answer=letters[record.correct_index],
        )

    def requests(self, sample: Sample, system_prompt: str | None) -> list[Request]:
        record = cast(ToyRecord, sample.record)
        lines = [
            f"{letter}. {text}"
            for letter, text in zip(record.letters(), record.choices, strict=True)
        ]
        user = record.statement + "\n" + "\n".join(lines)
        return [chat_request(system_prompt or self.default_system_prompt, user)]

    def parse(self, sample: Sample, responses: list[str]) -> Parsed:
        record = cast(ToyRecord, sample.record)
        letter = parse_option_letter(responses[0] if responses else "", record.letters())
        if letter is None:
            return Parsed({"answer_choice": None}, error="no option letter in the answer")
        return Parsed({"answer_choice": letter})

    def score(self, sample: Sample, parsed: Parsed) -> dict[str, Any]:
        record = cast(ToyRecord, sample.record)
        truth = record.letters()[record.correct_index]
        guess = parsed.prediction.get("answer_choice") if parsed.prediction else None
        return {"score": float(guess == truth), "true_answer": truth, "pred_answer": guess}

    def aggregate(self, results: list[SampleResult], seed: int = 0) -> dict[str, Any]:
        scores = [float(result.evaluation.get("score", 0.0)) for result in results]
        metrics = {
            "accuracy": sum(scores) / len(scores) if scores else 0.0,
            **m.status_counts(results),
        }
        intervals = {"accuracy": m.mean_interval(scores, seed)}
        return m.summary(metrics, intervals, self.headline_metrics)
