"""Evidence summary: which option is the most accurate summary of a review's evidence."""

from __future__ import annotations

from trialscope.tasks.base import AnswerKind
from trialscope.tasks.multiple_choice import ANSWER_FORMAT, MultipleChoiceTask


class EvidenceSummaryTask(MultipleChoiceTask):
    """Which option is the most accurate summary of a review's evidence."""

    name = "evidence_summary"
    label = "Evidence summary"
    short_label = "evidence"
    answer_kind = AnswerKind.CHOICE
    folder_names = ("evidence_summary_qa", "evidence_summary")
    aliases = ("review_qa",)
    default_system_prompt = (
        "You are a helpful assistant for answering biomedical questions with your knowledge of "
        "clinical trials. Given a systematic review and its studies, choose the option that "
        "summarises the evidence most accurately. " + ANSWER_FORMAT
    )
