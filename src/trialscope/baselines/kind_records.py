"""The record layout each answer kind shares, and a sample seen in that layout.

The baselines read records of this layout only, so a new task of a known answer kind works with
every baseline: its records are that layout, or its `kind_record` converts them.
"""

from __future__ import annotations

from pydantic import BaseModel

from trialscope.errors import ConfigurationError
from trialscope.tasks.base import AnswerKind, Sample, Task
from trialscope.tasks.completion_record import CompletionRecord
from trialscope.tasks.multiple_choice import MultipleChoiceRecord
from trialscope.tasks.sample_size import SampleSizeRecord
from trialscope.tasks.study_screening import ScreeningRecord
from trialscope.tasks.study_search import SearchRecord

KIND_RECORDS: dict[AnswerKind, type[BaseModel]] = {
    AnswerKind.RANKING: SearchRecord,
    AnswerKind.SCREENING: ScreeningRecord,
    AnswerKind.OUTCOME: CompletionRecord,
    AnswerKind.CHOICE: MultipleChoiceRecord,
    AnswerKind.COUNT: SampleSizeRecord,
}


def answer_kind(task: Task) -> AnswerKind:
    """The task's answer kind; a clear error when it declares none the baselines know."""
    kind = getattr(task, "answer_kind", None)
    if kind not in KIND_RECORDS:
        known = ", ".join(item.value for item in KIND_RECORDS)
        raise ConfigurationError(
            f"no offline baseline answers task {task.name!r}: its answer_kind is {kind!r}, "
            f"expected one of {known}"
        )
    return AnswerKind(kind)


def in_kind_layout(task: Task, sample: Sample) -> Sample:
    """The sample with its record in its answer kind's layout (the same sample when it is)."""
    expected = KIND_RECORDS[answer_kind(task)]
    record = task.kind_record(sample)
    if not isinstance(record, expected):
        raise ConfigurationError(
            f"task {task.name!r} has answer kind {task.answer_kind.value}, so its kind_record() "
            f"must return a {expected.__name__}, got {type(record).__name__}"
        )
    if record is sample.record:
        return sample
    raw = record.model_dump(mode="json", by_alias=True)
    return Sample(sample_id=sample.sample_id, record=record, raw=raw)
