"""`trialscope run --task all --model baseline/<each>` over a README-named TrialPanorama folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trialscope.cli.main import app
from trialscope.tasks.base import Sample

from . import synthetic_records as synthetic


def _write(folder: Path, train: list[Sample], test: list[Sample]) -> None:
    folder.mkdir(parents=True)
    for split, samples in (("train", train), ("test", test)):
        lines = [json.dumps(sample.raw) for sample in samples]
        (folder / f"{split}.jsonl").write_text("\n".join(lines) + "\n")


def make_benchmark(root: Path) -> Path:
    """All eight tasks under the README's folder names, plus the search corpus."""
    vocabulary = synthetic.topic_vocabulary()
    search_train, screening_train, _ = synthetic.search_and_screening(40, 1, vocabulary)
    search_test, screening_test, corpus = synthetic.search_and_screening(30, 2, vocabulary)
    _write(root / "study_search", search_train, search_test)
    lines = [json.dumps(document) for document in corpus]
    (root / "study_search" / "corpus.jsonl").write_text("\n".join(lines) + "\n")
    _write(root / "study_screening", screening_train, screening_test)
    _write(root / "trial_completion", synthetic.completion(150, 3), synthetic.completion(30, 4))
    for index, folder in enumerate(
        ("design_arms_qa", "design_criteria_qa", "design_outcome_qa", "evidence_summary_qa")
    ):
        train = synthetic.multiple_choice(60, 10 + index, vocabulary)
        _write(root / folder, train, synthetic.multiple_choice(20, 20 + index, vocabulary))
    sizes = synthetic.sample_size(60, 7, vocabulary), synthetic.sample_size(20, 8, vocabulary)
    _write(root / "sample_size_estimation", *sizes)
    return root


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRIALSCOPE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TRIALSCOPE_CACHE_PATH", str(tmp_path / "cache.sqlite"))
    for var in ("DATABASE_PATH", "BENCHMARK_DATA_PATH"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


def test_every_baseline_runs_every_task(workdir: Path) -> None:
    root = make_benchmark(workdir / "benchmark")
    models = ["--model", "baseline/majority", "--model", "baseline/random"]
    models += ["--model", "baseline/lexical"]
    result = CliRunner().invoke(
        app,
        ["run", "--task", "all", *models, "--data-path", str(root), "--output-path", "out"],
    )
    assert result.exit_code == 0, result.output
    found = {}
    for path in sorted((workdir / "out").glob("*/*/*/metrics.json")):
        metrics = json.loads(path.read_text())
        assert (path.parent / "results.json").exists()
        assert metrics["n_parse_errors"] == 0 and metrics["n_errors"] == 0, path
        found[(metrics["task"], metrics["model"])] = metrics["metrics"]
    assert len(found) == 8 * 3
    for task in {task for task, _ in found}:
        lexical, majority = found[(task, "baseline/lexical")], found[(task, "baseline/majority")]
        headline = {
            "study_search": "recall@100",
            "study_screening": "accuracy",
            "trial_completion": "balanced_accuracy_outcome",
            "sample_size_estimation": "accuracy_within_20pct",
        }.get(task, "accuracy")
        assert lexical[headline] > majority[headline], task
