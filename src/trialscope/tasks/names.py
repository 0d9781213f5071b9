"""Task names alone (no task code): canonical names and the aliases folders and old runs use."""

from __future__ import annotations

TASK_NAMES: tuple[str, ...] = (
    "study_search",
    "study_screening",
    "trial_completion",
    "arm_design",
    "eligibility_criteria_design",
    "endpoint_design",
    "evidence_summary",
    "sample_size_estimation",
)
"""Canonical task names, in the paper's order; also the results folder names."""

ALIASES: dict[str, str] = {
    "trial_completion_assessment": "trial_completion",
    "design_arms_qa": "arm_design",
    "design_criteria_qa": "eligibility_criteria_design",
    "design_outcome_qa": "endpoint_design",
    "evidence_summary_qa": "evidence_summary",
    "review_qa": "evidence_summary",
}
"""The README's, the released data's and the original scripts' names for the same tasks."""
