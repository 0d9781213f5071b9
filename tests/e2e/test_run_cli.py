"""`trialscope run`, `sanity-check` and `models` driven as a user drives them."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.support.openai_server import ChatRequest, OpenAIServer
from typer.testing import CliRunner

from trialscope.cli.main import app

REPO = Path(__file__).resolve().parents[2]
SECRET = "sk-e2e-0d6f1c2b-never-on-disk"
TRIAL = re.compile(r"trial number (\d+)")


def answer_for(index: int) -> str:
    return "ABCD"[index % 4]


def make_root(root: Path, n: int = 12, folder: str = "arm_design") -> Path:
    (root / folder).mkdir(parents=True)
    for split in ("train", "test"):
        with (root / folder / f"{split}.jsonl").open("w") as handle:
            for i in range(n):
                record = {
                    "id": f"{split}-{i}",
                    "question": f"Which arms did trial number {i} have?",
                    "options": {"A": "drug", "B": "placebo", "C": "both", "D": "none"},
                    "answer": answer_for(i),
                }
                handle.write(json.dumps(record) + "\n")
    return root


def right_answers(request: ChatRequest) -> str:
    match = TRIAL.search(request.last_user_text)
    index = int(match.group(1)) if match else 0
    return json.dumps({"step_by_step_thinking": "it says so", "answer_choice": answer_for(index)})


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRIALSCOPE_CACHE_PATH", str(tmp_path / "cache.sqlite"))
    monkeypatch.setenv("OPENAI_COMPATIBLE_API_KEY", SECRET)
    for var in ("DATABASE_PATH", "BENCHMARK_DATA_PATH", "OPENAI_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def only_run(out: Path, task: str = "arm_design") -> Path:
    [folder] = [p for p in (out / task).glob("*/*") if p.is_dir()]
    return folder


def test_run_against_a_server_gives_exact_scores(workdir: Path) -> None:
    root = make_root(workdir / "bench")
    with OpenAIServer(right_answers) as server:
        model = f"openai-compatible/scripted@{server.base_url}"
        code, output = invoke(
            "run",
            "--task",
            "arm_design",
            "--model-name",
            model,
            "--data-path",
            str(root),
            "--output-path",
            "out",
            "--max-connections",
            "3",
            "--seed",
            "5",
        )
        assert code == 0, output
        assert server.request_count == 12 and server.max_concurrency <= 3
        assert server.requests[0].body["response_format"] == {"type": "json_object"}
    folder = only_run(workdir / "out")
    metrics = json.loads((folder / "metrics.json").read_text())
    assert metrics["n_samples"] == 12 and metrics["n_ok"] == 12
    assert metrics["metrics"]["accuracy"] == 1.0
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["seed"] == 5 and len(manifest["dataset_files"]) == 1
    for path in workdir.rglob("*"):
        if path.is_file() and path.name != "cache.sqlite":
            assert SECRET.encode() not in path.read_bytes(), path


def test_baseline_and_model_in_one_command(workdir: Path) -> None:
    root = make_root(workdir / "bench")
    with OpenAIServer(right_answers) as server:
        code, output = invoke(
            "run",
            "-t",
            "arm_design",
            "-m",
            "baseline/majority",
            "-m",
            f"openai-compatible/scripted@{server.base_url}",
            "--data-path",
            str(root),
            "--output-path",
            "out",
            "--num-samples",
            "5",
        )
    assert code == 0, output
    runs = sorted(
        p.parent.parent.name for p in (workdir / "out" / "arm_design").glob("*/*/metrics.json")
    )
    assert runs[0] == "baseline--majority" and runs[1].startswith("openai-compatible--scripted")
    for metrics_file in (workdir / "out" / "arm_design").glob("*/*/metrics.json"):
        assert json.loads(metrics_file.read_text())["n_samples"] == 5
    # Resuming a finished run changes nothing and asks nothing (not even a baseline refit).
    again = ["run", "-t", "arm_design", "-m", "baseline/majority", "--data-path", str(root)]
    code, output = invoke(*again, "--output-path", "out", "--num-samples", "5", "--resume")
    assert code == 0, output
    assert len(list((workdir / "out" / "arm_design").glob("*/*/metrics.json"))) == 2


def test_unknown_names_list_the_valid_ones(workdir: Path) -> None:
    root = make_root(workdir / "bench")
    code, output = invoke(
        "run", "-t", "arm_desgn", "-m", "baseline/majority", "--data-path", str(root)
    )
    assert code == 2 and "arm_design" in output and "study_search" in output
    code, output = invoke("run", "-t", "arm_design", "-m", "nope/x", "--data-path", str(root))
    assert code == 2 and "openai-compatible" in output and "baseline" in output
    code, output = invoke(
        "run", "-t", "arm_design", "-m", "baseline/nope", "--data-path", str(root)
    )
    assert code == 2 and "baseline/majority" in output


def test_missing_credentials_name_the_variable(workdir: Path) -> None:
    root = make_root(workdir / "bench")
    code, output = invoke(
        "run", "-t", "arm_design", "-m", "openai/gpt-4o", "--data-path", str(root)
    )
    assert code == 2 and "OPENAI_API_KEY" in output


def test_missing_data_path_is_named(workdir: Path) -> None:
    code, output = invoke(
        "run",
        "-t",
        "arm_design",
        "-m",
        "baseline/majority",
        "--data-path",
        str(workdir / "nowhere"),
    )
    assert code == 2 and "nowhere" in output


def test_malformed_lines_are_named_or_skipped(workdir: Path) -> None:
    root = make_root(workdir / "bench")
    test_file = root / "arm_design" / "test.jsonl"
    lines = test_file.read_text().splitlines()
    lines.insert(3, "{not json")
    test_file.write_text("\n".join(lines) + "\n")
    code, output = invoke(
        "run",
        "-t",
        "arm_design",
        "-m",
        "baseline/majority",
        "--data-path",
        str(root),
        "--output-path",
        "out",
    )
    assert code == 2, output
    # One unwrapped line naming the file, the line number and what is wrong there.
    expected = f"error: {test_file}:4: invalid JSON"
    assert any(line.startswith(expected) for line in output.splitlines()), output
    code, output = invoke(
        "run",
        "-t",
        "arm_design",
        "-m",
        "baseline/majority",
        "--data-path",
        str(root),
        "--output-path",
        "out",
        "--skip-invalid",
    )
    assert code == 0, output
    metrics = json.loads((only_run(workdir / "out") / "metrics.json").read_text())
    assert metrics["n_samples"] == 12 and metrics["n_skipped_invalid"] == 1


def test_models_command_lists_providers(workdir: Path) -> None:
    code, output = invoke("models")
    assert code == 0
    for prefix in ("azure/", "openai/", "vllm/", "ollama/", "local/", "baseline/"):
        assert prefix in output
    assert "AZURE_OPENAI_API_KEY" in output


def test_bad_task_option_is_explained(workdir: Path) -> None:
    code, output = invoke(
        "run", "-t", "arm_design", "-m", "baseline/majority", "--task-option", "batch_size=3"
    )
    assert code == 2 and "TASK.KEY=VALUE" in output


@pytest.mark.slow
def test_cli_run_killed_and_resumed_matches(workdir: Path) -> None:
    root = make_root(workdir / "bench", n=40)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with OpenAIServer(right_answers, latency_s=0.05) as server:
        command = [
            sys.executable,
            "-m",
            "trialscope.cli.main",
            "run",
            "-t",
            "arm_design",
            "-m",
            f"openai-compatible/scripted@{server.base_url}",
            "--data-path",
            str(root),
            "--output-path",
            "out",
            "--max-connections",
            "2",
            "--no-cache",
        ]
        process = subprocess.Popen(
            command, cwd=workdir, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            journals = list((workdir / "out").glob("arm_design/*/*/samples.jsonl"))
            if journals and journals[0].read_text().count("\n") >= 5:
                break
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        finished_before = (only_run(workdir / "out") / "samples.jsonl").read_text().count("\n")
        assert 5 <= finished_before < 40
        # The resume runs in-process: one interpreter start is enough to prove the kill.
        code, output = invoke(*command[3:], "--resume")
        assert code == 0, output
    folder = only_run(workdir / "out")
    metrics = json.loads((folder / "metrics.json").read_text())
    assert metrics["n_samples"] == 40 and metrics["metrics"]["accuracy"] == 1.0
    assert server.request_count <= 40 + 2  # at most the in-flight requests are sent twice
    ids = [json.loads(line)["sample_id"] for line in (folder / "samples.jsonl").open()]
    assert sorted(ids) == sorted(f"test-{i}" for i in range(40))


DESIGN_TASKS = ("arm_design", "endpoint_design", "eligibility_criteria_design")


def run_design_tasks(root: Path, server: OpenAIServer, n_models: int = 1) -> tuple[int, str]:
    args = [arg for task in DESIGN_TASKS for arg in ("-t", task)]
    for index in range(n_models):
        args += ["-m", f"openai-compatible/scripted{index}@{server.base_url}"]
    return invoke("run", *args, "--data-path", str(root), "--output-path", "out")


@pytest.mark.parametrize("n_models", [1, 2])
def test_a_malformed_later_split_fails_its_task_alone(workdir: Path, n_models: int) -> None:
    # Later tasks' splits are read once the first task's requests are out: a malformed line
    # there fails that task with its file and line; the other tasks finish and keep their work.
    root = workdir / "bench"
    for folder in DESIGN_TASKS:
        make_root(root, n=6, folder=folder)
    bad = root / "endpoint_design" / "test.jsonl"
    lines = bad.read_text().splitlines()
    lines.insert(2, '{"id": "broken"')
    bad.write_text("\n".join(lines) + "\n")
    with OpenAIServer(right_answers) as server:
        code, output = run_design_tasks(root, server, n_models)
        # the two good tasks' samples, each sent once per model
        assert server.request_count == 12 * n_models
    assert code == 4, output
    errors = [line for line in output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and errors[0].count(f"{bad}:3: invalid JSON") == n_models, output
    for task in ("arm_design", "eligibility_criteria_design"):
        folders = [p for p in (workdir / "out" / task).glob("*/*") if p.is_dir()]
        assert len(folders) == n_models
        for folder in folders:
            metrics = json.loads((folder / "metrics.json").read_text())
            assert metrics["n_samples"] == 6 and metrics["metrics"]["accuracy"] == 1.0
            assert (folder / "samples.jsonl").read_text().count("\n") == 6
    assert not (workdir / "out" / "endpoint_design").exists()


def test_a_missing_later_split_still_stops_the_run_before_any_request(workdir: Path) -> None:
    root = workdir / "bench"
    for folder in DESIGN_TASKS[:2]:
        make_root(root, n=6, folder=folder)
    with OpenAIServer(right_answers) as server:
        code, output = run_design_tasks(root, server)
        assert server.request_count == 0
    assert code == 2 and "eligibility_criteria_design" in output, output
    assert not (workdir / "out").exists()


def test_sanity_check_reports_pass_and_fail_per_task(workdir: Path) -> None:
    root = make_root(workdir / "bench")
    code, output = invoke(
        "sanity-check",
        "--model",
        "baseline/majority",
        "--data-path",
        str(root),
        "--logs-dir",
        "logs",
    )
    assert code == 1
    lines = {line.split()[1]: line for line in output.splitlines() if line.startswith("│ ")}
    assert "PASS" in lines["arm_design"] and "FAIL" in lines["study_search"]
    assert len(list((workdir / "logs").glob("*.log"))) == 8
    assert "study_search" in (workdir / "logs" / "study_search.log").read_text()
    assert list((workdir / "logs" / "results" / "arm_design").glob("*/*/metrics.json"))
