"""Search queries from a review's key terms."""

from __future__ import annotations

from trialscope.baselines.key_terms import KeyTermQuery
from trialscope.tasks.base import Sample

from .synthetic_records import make_sample


def _review(index: int, objectives: str, criteria: str = "", background: str = "") -> Sample:
    inputs = {"background": background, "objectives": objectives, "selection criteria": criteria}
    return make_sample(f"r{index}", {"inputs": inputs, "labels": []})


def test_boilerplate_is_dropped_and_rare_terms_come_first() -> None:
    train = [_review(i, f"randomised trials of drug{i} in adults") for i in range(12)]
    builder = KeyTermQuery(n_terms=3).fit(train)
    assert {"randomised", "trials", "adults"} <= builder.boilerplate
    review = _review(99, "randomised trials of zoledronate for osteoporosis in adults", "adults")
    terms = builder.query(review).split(" OR ")
    assert terms == ["osteoporosis", "zoledronate"]


def test_background_is_used_when_focus_sections_are_empty() -> None:
    builder = KeyTermQuery().fit([_review(0, "statins")])
    review = _review(1, "", "", background="migraine prophylaxis")
    assert builder.query(review) == "migraine OR prophylaxis"
