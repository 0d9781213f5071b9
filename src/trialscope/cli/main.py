"""The `trialscope` console script: one Typer app, each command group in its own module."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from trialscope import __version__
from trialscope.cli import audit, data, demo, merge, report, run
from trialscope.errors import UserError

app = typer.Typer(
    name="trialscope",
    help="Measure and train AI for clinical-trial research.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"trialscope {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """Measure and train AI for clinical-trial research."""


run.register(app)
merge.register(app)
report.register(app)
demo.register(app)
app.add_typer(data.app, name="data", help="The trial store and benchmark builders.")
app.add_typer(audit.app, name="audit", help="The clinical audit environment.")



def entry_point() -> None:
    """The console script: user errors become one unwrapped line on stderr and their exit code;
    anything else is a bug and keeps its traceback."""
    try:
        app(standalone_mode=True)
    except UserError as error:
        sys.stderr.write(f"error: {error}\n")
        sys.exit(int(error.exit_code))


if __name__ == "__main__":
    entry_point()
