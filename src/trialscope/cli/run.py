"""CLI: `trialscope run`, `trialscope sanity-check` and `trialscope models`."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from trialscope.console import make_console
from trialscope.errors import UserError

if TYPE_CHECKING:
    from trialscope.engine.shards import Shard
    from trialscope.engine.task_run import RunSummary

console = make_console()
err_console = make_console(stderr=True)


_CLI_HANDLER = "trialscope-cli"


def configure_logging(verbose: bool = False) -> None:
    """Log lines to stderr: rich on a terminal (warnings only, the bars show progress), plain
    INFO lines otherwise so CI logs show progress."""
    from rich.logging import RichHandler

    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == _CLI_HANDLER:
            root.removeHandler(existing)
    handler: logging.Handler
    if err_console.is_terminal:
        handler = RichHandler(console=err_console, show_path=False, rich_tracebacks=True)
        handler.setLevel(logging.INFO if verbose else logging.WARNING)
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.setLevel(logging.INFO)
        # Progress lines reach stderr on their own (engine/progress.py); only run.log logs them.
        handler.addFilter(lambda record: not getattr(record, "progress", False))
    handler.set_name(_CLI_HANDLER)
    root.addHandler(handler)
    logging.getLogger("trialscope").setLevel(logging.INFO)
    for noisy in ("httpx", "httpcore", "openai"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def parse_task_options(
    items: list[str], search_backend: str | None, screening_batch_size: int | None
) -> dict[str, dict[str, Any]]:
    """`TASK.KEY=VALUE` items (values read as YAML scalars) plus the named shortcuts."""
    import yaml

    from trialscope.tasks.study_screening import StudyScreeningTask
    from trialscope.tasks.study_search import StudySearchTask

    options: dict[str, dict[str, Any]] = {}
    for item in items:
        target, sep, raw = item.partition("=")
        task, dot, key = target.partition(".")
        if not sep or not dot or not task or not key:
            raise typer.BadParameter(
                f"{item!r}: expected TASK.KEY=VALUE, e.g. {StudyScreeningTask.name}.batch_size=10",
                param_hint="--task-option",
            )
        try:
            value = yaml.safe_load(raw) if raw else ""
        except yaml.YAMLError:
            value = raw
        options.setdefault(task, {})[key] = value
    if search_backend is not None:
        if search_backend not in ("bm25", "pubmed"):
            raise typer.BadParameter("expected bm25 or pubmed", param_hint="--search-backend")
        options.setdefault(StudySearchTask.name, {})["backend"] = search_backend
    if screening_batch_size is not None:
        options.setdefault(StudyScreeningTask.name, {})["batch_size"] = screening_batch_size
    return options


def print_summaries(summaries: list[RunSummary]) -> int:
    """The summary table, run folders and failure warnings; the exit code they map to."""
    from trialscope.cli.run_summary import print_summaries as print_run_summaries

    return int(print_run_summaries(summaries, console, err_console))


def _parse_shard(text: str | None) -> Shard | None:
    from trialscope.engine.shards import Shard

    try:
        return None if text is None else Shard.parse(text)
    except UserError as exc:
        raise _fail(str(exc)) from None


def _fail(message: str, code: int = 2) -> typer.Exit:
    # Plain text, not rich: an error line is never wrapped, cut or restyled.
    sys.stderr.write(f"error: {message}\n")
    sys.stderr.flush()
    return typer.Exit(code)


def run(
    task: Annotated[
        list[str], typer.Option("--task", "-t", help="Task name, or 'all' (repeatable).")
    ],
    model: Annotated[
        list[str],
        typer.Option(
            "--model",
            "--model-name",
            "-m",
            help="provider/model, e.g. azure/gpt-4o, vllm/llama-3-8b, baseline/majority "
            "(repeatable; models run concurrently).",
        ),
    ],
    system_prompt: Annotated[
        str | None, typer.Option(help="Replace each task's system prompt.")
    ] = None,
    num_samples: Annotated[int | None, typer.Option(min=1, help="First N samples only.")] = None,
    temperature: Annotated[float, typer.Option(help="Ignored by reasoning models.")] = 0.0,
    max_tokens: Annotated[int, typer.Option(min=1)] = 4096,
    reasoning_effort: Annotated[str, typer.Option(help="For reasoning models.")] = "low",
    data_path: Annotated[
        str | None,
        typer.Option(
            help="Benchmark root (one folder per task) or hf://<dataset>; default: DATABASE_PATH, "
            "else the embedded benchmark."
        ),
    ] = None,
    output_path: Annotated[
        str | None, typer.Option(help="Results root; default: BENCHMARK_DATA_PATH or ./results.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Sampling seed, bootstrap seed, retry jitter.")] = 0,
    max_connections: Annotated[
        int | None, typer.Option(min=1, help="Requests in flight per model (default 8).")
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue the newest run folder of each task/model.")
    ] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Bypass the response cache.")
    ] = False,
    timeout: Annotated[
        float | None,
        typer.Option(
            min=0.001, help="Deadline per request in seconds, whole answer included (default 120)."
        ),
    ] = None,
    max_retries: Annotated[
        int | None, typer.Option(min=0, help="Retries per request (default 6).")
    ] = None,
    split: Annotated[str, typer.Option(help="Which split to evaluate.")] = "test",
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Skip (and count) malformed records.")
    ] = False,
    task_option: Annotated[
        list[str] | None,
        typer.Option(help="TASK.KEY=VALUE passed to the task (repeatable)."),
    ] = None,
    search_backend: Annotated[
        str | None, typer.Option(help="Study search backend: bm25 (offline) or pubmed.")
    ] = None,
    screening_batch_size: Annotated[
        int | None, typer.Option(min=1, help="Candidate studies per screening request.")
    ] = None,
    run_id: Annotated[
        str | None,
        typer.Option(help="Run folder name YYYYMMDD_HHMMSS; an existing one is continued."),
    ] = None,
    shard: Annotated[
        str | None,
        typer.Option(help="I/N: run only the I-th of N fixed slices of each task (see merge)."),
    ] = None,
    ray: Annotated[
        bool,
        typer.Option(
            "--ray",
            help="Run as shards on a Ray cluster (RAY_ADDRESS, else a new local one), then merge.",
        ),
    ] = False,
    ray_address: Annotated[
        str | None,
        typer.Option(help="With --ray: the cluster to use, e.g. ray://head:10001 (implies --ray)."),
    ] = None,
    shards: Annotated[
        int | None, typer.Option(min=1, help="With --ray: how many shards (default: its CPUs).")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Run benchmark tasks against one or more models and write run folders."""
    from trialscope.engine.runner import RunError, RunOptions, run_benchmark
    from trialscope.settings import load_settings

    configure_logging(verbose)
    options = RunOptions(
        system_prompt=system_prompt,
        num_samples=num_samples,
        temperature=temperature,
        max_tokens=max_tokens,
        reasoning_effort=reasoning_effort,
        data_path=data_path,
        output_path=output_path,
        seed=seed,
        max_connections=max_connections,
        resume=resume,
        use_cache=not no_cache,
        timeout_s=timeout,
        max_retries=max_retries,
        split=split,
        skip_invalid=skip_invalid,
        task_options=parse_task_options(task_option or [], search_backend, screening_batch_size),
        run_id=run_id,
        shard=_parse_shard(shard),
        background_imports=("trialscope.cli.run_summary",),
    )
    on_ray = ray or ray_address is not None
    if on_ray and shard is not None:
        raise _fail("--ray cuts the shards itself: give --shards N, not --shard")
    try:
        options.settings = load_settings()
        if on_ray:
            from trialscope.launch.ray_shards import run_on_ray

            merged = run_on_ray(task, model, options, address=ray_address, shards=shards)
            summaries = [item.summary for item in merged]
        else:
            summaries = run_benchmark(task, model, options)
    except RunError as exc:
        if exc.summaries:
            print_summaries(exc.summaries)
        raise _fail(str(exc), code=int(exc.exit_code)) from None
    except UserError as exc:
        raise _fail(str(exc), code=int(exc.exit_code)) from None
    code = print_summaries(summaries)
    if code:
        raise typer.Exit(code)


