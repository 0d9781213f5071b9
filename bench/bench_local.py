"""Speed of `local/smollm2` (SmolLM2-135M-Instruct, llama.cpp) on every default-benchmark task.

Runs the eight tasks through the normal engine (`run_benchmark`, response cache off, one request
in flight so a sample's latency is its own), then reads each run folder's `samples.jsonl` and
prints per task: samples, mean prompt and completion tokens per sample, median seconds per sample,
and throughput (tokens / request wall time, so generated and prompt tokens/s share one clock:
each is "tokens of that kind per second of end-to-end request time", not a pure phase rate).

    .venv/bin/python bench/bench_local.py --samples 2 --max-tokens 512 --write-docs
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from trialscope.data.default import default_benchmark_root
from trialscope.engine.runner import RunError, RunOptions, run_benchmark
from trialscope.tasks.registry import task_names

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs" / "benchmarks.md"
SECTION = "## Local model (SmolLM2-135M via llama.cpp)"
MODEL = "local/smollm2"
BUSY_LOAD = 2.0


@dataclass
class TaskFigures:
    """Speed figures of one task, from its run folder's journal."""

    task: str
    samples: int
    mean_prompt_tokens: float
    mean_completion_tokens: float
    median_s_per_sample: float
    generated_tokens_per_s: float
    prompt_tokens_per_s: float
    parse_errors: int
    errors: int


def read_journal(run_dir: Path) -> list[dict[str, object]]:
    """The last line per sample of a run folder's `samples.jsonl` (later lines win)."""
    latest: dict[str, dict[str, object]] = {}
    for line in (run_dir / "samples.jsonl").read_text().splitlines():
        if line.strip():
            record = json.loads(line)
            latest[str(record["sample_id"])] = record
    return list(latest.values())


def figures_for(task: str, run_dir: Path) -> TaskFigures:
    """Per-task figures; throughput is total tokens over total (uncached) request time."""
    records = [r for r in read_journal(run_dir) if not r.get("cached")]
    if not records:
        raise RuntimeError(f"{run_dir}/samples.jsonl has no uncached samples")
    prompt = [int(r["prompt_tokens"]) for r in records]  # type: ignore[call-overload]
    completion = [int(r["completion_tokens"]) for r in records]  # type: ignore[call-overload]
    latency = [float(r["latency_s"]) for r in records]  # type: ignore[arg-type]
    seconds = sum(latency) or float("nan")
    return TaskFigures(
        task=task,
        samples=len(records),
        mean_prompt_tokens=statistics.fmean(prompt),
        mean_completion_tokens=statistics.fmean(completion),
        median_s_per_sample=statistics.median(latency),
        generated_tokens_per_s=sum(completion) / seconds,
        prompt_tokens_per_s=sum(prompt) / seconds,
        parse_errors=sum(r["status"] == "parse_error" for r in records),
        errors=sum(r["status"] == "error" for r in records),
    )


def load_average() -> tuple[float, str]:
    """The 1-minute load average and `uptime`'s line."""
    line = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    return os.getloadavg()[0], line


