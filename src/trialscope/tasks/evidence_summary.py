"""Evidence summary: which option is the most accurate summary of a review's evidence."""

from __future__ import annotations

from typing import ClassVar

from trialscope.tasks.base import AnswerKind
from trialscope.tasks.multiple_choice import ANSWER_FORMAT, MultipleChoiceTask


class EvidenceSummaryTask(MultipleChoiceTask):
    """Which option is the most accurate summary of a review's evidence."""

    name = "evidence_summary"
    label = "Evidence summary"
    short_label = "evidence"
    paper_figures: ClassVar[dict[str, dict[str, float]]] = {
        "Accuracy": {
            "Llama-8B": 70.4,
            "Llama-70B": 78.8,
            "GPT-4o-mini": 74.1,
            "GPT-4o": 72.8,
            "o3-mini": 72.7,
        },
        "Macro-F1": {
            "Llama-8B": 71.1,
            "Llama-70B": 76.7,
            "GPT-4o-mini": 73.1,
            "GPT-4o": 65.2,
            "o3-mini": 53.8,
        },
    }
    answer_kind = AnswerKind.CHOICE
    folder_names = ("evidence_summary_qa", "evidence_summary")
    aliases = ("review_qa",)
    default_system_prompt = (
        "You are a helpful assistant for answering biomedical questions with your knowledge of "
        "clinical trials. Given a systematic review and its studies, choose the option that "
        "summarises the evidence most accurately. " + ANSWER_FORMAT
    )
