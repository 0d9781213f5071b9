"""CLI: `trialscope report RUN_FOLDERS... [--out DIR]`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from trialscope.console import make_console
from trialscope.errors import UserError
from trialscope.report import RunFolderError, build_report
from trialscope.report.build import build_leaderboards
from trialscope.report.markdown_report import readme_table as render_readme_table
from trialscope.report.statistics import DEFAULT_RESAMPLES


def report(
    run_folders: Annotated[
        list[Path],
        typer.Argument(help="Run folders, or any folders above them (searched recursively)."),
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Where report.html and leaderboard.md go.")
    ] = Path("report"),
    seed: Annotated[int, typer.Option(help="Seed of every bootstrap.")] = 0,
    resamples: Annotated[
        int, typer.Option(min=100, help="Bootstrap resamples per interval.")
    ] = DEFAULT_RESAMPLES,
    all_runs: Annotated[
        bool,
        typer.Option(
            "--all-runs", help="Keep every timestamp of a task and model, not only the newest."
        ),
    ] = False,
    paper: Annotated[
        bool, typer.Option("--paper/--no-paper", help="Show the paper's published figures.")
    ] = True,
    readme_table: Annotated[
        bool,
        typer.Option(
            "--readme-table",
            help="Print the README's reference table (Markdown) for these runs; write nothing.",
        ),
    ] = False,
) -> None:
    """Write a self-contained HTML report and a Markdown leaderboard from run folders."""
    console = make_console(stderr=True)
    if readme_table:
        try:
            boards = build_leaderboards(run_folders, seed=seed, resamples=resamples)
        except RunFolderError as exc:
            raise UserError(str(exc)) from exc
        sys.stdout.write(render_readme_table(boards))
        return
    try:
        files = build_report(
            run_folders, out, seed=seed, keep_all=all_runs, resamples=resamples, show_paper=paper
        )
    except RunFolderError as exc:
        console.print(f"[red]error:[/red] {exc}", soft_wrap=True, markup=True, highlight=False)
        raise typer.Exit(code=2) from exc
    console.print(
        f"{files.benchmark_runs} benchmark run(s), {files.audit_runs} audit run(s) → "
        f"[bold]{files.html}[/bold] and [bold]{files.markdown}[/bold]",
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    """Add the `report` command to the main app."""
    app.command("report")(report)
