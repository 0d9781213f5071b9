"""Numbers that cannot mislead, end to end through the CLI: runs on two datasets, a 2-sample run
next to full runs, a single-class completion set, an empty split and a run whose every request
fails against a stopped loopback server."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.support.openai_server import OpenAIServer

from trialscope.tasks.loading import resolve_benchmark_root, task_folder
from trialscope.tasks.registry import get_task

COMPLETION = get_task("trial_completion")
FULL_MODELS = ("baseline/majority", "baseline/lexical")


def trialscope(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trialscope.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "COLUMNS": "80", **(env or {})},
    )


def only_terminated(source: Path, target: Path) -> Path:
    """A benchmark root whose completion test split holds only terminated trials."""
    folder = target / "trial_completion"
    folder.mkdir(parents=True)
    lines = (task_folder(COMPLETION, source) / "test.jsonl").read_text("utf-8").splitlines()
    kept = [line for line in lines if json.loads(line)["labels"]["outcome"] == "terminate"]
    (folder / "test.jsonl").write_text("\n".join(kept[:40]) + "\n", "utf-8")
    train = (task_folder(COMPLETION, source) / "train.jsonl").read_text("utf-8")
    (folder / "train.jsonl").write_text(train, "utf-8")
    return target


@pytest.fixture(scope="module")
def two_datasets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("identity")
    default = resolve_benchmark_root(None)
    terminated = only_terminated(default, base / "all-terminated")
    out = base / "results"
    runs = {
        "full": trialscope("run", "-t", "trial_completion", *(f"-m{m}" for m in FULL_MODELS),
                           "--output-path", str(out / "default")),
        "partial": trialscope("run", "-t", "trial_completion", "-m", "baseline/random",
                              "--num-samples", "2", "--output-path", str(out / "default")),
        "single_class": trialscope("run", "-t", "trial_completion",
                                   *(f"-m{m}" for m in FULL_MODELS), "--data-path",
                                   str(terminated), "--output-path", str(out / "terminated")),
    }  # fmt: skip
    for name, run in runs.items():
        assert run.returncode == 0, f"{name}: {run.stderr[-2000:]}"
    report = trialscope("report", str(out), "--out", str(base / "report"), "--resamples", "300")
    assert report.returncode == 0, report.stderr
    return {"out": out, "runs": runs, "report": base / "report", "default": default}


def _metrics(out: Path, model: str) -> dict[str, Any]:
    [path] = (out / "trial_completion" / model.replace("/", "--")).glob("*/metrics.json")
    return dict(json.loads(path.read_text()))


def test_the_manifest_records_the_data_identity(two_datasets: dict[str, Any]) -> None:
    out = two_datasets["out"]
    [path] = (out / "default/trial_completion/baseline--majority").glob("*/manifest.json")
    data = json.loads(path.read_text())["data"]
    assert data["source"] == str(two_datasets["default"].resolve())
    assert data["split"] == "test" and data["split_size"] == 200 and data["n_samples"] == 200
    assert len(data["sample_set_sha256"]) == 64
    [(name, sha)] = data["files"].items()
    assert name.endswith("test.jsonl") and len(sha) == 64
    [partial] = (out / "default/trial_completion/baseline--random").glob("*/manifest.json")
    partial_data = json.loads(partial.read_text())["data"]
    assert partial_data["n_samples"] == 2 and partial_data["split_size"] == 200
    assert partial_data["sample_set_sha256"] != data["sample_set_sha256"]


def test_a_single_class_set_has_undefined_balanced_accuracy_everywhere(
    two_datasets: dict[str, Any],
) -> None:
    metrics = _metrics(two_datasets["out"] / "terminated", "baseline/majority")
    assert metrics["metrics"]["balanced_accuracy_outcome"] is None
    reason = metrics["undefined_metrics"]["balanced_accuracy_outcome"]
    assert "only one gold class ('terminate')" in reason
    assert "balanced_accuracy_outcome" not in metrics["confidence_intervals"]
    run = two_datasets["runs"]["single_class"]
    assert "balanced_accuracy_outcome" in run.stdout and "undefined" in run.stdout
    assert "only one gold class" in run.stderr
    board = (two_datasets["report"] / "leaderboard.md").read_text()
    assert "is undefined: only one gold class ('terminate')" in board


def test_each_dataset_has_its_own_leaderboard_and_a_partial_run_is_never_ranked(
    two_datasets: dict[str, Any],
) -> None:
    board = (two_datasets["report"] / "leaderboard.md").read_text()
    sections = board.split("\n## Dataset: ")[1:]
    titles = sorted(section.splitlines()[0] for section in sections)
    default_name = two_datasets["default"].name
    assert titles == ["all-terminated · test split", f"{default_name} · test split"]
    default = next(s for s in sections if s.startswith(default_name))
    [random_row] = [line for line in default.splitlines() if line.startswith("| baseline/random |")]
    assert "(n=2/200, partial)" in random_row and "**" not in random_row
    assert "answered 2 of 200 samples (partial)" in default
    # the partial run is in no paired comparison, the two full runs are
    pairs = [line for line in default.splitlines() if line.count("|") == 7 and "200 |" in line]
    assert pairs and not any("baseline/random" in line for line in pairs)
    assert "n=200" in default.splitlines()[2]


def test_all_runs_labels_name_the_dataset_and_n(two_datasets: dict[str, Any]) -> None:
    out, base = two_datasets["out"], two_datasets["report"].parent
    again = trialscope("run", "-t", "trial_completion", "-m", "baseline/majority",
                       "--num-samples", "5", "--output-path", str(out / "default"))  # fmt: skip
    assert again.returncode == 0, again.stderr
    report = trialscope("report", str(out), "--all-runs", "--out", str(base / "all"))
    assert report.returncode == 0, report.stderr
    board = (base / "all" / "leaderboard.md").read_text()
    default_name = two_datasets["default"].name
    assert f"· {default_name} · test split · n=200 |" in board
    assert f"· {default_name} · test split · n=5/200 |" in board


def test_run_output_fits_80_columns_and_marks_the_partial_run(
    two_datasets: dict[str, Any],
) -> None:
    partial = two_datasets["runs"]["partial"].stdout
    full = two_datasets["runs"]["full"].stdout
    for text in (partial, full):
        table = text.split("\ntrial_completion · ")[0]  # then the run folders, one a line
        assert all(len(line) <= 80 for line in table.splitlines()), table
        assert "complete" in table
    assert "2/200*" in partial and "partial" in partial


@pytest.mark.browser
def test_two_dataset_report_in_chromium(
    two_datasets: dict[str, Any], browser: Any, artifacts_dir: Path
) -> None:
    page = browser.new_page(viewport={"width": 1320, "height": 1000})
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto((two_datasets["report"] / "report.html").as_uri())
    titles = page.locator("#leaderboard .dataset-title").all_inner_texts()
    default_name = two_datasets["default"].name
    assert sorted(titles) == sorted(
        ["Dataset: all-terminated · test split", f"Dataset: {default_name} · test split"]
    )
    terminated = page.locator(".dataset", has_text="all-terminated")
    assert "undefined" in terminated.locator("table.board").inner_text()
    default = page.locator(".dataset", has_text=default_name)
    partial_cells = default.locator("td.partial")
    assert partial_cells.count() == 1 and "n=2/200 partial" in partial_cells.inner_text()
    assert default.locator("td.partial.best").count() == 0
    assert default.locator("td.best").count() >= 1
    page.locator("#leaderboard").screenshot(path=str(artifacts_dir / "report-two-datasets.png"))
    assert problems == []
    page.close()


def test_an_empty_split_is_an_error_naming_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "bench" / "arm_design"
    folder.mkdir(parents=True)
    (folder / "test.jsonl").write_text("\n  \n", "utf-8")
    (folder / "train.jsonl").write_text("", "utf-8")
    bench, out = str(tmp_path / "bench"), str(tmp_path / "out")
    result = trialscope("run", "-t", "arm_design", "-m", "baseline/majority", "--data-path",
                        bench, "--output-path", out)  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert f"{folder / 'test.jsonl'}: no records" in result.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").rglob("metrics.json"))


def test_a_run_whose_every_request_fails_exits_3_and_says_why(tmp_path: Path) -> None:
    with OpenAIServer() as server:
        base_url = server.base_url
    # the server is stopped: every request is refused
    result = trialscope(
        "run", "-t", "arm_design", "-m", f"openai-compatible/gone@{base_url}",
        "--num-samples", "3", "--max-retries", "0", "--output-path", str(tmp_path / "out"),
        "--no-cache",
        env={"OPENAI_COMPATIBLE_API_KEY": "sk-test", "TRIALSCOPE_CACHE_PATH":
             str(tmp_path / "cache.sqlite")},
    )  # fmt: skip
    assert result.returncode == 3, result.stdout + result.stderr
    assert "every sample failed: 3 request errors" in result.stderr
    # the most common reason, with its count (the provider's words for a refused connection)
    assert re.search(r"warning: +3 x .*connection error", result.stderr, re.IGNORECASE)


@pytest.mark.browser
def test_results_keep_the_exact_messages_sent_and_the_browser_shows_them(
    tmp_path: Path, browser: Any
) -> None:
    with OpenAIServer(lambda request: '{"answer_choice": "A"}') as server:
        result = trialscope(
            "run", "-t", "arm_design", "-m", f"openai-compatible/echo@{server.base_url}",
            "--num-samples", "2", "--system-prompt", "Answer tersely.",
            "--output-path", str(tmp_path / "out"),
            env={"OPENAI_COMPATIBLE_API_KEY": "sk-test",
                 "TRIALSCOPE_CACHE_PATH": str(tmp_path / "cache.sqlite")},
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        sent = {json.dumps(r.messages) for r in server.requests}
    [results] = (tmp_path / "out").rglob("results.json")
    rows = json.loads(results.read_text())["results"]
    stored = {json.dumps(row["messages"][0]) for row in rows}
    assert stored == sent and len(stored) == 2
    assert all(row["messages"][0][0] == {"role": "system", "content": "Answer tersely."}
               for row in rows)  # fmt: skip
    report = trialscope("report", str(tmp_path / "out"), "--out", str(tmp_path / "report"))
    assert report.returncode == 0, report.stderr
    page = browser.new_page()
    page.goto((tmp_path / "report" / "report.html").as_uri())
    page.locator("#samples").scroll_into_view_if_needed()
    page.wait_for_selector("#sb-table tbody tr.row")
    page.locator("#sb-table tbody tr.row").first.click()
    detail = page.inner_text("#sb-table tr.detail")
    assert "CHAT MESSAGES SENT (EXACT)" in detail.upper()
    assert "[system]\nAnswer tersely." in detail and "[user]" in detail
    page.close()
