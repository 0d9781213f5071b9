"""What `trialscope run` and `trialscope demo` print at the end: tables that fit 80 columns,
failure reasons, and the exit code a run's outcome maps to."""

from __future__ import annotations

import math
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from trialscope.engine.task_run import RunSummary
from trialscope.errors import ExitCode
from trialscope.report.leaderboard import WARN_ERROR_SHARE, Leaderboard, lower_is_better
from trialscope.report.task_names import task_short_label

PARTIAL_NOTE = "* partial: answered n of the split's N samples; never ranked against full runs"


def _value(metric: str, value: Any) -> str:
    if value is None:
        return "undefined"
    if isinstance(value, float) and math.isfinite(value):
        if lower_is_better(metric) or abs(value) > 1.0:
            return f"{value:,.1f}"
        return f"{100 * value:.1f}%"
    return str(value)


def _n_text(summary: RunSummary) -> str:
    size = summary.split_size
    if size is not None and summary.n_samples < size:
        return f"{summary.n_samples}/{size}*"
    return str(summary.n_samples)


def summary_table(summaries: list[RunSummary], width: int = 80) -> Table:
    """One row per task and model: n, failures, headline metrics, cost (when any); fits 80
    columns with task names whole."""
    priced = any(s.usage.get("cost_usd", 0.0) for s in summaries)
    # The headline column is wide enough that no metric name is split; the model column folds.
    headline_width = min(38, max((len(n) for s in summaries for n in s.headline), default=8))
    task_width = max((len(task_short_label(s.task)) for s in summaries), default=4)
    n_width = max((len(_n_text(s)) for s in summaries), default=1)
    columns = 7 if priced else 6
    # a SIMPLE_HEAD table spends 3 characters per column on padding and dividers, plus an edge
    fixed = task_width + n_width + 5 + 3 + headline_width + (6 if priced else 0) + 3 * columns + 1
    table = Table(title="trialscope run", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("task", no_wrap=True)
    table.add_column("model", overflow="fold", max_width=max(8, width - fixed))
    # too narrow even so: the headline folds (never a task name)
    headline_width = min(headline_width, headline_width + width - fixed - 8)
    table.add_column("n", justify="right", no_wrap=True)
    table.add_column("parse\nerr", justify="right")
    table.add_column("err", justify="right")
    table.add_column("headline", overflow="fold", min_width=headline_width)
    if priced:
        table.add_column("cost $", justify="right")
    for summary in summaries:
        headline = "\n".join(
            f"{name}\n  {_value(name, summary.metrics.get(name))}" for name in summary.headline
        )
        table.add_row(
            task_short_label(summary.task),
            summary.model,
            _n_text(summary),
            str(summary.n_parse_errors),
            str(summary.n_errors),
            headline,
            *([f"{summary.usage.get('cost_usd', 0.0):.4f}"] if priced else []),
        )
    if any("*" in _n_text(s) for s in summaries):
        table.caption = PARTIAL_NOTE
    return table


def failure_lines(summaries: list[RunSummary]) -> list[str]:
    """Warnings after the table: undefined metrics, runs whose samples failed, and why."""
    lines: list[str] = []
    for s in summaries:
        where = f"{s.task} · {s.model}"
        for name, reason in s.undefined_metrics.items():
            lines.append(f"{where}: {name} is undefined: {reason}")
        failed = s.n_errors + s.n_parse_errors
        if s.n_samples and (s.n_errors == s.n_samples or failed / s.n_samples >= WARN_ERROR_SHARE):
            every = "every sample failed" if s.n_errors == s.n_samples else "many samples failed"
            lines.append(
                f"{where}: {every}: {s.n_errors} request errors, {s.n_parse_errors} unparseable "
                f"answers of {s.n_samples} ({100 * failed / s.n_samples:.0f}%); they score as "
                "wrong. Most common reasons:"
            )
            lines += [f"  {count} x {reason}" for reason, count in s.error_reasons]
    return lines


def exit_code(summaries: list[RunSummary]) -> ExitCode:
    """ALL_FAILED when every sample of every run failed, SOME_FAILED when every sample of some
    run failed, OK otherwise (a run with some failures warns but succeeds)."""
    all_failed = [s.n_samples > 0 and s.n_errors == s.n_samples for s in summaries]
    if all_failed and all(all_failed):
        return ExitCode.ALL_FAILED
    return ExitCode.SOME_FAILED if any(all_failed) else ExitCode.OK


def print_summaries(summaries: list[RunSummary], out: Console, err: Console) -> ExitCode:
    """The table and each run folder on stdout, warnings on stderr; returns the exit code."""
    out.print(summary_table(summaries, out.width))
    for s in summaries:
        out.print(f"{s.task} · {s.model}: {s.run_dir}", highlight=False, soft_wrap=True)
    for line in failure_lines(summaries):
        err.print(f"[yellow]warning:[/] {escape(line)}", highlight=False, soft_wrap=True)
    return exit_code(summaries)


def benchmark_table(board: Leaderboard) -> Table:
    """Headline metric per task (rows) and model (columns), with n: fits 80 columns for a few
    models, and never cuts a task's short label."""
    title = "Benchmark: headline metric per task, % (CIs in the HTML report)"
    if board.dataset:
        title += f"\n{board.dataset}"
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("task", no_wrap=True)
    table.add_column("n", justify="right", no_wrap=True)
    for row in board.rows:
        table.add_column(row.model.removeprefix("baseline/"), justify="right", overflow="fold")
    partial = False
    for task in board.tasks:
        values = []
        for row in board.rows:
            cell = row.cells.get(task)
            if cell is None:
                values.append("-")
            elif cell.undefined_reason:
                values.append("undef")
            elif cell.value is None:
                values.append("-")
            else:
                text = _value(cell.metric, cell.value).removesuffix("%")
                if cell.partial:
                    text += f" {cell.n_text}*"
                    partial = True
                values.append(text)
        n = board.task_n(task)
        table.add_row(task_short_label(task), "-" if n is None else str(n), *values)
    ranks = ["-" if row.mean_rank is None else f"{row.mean_rank:.2f}" for row in board.rows]
    table.add_row("rank", "", *ranks, end_section=True)
    if partial:
        table.caption = PARTIAL_NOTE
    return table
