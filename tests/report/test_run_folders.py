"""Finding and loading run folders of both layouts, newest-run selection and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.report.run_factory import (
    write_audit_run,
    write_original_completion_run,
    write_original_qa_run,
    write_trialscope_run,
)

from trialscope.report.benchmark_run import load_benchmark_run
from trialscope.report.run_files import RunFolderError
from trialscope.report.run_folders import collect_runs, find_run_folders


def test_parent_folder_finds_benchmark_and_audit_runs(tmp_path: Path) -> None:
    run = write_trialscope_run(tmp_path, "arm_design", "baseline/bm25", 0.5, n=20)
    audit = write_audit_run(tmp_path, "heuristic", 0.9)
    benchmark_folders, audit_folders = find_run_folders([tmp_path])
    assert benchmark_folders == [run]
    assert audit_folders == [audit]


def test_trialscope_run_reads_metrics_usage_and_samples(tmp_path: Path) -> None:
    folder = write_trialscope_run(tmp_path, "trial_completion", "openai/gpt-4o", 0.7, n=30)
    run = load_benchmark_run(folder)
    assert (run.task, run.model, run.timestamp, run.layout) == (
        "trial_completion",
        "openai/gpt-4o",
        "20261121_230000",
        "trialscope",
    )
    assert run.headline_metric == "accuracy"
    assert run.headline_value == pytest.approx(run.mean_score)
    assert run.confidence_intervals["accuracy"][0] < run.metrics["accuracy"]
    assert run.usage["prompt_tokens"] == 200 * 30
    assert len(run.samples) == 30
    assert any(s.calibration for s in run.samples)


def test_newest_timestamp_wins_unless_all_runs_kept(tmp_path: Path) -> None:
    write_trialscope_run(tmp_path, "arm_design", "m/x", 0.2, n=10, timestamp="20261101_000000")
    newest = write_trialscope_run(
        tmp_path, "arm_design", "m/x", 0.9, n=10, timestamp="20261120_000000"
    )
    runs = collect_runs([tmp_path])
    assert [r.folder for r in runs.benchmark] == [newest]
    every = collect_runs([tmp_path], keep_all=True)
    assert sorted(r.model for r in every.benchmark) == [
        "m/x @ 20261101_000000 · unknown data · n=10",
        "m/x @ 20261120_000000 · unknown data · n=10",
    ]


def test_original_qa_layout_maps_task_name_timestamp_and_scores(tmp_path: Path) -> None:
    folder = write_original_qa_run(tmp_path, "design_arms_qa", "gpt-4o", 0.75, n=40)
    run = load_benchmark_run(folder)
    assert run.task == "arm_design"
    assert run.model == "gpt-4o"
    assert run.timestamp == "20250510_101500"
    assert run.layout == "original"
    assert run.headline_metric == "accuracy"
    assert run.headline_value == pytest.approx(run.mean_score)
    assert run.counts["n_samples"] == 40


def test_original_completion_layout_flattens_nested_metrics(tmp_path: Path) -> None:
    run = load_benchmark_run(write_original_completion_run(tmp_path, "o3-mini", n=30))
    assert run.headline_metric == "outcome_prediction.accuracy"
    assert "termination_type.accuracy" not in run.metrics  # it was null
    assert run.samples[0].status == "parse_error" and run.samples[0].score == 0.0
    assert sum(len(s.calibration) for s in run.samples) == 29


def test_summary_only_folder_keeps_its_metrics(tmp_path: Path) -> None:
    folder = tmp_path / "evidence_summary_qa" / "gpt-4o" / "20250101_000000_n5"
    folder.mkdir(parents=True)
    summary = {"task": "evidence_summary", "model": "gpt-4o", "metrics": {"accuracy": 0.6}}
    (folder / "gpt-4o_summary.json").write_text(json.dumps(summary))
    run = load_benchmark_run(folder)
    assert (run.task, run.layout, run.headline_value) == ("evidence_summary", "summary", 0.6)


def test_journal_only_run_skips_a_torn_last_line(tmp_path: Path) -> None:
    folder = write_trialscope_run(tmp_path, "arm_design", "m/x", 0.5, n=5, with_results=False)
    with (folder / "samples.jsonl").open("a") as journal:
        journal.write('{"sample_id": "half')
    run = load_benchmark_run(folder)
    assert run.layout == "journal" and len(run.samples) == 5
    assert run.usage["prompt_tokens"] == 5 * 200
    assert run.headline_metric == "mean score"


def test_broken_journal_line_is_named(tmp_path: Path) -> None:
    folder = write_trialscope_run(tmp_path, "arm_design", "m/x", 0.5, n=5, with_results=False)
    lines = (folder / "samples.jsonl").read_text().splitlines()
    lines[1] = "{oops"
    (folder / "samples.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(RunFolderError, match=r"samples.jsonl: line 2 is not valid JSON"):
        load_benchmark_run(folder)


def test_invalid_metrics_file_is_named(tmp_path: Path) -> None:
    folder = write_trialscope_run(tmp_path, "arm_design", "m/x", 0.5, n=5)
    (folder / "metrics.json").write_text("{not json")
    with pytest.raises(RunFolderError, match=r"metrics.json: not valid JSON \(line 1"):
        load_benchmark_run(folder)


def test_wrong_interval_shape_is_named(tmp_path: Path) -> None:
    folder = write_trialscope_run(tmp_path, "arm_design", "m/x", 0.5, n=5)
    doc = json.loads((folder / "metrics.json").read_text())
    doc["confidence_intervals"] = {"accuracy": [0.1]}
    (folder / "metrics.json").write_text(json.dumps(doc))
    with pytest.raises(RunFolderError, match=r"confidence_intervals.accuracy must be \[lo, hi\]"):
        load_benchmark_run(folder)


def test_missing_path_and_empty_folder_are_errors(tmp_path: Path) -> None:
    with pytest.raises(RunFolderError, match="no such file or folder"):
        collect_runs([tmp_path / "absent"])
    with pytest.raises(RunFolderError, match="no run folders found"):
        collect_runs([tmp_path])


def test_audit_summary_is_recomputed_from_episodes(tmp_path: Path) -> None:
    write_audit_run(tmp_path, "react--smollm2", 0.6, seeds=4, with_summary=False)
    (run,) = collect_runs([tmp_path]).audit
    assert run.agent == "react/smollm2"
    assert set(run.tasks) == {"task_easy", "task_medium", "task_hard"}
    easy = run.tasks["task_easy"]
    scores = [e.score for e in run.episodes if e.task == "task_easy"]
    assert easy.n == 4 and easy.mean == pytest.approx(sum(scores) / 4)
    assert set(easy.components) == {"recall", "precision", "workflow", "efficiency", "report"}


def test_audit_episode_with_bad_score_is_named(tmp_path: Path) -> None:
    folder = write_audit_run(tmp_path, "naive", 0.2, with_summary=False)
    (folder / "episodes.jsonl").write_text('{"task": "task_easy", "score": "high"}\n')
    with pytest.raises(RunFolderError, match=r"episodes.jsonl: line 1: score: expected a number"):
        collect_runs([tmp_path])


def test_weight_and_stratum_are_read_and_bad_weights_are_named(tmp_path: Path) -> None:
    folder = write_trialscope_run(tmp_path, "study_screening", "m/x", 0.5, n=6)
    run = load_benchmark_run(folder)
    assert [s.weight for s in run.samples] == [1, 2, 3, 4, 5, 6]
    assert run.mean_score == pytest.approx(run.metrics["accuracy"])
    doc = json.loads((folder / "results.json").read_text())
    doc["results"][2]["evaluation"]["weight"] = -1
    (folder / "results.json").write_text(json.dumps(doc))
    with pytest.raises(
        RunFolderError,
        match=r"results.json: result 2 \(sample_id 'stud-00002'\): evaluation.weight",
    ):
        load_benchmark_run(folder)
    completion = load_benchmark_run(
        write_trialscope_run(tmp_path, "trial_completion", "m/x", 0.5, n=6)
    )
    assert [s.stratum for s in completion.samples][:3] == ["terminate", "complete", "complete"]
