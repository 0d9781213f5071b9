"""Multiple-choice tasks: pick the option letter that answers a question.

One implementation; each task (arm, eligibility criteria and endpoint design, evidence summary)
is a small module of its own that sets its name, folders, labels and system prompt.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, cast

from pydantic import field_validator, model_validator

from trialscope.tasks.answer_parsing import extract_json_object, field_of, parse_option_letter
from trialscope.tasks.base import Parsed, Request, Sample, SampleResult, Task
from trialscope.tasks.prompting import chat_request, evaluations_of
from trialscope.tasks.record_base import TaskRecord, as_text

NO_ANSWER = "(none)"

ANSWER_FORMAT = (
    "Answer in JSON formatted exactly as: "
    '```json\n{"step_by_step_thinking": Str, "answer_choice": "A"|"B"|"C"|...}\n```. '
    "Do not include anything else in your response."
)

USER_TEMPLATE = "{question}\n{options}"
"""The user message: the question, then one `<letter>. <option>` line per option."""


class MultipleChoiceRecord(TaskRecord):
    """Arm, criteria and endpoint design and evidence summary: a question with lettered options."""

    id: str | None = None
    question: str
    options: dict[str, str]
    answer: str

    @field_validator("id", mode="before")
    @classmethod
    def _idas_text(cls, value: Any) -> Any:
        return as_text(value)

    @field_validator("options", mode="before")
    @classmethod
    def _option_keys_upper(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(key).strip().upper(): as_text(text) for key, text in value.items()}
        return value

    @field_validator("answer", mode="before")
    @classmethod
    def _answer_upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _answer_is_an_option(self) -> MultipleChoiceRecord:
        if len(self.options) < 2:
            raise ValueError("options must hold at least two lettered choices")
        if self.answer not in self.options:
            raise ValueError(
                f"answer {self.answer!r} is not one of the options {sorted(self.options)}"
            )
        return self


class MultipleChoiceTask(Task):
    """Pick the option letter that answers a question about a trial or a review."""

    record_model = MultipleChoiceRecord
    headline_metrics: ClassVar[tuple[str, ...]] = ("accuracy", "macro_f1")

    def prompt_templates(self) -> list[str]:
        return [self.default_system_prompt, USER_TEMPLATE]

    def requests(self, sample: Sample, system_prompt: str | None) -> list[Request]:
        record = cast(MultipleChoiceRecord, sample.record)
        options = "\n".join(f"{letter}. {text}" for letter, text in record.options.items())
        user = USER_TEMPLATE.format(question=record.question, options=options)
        return [chat_request(system_prompt or self.default_system_prompt, user)]

    def parse(self, sample: Sample, responses: list[str]) -> Parsed:
        record = cast(MultipleChoiceRecord, sample.record)
        text = responses[0] if responses else ""
        letter = parse_option_letter(text, record.options.keys())
        obj = extract_json_object(text) or {}
        thinking = field_of(obj, "step_by_step_thinking", "reasoning", "explanation")
        prediction = {
            "answer_choice": letter,
            "step_by_step_thinking": thinking if isinstance(thinking, str) else "",
        }
        if letter is None:
            valid = ", ".join(record.options)
            return Parsed(prediction, error=f"no option letter ({valid}) found in the answer")
        return Parsed(prediction)

    def score(self, sample: Sample, parsed: Parsed) -> dict[str, Any]:
        record = cast(MultipleChoiceRecord, sample.record)
        letter = (
            parsed.prediction.get("answer_choice") if isinstance(parsed.prediction, dict) else None
        )
        correct = letter is not None and letter == record.answer
        return {
            "score": 1.0 if correct else 0.0,
            "correct": correct,
            "true_answer": record.answer,
            "pred_answer": letter,
        }

    def aggregate(self, results: list[SampleResult], seed: int = 0) -> dict[str, Any]:
        evaluations = evaluations_of(self, results)
        truth = [str(e["true_answer"]) if e else NO_ANSWER for e in evaluations]
        guess = [
            str(e["pred_answer"]) if e and e.get("pred_answer") else NO_ANSWER for e in evaluations
        ]
        correct = [float(bool(e and e.get("correct"))) for e in evaluations]
        known = [i for i, e in enumerate(evaluations) if e is not None]
        return _choice_summary(truth, guess, correct, known, results, seed, self.headline_metrics)


def _choice_summary(
    truth: list[str],
    guess: list[str],
    correct: list[float],
    known: list[int],
    results: Sequence[SampleResult],
    seed: int,
    headline: Sequence[str],
) -> dict[str, Any]:
    # numpy (through metrics) loads on first use, not before a run's first request.
    from trialscope.tasks import metrics as m

    n = len(results)
    known_truth = [truth[i] for i in known]
    known_guess = [guess[i] for i in known]
    true_codes, pred_codes, n_labels = m.encode(known_truth, known_guess)
    rows = m.confusion_rows(true_codes, pred_codes, n_labels)
    metrics: dict[str, Any] = {
        "accuracy": sum(correct) / n if n else 0.0,
        "macro_f1": m.macro_f1(known_truth, known_guess),
        "num_correct": int(sum(correct)),
        "num_unanswered": sum(1 for g in guess if g == NO_ANSWER),
        **m.status_counts(results),
    }
    intervals = {
        "accuracy": m.mean_interval(correct, seed),
        "macro_f1": m.bootstrap_interval(rows, m.macro_f1_from_confusion, seed) if known else None,
    }
    return m.summary(metrics, intervals, headline)
