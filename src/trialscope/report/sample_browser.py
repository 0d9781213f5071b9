"""The sample browser's data: every sample per task, embedded as JSON and rendered by page."""

from __future__ import annotations

import json
from typing import Any

from trialscope.report.benchmark_run import BenchmarkRun
from trialscope.report.task_names import task_label, task_order


def browser_data(
    datasets: list[tuple[str, list[BenchmarkRun]]], model_order: list[str]
) -> dict[str, Any]:
    """Per dataset and task: models, records and gold answers once per sample, one row per
    sample x model. `datasets` pairs a dataset title (empty when there is one) with its runs.

    A row is `[sample_id, model_index, score, status, raw_answer, parsed_answer, messages]`;
    `messages` is the exact chat messages sent for that model, or "" when none were recorded.
    """
    rank = {model: i for i, model in enumerate(model_order)}
    tasks: list[dict[str, Any]] = []
    for dataset, runs in datasets:
        for task in sorted({run.task for run in runs}, key=task_order):
            tasks.append(_task_data(dataset, task, runs, rank))
    return {"tasks": tasks}


def _task_data(
    dataset: str, task: str, runs: list[BenchmarkRun], rank: dict[str, int]
) -> dict[str, Any]:
    task_runs = sorted(
        (run for run in runs if run.task == task), key=lambda r: rank.get(r.model, len(rank))
    )
    prompts: dict[str, str] = {}
    golds: dict[str, str] = {}
    rows: list[list[Any]] = []
    for index, run in enumerate(task_runs):
        for sample in run.samples:
            if sample.prompt and sample.sample_id not in prompts:
                prompts[sample.sample_id] = sample.prompt
            if sample.gold and sample.sample_id not in golds:
                golds[sample.sample_id] = sample.gold
            score = None if sample.score is None else round(sample.score, 4)
            rows.append(
                [
                    sample.sample_id,
                    index,
                    score,
                    sample.status,
                    sample.raw_answer,
                    sample.parsed_answer,
                    sample.messages,
                ]
            )
    label = task_label(task)
    return {
        "task": task,
        "label": f"{label} · {dataset}" if dataset else label,
        "models": [run.model for run in task_runs],
        "prompts": prompts,
        "golds": golds,
        "rows": rows,
    }


def embed_json(value: Any) -> str:
    """JSON safe inside a `<script type="application/json">` element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    # "<" only occurs inside JSON strings, where \u003c means the same; no "</script>" can close us.
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
