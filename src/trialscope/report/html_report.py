"""Assemble the self-contained HTML report from the leaderboard, charts and sample data."""

from __future__ import annotations

from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup

from trialscope import __version__
from trialscope.report.audit_run import AuditRun, audit_task_order, component_order
from trialscope.report.benchmark_run import BenchmarkRun
from trialscope.report.leaderboard import Leaderboard, format_metric, lower_is_better
from trialscope.report.markdown_report import (
    COMPARISON_TEXT,
    INTERVAL_TEXT,
    OFF_HEADLINE_NOTE,
    difference_text,
    usage_texts,
    verdict_text,
)
from trialscope.report.paper import PaperFigures
from trialscope.report.sample_browser import browser_data, embed_json
from trialscope.report.statistics import reliability_bins
from trialscope.report.svg_charts import (
    Bar,
    ReliabilitySeries,
    bar_chart,
    grouped_columns,
    reliability_chart,
)
from trialscope.report.task_names import is_calibrated, task_label


def _asset(name: str) -> str:
    return resources.files("trialscope.report").joinpath("templates", name).read_text("utf-8")


def _is_fraction(metric: str, values: list[float]) -> bool:
    return not lower_is_better(metric) and all(0.0 <= v <= 1.0 for v in values)


def _leaderboard_view(board: Leaderboard) -> list[dict[str, Any]]:
    best: dict[str, float] = {}
    for task in board.tasks:
        ranks = [r.cells[task].rank for r in board.rows if task in r.cells]
        best[task] = min((x for x in ranks if x is not None), default=0.0)
    rows = []
    for index, row in enumerate(board.rows):
        cells = []
        for task in board.tasks:
            cell = row.cells.get(task)
            if cell is None or (cell.value is None and not cell.undefined_reason):
                cells.append(
                    {
                        "value": "–",
                        "ci": "",
                        "best": False,
                        "tied": False,
                        "tip": "not run",
                        "flag": 0,
                        "partial": "",
                        "many_errors": False,
                    }
                )
                continue
            ci = ""
            if cell.ci is not None:
                lo, hi = cell.ci
                ci = f"{format_metric(cell.metric, lo)}–{format_metric(cell.metric, hi)}"
            elif cell.interval_method == "too few":
                ci = "too few"
            tip = (
                f"{cell.metric}: n={cell.n_text}, parse errors {cell.n_parse_errors}, "
                f"errors {cell.n_errors}"
                + (f"; interval: {cell.interval_method}" if cell.interval_method else "")
                + (f"; undefined: {cell.undefined_reason}" if cell.undefined_reason else "")
            )
            cells.append(
                {
                    "value": "undefined"
                    if cell.undefined_reason
                    else format_metric(cell.metric, cell.value),
                    "ci": ci,
                    "best": cell.rank is not None and cell.rank == best[task],
                    "tied": cell.tied_with_best,
                    "tip": tip,
                    "flag": cell.n_parse_errors + cell.n_errors,
                    "partial": f"n={cell.n_text} partial" if cell.partial else "",
                    "many_errors": cell.many_errors,
                }
            )
        rows.append(
            {
                "model": row.model,
                "series": index % 8,
                "cells": cells,
                "rank": f"{row.mean_rank:.2f}" if row.mean_rank is not None else "–",
                "rank_note": (
                    f"{ranked} of {len(board.tasks)} tasks"
                    if row.mean_rank is not None
                    and (ranked := sum(c.rank is not None for c in row.cells.values()))
                    < len(board.tasks)
                    else ""
                ),
                "usage": usage_texts(row.tokens, row.cost_usd, row.median_latency_s),
            }
        )
    return rows


