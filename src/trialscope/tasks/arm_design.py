"""Arm design: which option lists the arms of the described trial."""

from __future__ import annotations

from typing import ClassVar

from trialscope.tasks.base import AnswerKind
from trialscope.tasks.multiple_choice import ANSWER_FORMAT, MultipleChoiceTask


class ArmDesignTask(MultipleChoiceTask):
    """Which option lists the arms of the described trial."""

    name = "arm_design"
    label = "Arm design"
    short_label = "arm"
    paper_figures: ClassVar[dict[str, dict[str, float]]] = {
        "Accuracy": {
            "Llama-8B": 79.9,
            "Llama-70B": 84.6,
            "GPT-4o-mini": 78.4,
            "GPT-4o": 85.0,
            "o3-mini": 85.9,
        },
        "Macro-F1": {
            "Llama-8B": 79.9,
            "Llama-70B": 84.7,
            "GPT-4o-mini": 78.7,
            "GPT-4o": 85.0,
            "o3-mini": 86.1,
        },
    }
    answer_kind = AnswerKind.CHOICE
    folder_names = ("design_arms_qa", "arm_design")
    default_system_prompt = (
        "You are a helpful assistant for designing clinical trials. Given a trial's description, "
        "choose the option that lists the arms (groups and interventions) this trial should have. "
        + ANSWER_FORMAT
    )
