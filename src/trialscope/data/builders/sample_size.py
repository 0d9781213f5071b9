"""Sample size estimation items: a completed trial's design, answered by its actual enrollment."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from trialscope.data.builders.describe import masked, sample_size_question
from trialscope.data.builders.options import BuildOptions
from trialscope.data.builders.split import split_positions
from trialscope.data.store_queries import BuilderQueries, StudyColumns, StudyDetail

FOLDER = "sample_size_estimation"
"""The task folder this builder writes (named as in the released TrialPanorama data)."""


# Digits glued to words count too ("61individuals"), but not parts of longer numbers or decimals.
_NUMBER = re.compile(
    r"(?<![\d.,])\d{1,3}(?:[,\u202f ]\d{3})+(?![\d,]|\.\d)|(?<![\d.,])\d+(?!\d|[.,]\d)"
)
WITHHELD = "[number withheld]"


def without_number(text: str, value: int) -> str:
    """`text` with every spelling of `value` as a number ('2000', '2,000', '2 000') withheld."""

    def replace(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        return WITHHELD if digits and int(digits) == value else match.group(0)

    return _NUMBER.sub(replace, text)


def sample_size_record(detail: StudyDetail) -> dict[str, Any]:
    """One item; the question is written from the masked study, and any number in its text that
    equals the enrollment (a summary's "48 healthy volunteers") is withheld."""
    enrollment = int(detail.enrollment or 0)
    return {
        "id": detail.study_id,
        "question": without_number(sample_size_question(masked(detail)), enrollment),
        "answer": enrollment,
        "answer_type": "actual_enrollment",
        "trial_id": detail.study_id,
        "pmid": detail.reference_pmids[0] if detail.reference_pmids else "",
        "explanation": f"The registry reports an actual enrollment of {enrollment} participants "
        f"for {detail.study_id}.",
    }


def build_sample_size(
    store: BuilderQueries,
    index: StudyColumns,
    options: BuildOptions,
    rng: np.random.Generator,
    sizes: tuple[int, int],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(train, test) items from completed trials with an actual enrollment above zero."""
    kept = np.flatnonzero(
        index.where(lambda status: status.upper() == "COMPLETED", "status")
        & index.where(lambda kind: kind.upper() == "ACTUAL", "enrollment_type")
        & (index.enrollment > 0)
    )
    train, test = split_positions(index.day[kept], index.dated[kept], options, sizes, rng)
    train_ids, test_ids = (index.study_id[kept[part]].tolist() for part in (train, test))
    details = store.builder_study_details(train_ids + test_ids)
    return (
        [sample_size_record(details[i]) for i in train_ids],
        [sample_size_record(details[i]) for i in test_ids],
    )
