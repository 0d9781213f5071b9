"""The rules' column forms (what labels a generated episode) decide exactly what the record
forms decide, on generated episodes and on hostile records the generator never makes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialscope.audit.difficulty import DIFFICULTIES, TASK_NAMES
from trialscope.audit.generator import generate_episode
from trialscope.audit.protocol import Protocol
from trialscope.audit.queries import RecordTable
from trialscope.audit.rules import (
    PATIENT_RULES,
    bias_evidence,
    bias_evidence_of_columns,
    columns_of,
    day_numbers,
    death_after_start_days,
    label_columns,
    label_episode,
    records_of,
    treatment_delay_days,
)

START = date(2022, 1, 3)
PROTOCOLS = [generate_episode(task, seed).protocol for task in TASK_NAMES for seed in range(4)]
"""With and without the comorbidity override (only hard protocols have a threshold)."""

dates = st.one_of(
    st.none(), st.integers(-30, 800).map(lambda d: (START + timedelta(days=d)).isoformat())
)
records = st.lists(
    st.fixed_dictionaries(
        {
            "age": st.one_of(st.none(), st.integers(-5, 130), st.floats(0, 120, allow_nan=False)),
            "group": st.sampled_from(["control", "treatment", None]),
            "enrollment_date": dates,
            "treatment_start": dates,
            "death_date": dates,
            "stage": st.sampled_from(["I", "II", "III", "IV", None, "iv"]),
            "comorbidity_index": st.one_of(st.none(), st.integers(0, 9), st.just(4.5)),
            "ethnicity": st.sampled_from(["White", "Black", "Asian", None]),
            "gender": st.sampled_from(["Male", "Female", None]),
        }
    ),
    min_size=1,
    max_size=60,
)


def with_ids(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"patient_id": f"P{i + 1:04d}", **row} for i, row in enumerate(rows)]


@settings(max_examples=150, deadline=None)
@given(rows=records, protocol=st.sampled_from(PROTOCOLS))
def test_masks_and_labels_agree_with_the_record_rules_on_hostile_records(
    rows: list[dict[str, Any]], protocol: Protocol
) -> None:
    rows = with_ids(rows)
    columns = columns_of(rows)
    for name, rule in PATIENT_RULES.items():
        assert rule.mask is not None, name
        expected = [rule.check(r, protocol) for r in rows]
        assert rule.mask(columns, protocol).tolist() == expected, name
    assert label_columns(columns, protocol) == label_episode(rows, protocol)
    assert bias_evidence_of_columns(columns) == bias_evidence(rows)
    assert records_of(columns) == rows


@settings(max_examples=60, deadline=None)
@given(rows=records)
def test_derived_fields_equal_the_record_rules_day_counts(rows: list[dict[str, Any]]) -> None:
    rows = with_ids(rows)
    table = RecordTable(columns_of(rows))
    assert table.columns["delay_days"] == [treatment_delay_days(r) for r in rows]
    assert table.columns["death_after_start_days"] == [death_after_start_days(r) for r in rows]


@pytest.mark.parametrize("task", TASK_NAMES)
def test_an_episode_is_labelled_by_its_columns_as_by_its_records(task: str) -> None:
    for seed in range(20):
        episode = generate_episode(task, seed)
        assert len(episode.columns["patient_id"]) == DIFFICULTIES[task].n_patients
        assert columns_of(episode.records) == episode.columns
        assert label_columns(episode.columns, episode.protocol) == episode.labels
        assert episode.labels == label_episode(episode.records, episode.protocol)


@pytest.mark.parametrize("bad", ["2022-13-01", "yesterday", "NaT", "2022/01/03"])
def test_a_bad_date_is_a_clear_error(bad: str) -> None:
    with pytest.raises(ValueError, match=r"expected ISO dates \(YYYY-MM-DD\)"):
        day_numbers(["2022-01-03", None, bad])
