"""CLI: `trialscope data ingest ctgov|panorama|publications|reviews` and `trialscope data stats`."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from trialscope.console import make_console
from trialscope.data.ingest_report import IngestFailure, IngestReport
from trialscope.data.sources.ctgov import study_files
from trialscope.data.sources.ctgov_api import (
    PUBLIC_BASE_URL,
    CtgovApiClient,
    CtgovApiError,
    CtgovQuery,
    HarvestCheckpoint,
    harvest,
)
from trialscope.data.sources.ctgov_chunks import file_chunks
from trialscope.data.sources.json_lines import iter_json_lines
from trialscope.data.sources.panorama import (
    DEFAULT_HF_DATASET,
    TablePlan,
    import_panorama,
    plan_panorama,
    resolve_root,
)
from trialscope.data.store import STORE_ENV, TrialStore, default_store_path
from trialscope.errors import ExitCode, InputError, UserError

console = make_console(stderr=True)
ingest_app = typer.Typer(no_args_is_help=True, help="Load trial records into the store.")

StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store",
        envvar=STORE_ENV,
        help="The store's DuckDB file (default: the user data directory's store.duckdb).",
    ),
]
FailuresOption = Annotated[
    Path | None,
    typer.Option("--failures", help="Append every failed record (id, reason) to this JSONL file."),
]
SHOWN_FAILURES = 10


def register(app: typer.Typer) -> None:
    """Add `ingest` (ctgov, panorama, publications, reviews) and `stats` to the `data` group."""
    app.add_typer(ingest_app, name="ingest")
    app.command("stats")(stats)


@contextmanager
def _failure_log(path: Path | None) -> Iterator[Callable[[IngestFailure], None] | None]:
    if path is None:
        yield None
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        yield lambda failure: _append(handle, failure)


def _append(handle: IO[str], failure: IngestFailure) -> None:
    line = {"id": failure.record_id, "reason": failure.reason, "origin": failure.origin}
    handle.write(json.dumps(line) + "\n")
    handle.flush()


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    )


def _show(report: IngestReport) -> None:
    console.print(report.summary(), markup=False, highlight=False)
    for failure in report.failures[:SHOWN_FAILURES]:
        where = (
            f" ({failure.origin})" if failure.origin and failure.origin != failure.record_id else ""
        )
        console.print(
            f"  failed {failure.record_id}{where}: {failure.reason}", markup=False, highlight=False
        )
    if report.failed > SHOWN_FAILURES:
        console.print(f"  ... and {report.failed - SHOWN_FAILURES} more failures")


def _exit_for(report: IngestReport, failures: Path | None) -> None:
    """Exit 4 when some records failed (the good ones are stored), 3 when every record failed."""
    if report.failed == 0:
        return
    listed = f"each is listed in {failures}" if failures else "list them all with --failures FILE"
    console.print(f"{report.failed} records failed; {listed}", markup=False, highlight=False)
    raise typer.Exit(ExitCode.ALL_FAILED if report.stored == 0 else ExitCode.SOME_FAILED)


def _open_store(store: Path | None, *, read_only: bool = False) -> TrialStore:
    path = store or default_store_path()
    if read_only and not path.exists():
        raise InputError("no trial store here", path=path)
    if not read_only:
        console.print(f"store: {path}", markup=False, highlight=False)
    return TrialStore(path, read_only=read_only)


@ingest_app.command("ctgov")
def ingest_ctgov(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Study files or directories (.json, .jsonl, .zip); omit with --live."),
    ] = None,
    store: StoreOption = None,
    live: Annotated[bool, typer.Option("--live", help="Fetch from the CT.gov API v2.")] = False,
    term: Annotated[str | None, typer.Option(help="API query.term")] = None,
    condition: Annotated[str | None, typer.Option(help="API query.cond")] = None,
    status: Annotated[
        list[str] | None, typer.Option(help="API filter.overallStatus (repeatable)")
    ] = None,
    submitted_after: Annotated[
        str | None, typer.Option(help="Only studies first submitted on/after YYYY-MM-DD.")
    ] = None,
    page_size: Annotated[int, typer.Option(min=1, max=1000)] = 100,
    max_pages: Annotated[int | None, typer.Option(help="Stop after this many pages.")] = None,
    base_url: Annotated[str, typer.Option(help="API base URL.")] = PUBLIC_BASE_URL,
    requests_per_second: Annotated[
        float, typer.Option("--rps", help="Requests per second (0: no limit).")
    ] = 1.0,
    checkpoint: Annotated[
        Path | None, typer.Option(help="Resume file holding the next page token.")
    ] = None,
    failures: FailuresOption = None,
    source: Annotated[str, typer.Option(help="Source label stored with each study.")] = "ctgov",
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Processes decoding study files (default: one per core)."),
    ] = None,
) -> None:
    """ClinicalTrials.gov API v2 studies, from files or live from the API."""
    if live == bool(paths):
        raise typer.BadParameter("give study files/directories, or --live, not both or neither")
    after = None
    if submitted_after:
        try:
            after = dt.date.fromisoformat(submitted_after)
        except ValueError:
            raise typer.BadParameter(
                f"--submitted-after: expected YYYY-MM-DD, got {submitted_after!r}"
            ) from None
    files = study_files(paths) if paths else []
    with _open_store(store) as trial_store, _failure_log(failures) as on_failure:
        if paths:
            with _progress() as progress:
                task = progress.add_task("reading studies", total=None)
                report = trial_store.ingest_ctgov_chunks(
                    file_chunks(files),
                    source=source,
                    workers=workers,
                    on_failure=on_failure,
                    on_progress=lambda n: progress.update(task, completed=n),
                )
            _show(report)
            _exit_for(report, failures)
            return
        query = CtgovQuery(
            term=term,
            condition=condition,
            statuses=tuple(status or ()),
            submitted_after=after,
            page_size=page_size,
        )
        with (
            CtgovApiClient(base_url, requests_per_second=requests_per_second) as client,
            _progress() as progress,
        ):
            task = progress.add_task("fetching pages", total=None)

            def sink(studies: list[dict[str, Any]]) -> IngestReport:
                return trial_store.ingest_ctgov_studies(
                    studies, source=source, on_failure=on_failure
                )

            def on_page(state: HarvestCheckpoint, total: int | None) -> None:
                progress.update(task, completed=state.studies_seen, total=total)

            try:
                result = harvest(
                    client,
                    query,
                    sink,
                    checkpoint_path=checkpoint,
                    max_pages=max_pages,
                    on_page=on_page,
                )
            except (CtgovApiError, ValueError) as error:
                raise UserError(str(error)) from None
        for note in result.notes:
            console.print(note, markup=False, highlight=False)
        _show(result.report)
        state = "finished" if result.checkpoint.finished else "more pages remain"
        console.print(f"{result.pages_fetched} pages fetched; {state}")
        _exit_for(result.report, failures)


@ingest_app.command("panorama")
def ingest_panorama(
    root: Annotated[
        str, typer.Argument(help="Directory of TrialPanorama parquet files, or hf://datasets/...")
    ] = DEFAULT_HF_DATASET,
    store: StoreOption = None,
    table: Annotated[
        list[str] | None, typer.Option(help="Only these TrialPanorama tables (repeatable).")
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Print the mapping, table by table and column by column."),
    ] = False,
) -> None:
    """The TrialPanorama database parquet files (all eleven tables, with their part files)."""
    local = resolve_root(root)
    if dry_run:
        for plan in plan_panorama(local, tuple(table) if table else None):
            _print_plan(local, plan)
        return
    with _open_store(store) as trial_store:
        import_panorama(
            trial_store,
            local,
            tables=tuple(table) if table else None,
            on_table=lambda _name, report: _show(report),
        )


def _print_plan(root: Path, plan: TablePlan) -> None:
    mapping = plan.mapping
    names = ", ".join(str(Path(f).relative_to(root)) for f in plan.files)
    typer.echo(f"{mapping.source} ({names}) -> {mapping.target} [{mapping.mode}]")
    if mapping.mode == "copy":
        typer.echo(f"  all columns as they are: {', '.join(plan.source_columns)}")
        return
    for target, source in plan.sources.items():
        typer.echo(f"  {target} <- {source or '(no source column: NULL)'}")
    used = {source for source in plan.sources.values() if source}
    unused = [name for name in plan.source_columns if name not in used]
    if unused:
        typer.echo(f"  not read: {', '.join(unused)}")


def _ingest_lines(
    files: list[Path],
    store: Path | None,
    failures: Path | None,
    upsert: Callable[..., IngestReport],
) -> None:
    for path in files:
        if not path.is_file():
            raise InputError("no such file", path=path)
    with _failure_log(failures) as on_failure:
        report: IngestReport | None = None
        for path in files:
            part = upsert(iter_json_lines(path), on_failure=on_failure)
            if report is None:
                report = part
            else:
                report.merge(part)
        if report is not None:
            _show(report)
            _exit_for(report, failures)


@ingest_app.command("publications")
def ingest_publications(
    files: Annotated[list[Path], typer.Argument(help="JSONL files of publications.")],
    store: StoreOption = None,
    failures: FailuresOption = None,
) -> None:
    """Publications (pmid, title, abstract, year, nct_id, publication_type) from JSON lines."""
    with _open_store(store) as trial_store:
        _ingest_lines(files, store, failures, trial_store.upsert_publications)


@ingest_app.command("reviews")
def ingest_reviews(
    files: Annotated[list[Path], typer.Argument(help="JSONL files of systematic reviews.")],
    store: StoreOption = None,
    failures: FailuresOption = None,
) -> None:
    """Systematic reviews with their included / excluded PMIDs from JSON lines."""
    with _open_store(store) as trial_store:
        _ingest_lines(files, store, failures, trial_store.upsert_reviews)


def stats(
    store: StoreOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Counts per table, and studies per status, phase and source."""
    with _open_store(store, read_only=True) as trial_store:
        summary = trial_store.stats()
    out = make_console()
    if as_json:
        out.print_json(
            json.dumps(
                {
                    "tables": summary.tables,
                    "by_status": dict(summary.by_status),
                    "by_phase": dict(summary.by_phase),
                    "by_source": dict(summary.by_source),
                }
            )
        )
        return
    sections = (
        ("table", "rows", list(summary.tables.items())),
        ("status", "studies", summary.by_status),
        ("phase", "studies", summary.by_phase),
        ("source", "studies", summary.by_source),
    )
    for title, unit, rows in sections:
        table = Table(title=f"per {title}")
        table.add_column(title)
        table.add_column(unit, justify="right")
        for name, count in rows:
            table.add_row(name, f"{count:,}")
        out.print(table)
