"""CLI: `trialscope data export` (a store to partitioned parquet) and `trialscope data import`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from trialscope.errors import UserError


def register(app: typer.Typer) -> None:
    """Add `export` and `import` to the `data` group."""
    app.command("export")(export)
    app.command("import")(import_export)


def export(
    store: Annotated[Path, typer.Option("--store", help="The DuckDB trial store to export.")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write the parquet files into.")],
    export_format: Annotated[
        str, typer.Option("--format", help="Only 'parquet' (hive-partitioned by year).")
    ] = "parquet",
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace a non-empty --out folder.")
    ] = False,
) -> None:
    """Export every table of a store as parquet, partitioned by registration year."""
    from trialscope.data.store import TrialStore

    if export_format != "parquet":
        raise UserError(f"--format {export_format!r}: only 'parquet' is supported")
    if not store.is_file():
        raise UserError(f"--store {store}: no such trial store")
    with TrialStore(store, read_only=True) as trial_store:
        manifest = trial_store.export_parquet(out, overwrite=overwrite)
    for table, info in manifest["tables"].items():
        sys.stdout.write(f"{table}\t{info['rows']}\n")
    sys.stdout.write(f"exported {len(manifest['tables'])} tables to {out}\n")


def import_export(
    source: Annotated[Path, typer.Argument(help="A folder written by `trialscope data export`.")],
    store: Annotated[Path, typer.Option("--store", help="The (new) DuckDB trial store.")],
) -> None:
    """Load a parquet export back into a new trial store."""
    from trialscope.data.store import TrialStore

    if not source.is_dir():
        raise UserError(f"{source}: no such export folder")
    with TrialStore(store) as trial_store:
        loaded = trial_store.import_parquet_export(source)
    for table, rows in loaded.items():
        sys.stdout.write(f"{table}\t{rows}\n")
    sys.stdout.write(f"imported {len(loaded)} tables into {store}\n")
