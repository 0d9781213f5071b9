"""Load one benchmark run folder, trialscope's or the original TrialPanorama's layout."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trialscope.report.datasets import DataIdentity, read_data_identity
from trialscope.report.run_files import (
    RunFolderError,
    model_from_slug,
    normalise_timestamp,
    read_json_object,
    read_jsonl_objects,
)
from trialscope.report.sample_fields import SampleFieldError, SampleRecord, read_sample
from trialscope.report.statistics import SampleScore, score_statistic
from trialscope.report.task_names import canonical_task, headline_metrics

BENCHMARK_FILES: tuple[str, ...] = ("results.json", "metrics.json", "samples.jsonl")

# The original TrialPanorama scripts' names for headline metrics (they never named a headline),
# tried after the task's own headline metrics.
_ORIGINAL_HEADLINES: tuple[str, ...] = (
    "avg_recall@100",
    "avg_micro_accuracy",
    "outcome_prediction.accuracy",
    "accuracy",
)
MEAN_SCORE = "mean score"


@dataclass
class BenchmarkRun:
    """One task x model run as the report sees it."""

    task: str
    model: str
    timestamp: str
    folder: Path
    layout: str
    metrics: dict[str, float]
    confidence_intervals: dict[str, tuple[float, float]]
    headline: list[str]
    samples: list[SampleRecord]
    counts: dict[str, int] = field(default_factory=dict)
    usage: dict[str, float] = field(default_factory=dict)
    data: DataIdentity | None = None
    """The data the run answered (from its manifest); None for runs that do not record it."""
    undefined: dict[str, str] = field(default_factory=dict)
    """Metrics the task could not define on this data, with the reason."""

    @property
    def n_samples(self) -> int:
        """Samples the run answered (every one is in every denominator)."""
        return self.counts.get("n_samples", len(self.samples))

    @property
    def split_size(self) -> int | None:
        """Records in the split the run drew from, when its manifest says."""
        return self.data.split_size if self.data is not None else None

    @property
    def partial(self) -> bool:
        """True when the run answered fewer samples than its split holds."""
        size = self.split_size
        return size is not None and self.n_samples < size

    @property
    def n_text(self) -> str:
        """`200`, or `2/200` for a partial run."""
        return f"{self.n_samples}/{self.split_size}" if self.partial else str(self.n_samples)

    @property
    def headline_metric(self) -> str:
        """The first headline metric the run has a value for, else the mean per-sample score."""
        for name in self.headline:
            if name in self.metrics or name in self.undefined:
                return name
        for name in (*headline_metrics(self.task), *_ORIGINAL_HEADLINES):
            if name in self.metrics:
                return name
        return MEAN_SCORE

    @property
    def sample_scores(self) -> dict[str, SampleScore]:
        """Every scored sample's score, weight and stratum, by sample id."""
        return {
            s.sample_id: SampleScore(s.score, s.weight, s.stratum)
            for s in self.samples
            if s.score is not None
        }

    @property
    def mean_score(self) -> float | None:
        """The statistic of the per-sample scores (`docs/formats.md`): their mean, weighted and
        averaged over strata when the samples carry `weight` / `stratum`."""
        return score_statistic(list(self.sample_scores.values()))

    @property
    def headline_value(self) -> float | None:
        """The value of `headline_metric`."""
        name = self.headline_metric
        if name in self.undefined:
            return None
        return self.mean_score if name == MEAN_SCORE else self.metrics.get(name)


def is_benchmark_folder(folder: Path) -> bool:
    """Does this folder hold a benchmark run (either layout)?"""
    if any((folder / name).is_file() for name in BENCHMARK_FILES):
        return True
    return any(folder.glob("*_summary.json"))


def flatten_metrics(metrics: dict[str, Any], prefix: str = "") -> dict[str, float]:
    """Numeric metrics with nested objects joined by dots (`outcome_prediction.accuracy`)."""
    flat: dict[str, float] = {}
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten_metrics(value, f"{name}."))
        elif (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and math.isfinite(float(value))
        ):
            flat[name] = float(value)
    return flat


