"""CLI: `trialscope data ...`, the trial store and the benchmark builders."""

from __future__ import annotations

import typer

from trialscope.cli import data_build, data_export, data_ingest

app = typer.Typer(no_args_is_help=True)
data_ingest.register(app)
data_build.register(app)
data_export.register(app)
