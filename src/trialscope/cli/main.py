"""The `trialscope` console script: one Typer app, each command group in its own module.

Commands are loaded on use: `trialscope --help` and `--version` import no command module, so
they answer at once; `trialscope run` imports the engine but not the data, audit or report
layers. The short help shown by `--help` is kept here beside each command's module.
"""

from __future__ import annotations

import gc
import importlib
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from trialscope import __version__
from trialscope.errors import UserError

COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("trialscope.cli.run", "Run benchmark tasks against one or more models."),
    "sanity-check": ("trialscope.cli.run", "Run every task on a couple of samples: PASS/FAIL."),
    "models": ("trialscope.cli.run", "List the model providers and whether each is configured."),
    "merge": ("trialscope.cli.merge", "Merge the shards of a run (run --shard I/N) into one run."),
    "report": ("trialscope.cli.report", "Build the HTML report and leaderboard from run folders."),
    "demo": ("trialscope.cli.demo", "The main job on the embedded default (no key, no internet)."),
    "data": ("trialscope.cli.data", "The trial store and benchmark builders."),
    "audit": ("trialscope.cli.audit", "The clinical audit environment."),
}
"""Command name → (module, short help). A module either has `register(app)` or a Typer `app`."""


def load_command(name: str) -> Any:
    """The real click command `name`, importing its module."""
    module = importlib.import_module(COMMANDS[name][0])
    group_app = getattr(module, "app", None)
    if isinstance(group_app, typer.Typer):
        group = typer.main.get_group(group_app)
        group.help = group.help or COMMANDS[name][1]
        return group
    holder = typer.Typer()
    module.register(holder)
    return typer.main.get_group(holder).commands[name]


class LazyCommand(TyperCommand):
    """Stands in for a command in the listing; becomes the real one when it is invoked."""

    def __init__(self, name: str, short_help: str) -> None:
        super().__init__(name, help=short_help, short_help=short_help)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: Any = None,
        **extra: Any,
    ) -> Any:
        real = load_command(self.name or "")
        return real.make_context(info_name, args, parent=parent, **extra)


class LazyGroup(TyperGroup):
    """The top-level group: lists COMMANDS without importing them."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *COMMANDS]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in COMMANDS:
            return LazyCommand(cmd_name, COMMANDS[cmd_name][1])
        return super().get_command(ctx, cmd_name)


app = typer.Typer(
    name="trialscope",
    cls=LazyGroup,
    # Plain click help for the command list: the rich renderer costs more than the rest of
    # `--help` together. Each command keeps its rich help.
    rich_markup_mode=None,
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


def entry_point() -> None:
    """The console script: user errors become one unwrapped line on stderr and their exit code;
    anything else is a bug and keeps its traceback."""
    try:
        app(standalone_mode=True)
    except UserError as error:
        sys.stderr.write(f"error: {error}\n")
        sys.exit(int(error.exit_code))
    finally:
        # Every object alive now lives until exit: frozen, the interpreter's teardown skips
        # collecting them (a third of a second once numpy, scipy and pydantic are loaded).
        # Atexit handlers, buffers and files are closed as usual.
        gc.freeze()


if __name__ == "__main__":
    entry_point()
