"""Eligibility criteria design: which option holds the described trial's eligibility criteria."""

from __future__ import annotations

from typing import ClassVar

from trialscope.tasks.base import AnswerKind
from trialscope.tasks.multiple_choice import ANSWER_FORMAT, MultipleChoiceTask


class EligibilityCriteriaDesignTask(MultipleChoiceTask):
    """Which option holds the eligibility criteria of the described trial."""

    name = "eligibility_criteria_design"
    label = "Criteria design"
    short_label = "criteria"
    paper_figures: ClassVar[dict[str, dict[str, float]]] = {
        "Accuracy": {
            "Llama-8B": 55.0,
            "Llama-70B": 72.6,
            "GPT-4o-mini": 55.8,
            "GPT-4o": 76.3,
            "o3-mini": 80.4,
        },
        "Macro-F1": {
            "Llama-8B": 54.6,
            "Llama-70B": 73.1,
            "GPT-4o-mini": 55.8,
            "GPT-4o": 76.5,
            "o3-mini": 80.6,
        },
    }
    answer_kind = AnswerKind.CHOICE
    folder_names = ("design_criteria_qa", "eligibility_criteria_design")
    default_system_prompt = (
        "You are a helpful assistant for designing clinical trials. Given a trial's description, "
        "choose the option that holds the inclusion and exclusion criteria this trial should "
        "use. " + ANSWER_FORMAT
    )
