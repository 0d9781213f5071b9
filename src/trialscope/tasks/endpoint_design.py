"""Endpoint design: which option holds the outcome measures of the described trial."""

from __future__ import annotations

from trialscope.tasks.base import AnswerKind
from trialscope.tasks.multiple_choice import ANSWER_FORMAT, MultipleChoiceTask


class EndpointDesignTask(MultipleChoiceTask):
    """Which option holds the outcome measures of the described trial."""

    name = "endpoint_design"
    label = "Endpoint design"
    short_label = "endpoint"
    answer_kind = AnswerKind.CHOICE
    folder_names = ("design_outcome_qa", "endpoint_design")
    default_system_prompt = (
        "You are a helpful assistant for designing clinical trials. Given a trial's description, "
        "choose the option that holds the primary and secondary outcome measures this trial "
        "should use. " + ANSWER_FORMAT
    )
