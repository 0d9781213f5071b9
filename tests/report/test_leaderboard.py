"""Ranks, intervals, usage and comparisons on the leaderboard."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tests.report.run_factory import write_benchmark_tree, write_original_qa_run

from trialscope.report.benchmark_run import BenchmarkRun
from trialscope.report.leaderboard import build_leaderboard, format_metric, lower_is_better
from trialscope.report.markdown_report import render_markdown
from trialscope.report.run_folders import collect_runs
from trialscope.report.sample_fields import SampleRecord


def _run(task: str, model: str, metrics: dict[str, float], scores: list[float]) -> BenchmarkRun:
    samples = [SampleRecord(f"s{i}", s, "ok", "p", "r", "a", "g") for i, s in enumerate(scores)]
    return BenchmarkRun(
        task=task,
        model=model,
        timestamp="20261121_000000",
        folder=Path("."),
        layout="trialscope",
        metrics=metrics,
        confidence_intervals={},
        headline=list(metrics),
        samples=samples,
    )


def test_rows_rank_by_mean_rank_and_best_model_leads(tmp_path: Path) -> None:
    write_benchmark_tree(
        tmp_path,
        [("a/strong", 0.9), ("b/weak", 0.2), ("c/mid", 0.55)],
        n=80,
        tasks=("arm_design", "endpoint_design"),
    )
    board = build_leaderboard(collect_runs([tmp_path]).benchmark, seed=0, resamples=300)
    assert [row.model for row in board.rows] == ["a/strong", "c/mid", "b/weak"]
    assert [row.mean_rank for row in board.rows] == [1.0, 2.0, 3.0]
    strong = board.rows[0]
    assert strong.tokens == 2 * 80 * 220 and strong.cost_usd == pytest.approx(2 * 80 * 0.0001)
    assert strong.median_latency_s is not None and 0.5 <= strong.median_latency_s <= 1.5
    assert len(board.comparisons["arm_design"]) == 3
    first = board.comparisons["arm_design"][0]
    assert (first.model_a, first.model_b) == ("a/strong", "c/mid") and first.significant
    assert not any(c.tied_with_best for row in board.rows for c in row.cells.values())


def test_close_runner_up_is_marked_as_tied_with_the_best() -> None:
    leader = [1.0] * 60 + [0.0] * 40
    close = [1.0] * 57 + [0.0] * 43
    far = [1.0] * 10 + [0.0] * 90
    runs = [
        _run("arm_design", name, {"accuracy": sum(s) / len(s)}, s)
        for name, s in (("a/x", leader), ("b/y", close), ("c/z", far))
    ]
    board = build_leaderboard(runs, resamples=500)
    cells = {row.model: row.cells["arm_design"] for row in board.rows}
    assert cells["a/x"].rank == 1.0 and not cells["a/x"].tied_with_best
    assert cells["b/y"].tied_with_best
    assert not cells["c/z"].tied_with_best


def test_model_run_on_fewer_tasks_is_listed_after_full_rows(tmp_path: Path) -> None:
    write_benchmark_tree(
        tmp_path, [("a/x", 0.5), ("b/y", 0.4)], n=30, tasks=("arm_design", "endpoint_design")
    )
    write_original_qa_run(tmp_path, "arm_design", "old-model", 0.99, n=30)
    board = build_leaderboard(collect_runs([tmp_path]).benchmark, resamples=200)
    assert board.rows[-1].model == "old-model"
    assert board.rows[-1].mean_rank == 1.0
    assert board.rank_text(board.rows[-1]) == "1.00 (1/2 tasks)"


def test_interval_comes_from_bootstrap_only_when_metric_is_the_mean_score() -> None:
    scores = [1.0, 0.0] * 20
    mean_metric = _run("arm_design", "m/a", {"accuracy": 0.5}, scores)
    other_metric = _run("endpoint_design", "m/a", {"macro_f1": 0.31}, scores)
    board = build_leaderboard([mean_metric, other_metric], resamples=300)
    cells = board.rows[0].cells
    assert cells["arm_design"].ci is not None
    lo, hi = cells["arm_design"].ci
    assert lo < 0.5 < hi
    assert cells["endpoint_design"].ci is None


def test_lower_is_better_metrics_rank_ascending() -> None:
    runs = [
        _run("sample_size_estimation", "m/good", {"mae": 120.0}, [1.0, 0.0]),
        _run("sample_size_estimation", "m/bad", {"mae": 900.0}, [1.0, 0.0]),
    ]
    board = build_leaderboard(runs, resamples=200)
    ranks = {row.model: row.cells["sample_size_estimation"].rank for row in board.rows}
    assert ranks == {"m/good": 1.0, "m/bad": 2.0}


def test_ties_share_the_average_rank() -> None:
    runs = [_run("arm_design", f"m/{n}", {"accuracy": 0.5}, [0.5, 0.5]) for n in "ab"]
    board = build_leaderboard(runs, resamples=200)
    assert [row.mean_rank for row in board.rows] == [1.5, 1.5]


def test_metric_formatting() -> None:
    assert lower_is_better("mae") and lower_is_better("ece") and not lower_is_better("accuracy")
    assert format_metric("accuracy", 0.6123) == "61.2"
    assert format_metric("mae", 411.43) == "411.4"
    assert format_metric("recall@100", None) == "–"


def _stratified_run(
    model: str, correct: list[float], truth: list[str], headline: float | None
) -> BenchmarkRun:
    run = _run("trial_completion", model, {}, correct)
    for sample, label in zip(run.samples, truth, strict=True):
        sample.stratum = label
    statistic = run.mean_score
    assert statistic is not None
    run.metrics = {"balanced_accuracy_outcome": statistic if headline is None else headline}
    run.headline = ["balanced_accuracy_outcome"]
    return run


def test_comparisons_test_the_headline_statistic_and_agree_with_the_ranking() -> None:
    truth = ["complete" if i % 10 < 7 else "terminate" for i in range(600)]
    majority = [float(t == "complete") for t in truth]  # accuracy 70%, balanced 50%
    rng = np.random.default_rng(0)
    lexical = [float(rng.random() < 0.62) for _ in truth]  # about 62% in both
    runs = [
        _stratified_run("baseline/majority", majority, truth, None),
        _stratified_run("baseline/lexical", lexical, truth, None),
    ]
    board = build_leaderboard(runs, resamples=500)
    cells = {row.model: row.cells["trial_completion"] for row in board.rows}
    assert cells["baseline/majority"].value == pytest.approx(0.5)
    assert cells["baseline/lexical"].rank == 1.0
    low, high = cells["baseline/majority"].ci or (1.0, 0.0)
    # always right on one stratum, always wrong on the other: 0.5 in every resample (the plain
    # mean's interval would be around 0.7)
    assert (low, high) == (0.5, 0.5)
    assert cells["baseline/lexical"].ci is not None
    (diff,) = board.comparisons["trial_completion"]
    assert (diff.model_a, diff.model_b) == ("baseline/lexical", "baseline/majority")
    assert diff.difference > 0 and diff.significant
    assert board.compared_on_headline["trial_completion"]
    markdown = render_markdown([board], [], None, 0, 500)
    assert "not every run's headline" not in markdown


def test_comparisons_say_when_they_are_not_on_the_headline() -> None:
    truth = ["complete", "terminate"] * 30
    runs = [
        _stratified_run("m/a", [1.0, 0.0] * 30, truth, 0.9),
        _stratified_run("m/b", [0.0, 1.0] * 30, truth, None),
    ]
    board = build_leaderboard(runs, resamples=200)
    assert not board.compared_on_headline["trial_completion"]
    cells = {row.model: row.cells["trial_completion"] for row in board.rows}
    assert cells["m/a"].ci is None and cells["m/b"].ci is not None
    assert "not every run's headline" in render_markdown([board], [], None, 0, 200)
