"""The why_stopped mapper on real registry texts: coverage of all 13,323, precision on 320
texts labelled by hand (tests/data/why_stopped_*labels.csv: nct id and label, each text read
and decided by a person; 'none' marks a text that states no reason, such as 'NA')."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from tests.data.real_data import real_data

from trialscope.data.termination import CATEGORIES, OTHER, classify_why_stopped

LABELS = (
    Path(__file__).with_name("why_stopped_labels.csv"),
    # Labelled after the rules were first tuned on the set above; its first measurement is in
    # docs/benchmarks.md, and it has been part of the evaluation since.
    Path(__file__).with_name("why_stopped_heldout_labels.csv"),
)
MIN_COVERAGE = 0.90
MIN_PRECISION = 0.85


@pytest.fixture(scope="module")
def why_stopped() -> dict[str, str]:
    path = real_data("ctcovidstop_stopped_trials.csv")
    with path.open(encoding="utf-8") as handle:
        return {row["nctid"]: row["why_stopped"] for row in csv.DictReader(handle)}


def test_at_least_90_percent_of_real_texts_get_a_category(why_stopped: dict[str, str]) -> None:
    assert len(why_stopped) == 13_323
    mapped = Counter(classify_why_stopped(text) for text in why_stopped.values())
    coverage = 1 - mapped[None] / len(why_stopped)
    assert coverage >= MIN_COVERAGE, (coverage, mapped)
    assert mapped[OTHER] > 0


def test_precision_per_category_on_the_hand_labelled_texts(why_stopped: dict[str, str]) -> None:
    labelled = []
    for path in LABELS:
        with path.open(encoding="utf-8") as handle:
            labelled += [(row["nctid"], row["label"]) for row in csv.DictReader(handle)]
    assert len(labelled) >= 300
    pairs = []
    for nct_id, label in labelled:
        predicted = classify_why_stopped(why_stopped[nct_id])
        pairs.append((label, predicted or "none"))
    for category in CATEGORIES:
        predicted_as = [truth for truth, guess in pairs if guess == category]
        assert predicted_as, category
        precision = sum(truth == category for truth in predicted_as) / len(predicted_as)
        wrong = Counter(truth for truth in predicted_as if truth != category)
        assert precision >= MIN_PRECISION, (category, round(precision, 3), wrong)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The Data Safety Monitoring Board recommended stopping the trial because the "
            "futility boundary was crossed at the interim analysis",
            "lack of efficacy",
        ),
        ("strategic business decision; no patients were enrolled", "feasibility"),
        ("No participants enrolled", "enrollment issues"),
        ("Change of study design", OTHER),
        ("NA", None),
    ],
)
def test_the_issues_examples(text: str, expected: str | None) -> None:
    assert classify_why_stopped(text) == expected
