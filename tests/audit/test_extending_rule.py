"""docs/extending.md, "An audit rule": one rule declaration plus the task's error types."""

from __future__ import annotations

import dataclasses

import pytest

from trialscope.audit.difficulty import DIFFICULTIES
from trialscope.audit.generator import generate_episode
from trialscope.audit.models import AuditAction
from trialscope.audit.protocol import Protocol
from trialscope.audit.rules import PATIENT_RULES, PatientRule, Record
from trialscope.audit.server.environment import AuditEnvironment


def is_implausible_bmi(record: Record, protocol: Protocol) -> bool:
    """BMI recorded above 35."""
    return record.get("bmi") is not None and float(record["bmi"]) > 35


@pytest.fixture
def bmi_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    # Step 1: the rule's one declaration line. Step 2: the task that audits it.
    rule = PatientRule(
        "implausible_bmi",
        is_implausible_bmi,
        description="a bmi above 35 is an implausible_bmi error.",
    )
    monkeypatch.setitem(PATIENT_RULES, "implausible_bmi", rule)
    easy = DIFFICULTIES["easy"]
    monkeypatch.setitem(
        DIFFICULTIES,
        "easy",
        dataclasses.replace(easy, error_types=(*easy.error_types, "implausible_bmi")),
    )


@pytest.mark.usefixtures("bmi_rule")
def test_a_new_rule_labels_flags_and_scores() -> None:
    episode = generate_episode("easy", 3)
    breaking = [r["patient_id"] for r in episode.records if is_implausible_bmi(r, episode.protocol)]
    assert breaking
    new_labels = [pid for pid, etype in episode.labels.items() if etype == "implausible_bmi"]
    assert set(new_labels) <= set(breaking) and new_labels

    env = AuditEnvironment(mode="train")
    first = env.reset(task="easy", seed=3)
    assert "implausible_bmi: a bmi above 35" in first.text
    assert "implausible_bmi" in (first.result or {})["error_types"]
    env.step(AuditAction(tool="investigate_pattern", variable="age"))
    right = env.step(
        AuditAction(
            tool="flag_error", patient_id=new_labels[0], error_type="implausible_bmi", confidence=1
        )
    )
    assert right.error is None and right.feedback == "correct"
    for pid, etype in env.episode.labels.items() if env.episode else ():
        if pid != new_labels[0]:
            env.step(AuditAction(tool="flag_error", patient_id=pid, error_type=etype, confidence=1))
    env.step(AuditAction(tool="submit_report", report=""))
    result = env.episode_result()
    assert result.components["findings"] == 1.0 and not result.missed


def test_without_the_declaration_the_type_is_refused() -> None:
    env = AuditEnvironment(mode="train")
    env.reset(task="easy", seed=3)
    env.step(AuditAction(tool="investigate_pattern", variable="age"))
    refused = env.step(
        AuditAction(tool="flag_error", patient_id="P0001", error_type="implausible_bmi")
    )
    assert refused.error is not None and "unknown error_type 'implausible_bmi'" in refused.error
