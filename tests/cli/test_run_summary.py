"""The end of `trialscope run`: exit codes from outcomes, warnings with failure reasons, and a
table that keeps task names whole in 80 columns."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from trialscope.cli.run_summary import exit_code, print_summaries
from trialscope.engine.task_run import RunSummary
from trialscope.errors import ExitCode
from trialscope.tasks.registry import default_registry


def _summary(task: str, n: int, errors: int, parse: int = 0, size: int | None = None) -> RunSummary:
    return RunSummary(
        task=task,
        model="vllm/meta-llama/Llama-3.1-8B-Instruct",
        run_dir=Path("results") / task,
        metrics={"accuracy": 0.5, "macro_f1": None},
        headline=["accuracy", "macro_f1"],
        n_samples=n,
        n_ok=n - errors - parse,
        n_parse_errors=parse,
        n_errors=errors,
        usage={"cost_usd": 0.0123},
        undefined_metrics={"macro_f1": "only one gold class ('A') in the data"},
        split_size=size,
        error_reasons=[("APIConnectionError: Connection error.", errors)] if errors else [],
    )


def test_exit_codes_follow_how_much_failed() -> None:
    assert exit_code([_summary("arm_design", 10, 0)]) == ExitCode.OK
    assert exit_code([_summary("arm_design", 10, 3)]) == ExitCode.OK
    assert exit_code([_summary("arm_design", 10, 10)]) == ExitCode.ALL_FAILED
    both = [_summary("arm_design", 10, 10), _summary("endpoint_design", 10, 0)]
    assert exit_code(both) == ExitCode.SOME_FAILED


def test_many_failures_warn_with_reasons_and_the_table_fits_80_columns() -> None:
    out, err = io.StringIO(), io.StringIO()
    summaries = [
        _summary(cls.name, 200, 30, parse=5, size=200 if i else 500)
        for i, cls in enumerate(default_registry())
    ]
    code = print_summaries(summaries, Console(file=out, width=80), Console(file=err, width=200))
    assert code == ExitCode.OK
    table = out.getvalue().split("\n" + summaries[0].task + " · ")[0]
    assert all(len(line) <= 80 for line in table.splitlines()), table
    first_words = [line.split()[0] for line in table.splitlines() if line.split()]
    for cls in default_registry():
        assert cls.short_label in first_words
    assert "200/500*" in table and "partial" in table
    warnings = err.getvalue()
    assert "many samples failed: 30 request errors, 5 unparseable answers of 200 (18%)" in warnings
    assert "30 x APIConnectionError: Connection error." in warnings
    assert "macro_f1 is undefined: only one gold class ('A')" in warnings
