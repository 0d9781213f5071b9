"""The `trialscope` console script: one Typer app, each command group in its own module."""

from __future__ import annotations

import typer

from trialscope.cli import audit, data, demo, report, run

app = typer.Typer(
    name="trialscope",
    help="Measure and train AI for clinical-trial research.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
run.register(app)
report.register(app)
demo.register(app)
app.add_typer(data.app, name="data", help="The trial store and benchmark builders.")
app.add_typer(audit.app, name="audit", help="The clinical audit environment.")

if __name__ == "__main__":
    app()
