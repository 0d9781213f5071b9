"""pydantic models of one TrialPanorama JSONL record per task (the released data's layout)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

TERMINATION_CATEGORIES: tuple[str, ...] = (
    "enrollment issues",
    "feasibility",
    "lack of efficacy",
    "regulatory/approval",
    "safety issues",
)
"""The five termination-reason categories of the trial completion task."""


class _Record(BaseModel):
    """Unknown fields are kept: released files carry more than the tasks read."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


def _as_text(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value


class SearchRecord(_Record):
    """Study search: a review's sections in, the PMIDs of its included studies as labels."""

    inputs: dict[str, Any]
    labels: list[str]
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("labels", mode="before")
    @classmethod
    def _pmids_as_text(cls, value: Any) -> Any:
        return [_as_text(item) for item in value] if isinstance(value, list) else value


class Candidate(_Record):
    """One candidate study of a screening review."""

    PMID: str
    title: str = ""
    abstract: str = ""

    @field_validator("PMID", mode="before")
    @classmethod
    def _pmid_as_text(cls, value: Any) -> Any:
        return _as_text(value)

    @field_validator("title", "abstract", mode="before")
    @classmethod
    def _none_as_empty(cls, value: Any) -> Any:
        return "" if value is None else value


class ScreeningLabel(_Record):
    """The review authors' decision on one candidate."""

    PMID: str
    label: Literal["included", "excluded"]

    @field_validator("PMID", mode="before")
    @classmethod
    def _pmid_as_text(cls, value: Any) -> Any:
        return _as_text(value)

    @field_validator("label", mode="before")
    @classmethod
    def _normalise_label(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip().lower()
            return {"include": "included", "exclude": "excluded"}.get(text, text)
        return value


class ScreeningRecord(_Record):
    """Study screening: a review's sections and its candidate studies with decisions."""

    inputs: dict[str, Any]
    context: list[Candidate]
    labels: list[ScreeningLabel]
    metadata: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _labels_are_candidates(self) -> ScreeningRecord:
        candidates = {candidate.PMID for candidate in self.context}
        for index, label in enumerate(self.labels):
            if label.PMID not in candidates:
                raise ValueError(
                    f"labels[{index}].PMID {label.PMID!r} is not among the context candidates"
                )
        return self


class CompletionLabels(_Record):
    """Whether the trial completed and, if not, why."""

    outcome: Literal["complete", "terminate"]
    terminate_type: str | None = None
    terminate_reason_desc: str | None = None

    @field_validator("outcome", mode="before")
    @classmethod
    def _normalise_outcome(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip().lower()
            return {"completed": "complete", "terminated": "terminate"}.get(text, text)
        return value


class CompletionRecord(_Record):
    """Trial completion: design fields, criteria and arms in; outcome and reason as labels."""

    inputs: dict[str, Any]
    context: list[dict[str, Any]] = Field(default_factory=list)
    labels: CompletionLabels
    metadata: dict[str, Any] = Field(default_factory=dict)


class MultipleChoiceRecord(_Record):
    """Arm, criteria and endpoint design and evidence summary: a question with lettered options."""

    id: str | None = None
    question: str
    options: dict[str, str]
    answer: str

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        return _as_text(value)

    @field_validator("options", mode="before")
    @classmethod
    def _option_keys_upper(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(key).strip().upper(): _as_text(text) for key, text in value.items()}
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


class SampleSizeRecord(_Record):
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
    def _ids_as_text(cls, value: Any) -> Any:
        return _as_text(value)

    @field_validator("answer", mode="before")
    @classmethod
    def _integral_answer(cls, value: Any) -> Any:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().replace(",", "").isdigit():
            return int(value.strip().replace(",", ""))
        return value
