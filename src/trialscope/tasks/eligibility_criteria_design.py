"""Eligibility criteria design: which option holds the described trial's eligibility criteria."""

from __future__ import annotations

from trialscope.tasks.base import AnswerKind
from trialscope.tasks.multiple_choice import ANSWER_FORMAT, MultipleChoiceTask


class EligibilityCriteriaDesignTask(MultipleChoiceTask):
    """Which option holds the eligibility criteria of the described trial."""

    name = "eligibility_criteria_design"
    label = "Criteria design"
    short_label = "criteria"
    answer_kind = AnswerKind.CHOICE
    folder_names = ("design_criteria_qa", "eligibility_criteria_design")
    default_system_prompt = (
        "You are a helpful assistant for designing clinical trials. Given a trial's description, "
        "choose the option that holds the inclusion and exclusion criteria this trial should "
        "use. " + ANSWER_FORMAT
    )
