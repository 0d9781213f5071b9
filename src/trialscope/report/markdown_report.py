"""The Markdown leaderboard: the same numbers as the HTML report, for READMEs and PRs."""

from __future__ import annotations

import math

from trialscope.report.audit_run import AuditRun, audit_task_order
from trialscope.report.leaderboard import WARN_ERROR_SHARE, Cell, Leaderboard, format_metric
from trialscope.report.paper import PaperFigures
from trialscope.report.statistics import MIN_BOOTSTRAP_N, PairedDifference
from trialscope.report.task_names import task_label

COMPARISON_TEXT = (
    "The samples both models answered are resampled jointly for both; each resample computes "
    "the headline statistic from the per-sample scores: their mean, weighted by "
    "`evaluation.weight` and averaged with equal weight over the groups of `evaluation.stratum` "
    "where a task sets them (so screening is compared on pooled accuracy and trial completion "
    "on balanced accuracy, as in the leaderboard)."
)
OFF_HEADLINE_NOTE = (
    "Compared on the statistic of the per-sample scores, which here is not every run's headline "
    "metric (runs without the per-sample fields it needs): the comparison may disagree with the "
    "leaderboard."
)


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def cell_text(cell: Cell | None) -> str:
    """`61.2 [58.0, 64.3]`, `50.0 [too few] (n=2/200, partial)`, `undefined` or a dash."""
    if cell is None:
        return "–"
    if cell.value is None and not cell.undefined_reason:
        return "–"
    if cell.undefined_reason:
        text = "undefined"
    else:
        text = format_metric(cell.metric, cell.value)
        if cell.ci is not None:
            lo, hi = format_metric(cell.metric, cell.ci[0]), format_metric(cell.metric, cell.ci[1])
            text += f" [{lo}, {hi}]"
        elif cell.interval_method == "too few":
            text += " [too few]"
    if cell.partial:
        text += f" (n={cell.n_text}, partial)"
    if cell.many_errors:
        text += " ⚠"
    return text


def difference_text(diff: PairedDifference) -> tuple[str, str]:
    """The difference in percentage points, and its interval (or why there is none)."""
    value = f"{100 * diff.difference:+.1f}"
    if diff.ci is None:
        return value, "too few shared samples" if diff.method == "too few" else "–"
    lo, hi = diff.ci
    return value, f"[{100 * lo:+.1f}, {100 * hi:+.1f}]"


def verdict_text(diff: PairedDifference) -> str:
    """`significant`, `not significant` or `too few shared samples`, with the exact p-value."""
    if diff.method == "too few":
        return "too few shared samples"
    verdict = "significant" if diff.significant else "not significant"
    if diff.p_value is not None:
        verdict += f" (exact McNemar p={diff.p_value:.3g})"
    return verdict


def usage_texts(tokens: int | None, cost: float | None, latency: float | None) -> list[str]:
    """Tokens, cost and median latency as table cells."""
    return [
        f"{tokens:,}" if tokens is not None else "–",
        f"{cost:,.2f}" if cost is not None else "–",
        f"{latency:.2f}" if latency is not None else "–",
    ]


def _marked(cell: Cell | None, best_rank: float | None) -> str:
    text = cell_text(cell)
    if cell is not None and cell.rank is not None and cell.rank == best_rank:
        return f"**{text}**"
    return f"{text} ≈" if cell is not None and cell.tied_with_best else text


def _leaderboard_table(board: Leaderboard) -> list[str]:
    heads = [
        f"{task_label(t)}<br>{board.metric_of(t)}<br>n={board.task_n(t) or '–'}"
        for t in board.tasks
    ]
    lines = [
        "| Model | "
        + " | ".join(heads)
        + " | Mean rank | Tokens | Cost (USD) | Median latency (s) |",
        "|---|" + "---:|" * (len(heads) + 4),
    ]
    best = {
        task: min(
            (r.cells[task].rank or math.inf for r in board.rows if task in r.cells),
            default=math.inf,
        )
        for task in board.tasks
    }
    for row in board.rows:
        cells = [_marked(row.cells.get(task), best.get(task)) for task in board.tasks]
        rank = board.rank_text(row)
        usage = usage_texts(row.tokens, row.cost_usd, row.median_latency_s)
        lines.append(f"| {_escape(row.model)} | " + " | ".join([*cells, rank, *usage]) + " |")
    return lines


def _comparison_tables(board: Leaderboard) -> list[str]:
    lines: list[str] = []
    for task in board.tasks:
        diffs = board.comparisons.get(task, [])
        if not diffs:
            continue
        lines += ["", f"#### {task_label(task)}", ""]
        if not board.compared_on_headline.get(task, True):
            lines += [f"*{OFF_HEADLINE_NOTE}*", ""]
        lines += ["| A | B | shared samples | A − B (pp) | 95% CI | |"]
        lines += ["|---|---|---:|---:|---|---|"]
        for diff in diffs:
            value, interval = difference_text(diff)
            verdict = verdict_text(diff)
            lines.append(
                f"| {_escape(diff.model_a)} | {_escape(diff.model_b)} | {diff.n} | {value} | "
                f"{interval} | {verdict} |"
            )
    return lines


