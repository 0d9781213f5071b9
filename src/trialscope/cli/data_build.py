"""CLI: `trialscope data synth` (synthetic registry) and `trialscope data build` (task sets)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from trialscope.console import make_console
from trialscope.data.builders import TASK_FOLDERS, BuildOptions, build_benchmark

console = make_console(stderr=True)


def register(app: typer.Typer) -> None:
    """Add `synth` and `build` to the `data` group."""
    app.command("synth")(synth)
    app.command("build")(build)


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def synth(
    trials: Annotated[int, typer.Option("--trials", min=0, help="Number of trials.")] = 5000,
    seed: Annotated[int, typer.Option("--seed", help="Seed; same seed, same records.")] = 0,
    store: Annotated[
        Path | None, typer.Option("--store", help="Ingest into this DuckDB trial store.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write studies/publications/reviews .jsonl files here."),
    ] = None,
) -> None:
    """Generate a synthetic trial registry (CT.gov v2 studies, publications, reviews)."""
    from trialscope.data.synthetic import SyntheticRegistry, load_into_store, write_jsonl_files

    if (store is None) == (out is None):
        raise typer.BadParameter("give exactly one of --store FILE or --out DIR")
    registry = SyntheticRegistry(trials, seed=seed)
    with _progress() as progress:
        task = progress.add_task("generating trials", total=trials)

        def advance(done: int) -> None:
            progress.update(task, completed=done)

        if store is not None:
            from trialscope.data.store import TrialStore

            with TrialStore(store) as trial_store:
                report = load_into_store(trial_store, registry, advance)
            where = str(store)
        else:
            assert out is not None
            report = write_jsonl_files(out, registry, advance)
            where = str(out)
    console.print(
        f"[green]{report.trials} trials, {report.publications} publications, "
        f"{report.reviews} reviews[/] -> {where}"
    )
    if report.failures:
        console.print(f"[red]{len(report.failures)} records refused by the store:[/]")
        for failure in report.failures[:10]:
            console.print(f"  {failure}")
        raise typer.Exit(1)


def _date(value: str | None, flag: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{flag} expects YYYY-MM-DD, got {value!r}") from None


def build(
    store: Annotated[Path, typer.Option("--store", help="The DuckDB trial store to cut from.")],
    out: Annotated[Path, typer.Option("--out", help="Benchmark root to write the tasks into.")],
    seed: Annotated[int, typer.Option("--seed", help="Seed for sampling and answer letters.")] = 0,
    train_size: Annotated[
        int, typer.Option("--train-size", min=0, help="Train items per trial task.")
    ] = 1000,
    test_size: Annotated[
        int, typer.Option("--test-size", min=0, help="Test items per trial task.")
    ] = 200,
    review_train_size: Annotated[
        int, typer.Option("--review-train-size", min=0, help="Train reviews per review task.")
    ] = 200,
    review_test_size: Annotated[
        int, typer.Option("--review-test-size", min=0, help="Test reviews per review task.")
    ] = 50,
    registered_after: Annotated[
        str | None,
        typer.Option("--registered-after", help="Test on trials first submitted on/after DATE."),
    ] = None,
    registered_before: Annotated[
        str | None,
        typer.Option("--registered-before", help="Test on trials first submitted before DATE."),
    ] = None,
) -> None:
    """Cut the eight TrialPanorama task sets (train/test JSONL) from a trial store."""
    from trialscope.data.store import TrialStore

    if not store.exists():
        raise typer.BadParameter(f"trial store {store} does not exist", param_hint="--store")
    options = BuildOptions(
        seed=seed,
        train_size=train_size,
        test_size=test_size,
        review_train_size=review_train_size,
        review_test_size=review_test_size,
        registered_after=_date(registered_after, "--registered-after"),
        registered_before=_date(registered_before, "--registered-before"),
    )
    steps = ["study index", *TASK_FOLDERS]
    with _progress() as progress, TrialStore(store, read_only=True) as trial_store:
        task = progress.add_task("building", total=len(steps))

        def on_step(name: str) -> None:
            progress.update(task, description=f"building {name}", advance=1)

        report = build_benchmark(trial_store, out, options, on_step)
    table = Table(title=f"Benchmark written to {out} in {report.seconds:.1f} s")
    for column in ("task", "train", "test", "notes"):
        table.add_column(column)
    for name, counts in report.tasks.items():
        table.add_row(name, str(counts.train), str(counts.test), "; ".join(counts.notes))
    console.print(table)
    console.print(f"search corpus: {report.corpus_size} publications")
