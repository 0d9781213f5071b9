"""Write run folders in the documented formats (trialscope's and the original's) for tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from trialscope.report.statistics import SampleScore, score_statistic
from trialscope.tasks.registry import task_names

TASKS = task_names()
_CALIBRATED = {"study_screening", "trial_completion"}


def _dump(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=1), encoding="utf-8")


def sample_results(
    task: str,
    accuracy: float,
    n: int,
    seed: int,
    parse_error_rate: float = 0.03,
    prompt_padding: int = 0,
) -> list[dict[str, Any]]:
    """Per-sample results in trialscope's `SampleResult` shape with seeded correctness."""
    rng = np.random.default_rng(seed)
    review_rng = np.random.default_rng([seed, 1])  # apart, so other tasks' draws do not change
    results = []
    for i in range(n):
        status = "parse_error" if rng.random() < parse_error_rate else "ok"
        correct = status == "ok" and rng.random() < accuracy
        gold = "ABCD"[i % 4]
        prediction = (gold if correct else "ABCD"[(i + 1) % 4]) if status == "ok" else None
        evaluation: dict[str, Any] = {"score": 1.0 if correct else 0.0, "gold": gold}
        if task == "study_screening":
            # a review of several studies: a fraction correct, weighted by its studies
            studies = 1 + i % 7
            right = int(review_rng.binomial(studies, accuracy)) if status == "ok" else 0
            evaluation.update(score=right / studies, weight=studies)
        elif task == "trial_completion":
            evaluation["stratum"] = "terminate" if i % 3 == 0 else "complete"
        if task in _CALIBRATED:
            confidence = float(np.clip(accuracy + rng.normal(0, 0.2), 0.0, 1.0))
            evaluation["calibration"] = [[confidence, 1 if correct else 0]]
        raw = json.dumps({"answer_choice": prediction}) if status == "ok" else "I cannot decide <b>"
        results.append(
            {
                "sample_id": f"{task[:4]}-{i:05d}",
                "input": {
                    "question": f"Question {i} about trial NCT{i:08d}?"
                    + ("\nInclusion: adults with stage II disease." * prompt_padding)[
                        :prompt_padding
                    ],
                    "options": {"A": "first arm", "B": "second arm", "C": "third", "D": "fourth"},
                },
                "prediction": prediction,
                "evaluation": evaluation,
                "status": status,
                "error": "no JSON found" if status != "ok" else None,
                "raw_responses": [raw],
                "prompt_tokens": 200,
                "completion_tokens": 20,
                "cost_usd": 0.0001,
                "latency_s": float(0.5 + rng.random()),
            }
        )
    return results


def write_trialscope_run(
    output: Path,
    task: str,
    model: str,
    accuracy: float,
    n: int = 60,
    seed: int = 0,
    timestamp: str = "20261121_230000",
    with_results: bool = True,
    prompt_padding: int = 0,
) -> Path:
    """A complete trialscope run folder; returns it."""
    folder = output / task / model.replace("/", "--") / timestamp
    results = sample_results(task, accuracy, n, seed, prompt_padding=prompt_padding)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "samples.jsonl").open("w", encoding="utf-8") as journal:
        for row in results:
            journal.write(json.dumps(row) + "\n")
    # the headline is the statistic docs/formats.md defines over (score, weight, stratum)
    mean = score_statistic(
        [
            SampleScore(
                r["evaluation"]["score"],
                r["evaluation"].get("weight", 1.0),
                r["evaluation"].get("stratum"),
            )
            for r in results
        ]
    )
    assert mean is not None
    metric = "accuracy"
    metrics = {
        "task": task,
        "model": model,
        "timestamp": timestamp,
        "n_samples": n,
        "n_ok": sum(r["status"] == "ok" for r in results),
        "n_parse_errors": sum(r["status"] == "parse_error" for r in results),
        "n_errors": 0,
        "metrics": {metric: mean, "macro_f1": mean * 0.98},
        "confidence_intervals": {metric: [max(0.0, mean - 0.08), min(1.0, mean + 0.08)]},
        "headline": [metric, "macro_f1"],
        "usage": {
            "prompt_tokens": 200 * n,
            "completion_tokens": 20 * n,
            "cost_usd": 0.0001 * n,
            "latency_p50_s": 1.0,
            "latency_p95_s": 1.4,
            "retries": 0,
            "cached": 0,
        },
    }
    if with_results:
        _dump(
            folder / "results.json",
            {
                "task": task,
                "model": model,
                "timestamp": timestamp,
                "metrics": metrics["metrics"],
                "results": results,
            },
        )
        _dump(folder / "metrics.json", metrics)
    _dump(folder / "manifest.json", {"trialscope_version": "0.1.0", "seed": seed})
    return folder