def _bar_charts(board: Leaderboard, series: dict[str, int]) -> list[dict[str, Any]]:
    """One bar chart per task; partial runs keep their bar, labelled partial."""
    charts = []
    for task in board.tasks:
        metric = board.metric_of(task)
        bars = [
            Bar(
                row.model + (f" (partial, n={c.n_text})" if c.partial else ""),
                series[row.model],
                c.value,
                c.ci,
                note=c.metric,
            )
            for row in board.rows
            if (c := row.cells.get(task)) is not None and c.value is not None
        ]
        values = [b.value for b in bars] + [v for b in bars if b.ci for v in b.ci]
        percent = _is_fraction(metric, values)
        title = f"{task_label(task)}: {metric}"
        charts.append(
            {
                "title": task_label(task),
                "metric": metric,
                "svg": Markup(bar_chart(title, bars, percent)),
            }
        )
    return charts


def _calibration_charts(runs: list[BenchmarkRun], series: dict[str, int]) -> list[dict[str, Any]]:
    charts = []
    for task in sorted({r.task for r in runs if is_calibrated(r.task)}):
        curves = []
        for run in sorted((r for r in runs if r.task == task), key=lambda r: series[r.model]):
            pairs = [pair for s in run.samples for pair in s.calibration]
            if pairs:
                bins, ece = reliability_bins(pairs)
                curves.append(ReliabilitySeries(run.model, series[run.model], bins, ece))
        if curves:
            title = f"{task_label(task)}: reliability"
            svg = Markup(reliability_chart(title, curves))
            charts.append({"title": task_label(task), "svg": svg})
    return charts


def _comparisons_view(board: Leaderboard) -> list[dict[str, Any]]:
    groups = []
    for task in board.tasks:
        diffs = board.comparisons.get(task, [])
        if not diffs:
            continue
        ends = [abs(x) for d in diffs for x in (*(d.ci or ()), d.difference)]
        span = max(ends, default=1.0) or 1.0
        items = []
        for d in diffs:
            value, interval = difference_text(d)
            lo, hi = d.ci if d.ci is not None else (d.difference, d.difference)
            items.append(
                {
                    "a": d.model_a,
                    "b": d.model_b,
                    "n": d.n,
                    "value": value,
                    "interval": interval,
                    "verdict": verdict_text(d),
                    "significant": d.significant,
                    # Positions on a shared axis [-span, span] mapped to 0..100 percent.
                    "lo": 50 + 50 * lo / span,
                    "hi": 50 + 50 * hi / span,
                    "mid": 50 + 50 * d.difference / span,
                }
            )
        groups.append(
            {
                "task": task_label(task),
                "items": items,
                "span": f"{100 * span:.1f}",
                "note": "" if board.compared_on_headline.get(task, True) else OFF_HEADLINE_NOTE,
            }
        )
    return groups


def _audit_view(runs: list[AuditRun]) -> dict[str, Any]:
    agents = sorted(runs, key=lambda r: r.agent)
    series = {run.agent: i for i, run in enumerate(agents)}
    tasks = sorted({task for run in agents for task in run.tasks}, key=audit_task_order)
    charts = []
    for task in tasks:
        bars = []
        for run in agents:
            summary = run.tasks.get(task)
            if summary is None:
                continue
            dots = tuple(e.score for e in run.episodes if e.task == task)
            bars.append(
                Bar(
                    run.agent,
                    series[run.agent],
                    summary.mean,
                    summary.ci95,
                    dots,
                    note=f"n={summary.n}",
                )
            )
        components = sorted(
            {c for run in agents if task in run.tasks for c in run.tasks[task].components},
            key=component_order,
        )
        component_series = [
            (run.agent, series[run.agent], run.tasks[task].components)
            for run in agents
            if task in run.tasks
        ]
        charts.append(
            {
                "task": task,
                "scores": Markup(bar_chart(f"{task}: episode score", bars, False, upper=1.0)),
                "components": Markup(
                    grouped_columns(f"{task}: score components", components, component_series)
                )
                if components
                else None,
            }
        )
    legend = [
        {"agent": run.agent, "series": series[run.agent] % 8, "model": run.model} for run in agents
    ]
    return {"charts": charts, "legend": legend}


