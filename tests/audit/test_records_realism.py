"""Records look like patients, and each injected error shows only through its own rule."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score
from sklearn.tree import DecisionTreeClassifier

from trialscope.audit.difficulty import TASK_NAMES
from trialscope.audit.generator import generate_episode
from trialscope.audit.rules import day_number

RANGES = {
    "baseline_ldh": (80.0, 1500.0),
    "bmi": (14.0, 50.0),
    "blood_pressure_sys": (80, 200),
    "blood_pressure_dia": (40, 130),
    "ecog_performance_status": (0, 4),
    "prior_chemo_cycles": (0, 12),
    "comorbidity_index": (0, 12),
}
NON_RULE_FIELDS = (
    "gender",
    "treatment_site",
    "group",
    "ecog_performance_status",
    "prior_chemo_cycles",
    "baseline_ldh",
    "bmi",
    "insurance_type",
    "smoking_status",
    "blood_pressure_sys",
    "blood_pressure_dia",
    "primary_tumor_site",
    "histology_type",
    "concomitant_medications",
)
"""Fields no rule reads (ethnicity is left out: the bias rule reads it)."""


@pytest.mark.parametrize("task", TASK_NAMES)
def test_lab_values_and_vitals_stay_in_physiological_ranges(task: str) -> None:
    for seed in range(20):
        for record in generate_episode(task, seed).records:
            for name, (low, high) in RANGES.items():
                assert low <= record[name] <= high, (task, seed, name, record[name])


def test_temporal_errors_are_not_marked_by_a_death_before_enrollment() -> None:
    before_enrollment, total = 0, 0
    for seed in range(40):
        episode = generate_episode("medium", seed)
        for record in episode.records:
            if episode.labels.get(record["patient_id"]) == "temporal_inconsistency":
                total += 1
                died = day_number(record["death_date"])
                enrolled = day_number(record["enrollment_date"])
                assert died is not None and enrolled is not None
                before_enrollment += died < enrolled
    assert total > 200
    assert 0.3 <= before_enrollment / total <= 0.7


def features(records: list[dict[str, object]]) -> np.ndarray:
    columns = []
    for name in NON_RULE_FIELDS:
        values = [record[name] for record in records]
        if isinstance(values[0], int | float):
            columns.append(np.asarray(values, dtype=float)[:, None])
        else:
            levels = sorted({str(v) for v in values})
            columns.append(
                np.asarray([[str(v) == level for level in levels] for v in values], float)
            )
    return np.hstack(columns)


@pytest.mark.parametrize("task", TASK_NAMES)
def test_a_shallow_classifier_on_non_rule_fields_finds_errors_at_chance(task: str) -> None:
    """A depth-3 tree fit on 15 episodes' non-rule fields ranks the next 15's errors at chance."""
    episodes = [generate_episode(task, seed) for seed in range(30)]
    records = [r for e in episodes for r in e.records]
    labels = np.asarray([r["patient_id"] in e.labels for e in episodes for r in e.records])
    matrix = features(records)
    half = sum(len(e.records) for e in episodes[:15])
    tree = DecisionTreeClassifier(max_depth=3, min_samples_leaf=40, random_state=0)
    tree.fit(matrix[:half], labels[:half])
    auc = roc_auc_score(labels[half:], tree.predict_proba(matrix[half:])[:, 1])
    assert 0.4 <= auc <= 0.6, (task, auc)
