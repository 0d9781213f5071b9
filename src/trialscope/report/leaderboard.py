"""The leaderboard: headline metric with CI per task and model, mean rank, usage, comparisons."""

from __future__ import annotations

import math
import statistics as stats
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import combinations, pairwise

from trialscope.report.benchmark_run import MEAN_SCORE, BenchmarkRun
from trialscope.report.statistics import (
    DEFAULT_RESAMPLES,
    MIN_BOOTSTRAP_N,
    PairedDifference,
    paired_comparison,
    score_interval,
    stream_rng,
)
from trialscope.report.task_names import task_order

_SAME = 1e-9  # a headline value and the per-sample statistic closer than this are the same
ALL_PAIRS_UP_TO = 8  # beyond this many models per task, only neighbours in the ranking are tested
_LOWER_IS_BETTER = ("mae", "error", "ece", "loss", "brier")
WARN_ERROR_SHARE = 0.1
"""A run with at least this share of failed requests or unparseable answers is flagged."""


def lower_is_better(metric: str) -> bool:
    """Metrics where a smaller value is the better one."""
    name = metric.lower()
    return any(token in name for token in _LOWER_IS_BETTER)


def format_metric(metric: str, value: float | None) -> str:
    """Fractions as percent with one decimal, other magnitudes as they are."""
    if value is None or not math.isfinite(value):
        return "–"
    if lower_is_better(metric) or abs(value) > 1.0:
        return f"{value:,.1f}"
    return f"{100.0 * value:.1f}"


@dataclass
class Cell:
    """One model's headline result on one task."""

    metric: str
    value: float | None
    ci: tuple[float, float] | None
    n_samples: int
    n_parse_errors: int
    n_errors: int
    rank: float | None = None
    tied_with_best: bool = False
    """Not the best, but not significantly worse than it (paired comparison)."""
    interval_method: str = ""
    """How `ci` was made: `exact`, `bootstrap`, or `too few` (no interval)."""
    n_total: int | None = None
    """Records in the split; set when the run answered fewer (a partial run)."""
    undefined_reason: str | None = None
    """Why the headline metric is undefined on this data (then `value` is None)."""

    @property
    def partial(self) -> bool:
        """A run on fewer samples than its split: shown, never ranked or highlighted."""
        return self.n_total is not None and self.n_samples < self.n_total

    @property
    def n_text(self) -> str:
        """`200`, or `2/200` for a partial run."""
        return f"{self.n_samples}/{self.n_total}" if self.partial else str(self.n_samples)

    @property
    def error_share(self) -> float:
        """The share of samples with a failed request or an unparseable answer."""
        failed = self.n_errors + self.n_parse_errors
        return failed / self.n_samples if self.n_samples else 0.0

    @property
    def many_errors(self) -> bool:
        """At least WARN_ERROR_SHARE of the samples failed."""
        return self.n_samples > 0 and self.error_share >= WARN_ERROR_SHARE


@dataclass
class LeaderboardRow:
    """One model across tasks."""

    model: str
    cells: dict[str, Cell]
    mean_rank: float | None = None
    tokens: int | None = None
    cost_usd: float | None = None
    median_latency_s: float | None = None


