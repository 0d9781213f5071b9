"""Generator: reproducible from (task, seed); labels from the rules equal what was injected."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialscope.audit.difficulty import DIFFICULTIES, TASK_NAMES
from trialscope.audit.generator import Episode, generate_episode
from trialscope.audit.rules import BIAS_TARGET, label_episode, record_errors

PROPERTY_SEEDS = range(500)


@pytest.mark.parametrize("task", TASK_NAMES)
def test_same_task_and_seed_give_the_same_episode(task: str) -> None:
    first, second = generate_episode(task, 123), generate_episode(task, 123)
    assert first.records == second.records
    assert first.labels == second.labels
    assert first.protocol == second.protocol
    assert generate_episode(task, 124).records != first.records


@pytest.mark.parametrize("task", TASK_NAMES)
def test_oracle_applying_the_rules_finds_exactly_the_injected_truth(task: str) -> None:
    """Over 500 seeds: rules-on-records == injected errors, one error per patient, budget fits."""
    difficulty = DIFFICULTIES[task]
    modes: set[str | None] = set()
    for seed in PROPERTY_SEEDS:
        episode = generate_episode(task, seed)
        if seed < 100:
            for record in episode.records:
                assert len(record_errors(record, episode.protocol)) <= 1, (seed, record)
        # The oracle: the protocol's rules applied to the records, from scratch.
        found = label_episode(episode.records, episode.protocol)
        assert found == episode.injected == episode.labels, seed
        assert len(episode.records) == difficulty.n_patients
        # Key variables, queries and a report must leave room for every flag.
        assert len(episode.labels) + len(difficulty.key_variables) + 10 <= difficulty.step_budget
        if task == "hard":
            modes.add(episode.bias_mode)
            _check_hard(episode, seed)
    if task == "hard":
        assert modes == {"true_bias", "confounded_no_bias"}


def _check_hard(episode: Episode, seed: int) -> None:
    """Bias mode agrees with the bias rule; every comorbidity override is a labelled error."""
    assert (BIAS_TARGET in episode.labels) == (episode.bias_mode == "true_bias"), seed
    assert episode.override_patients
    for pid in episode.override_patients:
        assert episode.labels[pid] == "protocol_window_violation"
    kinds = {t.kind for t in episode.traps}
    assert "treatment_arm_skew" in kinds
    assert ("confounder_cohort" in kinds) == (episode.bias_mode == "confounded_no_bias")


def test_traps_are_valid_records() -> None:
    for task in TASK_NAMES:
        for seed in range(50):
            episode = generate_episode(task, seed)
            for trap in episode.traps:
                if trap.patient_id is not None:
                    assert trap.patient_id not in episode.labels, (task, seed, trap)


def test_reference_sized_profile() -> None:
    profile = generate_episode("hard", 42).profile()
    assert profile["patients"] == 720
    assert 30 <= profile["errors"] <= 45
    assert profile["comorbidity_overrides"] >= 8
    assert profile["bias_mode"] in ("true_bias", "confounded_no_bias")
    assert set(generate_episode("easy", 1).records[0]) >= {"patient_id", "comorbidity_index", "bmi"}
    assert len(generate_episode("easy", 1).records[0]) == 26


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**31 - 1), task=st.sampled_from(TASK_NAMES))
def test_any_seed_gives_a_consistent_episode(seed: int, task: str) -> None:
    episode = generate_episode(task, seed)
    assert episode.labels == episode.injected
    assert episode.seed == seed
    assert all(r["patient_id"].startswith("P") for r in episode.records)


def test_unknown_task_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="expected one of easy, medium, hard"):
        generate_episode("extreme", 1)