def write_original_qa_run(
    output: Path, task: str, model: str, accuracy: float, n: int = 40, seed: int = 0
) -> Path:
    """A run folder as the original TrialPanorama QA scripts wrote it."""
    rng = np.random.default_rng(seed)
    folder = output / task / model / f"20250510_101500_n{n}"
    results = []
    for i in range(n):
        gold = "abcd"[i % 4]
        correct = bool(rng.random() < accuracy)
        pred = gold if correct else "abcd"[(i + 2) % 4]
        raw = f'```json\n{{"step_by_step_thinking": "...", "answer_choice": "{pred.upper()}"}}\n```'
        results.append(
            {
                "sample_id": f"q{i}",
                "input": f"Question {i}\nA. one\nB. two\nC. three\nD. four\n",
                "prediction": raw,
                "evaluation": {
                    "id": f"q{i}",
                    "true_answer": gold,
                    "pred_answer": pred,
                    "correct": correct,
                    "thinking": "...",
                },
            }
        )
    correct_count = sum(r["evaluation"]["correct"] for r in results)
    metrics = {"num_samples": n, "num_correct": correct_count, "accuracy": correct_count / n}
    doc = {"task": task, "model": model, "timestamp": "2025-05-10 10:15:00", "metrics": metrics}
    _dump(folder / "results.json", {**doc, "results": results})
    _dump(folder / f"{model}_summary.json", doc)
    return folder


def write_original_completion_run(output: Path, model: str, n: int = 40, seed: int = 0) -> Path:
    """An original trial-completion run: nested metrics, `correct_outcome`, `confidence`."""
    rng = np.random.default_rng(seed)
    folder = output / "trial_completion" / model / f"20250511_090000_n{n}"
    results = []
    for i in range(n):
        truth = "complete" if i % 3 else "terminate"
        pred = None if i == 0 else ("complete" if rng.random() < 0.7 else "terminate")
        results.append(
            {
                "sample_id": f"NCT{i:08d}",
                "input": f"# Trial: NCT{i:08d}\n## Title\nA trial",
                "prediction": {"outcome": pred, "confidence": 70},
                "evaluation": {
                    "nct_id": f"NCT{i:08d}",
                    "true_outcome": truth,
                    "pred_outcome": pred,
                    "confidence": float(rng.uniform(0.4, 0.95)),
                    "correct_outcome": None if pred is None else pred == truth,
                    "correct_terminate_type": None,
                },
            }
        )
    scored = [r["evaluation"]["correct_outcome"] for r in results]
    metrics = {
        "num_samples": n,
        "outcome_prediction": {"accuracy": sum(bool(s) for s in scored) / n, "f1": 0.5},
        "termination_type": {"accuracy": None},
    }
    _dump(
        folder / "results.json",
        {
            "task": "trial_completion",
            "model": model,
            "timestamp": "2025-05-11 09:00:00",
            "metrics": metrics,
            "results": results,
        },
    )
    return folder


def write_audit_run(
    output: Path,
    agent: str,
    level: float,
    seeds: int = 5,
    seed: int = 0,
    with_summary: bool = True,
    timestamp: str = "20261121_231500",
) -> Path:
    """An audit run folder with episodes over three tasks."""
    rng = np.random.default_rng(seed)
    folder = output / "audit" / agent / timestamp
    folder.mkdir(parents=True, exist_ok=True)
    episodes = []
    for t, task in enumerate(("task_easy", "task_medium", "task_hard")):
        for s in range(seeds):
            base = float(np.clip(level - 0.15 * t + rng.normal(0, 0.05), 0.01, 0.99))
            components = {
                name: float(np.clip(base + rng.normal(0, 0.08), 0.0, 1.0))
                for name in ("recall", "precision", "workflow", "efficiency", "report")
            }
            episodes.append(
                {
                    "task": task,
                    "seed": s,
                    "score": base,
                    "components": components,
                    "steps": 20,
                    "calibration": [],
                }
            )
    with (folder / "episodes.jsonl").open("w", encoding="utf-8") as stream:
        for episode in episodes:
            stream.write(json.dumps(episode) + "\n")
    if with_summary:
        tasks = {}
        for task in ("task_easy", "task_medium", "task_hard"):
            chosen = [e for e in episodes if e["task"] == task]
            mean = sum(e["score"] for e in chosen) / len(chosen)
            tasks[task] = {
                "n": len(chosen),
                "mean": mean,
                "ci95": [mean - 0.05, mean + 0.05],
                "components": {
                    c: sum(e["components"][c] for e in chosen) / len(chosen)
                    for c in chosen[0]["components"]
                },
            }
        _dump(folder / "summary.json", {"agent": agent, "model": "", "tasks": tasks})
    return folder


def write_benchmark_tree(
    output: Path,
    models: list[tuple[str, float]],
    n: int,
    tasks: tuple[str, ...] = TASKS,
    prompt_padding: int = 0,
) -> None:
    """Every task x model as a trialscope run folder."""
    for t, task in enumerate(tasks):
        for m, (model, accuracy) in enumerate(models):
            write_trialscope_run(
                output,
                task,
                model,
                accuracy,
                n=n,
                seed=1000 * t + m,
                prompt_padding=prompt_padding,
            )