@dataclass
class Leaderboard:
    """Everything the tables and bar charts show."""

    tasks: list[str]
    rows: list[LeaderboardRow]
    comparisons: dict[str, list[PairedDifference]] = field(default_factory=dict)
    compared_on_headline: dict[str, bool] = field(default_factory=dict)
    """Per task: does the per-sample statistic the comparisons test equal every run's headline?"""
    dataset: str = ""
    """The title of the dataset every run on this board answered."""

    def rank_text(self, row: LeaderboardRow) -> str:
        """Mean rank, with how many tasks it covers when that is not all of them."""
        if row.mean_rank is None:
            return "–"
        text = f"{row.mean_rank:.2f}"
        ranked = sum(1 for cell in row.cells.values() if cell.rank is not None)
        if ranked < len(self.tasks):
            text += f" ({ranked}/{len(self.tasks)} tasks)"
        return text

    def task_n(self, task: str) -> int | None:
        """Samples the full (ranked) runs of a task answered; the largest when they differ."""
        sizes = [
            row.cells[task].n_samples
            for row in self.rows
            if task in row.cells and not row.cells[task].partial
        ]
        return max(sizes) if sizes else None

    def notes(self, label: Callable[[str], str]) -> list[str]:
        """Warnings a reader must see: partial runs, undefined metrics, runs with many errors."""
        notes: list[str] = []
        for row in self.rows:
            for task in self.tasks:
                cell = row.cells.get(task)
                if cell is None:
                    continue
                where = f"{row.model} on {label(task)}"
                if cell.partial:
                    notes.append(
                        f"{where} answered {cell.n_samples} of {cell.n_total} samples (partial): "
                        "shown, but not ranked or compared with full runs."
                    )
                if cell.undefined_reason:
                    notes.append(f"{where}: {cell.metric} is undefined: {cell.undefined_reason}.")
                if cell.many_errors:
                    notes.append(
                        f"{where}: {cell.n_errors + cell.n_parse_errors} of {cell.n_samples} "
                        f"samples failed ({cell.n_errors} request errors, {cell.n_parse_errors} "
                        f"unparseable answers, {100 * cell.error_share:.0f}%); they score as wrong."
                    )
        return notes

    def metric_of(self, task: str) -> str:
        """The headline metric shown for a task (the most common one among its runs)."""
        names = [row.cells[task].metric for row in self.rows if task in row.cells]
        return max(set(names), key=names.count) if names else MEAN_SCORE


def headline_is_sample_statistic(run: BenchmarkRun) -> bool:
    """Is the run's headline value the statistic of its per-sample scores (weights, strata)?"""
    value, statistic = run.headline_value, run.mean_score
    return value is not None and statistic is not None and abs(value - statistic) < _SAME


def _cell(run: BenchmarkRun, seed: int, resamples: int) -> Cell:
    metric, value = run.headline_metric, run.headline_value
    ci: tuple[float, float] | None = None
    method = ""
    if value is not None and headline_is_sample_statistic(run):
        # The interval of per-sample scores is the metric's interval only when the metric is
        # their statistic (plain, weighted or stratified mean).
        rng = stream_rng(seed, "ci", run.task, run.model)
        interval = score_interval(list(run.sample_scores.values()), rng, resamples)
        ci, method = interval.bounds, interval.method
        if method == "bootstrap" and metric in run.confidence_intervals:
            ci = run.confidence_intervals[metric]
    elif value is not None:
        if run.n_samples >= MIN_BOOTSTRAP_N:
            ci = run.confidence_intervals.get(metric)
            method = "bootstrap" if ci is not None else ""
        else:
            method = "too few"
    return Cell(
        metric=metric,
        value=value,
        ci=ci,
        n_samples=run.n_samples,
        n_parse_errors=run.counts.get("n_parse_errors", 0),
        n_errors=run.counts.get("n_errors", 0),
        interval_method=method,
        n_total=run.split_size if run.partial else None,
        undefined_reason=run.undefined.get(metric),
    )


def _assign_ranks(rows: list[LeaderboardRow], task: str) -> None:
    cells = [row.cells[task] for row in rows if task in row.cells]
    # A partial run answered other samples than the full runs: it is never ranked against them.
    valued = [c for c in cells if c.value is not None and not c.partial]
    for cell in valued:
        assert cell.value is not None
        sign = 1.0 if lower_is_better(cell.metric) else -1.0
        better = sum(sign * (o.value or 0.0) < sign * cell.value for o in valued)
        ties = sum(o.value == cell.value for o in valued) - 1
        cell.rank = 1.0 + better + ties / 2.0


