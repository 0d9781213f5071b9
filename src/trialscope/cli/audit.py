"""CLI: `trialscope audit ...`, the clinical audit environment."""

from __future__ import annotations

import typer

from trialscope.cli import audit_episodes, audit_serve

app = typer.Typer(no_args_is_help=True)
audit_episodes.register(app)
audit_serve.register(app)
