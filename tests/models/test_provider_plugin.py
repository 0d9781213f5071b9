"""Providers as a user meets them: `.env` keys count as configured, and a provider shipped in
another package (tests/models/toy_provider, a real `trialscope.providers` entry point) answers
`trialscope run`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PLUGIN_DIR = Path(__file__).parent / "toy_provider"
PROVIDER_VARIABLES = (
    "OPENAI_API_KEY",
    "TRIALSCOPE_OPENAI_API_KEY",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_ENDPOINT",
    "FIRST_LETTER_TOKEN",
)


def _trialscope(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in PROVIDER_VARIABLES}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PLUGIN_DIR), env.get("PYTHONPATH")]))
    env["TRIALSCOPE_CACHE_PATH"] = str(cwd / "responses.sqlite")
    env["COLUMNS"] = "200"
    return subprocess.run(
        [sys.executable, "-m", "trialscope.cli.main", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
        check=False,
    )


def _states(output: str) -> dict[str, str]:
    states = {}
    for line in output.splitlines():
        prefix, _, rest = line.partition("/  ")
        if rest.startswith(("configured", "not configured")):
            states[prefix.strip()] = "not configured" if rest.startswith("not") else "configured"
    return states


def test_keys_kept_in_dotenv_are_reported_as_configured(tmp_path: Path) -> None:
    before = _states(_trialscope(tmp_path, "models").stdout)
    assert before["openai"] == "not configured"
    assert before["first-letter"] == "not configured"  # the plugin's provider is listed
    (tmp_path / ".env").write_text("OPENAI_API_KEY=sk-from-dotenv\nFIRST_LETTER_TOKEN=t\n")
    result = _trialscope(tmp_path, "models")
    assert result.returncode == 0, result.stderr
    after = _states(result.stdout)
    assert after["openai"] == "configured"
    assert after["first-letter"] == "configured"
    assert after["azure"] == "not configured"
    assert "sk-from-dotenv" not in result.stdout


def test_a_plugin_provider_answers_a_run_and_its_missing_variable_is_named(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "bench" / "evidence_summary"
    folder.mkdir(parents=True)
    answers = ["A", "B", "A", "C"]
    options = {"A": "one", "B": "two", "C": "three"}
    lines = [
        json.dumps({"id": f"q{i}", "question": "Which?", "options": options, "answer": answer})
        for i, answer in enumerate(answers)
    ]
    (folder / "test.jsonl").write_text("\n".join(lines) + "\n")
    args = ("run", "--task", "evidence_summary", "--model", "first-letter/always-a")
    args += ("--data-path", "bench", "--output-path", "results")
    refused = _trialscope(tmp_path, *args)
    assert refused.returncode == 2
    assert "set FIRST_LETTER_TOKEN" in refused.stderr
    (tmp_path / ".env").write_text("FIRST_LETTER_TOKEN=t\n")
    result = _trialscope(tmp_path, *args)
    assert result.returncode == 0, result.stderr
    (run_folder,) = (tmp_path / "results" / "evidence_summary").glob("first-letter*/*")
    metrics = json.loads((run_folder / "metrics.json").read_text())["metrics"]
    assert metrics["accuracy"] == answers.count("A") / len(answers)
    assert metrics["num_parse_errors"] == 0