def _usage(row: LeaderboardRow, runs: list[BenchmarkRun]) -> None:
    token_counts = [
        run.usage.get("prompt_tokens", 0.0) + run.usage.get("completion_tokens", 0.0)
        for run in runs
        if "prompt_tokens" in run.usage or "completion_tokens" in run.usage
    ]
    costs = [run.usage["cost_usd"] for run in runs if "cost_usd" in run.usage]
    row.tokens = int(sum(token_counts)) if token_counts else None
    row.cost_usd = sum(costs) if costs else None
    latencies = [s.latency_s for run in runs for s in run.samples if s.latency_s is not None]
    if not latencies:
        latencies = [run.usage["latency_p50_s"] for run in runs if "latency_p50_s" in run.usage]
    row.median_latency_s = stats.median(latencies) if latencies else None


def _comparisons(
    task: str, runs: list[BenchmarkRun], order: list[str], seed: int, resamples: int
) -> list[PairedDifference]:
    by_model = {run.model: run for run in runs}
    ranked = [m for m in order if m in by_model]
    if len(ranked) <= ALL_PAIRS_UP_TO:
        pairs = list(combinations(ranked, 2))
    else:
        # Neighbours in the ranking, plus the leader against everyone (for ties with the best).
        pairs = list(pairwise(ranked))
        pairs += [(ranked[0], m) for m in ranked[2:]]
    found: list[PairedDifference] = []
    scores = {model: run.sample_scores for model, run in by_model.items()}
    for a, b in pairs:
        scores_a, scores_b = scores[a], scores[b]
        rng = stream_rng(seed, "paired", task, a, b)
        result = paired_comparison(scores_a, scores_b, rng, names=(a, b), resamples=resamples)
        if result is not None:
            found.append(result)
    return found


def build_leaderboard(
    runs: list[BenchmarkRun],
    seed: int = 0,
    resamples: int = DEFAULT_RESAMPLES,
    dataset: str = "",
) -> Leaderboard:
    """Rows sorted by mean rank; comparisons between models per task by paired bootstrap."""
    tasks = sorted({run.task for run in runs}, key=task_order)
    models = sorted({run.model for run in runs})
    rows = [
        LeaderboardRow(model, {r.task: _cell(r, seed, resamples) for r in runs if r.model == model})
        for model in models
    ]
    for task in tasks:
        _assign_ranks(rows, task)
    for row in rows:
        ranks = [c.rank for c in row.cells.values() if c.rank is not None]
        row.mean_rank = sum(ranks) / len(ranks) if ranks else None
        _usage(row, [run for run in runs if run.model == row.model])
    # A model run on fewer tasks cannot lead on a mean over the tasks it happened to run.
    rows.sort(
        key=lambda r: (
            -len(r.cells),
            r.mean_rank if r.mean_rank is not None else math.inf,
            r.model,
        )
    )
    board = Leaderboard(tasks=tasks, rows=rows, dataset=dataset)
    for task in tasks:
        in_task = [r for r in rows if task in r.cells and r.cells[task].rank is not None]
        in_task.sort(key=lambda r: r.cells[task].rank or math.inf)
        ranked_models = {r.model for r in in_task}
        task_runs = [run for run in runs if run.task == task and run.model in ranked_models]
        order = [r.model for r in in_task]
        board.comparisons[task] = _comparisons(task, task_runs, order, seed, resamples)
        board.compared_on_headline[task] = all(headline_is_sample_statistic(r) for r in task_runs)
        _mark_ties_with_best(in_task, task, board.comparisons[task])
    return board


def _mark_ties_with_best(
    ranked_rows: list[LeaderboardRow], task: str, diffs: list[PairedDifference]
) -> None:
    if not ranked_rows or ranked_rows[0].cells[task].rank is None:
        return
    best_rank = ranked_rows[0].cells[task].rank
    leaders = {r.model for r in ranked_rows if r.cells[task].rank == best_rank}
    tied = {
        other
        for d in diffs
        if not d.significant
        for leader, other in ((d.model_a, d.model_b), (d.model_b, d.model_a))
        if leader in leaders and other not in leaders
    }
    for row in ranked_rows:
        row.cells[task].tied_with_best = row.model in tied
