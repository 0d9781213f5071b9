"""CLI: `trialscope audit run` (agents over episodes) and `audit generate` (one episode)."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from trialscope.audit.difficulty import TASK_NAMES, difficulty_of
from trialscope.console import make_console
from trialscope.models.base import ConfigurationError

if TYPE_CHECKING:
    from trialscope.audit.episode_result import EpisodeResult

console = make_console()


def _tasks(task: str) -> list[str]:
    if task == "all":
        return list(TASK_NAMES)
    try:
        return [difficulty_of(task).name]
    except ValueError as exc:
        raise typer.BadParameter(f"{exc} (or all)", param_hint="--task") from exc


def run_command(
    agent: Annotated[str, typer.Option(help="heuristic, naive or react.")] = "heuristic",
    task: Annotated[str, typer.Option(help="easy, medium, hard or all.")] = "all",
    seeds: Annotated[
        str | None, typer.Option(help="e.g. 0-49 or 1,5,9; without it one seed is drawn.")
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="provider/model for naive and react, e.g. local/smollm2.")
    ] = None,
    mode: Annotated[
        str, typer.Option(help="eval (no feedback) or train (dense rewards).")
    ] = "eval",
    output_path: Annotated[Path, typer.Option(help="Results root.")] = Path("results"),
    server: Annotated[
        list[str] | None,
        typer.Option(
            help="Play on running train-mode servers instead of in process (repeat for "
            "replicas; each episode goes to the least-busy one). Prints scores, writes no run.",
        ),
    ] = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Episodes at once with --server.")] = 4,
) -> None:
    """Run an agent over episodes: mean score with 95% CI and components per task."""
    # The environment pulls in openenv (and gradio): import it only when a run starts, so that
    # every other `trialscope` command starts fast.
    from trialscope.audit.runner import COMPONENTS, parse_seeds, run_audit

    logging.basicConfig(level=logging.WARNING)
    if mode not in ("eval", "train"):
        raise typer.BadParameter("expected eval or train", param_hint="--mode")
    tasks = _tasks(task)
    try:
        seed_list = parse_seeds(seeds) if seeds is not None else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--seeds") from exc
    if server:
        _run_on_servers(agent, tasks, seed_list or [0], model, server, concurrency)
        return
    total = len(tasks) * (len(seed_list) if seed_list else 1)
    with console.status(f"auditing {total} episode(s) with {agent}") as status:
        done = 0

        def progress(result: EpisodeResult) -> None:
            nonlocal done
            done += 1
            status.update(
                f"{done}/{total} episodes ({result.task} seed {result.seed}: {result.score:.3f})"
            )

        try:
            run_dir, summary = asyncio.run(
                run_audit(
                    agent,
                    tasks,
                    seed_list,
                    model=model,
                    mode="train" if mode == "train" else "eval",
                    output_path=output_path,
                    on_episode=progress,
                )
            )
        except (ValueError, ConfigurationError) as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from exc
    table = Table(title=f"audit: {agent}" + (f" ({model})" if model else ""))
    headers = {"recall": "rec", "precision": "prec", "workflow": "wflow", "efficiency": "eff"}
    for column in ("task", "n", "mean", "95% CI", *(headers.get(c, c) for c in COMPONENTS)):
        table.add_column(column, no_wrap=True)
    for name, row in summary["tasks"].items():
        table.add_row(
            name,
            str(row["n"]),
            f"{row['mean']:.3f}",
            f"{row['ci95'][0]:.3f}-{row['ci95'][1]:.3f}",
            *(f"{row['components'][c]:.2f}" for c in COMPONENTS),
        )
    console.print(table)
    console.print(f"results: {run_dir}")


def _run_on_servers(
    agent: str,
    tasks: list[str],
    seeds: list[int],
    model: str | None,
    urls: list[str],
    concurrency: int,
) -> None:
    from collections import Counter

    from trialscope.audit.client import ServerPool
    from trialscope.audit.runner import run_on_servers

    try:
        pool = ServerPool(urls)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--server") from exc
    with console.status(f"auditing {len(tasks) * len(seeds)} episode(s) on {len(urls)} server(s)"):
        lines = asyncio.run(
            run_on_servers(agent, tasks, seeds, pool, model=model, concurrency=concurrency)
        )
    table = Table(title=f"audit: {agent} on {len(urls)} server(s)")
    for column in ("task", "n", "mean"):
        table.add_column(column, no_wrap=True)
    for name in tasks:
        scores = [line["score"] or 0.0 for line in lines if line["task"] == name]
        table.add_row(name, str(len(scores)), f"{sum(scores) / len(scores):.3f}")
    console.print(table)
    for url, count in sorted(Counter(line["server"] for line in lines).items()):
        console.print(f"{url}: {count} episode(s)")


def generate_command(
    task: Annotated[str, typer.Option(help="easy, medium or hard.")] = "hard",
    seed: Annotated[int, typer.Option(help="Episode seed.")] = 42,
    out: Annotated[Path | None, typer.Option(help="Write records and protocol (JSON).")] = None,
    with_truth: Annotated[
        bool, typer.Option("--with-truth", help="Also write the ground-truth labels and traps.")
    ] = False,
) -> None:
    """Print an episode's profile (patients, errors by type, traps by kind, bias mode)."""
    from trialscope.audit.generator import generate_episode

    try:
        episode = generate_episode(task, seed)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--task") from exc
    profile = episode.profile()
    table = Table(title=f"episode {episode.protocol.title} ({episode.task}, seed {seed})")
    table.add_column("item")
    table.add_column("value")
    for key, value in profile.items():
        table.add_row(key, json.dumps(value) if isinstance(value, dict) else str(value))
    console.print(table)
    console.print(episode.protocol.describe())
    if out is not None:
        document = {
            "profile": profile,
            "protocol": episode.protocol.parameters(),
            "protocol_text": episode.protocol.describe(),
            "records": episode.records,
        }
        if with_truth:
            document["labels"] = episode.labels
            document["traps"] = [
                {"kind": t.kind, "patient_id": t.patient_id} for t in episode.traps
            ]
        from trialscope.atomic_files import write_json_atomic

        out.parent.mkdir(parents=True, exist_ok=True)
        write_json_atomic(out, document)
        console.print(f"wrote {out}")


def register(app: typer.Typer) -> None:
    """Add `run` and `generate` to the audit group."""
    app.command("run")(run_command)
    app.command("generate")(generate_command)