def _paper_rows(paper: PaperFigures | None, tasks: list[str]) -> list[dict[str, Any]]:
    """The paper's first (headline) figure per task, as leaderboard rows for reference."""
    if paper is None or not any(task in paper.tasks for task in tasks):
        return []
    rows = []
    for model in paper.models:
        cells = []
        for task in tasks:
            metrics = paper.tasks.get(task, {})
            first = next(iter(metrics), None)
            value = metrics[first].get(model) if first else None
            cells.append({"value": f"{value:.1f}" if value is not None else "–", "metric": first})
        rows.append({"model": f"{model} (paper)", "cells": cells})
    return rows


def _paper_view(paper: PaperFigures | None, tasks: list[str]) -> list[dict[str, Any]]:
    if paper is None:
        return []
    view = []
    for task in tasks:
        metrics = paper.tasks.get(task)
        if metrics:
            rows = [
                {"model": m, "values": [f"{metrics[k].get(m, float('nan')):.1f}" for k in metrics]}
                for m in paper.models
            ]
            view.append({"task": task_label(task), "metrics": list(metrics), "rows": rows})
    return view


def _dataset_view(
    index: int, board: Leaderboard, runs: list[BenchmarkRun], series: dict[str, int]
) -> dict[str, Any]:
    return {
        "index": index,
        "title": board.dataset or "unnamed data",
        "tasks": [
            {"label": task_label(t), "metric": board.metric_of(t), "n": board.task_n(t) or "–"}
            for t in board.tasks
        ],
        "leaderboard": _leaderboard_view(board),
        "notes": board.notes(task_label),
        "bar_charts": _bar_charts(board, series),
        "calibration": _calibration_charts(runs, series),
        "comparisons": _comparisons_view(board),
        "paper_rows": [],
    }


def render_html(
    boards: list[tuple[Leaderboard, list[BenchmarkRun]]],
    audit_runs: list[AuditRun],
    paper: PaperFigures | None,
    seed: int,
    resamples: int,
    generated_at: str,
) -> str:
    """The complete `report.html` text: one leaderboard, chart and comparison block per dataset
    (each board with the runs it was built from)."""
    models = list(dict.fromkeys(row.model for board, _ in boards for row in board.rows))
    series = {model: i for i, model in enumerate(models)}
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = environment.from_string(_asset("report.html"))
    benchmark_runs = [run for _, runs in boards for run in runs]
    several = len(boards) > 1
    data = browser_data(
        [(board.dataset if several else "", runs) for board, runs in boards], models
    )
    datasets = [
        _dataset_view(i, board, runs, series)
        for i, (board, runs) in enumerate(boards, start=1)
        if board.rows
    ]
    all_tasks = list(dict.fromkeys(t for board, _ in boards for t in board.tasks))
    shown = [board for board, _ in boards if board.rows]
    if datasets:
        datasets[0]["paper_rows"] = _paper_rows(paper, shown[0].tasks)
    runs_view = [
        {
            "task": task_label(r.task),
            "model": r.model,
            "dataset": board.dataset,
            "timestamp": r.timestamp,
            "layout": r.layout,
            "folder": str(r.folder),
            "n": r.n_text,
        }
        for board, runs in boards
        for r in sorted(runs, key=lambda r: (r.task, r.model))
    ]
    return template.render(
        version=__version__,
        generated_at=generated_at,
        seed=seed,
        resamples=resamples,
        css=Markup(_asset("report.css")),
        script=Markup(_asset("report.js")),
        datasets=datasets,
        calibrated=any(d["calibration"] for d in datasets),
        interval_text=INTERVAL_TEXT.replace("*", ""),
        comparison_text=COMPARISON_TEXT.replace("`", ""),
        audit=_audit_view(audit_runs) if audit_runs else None,
        paper=_paper_view(paper, all_tasks),
        paper_source=paper.source if paper else "",
        runs=runs_view,
        n_benchmark_runs=len(benchmark_runs),
        audit_runs=[
            {
                "agent": r.agent,
                "timestamp": r.timestamp,
                "folder": str(r.folder),
                "n": len(r.episodes),
            }
            for r in audit_runs
        ],
        sample_json=Markup(embed_json(data)),
        n_samples=sum(len(t["rows"]) for t in data["tasks"]),
    )
