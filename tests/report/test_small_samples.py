"""A 2-sample run next to full runs: shown n/N, never best, never ranked or compared; paired
comparisons of few shared samples give no verdict they cannot support."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from trialscope.report.benchmark_run import BenchmarkRun
from trialscope.report.datasets import DataIdentity
from trialscope.report.leaderboard import build_leaderboard
from trialscope.report.markdown_report import render_markdown
from trialscope.report.sample_fields import SampleRecord
from trialscope.report.statistics import MIN_BOOTSTRAP_N, paired_comparison

DATA = DataIdentity("/data/bench", "bench", "test", "f" * 64, 200, "s" * 64)


def _run(model: str, scores: list[float], data: DataIdentity | None = DATA) -> BenchmarkRun:
    samples = [SampleRecord(f"s{i}", s, "ok", "p", "r", "a", "g") for i, s in enumerate(scores)]
    return BenchmarkRun(
        task="trial_completion",
        model=model,
        timestamp="20261121_000000",
        folder=Path(model),
        layout="trialscope",
        metrics={"accuracy": float(np.mean(scores))},
        confidence_intervals={},
        headline=["accuracy"],
        samples=samples,
        counts={"n_samples": len(scores)},
        data=data,
    )


def test_two_sample_run_is_partial_never_best_and_never_compared() -> None:
    rng = np.random.default_rng(3)
    full_a = list((rng.random(200) < 0.6).astype(float))
    full_b = list((rng.random(200) < 0.5).astype(float))
    runs = [_run("a/full", full_a), _run("b/full", full_b), _run("local/tiny", [1.0, 1.0])]
    board = build_leaderboard(runs, resamples=300, dataset="bench · test split")
    tiny = next(row for row in board.rows if row.model == "local/tiny")
    cell = tiny.cells["trial_completion"]
    assert cell.value == 1.0 and cell.partial and cell.n_text == "2/200"
    assert cell.rank is None and tiny.mean_rank is None
    assert cell.interval_method == "exact" and cell.ci is not None and cell.ci[0] < 0.2
    ranked = sorted(r.cells["trial_completion"].rank or 0 for r in board.rows if r is not tiny)
    assert ranked == [1.0, 2.0]
    assert all(
        "local/tiny" not in (d.model_a, d.model_b) for d in board.comparisons["trial_completion"]
    )
    markdown = render_markdown([board], [], None, 0, 300)
    [line] = [x for x in markdown.splitlines() if x.startswith("| local/tiny |")]
    assert "**" not in line and "(n=2/200, partial)" in line
    assert "answered 2 of 200 samples (partial)" in markdown


def test_exact_mcnemar_on_two_shared_samples_is_never_significant() -> None:
    a = {"s0": 1.0, "s1": 1.0}
    b = {"s0": 0.0, "s1": 0.0}
    diff = paired_comparison(a, b, np.random.default_rng(0))
    assert diff is not None and diff.method == "exact McNemar"
    assert diff.p_value == pytest.approx(0.5) and not diff.significant
    assert diff.ci is None  # too few shared samples for a bootstrap interval


def test_exact_mcnemar_finds_a_real_difference() -> None:
    a = {f"s{i}": 1.0 for i in range(40)}
    b = {f"s{i}": 1.0 if i < 25 else 0.0 for i in range(40)}
    diff = paired_comparison(a, b, np.random.default_rng(0))
    assert diff is not None and diff.significant and diff.p_value is not None
    assert diff.p_value == pytest.approx(2 * 0.5**15)


def test_non_binary_scores_need_enough_shared_samples() -> None:
    few = MIN_BOOTSTRAP_N - 1
    a = {f"s{i}": 0.9 for i in range(few)}
    b = {f"s{i}": 0.1 for i in range(few)}
    diff = paired_comparison(a, b, np.random.default_rng(0))
    assert diff is not None and diff.method == "too few" and not diff.significant
    enough = {f"s{i}": 0.9 for i in range(MIN_BOOTSTRAP_N)}
    other = {f"s{i}": 0.1 for i in range(MIN_BOOTSTRAP_N)}
    diff = paired_comparison(enough, other, np.random.default_rng(0))
    assert diff is not None and diff.method == "bootstrap" and diff.significant


def test_unknown_data_is_its_own_group_never_merged() -> None:
    from trialscope.report.datasets import UNKNOWN_DATA, group_by_dataset

    other = DataIdentity("/data/other", "other", "test", "e" * 64, 200, "s" * 64)
    runs = [_run("a/x", [1.0] * 40), _run("a/x", [0.0] * 40, other), _run("a/x", [1.0], None)]
    groups = group_by_dataset(runs)
    assert [g.name for g in groups] == ["bench", "other", UNKNOWN_DATA]
    assert all(len(g.runs) == 1 for g in groups)
    assert groups[-1].title.startswith("unknown data")


def test_a_run_with_many_failed_samples_is_flagged_in_the_report() -> None:
    flaky = _run("a/flaky", [1.0] * 150 + [0.0] * 50)
    flaky.counts.update(n_errors=40, n_parse_errors=5)
    steady = _run("b/steady", [1.0] * 120 + [0.0] * 80)
    board = build_leaderboard([flaky, steady], resamples=200, dataset="bench · test split")
    notes = board.notes(str)
    assert any(
        "a/flaky on trial_completion: 45 of 200 samples failed (40 request errors, 5 "
        "unparseable answers, 22%)" in note
        for note in notes
    ), notes
    assert not any("b/steady" in note for note in notes)
    markdown = render_markdown([board], [], None, 0, 200)
    line = next(x for x in markdown.splitlines() if x.startswith("| a/flaky |"))
    assert "⚠" in line