def markdown(figures: list[TaskFigures], command: str, loads: list[str], busy: bool) -> str:
    """The docs section: command, machine load, table."""
    rows = [
        "| task | samples | prompt tok / sample | completion tok / sample | s / sample (median) "
        "| generated tok/s | prompt tok/s | parse errors | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for f in figures:
        rows.append(
            f"| {f.task} | {f.samples} | {f.mean_prompt_tokens:,.0f} | "
            f"{f.mean_completion_tokens:,.0f} | {f.median_s_per_sample:.1f} | "
            f"{f.generated_tokens_per_s:.1f} | {f.prompt_tokens_per_s:.1f} | "
            f"{f.parse_errors} | {f.errors} |"
        )
    warning = (
        f"**The machine was busy (load average above {BUSY_LOAD:g} on 2 cores, other engineers' "
        "test suites and llama.cpp servers running), so these times are pessimistic; on an idle "
        "machine the spec measured ~100-150 generated and ~250 prompt tokens/s.**"
        if busy
        else "The machine was otherwise idle (load average at most 2)."
    )
    return "\n".join(
        [
            SECTION,
            "",
            f"Command: `{command}` (from the repository root; runs every task through "
            f"`{MODEL}` on the embedded default benchmark with `--no-cache` and one request in "
            "flight, then reads each run folder's `samples.jsonl`). Tokens/s are tokens over "
            "end-to-end request time (prompt processing and generation share that clock), so "
            "generated tok/s is low where prompts are long and vice versa.",
            "",
            "Machine load (`uptime`) at start and end: " + "; ".join(f"`{x}`" for x in loads),
            "",
            warning,
            "",
            *rows,
            "",
        ]
    )


def write_section(text: str, path: Path = DOCS) -> None:
    """Replace (or append) this bench's section of docs/benchmarks.md, atomically."""
    existing = path.read_text() if path.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(SECTION) + r"\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(existing):
        updated = pattern.sub(lambda _: text + "\n", existing, count=1)
    else:
        updated = existing.rstrip("\n") + "\n\n" + text
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(updated.rstrip("\n") + "\n")
    tmp.replace(path)


def print_table(figures: list[TaskFigures], console: Console) -> None:
    table = Table(title=f"{MODEL} speed per task")
    for column in (
        "task", "samples", "prompt tok/sample", "compl. tok/sample", "s/sample (median)",
        "gen tok/s", "prompt tok/s", "parse errors", "errors",
    ):  # fmt: skip
        table.add_column(column, justify="left" if column == "task" else "right")
    for f in figures:
        table.add_row(
            f.task, str(f.samples), f"{f.mean_prompt_tokens:,.0f}",
            f"{f.mean_completion_tokens:,.0f}", f"{f.median_s_per_sample:.1f}",
            f"{f.generated_tokens_per_s:.1f}", f"{f.prompt_tokens_per_s:.1f}",
            str(f.parse_errors), str(f.errors),
        )  # fmt: skip
    console.print(table)


def command_line(argv: list[str] | None) -> str:
    """How this bench was invoked, as the docs quote it."""
    return " ".join(
        [".venv/bin/python bench/bench_local.py", *(sys.argv[1:] if argv is None else argv)]
    )


def summarize(
    output: Path, tasks: list[str], argv: list[str] | None, write_docs: bool, console: Console
) -> None:
    """Figures from existing run folders (e.g. of a run cut short): newest folder per task."""
    figures = []
    for task in tasks:
        folders = sorted((output / task / MODEL.replace("/", "--")).glob("*/samples.jsonl"))
        if folders and folders[-1].read_text().strip():
            figures.append(figures_for(task, folders[-1].parent))
        else:
            console.print(f"[yellow]{task}: no finished sample under {output}")
    print_table(figures, console)
    load, uptime = load_average()
    if write_docs:
        write_section(markdown(figures, command_line(argv), [uptime], load > BUSY_LOAD))
        console.print(f"wrote the section to {DOCS}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=2, help="samples per task")
    parser.add_argument("--max-tokens", type=int, default=512)
    parser.add_argument("--task", action="append", choices=task_names(), help="default: all eight")
    parser.add_argument("--screening-batch-size", type=int, default=None)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per request")
    parser.add_argument("--output", type=Path, default=None, help="default: a temporary folder")
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument(
        "--summarize",
        type=Path,
        default=None,
        help="no run: figures from the newest local--smollm2 run folders under this output root",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    console = Console(width=160)

    tasks = args.task or list(task_names())
    if args.summarize is not None:
        summarize(args.summarize, tasks, argv, args.write_docs, console)
        return
    task_options = (
        {"study_screening": {"batch_size": args.screening_batch_size}}
        if args.screening_batch_size
        else {}
    )
    root = default_benchmark_root()  # built (or found cached) before any timing starts
    output = args.output or Path(tempfile.mkdtemp(prefix="trialscope-bench-local-"))
    load_start, uptime_start = load_average()
    started = time.monotonic()
    options = RunOptions(
        num_samples=args.samples,
        max_tokens=args.max_tokens,
        data_path=str(root),
        output_path=str(output),
        use_cache=False,
        max_connections=1,
        timeout_s=args.timeout,
        max_retries=0,
        task_options=task_options,
        live_progress=False,
    )
    try:
        summaries = run_benchmark(tasks, [MODEL], options)
    except RunError as failure:
        console.print(f"[red]some runs failed: {failure}")
        summaries = failure.summaries
    wall = time.monotonic() - started
    load_end, uptime_end = load_average()

    figures = [figures_for(s.task, s.run_dir) for s in summaries]
    print_table(figures, console)
    busy = max(load_start, load_end) > BUSY_LOAD
    console.print(f"wall time {wall:.0f} s; load at start: {uptime_start}; at end: {uptime_end}")
    if busy:
        console.print(f"[yellow]load average above {BUSY_LOAD:g}: times are pessimistic")
    loads = [uptime_start, uptime_end]
    section = markdown(figures, command_line(argv), loads, busy)
    section = section.replace(
        "\n\n| task |", f"\n\nWall time for all tasks: {wall:.0f} s.\n\n| task |", 1
    )
    if args.write_docs:
        write_section(section)
        console.print(f"wrote the section to {DOCS}")


if __name__ == "__main__":
    main()
