"""The next sensible tool call when an LLM's reply cannot be used: the audit workflow in order."""

from __future__ import annotations

from dataclasses import dataclass, field

from trialscope.audit.difficulty import BIAS_DISTRIBUTIONS
from trialscope.audit.error_types import ErrorType
from trialscope.audit.models import AuditAction, AuditObservation

FALLBACK_PAGE_SIZE = 20
MAX_FALLBACK_PAGES = 3
"""Consecutive fallback queries before the plan gives up and reports (the model is not helping)."""


def action_key(action: AuditAction) -> str:
    """What makes two actions the same call (reasons and confidences aside)."""
    return action.model_dump_json(exclude={"metadata", "reason", "confidence"}, exclude_none=True)


@dataclass
class FallbackPlan:
    """Tracks what the episode has done and proposes the next step of the standard workflow.

    Order: investigate each key variable, compute the bias distributions when the task has a
    bias error, page through records showing the key variables, then submit a report listing
    the flags made so far. It never flags: a fallback must not invent findings.
    """

    key_variables: list[str] = field(default_factory=list)
    bias_variables: list[str] = field(default_factory=list)
    done: set[str] = field(default_factory=set)
    flags: list[AuditAction] = field(default_factory=list)
    next_page: int = 1
    fallback_pages: int = 0

    @classmethod
    def from_briefing(cls, observation: AuditObservation) -> FallbackPlan:
        """A plan for the episode the reset observation describes."""
        result = observation.result or {}
        key_variables = [str(v) for v in result.get("key_variables") or []]
        error_types = [str(e) for e in result.get("error_types") or []]
        bias = list(BIAS_DISTRIBUTIONS) if ErrorType.SELECTION_BIAS in error_types else []
        return cls(key_variables=key_variables, bias_variables=bias)

    def note(self, action: AuditAction, from_model: bool) -> None:
        """Record an action that was sent to the environment."""
        self.done.add(action_key(action))
        arguments = action.arguments()
        variable = arguments.get("variable")
        if action.tool == "investigate_pattern" and variable:
            self.done.add(f"investigated:{variable}")
        if action.tool == "compute_distribution" and variable and not arguments.get("stratify_by"):
            self.done.add(f"distribution:{variable}")
        if action.tool == "flag_error":
            self.flags.append(action)
        if from_model:
            self.fallback_pages = 0

    def seen(self, action: AuditAction) -> bool:
        """Whether this exact call was already made (small models loop on one action)."""
        return action_key(action) in self.done

    def next_action(self, steps_remaining: int) -> AuditAction:
        """The next workflow step; the report once the budget is spent or paging is futile."""
        if steps_remaining <= 1:
            return self.report()
        for variable in self.key_variables:
            if f"investigated:{variable}" not in self.done:
                return AuditAction(tool="investigate_pattern", variable=variable)
        for variable in self.bias_variables:
            if f"distribution:{variable}" not in self.done:
                return AuditAction(tool="compute_distribution", variable=variable)
        if self.fallback_pages >= MAX_FALLBACK_PAGES:
            return self.report()
        fields = list(self.key_variables) or None
        page = self.next_page
        self.next_page += 1
        self.fallback_pages += 1
        return AuditAction(
            tool="query_records", fields=fields, page=page, page_size=FALLBACK_PAGE_SIZE
        )

    def report(self) -> AuditAction:
        """A report of the flags made so far (patient, error type, the stated reason)."""
        if not self.flags:
            return AuditAction(tool="submit_report", report="No errors confirmed.")
        lines = [
            f"{flag.patient_id or 'trial'}: {flag.error_type}"
            + (f" ({flag.reason})" if flag.reason else "")
            for flag in self.flags
        ]
        return AuditAction(tool="submit_report", report="Findings:\n" + "\n".join(lines))
