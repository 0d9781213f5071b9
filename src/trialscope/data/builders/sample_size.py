"""Sample size estimation items: a completed trial's design, answered by its actual enrollment."""

from __future__ import annotations

from typing import Any

import numpy as np

from trialscope.data.builders.describe import masked, sample_size_question
from trialscope.data.builders.options import BuildOptions
from trialscope.data.builders.split import split_keys
from trialscope.data.store_queries import BuilderQueries, StudyDetail, StudyIndexRow


def sample_size_record(detail: StudyDetail) -> dict[str, Any]:
    """One item; the question is written from the masked study (no enrollment in it)."""
    enrollment = int(detail.enrollment or 0)
    return {
        "id": detail.study_id,
        "question": sample_size_question(masked(detail)),
        "answer": enrollment,
        "answer_type": "actual_enrollment",
        "trial_id": detail.study_id,
        "pmid": detail.reference_pmids[0] if detail.reference_pmids else "",
        "explanation": f"The registry reports an actual enrollment of {enrollment} participants "
        f"for {detail.study_id}.",
    }


def build_sample_size(
    store: BuilderQueries,
    index: list[StudyIndexRow],
    options: BuildOptions,
    rng: np.random.Generator,
    sizes: tuple[int, int],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(train, test) items from completed trials with an actual enrollment above zero."""
    keyed = [
        (row.study_id, row.first_submitted)
        for row in index
        if (row.status or "").upper() == "COMPLETED"
        and (row.enrollment_type or "").upper() == "ACTUAL"
        and (row.enrollment or 0) > 0
    ]
    train_ids, test_ids = split_keys(keyed, options, sizes, rng)
    details = store.builder_study_details(train_ids + test_ids)
    return (
        [sample_size_record(details[i]) for i in train_ids],
        [sample_size_record(details[i]) for i in test_ids],
    )
