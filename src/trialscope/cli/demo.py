"""CLI: `trialscope demo`, the main job on the embedded default (no API key, no internet)."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table

from trialscope.cli.run_summary import benchmark_table
from trialscope.console import make_console

BASELINES = ["baseline/majority", "baseline/random", "baseline/lexical"]
LOCAL_MODEL = "local/smollm2"
AUDIT_AGENTS = ["heuristic", "random", "brute-force"]
AUDIT_TASKS = ["easy", "medium", "hard"]

log = logging.getLogger(__name__)


def register(app: typer.Typer) -> None:
    """Add `demo` to the main app."""
    app.command("demo")(demo)


def demo(
    output_path: Annotated[
        Path, typer.Option("--output-path", help="Where run folders and the report go.")
    ] = Path("results/demo"),
    local_samples: Annotated[
        int, typer.Option(help="Samples per task for the local model (0 skips it).", min=0)
    ] = 2,
    local_max_tokens: Annotated[
        int, typer.Option(help="Answer length cap for the local model.", min=16)
    ] = 512,
    audit_seeds: Annotated[str, typer.Option(help="Audit episode seeds, e.g. 0-9.")] = "0-9",
    seed: Annotated[int, typer.Option(help="Seed for sampling and bootstrap.")] = 0,
) -> None:
    """The main job: eight tasks x baselines and the local model, audit agents, report."""
    from trialscope.audit.runner import parse_seeds, run_audit
    from trialscope.engine.runner import RunOptions, run_benchmark
    from trialscope.report.build import build_report
    from trialscope.tasks.loading import resolve_benchmark_root
    from trialscope.tasks.registry import default_registry

    console = make_console(stderr=True)
    started = time.monotonic()

    with console.status("Building the embedded default benchmark (first use only)..."):
        root = resolve_benchmark_root(None)
    # the default's tasks: a plugin task installed here has no folder in it
    tasks = list(default_registry().present_in(root))
    console.print(f"[bold]1/4[/] benchmark: {root}")

    console.print(f"[bold]2/4[/] eight tasks x {', '.join(BASELINES)}")
    run_benchmark(tasks, BASELINES, RunOptions(output_path=str(output_path), seed=seed))

    if local_samples:
        console.print(
            f"[bold]3/4[/] eight tasks x {LOCAL_MODEL} ({local_samples} samples per task, "
            "real SmolLM2-135M on llama.cpp; a 135M model is near chance, this shows plumbing)"
        )
        run_benchmark(
            tasks,
            [LOCAL_MODEL],
            RunOptions(
                output_path=str(output_path),
                seed=seed,
                num_samples=local_samples,
                max_tokens=local_max_tokens,
                max_connections=1,
            ),
        )
    else:
        console.print("[bold]3/4[/] local model skipped (--local-samples 0)")

    seeds = parse_seeds(audit_seeds)
    console.print(
        f"[bold]4/4[/] audit environment: {', '.join(AUDIT_AGENTS)} on seeds {audit_seeds}"
    )
    audit_summaries = {
        agent: asyncio.run(run_audit(agent, AUDIT_TASKS, seeds, output_path=output_path))[1]
        for agent in AUDIT_AGENTS
    }

    files = build_report([output_path], output_path / "report", seed=seed)
    for board in files.leaderboards:
        console.print(benchmark_table(board))
    console.print(audit_table(audit_summaries))
    console.print(
        f"\nReport: [bold]{files.html}[/]\nLeaderboard: {files.markdown}\n"
        f"Done in {time.monotonic() - started:.0f} s."
    )


def audit_table(summaries: dict[str, dict[str, Any]]) -> Table:
    """Mean audit score per agent and task, with its 95% CI."""
    table = Table(
        title="Audit environment: mean episode score [95% CI]", box=box.SIMPLE_HEAD, pad_edge=False
    )
    table.add_column("agent")
    for task in AUDIT_TASKS:
        table.add_column(task, justify="right")
    for agent, summary in summaries.items():
        cells = []
        for task in AUDIT_TASKS:
            stats = summary["tasks"].get(task)
            if stats is None:
                cells.append("-")
                continue
            low, high = stats["ci95"]
            cells.append(f"{stats['mean']:.3f} [{low:.2f}, {high:.2f}]")
        table.add_row(agent, *cells)
    return table
