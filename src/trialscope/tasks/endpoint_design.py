"""Endpoint design: which option holds the outcome measures of the described trial."""

from __future__ import annotations

from typing import ClassVar

from trialscope.tasks.base import AnswerKind
from trialscope.tasks.multiple_choice import ANSWER_FORMAT, MultipleChoiceTask


class EndpointDesignTask(MultipleChoiceTask):
    """Which option holds the outcome measures of the described trial."""

    name = "endpoint_design"
    label = "Endpoint design"
    short_label = "endpoint"
    paper_figures: ClassVar[dict[str, dict[str, float]]] = {
        "Accuracy": {
            "Llama-8B": 52.1,
            "Llama-70B": 61.8,
            "GPT-4o-mini": 62.2,
            "GPT-4o": 69.1,
            "o3-mini": 52.1,
        },
        "Macro-F1": {
            "Llama-8B": 52.9,
            "Llama-70B": 62.5,
            "GPT-4o-mini": 62.2,
            "GPT-4o": 69.4,
            "o3-mini": 60.7,
        },
    }
    answer_kind = AnswerKind.CHOICE
    folder_names = ("design_outcome_qa", "endpoint_design")
    default_system_prompt = (
        "You are a helpful assistant for designing clinical trials. Given a trial's description, "
        "choose the option that holds the primary and secondary outcome measures this trial "
        "should use. " + ANSWER_FORMAT
    )
