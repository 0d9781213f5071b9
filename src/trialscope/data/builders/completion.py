"""Trial completion assessment items: will a trial complete or terminate, and why."""

from __future__ import annotations

from typing import Any

import numpy as np

from trialscope.data.builders.describe import criteria_lines, humanize, masked, unescape
from trialscope.data.builders.options import BuildOptions
from trialscope.data.builders.split import split_positions
from trialscope.data.store_queries import BuilderQueries, StudyColumns, StudyDetail
from trialscope.data.termination import classify_why_stopped

FOLDER = "trial_completion_assessment"
"""The task folder this builder writes (named as in the released TrialPanorama data)."""
COMPLETE_STATUSES = frozenset({"COMPLETED"})
STOPPED_STATUSES = frozenset({"TERMINATED", "WITHDRAWN", "SUSPENDED"})


def _normal_status(status: str | None) -> str:
    return (status or "").upper().replace(" ", "_").replace(",", "")


def completion_record(detail: StudyDetail) -> dict[str, Any]:
    """One item; inputs and context come from the masked study, labels from the real one."""
    status = _normal_status(detail.status)
    view = masked(detail)
    arms = [
        {"title": label or "", "group_type": humanize(kind), "description": description or ""}
        for label, kind, description in view.arms
    ]
    context: list[dict[str, Any]] = [
        {
            "type": "eligibility_criteria",
            "criteria": "~".join(criteria_lines(view.criteria)),
            "gender": humanize(view.sex) or "All",
            "minimum_age": view.minimum_age or "",
            "maximum_age": view.maximum_age or "",
            "healthy_volunteers": bool(view.healthy_volunteers),
        },
        {"type": "arm_design", "arms": arms},
    ]
    stopped = status in STOPPED_STATUSES
    return {
        "metadata": {"study_nctid": detail.study_id},
        "inputs": {
            "title": view.official_title or view.title or "",
            "allocation": humanize(view.allocation),
            "intervention_model": humanize(view.intervention_model),
            "observational_model": humanize(view.observational_model),
            "primary_purpose": humanize(view.primary_purpose),
            "time_perspective": humanize(view.time_perspective),
            "masking": humanize(view.masking),
            "phase": humanize(view.phase),
            "number_of_arms": len(view.arms),
        },
        "context": context,
        "labels": {
            "outcome": "terminate" if stopped else "complete",
            "terminate_type": classify_why_stopped(detail.why_stopped) if stopped else None,
            "terminate_reason_desc": unescape(detail.why_stopped or "") if stopped else None,
        },
    }


def build_completion(
    store: BuilderQueries,
    index: StudyColumns,
    options: BuildOptions,
    rng: np.random.Generator,
    sizes: tuple[int, int],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(train, test) items from studies that completed or stopped; others are left out."""
    wanted = COMPLETE_STATUSES | STOPPED_STATUSES
    kept = np.flatnonzero(index.where(lambda status: _normal_status(status) in wanted, "status"))
    train, test = split_positions(index.day[kept], index.dated[kept], options, sizes, rng)
    train_ids, test_ids = (index.study_id[kept[part]].tolist() for part in (train, test))
    details = store.builder_study_details(train_ids + test_ids)
    return (
        [completion_record(details[i]) for i in train_ids],
        [completion_record(details[i]) for i in test_ids],
    )
