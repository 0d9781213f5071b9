"""The why_stopped mapper on hand-labelled texts written in the style of real registry entries."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialscope.data.termination import CATEGORIES, classify_why_stopped

# Written for this test in the style of ClinicalTrials.gov entries (terse, odd casing, typos),
# each labelled by hand.
LABELLED: list[tuple[str, str | None]] = [
    ("Slow accrual", "enrollment issues"),
    ("POOR ACCRUAL", "enrollment issues"),
    ("Difficulty recruiting participants", "enrollment issues"),
    ("The study was closed because of low enrollment.", "enrollment issues"),
    ("Unable to recruit eligible patients", "enrollment issues"),
    ("not enough patients met the inclusion criteria", "enrollment issues"),
    ("Could not find participants", "enrollment issues"),
    ("Recruitment stopped because of COVID-19 pandemic", "enrollment issues"),
    ("Low recruitment rate. Sponsor lost interest.", "enrollment issues"),
    ("Lack of funding", "feasibility"),
    ("funding ended", "feasibility"),
    ("Sponsor decision", "feasibility"),
    ("Business Decision", "feasibility"),
    ("Company decided to stop the program for strategic reasons", "feasibility"),
    ("PI left the institution", "feasibility"),
    ("Principal Investigator relocated to another hospital", "feasibility"),
    ("Study drug no longer available from the manufacturer", "feasibility"),
    ("Study paused due to COVID-19", "feasibility"),
    ("Suspended for the safety of participants during the COVID-19 pandemic", "feasibility"),
    ("Terminated for business reasons, not due to safety concerns", "feasibility"),
    ("Futility", "lack of efficacy"),
    ("Stopped for futility after interim analysis", "lack of efficacy"),
    ("lack of efficacy", "lack of efficacy"),
    ("The primary endpoint was not met", "lack of efficacy"),
    ("DSMB recommended stopping: unlikely to demonstrate benefit", "lack of efficacy"),
    ("Interim results showed no significant difference between arms", "lack of efficacy"),
    ("Halted for insufficient efficacy. Not due to safety reasons.", "lack of efficacy"),
    ("FDA clinical hold", "regulatory/approval"),
    ("IRB approval expired", "regulatory/approval"),
    ("Ethics committee did not approve the protocol", "regulatory/approval"),
    ("Withdrawn at request of the health authority", "regulatory/approval"),
    ("REB approval denied", "regulatory/approval"),
    ("Safety concerns", "safety issues"),
    ("Terminated due to serious adverse events", "safety issues"),
    ("Unacceptable toxicity", "safety issues"),
    ("Increased mortality in the treatment arm", "safety issues"),
    ("The benefit-risk balance is no longer favourable", "safety issues"),
    ("NA", None),
    ("Other", None),
    ("Investigator decision", None),
    ("Protocol amendment", "other"),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), LABELLED)
def test_hand_labelled_texts(text: str, expected: str | None) -> None:
    assert classify_why_stopped(text) == expected


def test_none_input_is_none() -> None:
    assert classify_why_stopped(None) is None


def test_denied_cues_are_ignored() -> None:
    text = "not because of efficacy or safety issues; too few patients in the age group"
    assert classify_why_stopped(text) == "enrollment issues"


@given(st.text(max_size=300))
def test_any_text_maps_to_a_category_or_none(text: str) -> None:
    assert classify_why_stopped(text) in (*CATEGORIES, None)


@given(st.sampled_from([t for t, label in LABELLED if label]), st.sampled_from(["", ".", "  "]))
def test_case_and_trailing_punctuation_do_not_matter(text: str, suffix: str) -> None:
    expected = classify_why_stopped(text)
    assert classify_why_stopped(text.upper() + suffix) == expected
    assert classify_why_stopped(text.lower() + suffix) == expected
