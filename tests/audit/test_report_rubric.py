"""Report rubric: findings must cite patients and rules; keywords alone score near zero."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from trialscope.audit.generator import generate_episode
from trialscope.audit.report_rubric import grade_report
from trialscope.audit.rules import BIAS_TARGET, bias_evidence

KEYWORDS = (
    "protocol root cause risk corrective action fairness selection bias stratified adjusted "
    "temporal inconsistency invalid age window violation comorbidity Stage IV"
)


def _truth_report(
    task: str, seed: int, gap_shift: float = 0.0, bias_claim: bool | None = None
) -> tuple[str, float]:
    episode = generate_episode(task, seed)
    p = episode.protocol
    lines = [
        f"Ages {p.age_min}-{p.age_max}; window {p.window_days} days, "
        f"Stage IV {p.window_days + p.stage_iv_extension_days}."
    ]
    if p.comorbidity_threshold is not None:
        lines.append(f"Extension revoked above comorbidity {p.comorbidity_threshold}.")
    names = {
        "invalid_age": "age outside the eligible range",
        "temporal_inconsistency": "death before treatment start",
        "protocol_window_violation": "treatment window exceeded",
    }
    for pid, etype in episode.labels.items():
        if pid != BIAS_TARGET:
            lines.append(f"{pid}: {names[etype]}.")
    evidence = bias_evidence(episode.records)
    if task == "hard":
        present = BIAS_TARGET in episode.labels if bias_claim is None else bias_claim
        gap = evidence.stage_adjusted_mortality_gap + gap_shift
        lines.append(
            f"Selection bias present; the stage-stratified mortality gap is {gap:.3f}."
            if present
            else f"No selection bias: the stage-stratified mortality gap is only {gap:.3f}."
        )
    grade = grade_report("\n".join(lines), episode.labels, p, evidence if task == "hard" else None)
    return "\n".join(lines), grade.score


def test_a_complete_truthful_report_scores_full_marks() -> None:
    for task in ("easy", "medium", "hard"):
        for seed in range(5):
            _, score = _truth_report(task, seed)
            assert score == 1.0, (task, seed)


def test_keywords_alone_score_near_zero() -> None:
    for task in ("easy", "medium", "hard"):
        for seed in range(10):
            episode = generate_episode(task, seed)
            evidence = bias_evidence(episode.records)
            grade = grade_report(KEYWORDS, episode.labels, episode.protocol, evidence)
            assert grade.score <= 0.1, (task, seed, grade)


def test_bias_needs_the_right_conclusion_and_the_stratified_figure() -> None:
    seed = next(
        s for s in range(50) if generate_episode("hard", s).bias_mode == "confounded_no_bias"
    )
    _, right = _truth_report("hard", seed)
    _, wrong_number = _truth_report("hard", seed, gap_shift=0.2)
    _, wrong_claim = _truth_report("hard", seed, bias_claim=True)
    assert right == 1.0
    assert wrong_claim < wrong_number < right


def test_wrong_citations_cost_credit() -> None:
    episode = generate_episode("easy", 3)
    good = next(iter(episode.labels))
    valid = [r["patient_id"] for r in episode.records if r["patient_id"] not in episode.labels][:20]
    one = grade_report(f"{good}: invalid age.", episode.labels, episode.protocol, None)
    spam = grade_report(
        f"{good}: invalid age.\n" + "\n".join(f"{v}: invalid age." for v in valid),
        episode.labels,
        episode.protocol,
        None,
    )
    assert spam.parts["citations"] < one.parts["citations"]


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=2000))
def test_any_text_grades_in_range(report: str) -> None:
    episode = generate_episode("hard", 0)
    grade = grade_report(report, episode.labels, episode.protocol, bias_evidence(episode.records))
    assert 0.0 <= grade.score <= 1.0
