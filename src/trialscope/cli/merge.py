"""CLI: `trialscope merge`: the shards of a run (`run --shard I/N`) into one run folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def merge(
    run_folders: Annotated[
        list[Path],
        typer.Argument(
            help="Shard run folders, or folders holding them (grouped by task and model)."
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(help="Results root for the merged runs (default: the first shard's root)."),
    ] = None,
) -> None:
    """Merge the shards of a run into one run folder per task and model, as if run unsharded."""
    from trialscope.cli.run import configure_logging, print_summaries
    from trialscope.engine.run_merge import merge_shard_runs

    configure_logging()
    merged = merge_shard_runs(run_folders, out)
    print_summaries([item.summary for item in merged])
    for item in merged:
        typer.echo(
            f"merged {len(item.shards)} shards of {item.summary.task} · {item.summary.model} "
            f"in {item.seconds:.2f} s"
        )


def register(app: typer.Typer) -> None:
    """Add `merge` to the main app."""
    app.command("merge")(merge)