def _audit_table(runs: list[AuditRun]) -> list[str]:
    tasks = sorted({task for run in runs for task in run.tasks}, key=audit_task_order)
    lines = [
        "| Agent | " + " | ".join(tasks) + " |",
        "|---|" + "---:|" * len(tasks),
    ]
    for run in sorted(runs, key=lambda r: r.agent):
        cells = []
        for task in tasks:
            summary = run.tasks.get(task)
            if summary is None:
                cells.append("–")
                continue
            text = f"{summary.mean:.3f}"
            if summary.ci95 is not None:
                text += f" [{summary.ci95[0]:.3f}, {summary.ci95[1]:.3f}]"
            cells.append(f"{text} (n={summary.n})")
        lines.append(f"| {_escape(run.agent)} | " + " | ".join(cells) + " |")
    return lines


def _paper_tables(paper: PaperFigures, tasks: list[str]) -> list[str]:
    lines: list[str] = []
    for task in tasks:
        metrics = paper.tasks.get(task)
        if not metrics:
            continue
        names = list(metrics)
        lines += ["", f"**{task_label(task)}**", ""]
        lines += ["| Model (paper) | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
        for model in paper.models:
            values = [f"{metrics[name].get(model, float('nan')):.1f}" for name in names]
            lines.append(f"| {model} | " + " | ".join(values) + " |")
    return lines


INTERVAL_TEXT = (
    "Intervals are 95%: exact (Clopper-Pearson) for proportions of 0/1 scores at any n; a "
    f"percentile bootstrap for other statistics only from {MIN_BOOTSTRAP_N} samples up, "
    "*too few* below. A run that answered fewer samples than its split holds is *partial* "
    "(n/N): shown, never ranked, highlighted or compared with full runs. ⚠: at least "
    f"{100 * WARN_ERROR_SHARE:.0f}% of its samples failed."
)


def render_markdown(
    boards: list[Leaderboard],
    audit_runs: list[AuditRun],
    paper: PaperFigures | None,
    seed: int,
    resamples: int,
) -> str:
    """The whole `leaderboard.md`: one leaderboard per dataset, then the audit runs."""
    lines = ["# trialscope leaderboard", ""]
    shown = [board for board in boards if board.rows]
    if shown:
        lines += [
            "Headline metric per task (percent for fractions) with its 95% confidence interval in "
            "brackets, one leaderboard per dataset: runs on different data are never ranked "
            "together. Mean rank is taken over the tasks a model was ranked on (1 is best). "
            "**Bold**: best on the task; ≈: not significantly worse than the best (paired "
            f"comparison, see below). {INTERVAL_TEXT}",
        ]
    for board in shown:
        lines += ["", f"## Dataset: {board.dataset or 'unnamed'}", "", *_leaderboard_table(board)]
        notes = board.notes(task_label)
        if notes:
            lines += ["", *(f"- {note}" for note in notes)]
        lines += [
            "",
            "### Paired comparisons",
            "",
            f"0/1 scores: exact McNemar test; other scores: paired bootstrap ({resamples} "
            f"resamples, seed {seed}) from {MIN_BOOTSTRAP_N} shared samples. {COMPARISON_TEXT} "
            "Differences are in percentage points.",
            *_comparison_tables(board),
        ]
    if audit_runs:
        lines += ["", "## Audit environment", "", "Mean episode score [95% CI] per task.", ""]
        lines += _audit_table(audit_runs)
    paper_tasks = list(dict.fromkeys(task for board in shown for task in board.tasks))
    if paper is not None and paper_tasks:
        paper_lines = _paper_tables(paper, paper_tasks)
        if paper_lines:
            lines += [
                "",
                "## Published in the paper (reference only, not measured by this report)",
                "",
                f"Source: {paper.source}.",
                *paper_lines,
            ]
    return "\n".join(lines) + "\n"


README_TABLE_START = "<!-- readme-table: generated by `trialscope report RUNS --readme-table` -->"
README_TABLE_END = "<!-- /readme-table -->"


def readme_table(boards: list[Leaderboard]) -> str:
    """The README's reference table: per dataset, the headline value per task and model (percent
    for fractions), n per task, partial runs marked n/N, undefined metrics named."""
    lines = [README_TABLE_START]
    for board in boards:
        if not board.rows:
            continue
        heads = [
            f"{task_label(t)}<br>{board.metric_of(t)}, n={board.task_n(t) or '–'}"
            for t in board.tasks
        ]
        lines += ["", f"Dataset: {board.dataset}", ""]
        lines += ["| model | " + " | ".join(heads) + " |", "|---|" + "---:|" * len(heads)]
        for row in board.rows:
            cells = []
            for task in board.tasks:
                cell = row.cells.get(task)
                if cell is None:
                    cells.append("–")
                elif cell.undefined_reason:
                    cells.append("undefined")
                else:
                    text = format_metric(cell.metric, cell.value)
                    cells.append(f"{text} (n={cell.n_text}, partial)" if cell.partial else text)
            lines.append(f"| {_escape(row.model)} | " + " | ".join(cells) + " |")
    lines += ["", README_TABLE_END]
    return "\n".join(lines) + "\n"
