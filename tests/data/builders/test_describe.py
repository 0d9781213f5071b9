"""The text items show about a trial: codes spelled out, age bounds kept, escapes removed."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from trialscope.data.builders.describe import (
    age_range,
    humanize,
    masked,
    masked_section,
    sample_size_question,
)
from trialscope.data.builders.sample_size import without_number
from trialscope.data.store_queries import StudyDetail


def _detail(**changes: object) -> StudyDetail:
    base = StudyDetail(
        "NCT00000001", "T", None, "Adults \\>= 18 years \\(all\\)", "INTERVENTIONAL", "NA",
        "COMPLETED", None, None, 48, "ACTUAL", None, None, None, None, None, None,
    )  # fmt: skip
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("code", "text"),
    [("NA", "Not applicable"), ("PHASE1/PHASE2", "Phase 1/Phase 2"), ("N_A", "N a")],
)
def test_codes_are_spelled_out(code: str, text: str) -> None:
    assert humanize(code) == text


@pytest.mark.parametrize(
    ("low", "high", "text"),
    [
        ("18 Years", None, "18 years or older"),
        (None, "65 Years", "65 years or younger"),
        ("18 Years", "65 Years", "18 years to 65 years"),
        (None, None, "any age"),
    ],
)
def test_age_bounds_keep_which_bound_they_are(low: str | None, high: str | None, text: str) -> None:
    assert age_range(low, high) == text


def test_registry_escapes_are_removed_and_outcome_fields_masked() -> None:
    view = masked(
        _detail(
            criteria="Inclusion Criteria:\n* HbA1c \\>= 7%\n* BMI \\< 40 kg/m\\^2",
            arms=[("Drug \\[X\\]", "EXPERIMENTAL", "Dose \\> 10 mg")],
        )
    )
    assert view.summary == "Adults >= 18 years (all)"
    assert view.criteria == "Inclusion Criteria:\n* HbA1c >= 7%\n* BMI < 40 kg/m^2"
    assert view.arms == [("Drug [X]", "EXPERIMENTAL", "Dose > 10 mg")]
    assert (view.status, view.enrollment, view.enrollment_type) == (None, None, None)


def test_the_sample_size_question_states_the_age_bound() -> None:
    question = sample_size_question(masked(_detail(minimum_age="18 Years", sex="ALL")))
    assert "All participants, 18 years or older" in question
    assert "\\" not in question


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ("We enrol 48 healthy volunteers.", 48, "We enrol [number withheld] healthy volunteers."),
        (
            "n=2,000 adults; 2000 in total",
            2000,
            "n=[number withheld] adults; [number withheld] in total",
        ),
        ("Week 48 visit; 480 sites; 4.8 mg", 48, "Week [number withheld] visit; 480 sites; 4.8 mg"),
        ("aged 18 to 65", 48, "aged 18 to 65"),
    ],
)
def test_the_sample_size_is_withheld_from_the_question(
    text: str, value: int, expected: str
) -> None:
    assert without_number(text, value) == expected


def test_a_number_glued_to_a_word_is_withheld_too() -> None:
    assert (
        without_number("will enroll 61individuals", 61)
        == "will enroll [number withheld]individuals"
    )


def test_a_section_view_renders_each_design_option_as_the_full_masked_view(
    synthetic_store: Path,
) -> None:
    from trialscope.data.builders.design_qa import DESIGN_KINDS
    from trialscope.data.store import TrialStore

    with TrialStore(synthetic_store, read_only=True) as store:
        ids = [row.study_id for row in store.builder_study_index()[:300]]
        details = list(store.builder_study_details(ids).values())
    details.append(
        _detail(
            criteria="Inclusion Criteria:\n* HbA1c \\>= 7%",
            arms=[("Drug \\[X\\]", "EXPERIMENTAL", "Dose \\> 10 mg")],
            primary_outcomes=[("HbA1c \\< 7%", "week 24")],
            secondary_outcomes=[("Weight", None)],
        )
    )
    for kind in DESIGN_KINDS.values():
        for detail in details:
            full = kind.option_text(masked(detail))
            assert kind.option_text(masked_section(detail, kind.sections)) == full
    section = masked_section(details[-1], ("arms",))
    assert (section.status, section.enrollment, section.summary, section.criteria) == (None,) * 4