def sanity_check(
    model: Annotated[
        str, typer.Option("--model", "--model-name", "-m", help="The model to check.")
    ] = "azure/gpt-4o-mini",
    num_samples: Annotated[int, typer.Option(min=1)] = 2,
    data_path: Annotated[str | None, typer.Option(help="Benchmark root (see run).")] = None,
    logs_dir: Annotated[Path, typer.Option(help="Per-task logs go here.")] = Path("logs"),
    output_path: Annotated[
        Path | None, typer.Option(help="Run folders (default: <logs-dir>/results).")
    ] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache")] = False,
) -> None:
    """Run every task on a couple of samples and print PASS/FAIL per task."""
    from rich.table import Table

    from trialscope.engine.runner import RunOptions, run_benchmark
    from trialscope.settings import load_settings
    from trialscope.tasks.registry import task_names

    configure_logging()
    logs_dir.mkdir(parents=True, exist_ok=True)
    table = Table(title=f"sanity check: {model}")
    for column in ("task", "result", "samples", "parse err", "err", "log"):
        table.add_column(column)
    failed = 0
    trialscope_logger = logging.getLogger("trialscope")
    for task_name in task_names():
        log_path = logs_dir / f"{task_name}.log"
        handler = logging.FileHandler(log_path, mode="w", encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        trialscope_logger.addHandler(handler)
        try:
            options = RunOptions(
                num_samples=num_samples,
                data_path=data_path,
                output_path=str(output_path or logs_dir / "results"),
                use_cache=not no_cache,
                live_progress=False,
                settings=load_settings(),
            )
            summary = run_benchmark([task_name], [model], options)[0]
            ok = summary.n_samples > 0 and summary.n_errors == 0
            row = [str(summary.n_samples), str(summary.n_parse_errors), str(summary.n_errors)]
        except Exception as exc:  # a sanity check reports every failure, it does not stop
            logging.getLogger("trialscope.sanity").error("%s failed: %s", task_name, exc)
            ok, row = False, ["-", "-", "-"]
        finally:
            trialscope_logger.removeHandler(handler)
            handler.close()
        failed += not ok
        verdict = "[green]PASS[/]" if ok else "[red]FAIL[/]"
        table.add_row(task_name, verdict, *row, str(log_path))
    console.print(table)
    if failed:
        raise _fail(f"{failed} of {len(task_names())} tasks failed; see {logs_dir}/", code=1)


def models() -> None:
    """List the model providers, what each needs, and whether it is configured."""
    from rich.markup import escape

    from trialscope.models.registry import BASELINE_PREFIX, list_providers
    from trialscope.settings import load_settings

    settings = load_settings()
    console.print("[bold]Model providers[/] (names are provider/model)\n")
    for spec in list_providers():
        state = "[green]configured[/]" if spec.configured(settings) else "[red]not configured[/]"
        needs = ", ".join(spec.env_vars) or "nothing"
        console.print(f"[bold]{spec.prefix}/[/]  {state}  needs: {needs}", soft_wrap=True)
        console.print(f"    {escape(spec.description)}", soft_wrap=True, highlight=False)
        if spec.optional_env_vars:
            optional = ", ".join(spec.optional_env_vars)
            console.print(f"    optional: {optional}", soft_wrap=True, highlight=False)
    console.print(
        f"[bold]{BASELINE_PREFIX}/[/]  [green]configured[/]  needs: nothing\n"
        "    Offline baselines (no model; fitted on the task's train split)",
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("run")(run)
    app.command("sanity-check")(sanity_check)
    app.command("models")(models)