def _intervals(raw: Any, path: Path) -> dict[str, tuple[float, float]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise RunFolderError(f"{path}: confidence_intervals must be an object of [lo, hi] pairs")
    intervals: dict[str, tuple[float, float]] = {}
    for name, pair in raw.items():
        if (
            isinstance(pair, list | tuple)
            and len(pair) == 2
            and all(isinstance(v, int | float) for v in pair)
        ):
            intervals[name] = (float(pair[0]), float(pair[1]))
        elif pair is not None:
            raise RunFolderError(
                f"{path}: confidence_intervals.{name} must be [lo, hi], found {pair!r}"
            )
    return intervals


def _unique(samples: list[SampleRecord]) -> list[SampleRecord]:
    """Keep the last record per sample_id (a resumed journal may repeat a sample)."""
    by_id: dict[str, SampleRecord] = {}
    for sample in samples:
        by_id[sample.sample_id] = sample
    return list(by_id.values())


def _usage_from_rows(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Token and cost totals from per-sample results, for runs without a metrics.json yet."""
    totals = {"prompt_tokens": 0.0, "completion_tokens": 0.0, "cost_usd": 0.0}
    for row in rows:
        for key in totals:
            value = row.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool):
                totals[key] += float(value)
    return totals


def load_benchmark_run(folder: Path) -> BenchmarkRun:
    """Read a benchmark run folder; missing files are tolerated, malformed ones are errors."""
    results_path, metrics_path = folder / "results.json", folder / "metrics.json"
    results_doc = read_json_object(results_path) if results_path.is_file() else {}
    metrics_doc = read_json_object(metrics_path) if metrics_path.is_file() else {}
    summaries = sorted(folder.glob("*_summary.json"))
    summary_doc = read_json_object(summaries[0]) if summaries and not metrics_doc else {}

    rows: list[dict[str, Any]]
    if "results" in results_doc:
        if not isinstance(results_doc["results"], list):
            raise RunFolderError(f"{results_path}: `results` must be a list of sample results")
        rows = [r for r in results_doc["results"] if isinstance(r, dict)]
        layout = "trialscope" if metrics_doc else "original"
    elif (folder / "samples.jsonl").is_file():
        rows = read_jsonl_objects(folder / "samples.jsonl")
        layout = "journal"
    else:
        rows, layout = [], "summary"
    try:
        samples = _unique([read_sample(row, index) for index, row in enumerate(rows)])
    except SampleFieldError as exc:
        source = results_path if "results" in results_doc else folder / "samples.jsonl"
        raise RunFolderError(f"{source}: {exc}") from exc

    docs = (metrics_doc, results_doc, summary_doc)
    task = next((d["task"] for d in docs if isinstance(d.get("task"), str)), None)
    model = next((d["model"] for d in docs if isinstance(d.get("model"), str)), None)
    parents = folder.resolve().parents
    task = canonical_task(task or (parents[1].name if len(parents) > 1 else folder.name))
    model = model or model_from_slug(parents[0].name)
    stamps = [normalise_timestamp(folder.name)]
    stamps += [normalise_timestamp(d.get("timestamp")) for d in docs]
    timestamp = next((s for s in stamps if s), "")

    raw_metrics = (
        metrics_doc.get("metrics") or results_doc.get("metrics") or summary_doc.get("metrics")
    )
    if raw_metrics is not None and not isinstance(raw_metrics, dict):
        raise RunFolderError(f"{folder}: `metrics` must be an object of metric values")
    headline = metrics_doc.get("headline") or []
    if not isinstance(headline, list):
        raise RunFolderError(f"{metrics_path}: `headline` must be a list of metric names")
    counts = {
        key: int(metrics_doc[key])
        for key in ("n_samples", "n_ok", "n_parse_errors", "n_errors")
        if isinstance(metrics_doc.get(key), int)
    }
    if not counts and samples:
        counts = {
            "n_samples": len(samples),
            "n_ok": sum(s.status == "ok" for s in samples),
            "n_parse_errors": sum(s.status == "parse_error" for s in samples),
            "n_errors": sum(s.status == "error" for s in samples),
        }
    usage = metrics_doc.get("usage") if isinstance(metrics_doc.get("usage"), dict) else {}
    if not usage and any("prompt_tokens" in row for row in rows):
        usage = _usage_from_rows(rows)
    return BenchmarkRun(
        task=task,
        model=model,
        timestamp=timestamp,
        folder=folder,
        layout=layout,
        metrics=flatten_metrics(raw_metrics or {}),
        confidence_intervals=_intervals(metrics_doc.get("confidence_intervals"), metrics_path),
        headline=[str(h) for h in headline],
        samples=samples,
        counts=counts,
        usage=flatten_metrics(usage or {}),
        data=read_data_identity(folder),
        undefined=_undefined(metrics_doc.get("undefined_metrics"), metrics_path),
    )


def _undefined(raw: Any, path: Path) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise RunFolderError(f"{path}: undefined_metrics must map metric names to reasons")
    return {str(name): reason for name, reason in raw.items()}
