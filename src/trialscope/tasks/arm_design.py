"""Arm design: which option lists the arms of the described trial."""

from __future__ import annotations

from trialscope.tasks.base import AnswerKind
from trialscope.tasks.multiple_choice import ANSWER_FORMAT, MultipleChoiceTask


class ArmDesignTask(MultipleChoiceTask):
    """Which option lists the arms of the described trial."""

    name = "arm_design"
    label = "Arm design"
    short_label = "arm"
    answer_kind = AnswerKind.CHOICE
    folder_names = ("design_arms_qa", "arm_design")
    default_system_prompt = (
        "You are a helpful assistant for designing clinical trials. Given a trial's description, "
        "choose the option that lists the arms (groups and interventions) this trial should have. "
        + ANSWER_FORMAT
    )
