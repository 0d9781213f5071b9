"""Build a report: collect runs, compute the leaderboard, write the HTML and Markdown files."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from trialscope.atomic_files import write_text_atomic
from trialscope.report.audit_run import AuditRun
from trialscope.report.html_report import render_html
from trialscope.report.leaderboard import Leaderboard, build_leaderboard
from trialscope.report.markdown_report import render_markdown
from trialscope.report.paper import paper_figures
from trialscope.report.run_folders import collect_runs
from trialscope.report.statistics import DEFAULT_RESAMPLES, bootstrap_mean_ci, stream_rng

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportFiles:
    """What a report build wrote and what it covered."""

    html: Path
    markdown: Path
    benchmark_runs: int
    audit_runs: int
    leaderboards: list[Leaderboard]
    """One per dataset, in the report's order."""

    @property
    def leaderboard(self) -> Leaderboard:
        """The first dataset's leaderboard (the only one when the runs share their data)."""
        return self.leaderboards[0] if self.leaderboards else Leaderboard(tasks=[], rows=[])


def _fill_audit_intervals(runs: list[AuditRun], seed: int, resamples: int) -> None:
    """Summaries written without an interval get one from their episodes."""
    for run in runs:
        for task, summary in run.tasks.items():
            if summary.ci95 is None:
                scores = [e.score for e in run.episodes if e.task == task]
                rng = stream_rng(seed, "audit", run.agent, task)
                summary.ci95 = bootstrap_mean_ci(scores, rng, resamples)


def build_leaderboards(
    inputs: list[Path], seed: int = 0, resamples: int = DEFAULT_RESAMPLES
) -> list[Leaderboard]:
    """One leaderboard per dataset of the newest runs under `inputs` (nothing is written)."""
    runs = collect_runs(inputs)
    return [
        build_leaderboard(g.runs, seed=seed, resamples=resamples, dataset=g.title)
        for g in runs.datasets
    ]


def build_report(
    inputs: list[Path],
    out_dir: Path,
    seed: int = 0,
    keep_all: bool = False,
    resamples: int = DEFAULT_RESAMPLES,
    show_paper: bool = True,
) -> ReportFiles:
    """Read every run under `inputs` and write the HTML report and Markdown leaderboard."""
    runs = collect_runs(inputs, keep_all=keep_all)
    log.info("report covers %d benchmark and %d audit runs", len(runs.benchmark), len(runs.audit))
    boards = [
        (build_leaderboard(g.runs, seed=seed, resamples=resamples, dataset=g.title), g.runs)
        for g in runs.datasets
    ]
    _fill_audit_intervals(runs.audit, seed, resamples)
    paper = paper_figures() if show_paper else None
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    html = render_html(boards, runs.audit, paper, seed, resamples, generated)
    leaderboards = [board for board, _ in boards]
    markdown = render_markdown(leaderboards, runs.audit, paper, seed, resamples)
    html_path, markdown_path = out_dir / "report.html", out_dir / "leaderboard.md"
    write_text_atomic(html_path, html)
    write_text_atomic(markdown_path, markdown)
    return ReportFiles(html_path, markdown_path, len(runs.benchmark), len(runs.audit), leaderboards)
