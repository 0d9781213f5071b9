"""The environment: budget, refusals after done, phase gate, locking, modes, 8 KB observations."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.audit.scripted_agents import oracle_episode

from trialscope.audit.difficulty import DIFFICULTIES, TASK_NAMES
from trialscope.audit.models import AuditAction, AuditObservation
from trialscope.audit.observation_size import MAX_OBSERVATION_BYTES, observation_bytes
from trialscope.audit.rules import BIAS_TARGET
from trialscope.audit.server.environment import AuditEnvironment

ORACLE_SEEDS = range(100)


def _open_gate(env: AuditEnvironment, task: str) -> None:
    for variable in DIFFICULTIES[task].key_variables:
        env.step(AuditAction(tool="investigate_pattern", variable=variable))


def _truth(env: AuditEnvironment) -> dict[str, str]:
    assert env.episode is not None
    return env.episode.labels


def _valid_patient(env: AuditEnvironment) -> str:
    return next(r["patient_id"] for r in env.episode.records if r["patient_id"] not in _truth(env))  # type: ignore[union-attr]


@pytest.mark.parametrize("task", TASK_NAMES)
def test_every_labelled_error_bias_included_is_credited(task: str) -> None:
    env = AuditEnvironment()
    for seed in ORACLE_SEEDS:
        result = oracle_episode(env, task, seed)
        assert result.components["recall"] == 1.0, seed
        assert result.components["precision"] == 1.0, seed
        assert all(flag["correct"] for flag in result.flags)
        assert result.missed == []


def test_reset_without_seed_draws_and_records_one() -> None:
    env = AuditEnvironment()
    obs = env.reset(task="medium")
    seed = env.state.seed
    assert isinstance(seed, int) and obs.result is not None and obs.result["seed"] == seed
    again = AuditEnvironment()
    again.reset(seed=seed, task="medium")
    assert again.episode.records == env.episode.records  # type: ignore[union-attr]


def test_step_budget_is_enforced_and_later_actions_change_nothing() -> None:
    env = AuditEnvironment()
    env.reset(seed=3, task="easy")
    budget = DIFFICULTIES["easy"].step_budget
    obs: AuditObservation | None = None
    for _ in range(budget):
        obs = env.step(AuditAction(tool="investigate_pattern", variable="bmi"))
    assert obs is not None and obs.done and env.state.step_count == budget
    result = env.episode_result()
    assert result.finished_by == "budget"
    target, etype = next(iter(_truth(env).items()))
    refused = env.step(AuditAction(tool="flag_error", patient_id=target, error_type=etype))
    assert refused.error and "finished" in refused.error
    assert env.state.step_count == budget
    assert env.episode_result().score == result.score
    assert env.episode_result().flags == []


def test_flagging_is_gated_until_key_variables_are_investigated() -> None:
    env = AuditEnvironment()
    env.reset(seed=5, task="hard")
    target, etype = next((t, e) for t, e in _truth(env).items() if t != BIAS_TARGET)
    blocked = env.step(AuditAction(tool="flag_error", patient_id=target, error_type=etype))
    assert blocked.error and "comorbidity_index" in blocked.error
    _open_gate(env, "hard")
    bias = env.step(AuditAction(tool="flag_error", error_type="selection_bias"))
    assert bias.error and "ethnicity" in bias.error
    ok = env.step(AuditAction(tool="flag_error", patient_id=target, error_type=etype))
    assert ok.error is None and ok.phase == "flagging"


def test_a_flag_locks_the_patient_without_revealing_correctness() -> None:
    env = AuditEnvironment(mode="eval")
    env.reset(seed=8, task="easy")
    _open_gate(env, "easy")
    wrong = _valid_patient(env)
    first = env.step(AuditAction(tool="flag_error", patient_id=wrong, error_type="invalid_age"))
    right = next(iter(_truth(env)))
    second = env.step(AuditAction(tool="flag_error", patient_id=right, error_type="invalid_age"))
    # The wrong and the right flag read the same: no correctness leaks in eval mode.
    assert first.text.replace(wrong, "X") == second.text.replace(right, "X")
    assert first.feedback is None and second.feedback is None
    assert first.reward == second.reward == 0.0
    again = env.step(AuditAction(tool="flag_error", patient_id=wrong, error_type="invalid_age"))
    assert again.error and "already flagged" in again.error
    state = env.state.model_dump()
    assert state["score_so_far"] is None
    assert all("correct" not in flag for flag in state["flags"])
    assert "labels" not in json.dumps(state) and "n_errors" not in json.dumps(state)


@pytest.mark.parametrize("task", TASK_NAMES)
def test_train_mode_rewards_sum_to_the_final_score(task: str) -> None:
    env = AuditEnvironment(mode="train")
    obs = env.reset(seed=11, task=task)
    total = float(obs.reward or 0.0)
    _open_gate(env, task)
    actions = [
        AuditAction(
            tool="flag_error",
            patient_id=_valid_patient(env),
            error_type="invalid_age",
            confidence=0.9,
        )
    ]
    actions += [
        AuditAction(
            tool="flag_error",
            patient_id=None if t == BIAS_TARGET else t,
            error_type=e,
            confidence=0.8,
        )
        for t, e in list(_truth(env).items())[:5]
    ]
    for action in actions:
        obs = env.step(action)
        assert obs.feedback in ("correct", "incorrect")
        total += float(obs.reward or 0.0)
    obs = env.step(AuditAction(tool="submit_report", report="P0001 age"))
    total += float(obs.reward or 0.0)
    for variable in DIFFICULTIES[task].key_variables:
        total += float(
            env.step(AuditAction(tool="investigate_pattern", variable=variable)).reward or 0.0
        )
    result = env.episode_result()
    assert total == pytest.approx(result.score, abs=1e-6)
    assert result.dense_reward_total == pytest.approx(result.score, abs=1e-6)


def test_confident_wrong_flags_cost_more_than_hesitant_ones() -> None:
    scores = []
    for confidence in (0.95, 0.1):
        env = AuditEnvironment(mode="train")
        env.reset(seed=2, task="easy")
        _open_gate(env, "easy")
        right = next(iter(_truth(env)))
        env.step(
            AuditAction(
                tool="flag_error", patient_id=right, error_type="invalid_age", confidence=0.9
            )
        )
        obs = env.step(
            AuditAction(
                tool="flag_error",
                patient_id=_valid_patient(env),
                error_type="invalid_age",
                confidence=confidence,
            )
        )
        scores.append(float(obs.reward or 0.0))
    assert scores[0] < scores[1] < 0


def test_results_report_calibration() -> None:
    env = AuditEnvironment()
    env.reset(seed=4, task="easy")
    _open_gate(env, "easy")
    right = next(iter(_truth(env)))
    env.step(
        AuditAction(tool="flag_error", patient_id=right, error_type="invalid_age", confidence=0.8)
    )
    env.step(
        AuditAction(
            tool="flag_error",
            patient_id=_valid_patient(env),
            error_type="invalid_age",
            confidence=0.6,
        )
    )
    env.step(AuditAction(tool="submit_report", report=""))
    result = env.episode_result()
    assert result.calibration == [[0.8, 1.0], [0.6, 0.0]]
    assert result.calibration_summary["brier"] == pytest.approx((0.04 + 0.36) / 2)


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (
            {"tool": "flag_error", "patient_id": "P9999", "error_type": "invalid_age"},
            "unknown patient_id",
        ),
        ({"tool": "flag_error", "patient_id": "P0001", "error_type": "typo"}, "unknown error_type"),
        ({"tool": "investigate_pattern", "variable": "shoe_size"}, "unknown variable"),
        (
            {"tool": "query_records", "filters": [{"field": "x", "op": "<", "value": 1}]},
            "unknown filter field",
        ),
        (
            {"tool": "query_records", "filters": [{"field": "age", "op": "<", "value": "old"}]},
            "not a number",
        ),
        ({"tool": "teleport"}, "invalid action"),
        ({"tool": "propose_fix", "patient_id": "P0001", "proposed_value": "50"}, "not flagged"),
    ],
)
def test_bad_actions_get_a_clear_error(action: dict[str, object], message: str) -> None:
    env = AuditEnvironment()
    env.reset(seed=1, task="easy")
    _open_gate(env, "easy")
    obs = env.step(action)  # type: ignore[arg-type]
    assert obs.error is not None and message in obs.error
    assert not obs.done


def test_step_before_reset_is_refused() -> None:
    obs = AuditEnvironment().step(AuditAction(tool="investigate_pattern", variable="age"))
    assert obs.error and "reset" in obs.error


def test_query_filters_pages_and_fields() -> None:
    env = AuditEnvironment()
    env.reset(seed=9, task="medium")
    protocol = env.episode.protocol  # type: ignore[union-attr]
    obs = env.step(
        AuditAction(
            tool="query_records",
            filters=[{"field": "age", "op": ">", "value": protocol.age_max}],  # type: ignore[list-item]
            fields=["age"],
            page_size=50,
        )
    )
    assert obs.result is not None
    rows = obs.result["rows"]
    assert rows and all(
        set(r) == {"patient_id", "age"} and r["age"] > protocol.age_max for r in rows
    )
    page2 = env.step(AuditAction(tool="query_records", page=2, page_size=7))
    assert page2.result is not None and page2.result["rows"][0]["patient_id"] == "P0008"


def test_stratified_distribution_by_stage_and_site() -> None:
    env = AuditEnvironment()
    env.reset(seed=9, task="hard")
    by_stage = env.step(
        AuditAction(tool="compute_distribution", variable="outcome", stratify_by="stage")
    )
    assert by_stage.result is not None and set(by_stage.result["strata"]) == {
        "I",
        "II",
        "III",
        "IV",
    }
    assert "mortality" in by_stage.result["strata"]["IV"]["control"]
    by_site = env.step(
        AuditAction(tool="compute_distribution", variable="ethnicity", stratify_by="treatment_site")
    )
    assert by_site.result is not None and len(by_site.result["strata"]) == 15


FIELDS = [
    "age",
    "stage",
    "death_date",
    "concomitant_medications",
    "histology_type",
    "treatment_site",
    "delay_days",
    "bmi",
]
ACTIONS = st.one_of(
    st.builds(
        lambda fields, size, page: AuditAction(
            tool="query_records", fields=fields or None, page_size=size, page=page
        ),
        st.lists(st.sampled_from(FIELDS), max_size=8),
        st.integers(1, 50),
        st.integers(1, 30),
    ),
    st.builds(
        lambda v: AuditAction(tool="investigate_pattern", variable=v),
        st.sampled_from([*FIELDS, "patient_id", "ethnicity"]),
    ),
    st.builds(
        lambda v, s: AuditAction(tool="compute_distribution", variable=v, stratify_by=s),
        st.sampled_from(["outcome", "ethnicity", "gender", "age", "concomitant_medications"]),
        st.sampled_from([None, "stage", "treatment_site", "country", "histology_type"]),
    ),
    st.builds(lambda r: AuditAction(tool="submit_report", report=r), st.text(max_size=3000)),
)


@settings(max_examples=60, deadline=None)
@given(action=ACTIONS, task=st.sampled_from(TASK_NAMES))
def test_no_observation_exceeds_8_kb(action: AuditAction, task: str) -> None:
    env = AuditEnvironment(mode="train")
    first = env.reset(seed=1, task=task)
    assert observation_bytes(first) <= MAX_OBSERVATION_BYTES
    obs = env.step(action)
    assert observation_bytes(obs) <= MAX_OBSERVATION_BYTES


def test_environment_metadata_and_concurrency_flag() -> None:
    assert AuditEnvironment.SUPPORTS_CONCURRENT_SESSIONS is True
    assert AuditEnvironment().get_metadata().name == "trialscope-audit"
    with pytest.raises(ValueError, match="mode"):
        AuditEnvironment(mode="play")  # type: ignore[arg-type]
