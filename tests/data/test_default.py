"""The embedded default benchmark: built once into the cache, keyed, atomic under races."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from trialscope.data.builders import TASK_FOLDERS, BuildOptions
from trialscope.data.default import (
    CACHE_ENV,
    DEFAULT_OPTIONS,
    STORE_NAME,
    default_benchmark_root,
    default_key,
)

SMALL = BuildOptions(seed=4, train_size=40, test_size=20, review_train_size=10, review_test_size=5)

RACER = """
import sys
from trialscope.data.builders import BuildOptions
from trialscope.data.default import default_benchmark_root
options = BuildOptions(seed=4, train_size=40, test_size=20, review_train_size=10,
                       review_test_size=5)
print(default_benchmark_root(n_trials=700, options=options))
"""


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(root)): (p.stat().st_mtime_ns, p.stat().st_size)
        for p in root.rglob("*")
        if p.is_file()
    }


def test_built_once_into_the_cache_then_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    root = default_benchmark_root(n_trials=700, options=SMALL)
    assert root.parent.parent == tmp_path
    for task in TASK_FOLDERS:
        assert (root / task / "train.jsonl").is_file()
        assert (root / task / "test.jsonl").is_file()
    assert (root / "study_search" / "corpus.jsonl").is_file()
    assert (root / STORE_NAME).is_file()
    before = snapshot(root)
    assert default_benchmark_root(n_trials=700, options=SMALL) == root
    assert snapshot(root) == before
    assert not [p for p in root.parent.iterdir() if p.name.startswith(".building")]


def test_key_depends_on_size_and_options() -> None:
    assert default_key(700, SMALL) == default_key(700, SMALL)
    assert default_key(700, SMALL) != default_key(701, SMALL)
    assert default_key(700, SMALL) != default_key(700, BuildOptions(seed=5))


def test_two_processes_racing_get_one_complete_copy(tmp_path: Path) -> None:
    env = {**_clean_env(), CACHE_ENV: str(tmp_path)}
    racers = [
        subprocess.Popen([sys.executable, "-c", RACER], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    paths = {racer.communicate(timeout=300)[0].strip() for racer in racers}
    assert all(racer.returncode == 0 for racer in racers)
    assert len(paths) == 1
    root = Path(paths.pop())
    assert (root / "evidence_summary" / "test.jsonl").is_file()
    assert [p.name for p in (tmp_path / "benchmarks").iterdir()] == [root.name]


def _clean_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != CACHE_ENV}


def test_the_real_default_has_useful_sizes() -> None:
    # The shared cache, as the other test packages use it: built at most once per machine.
    root = default_benchmark_root()

    def count(task: str, split: str) -> int:
        return len((root / task / f"{split}.jsonl").read_text("utf-8").splitlines())

    for task in TASK_FOLDERS:
        assert count(task, "test") >= 30, task
        assert count(task, "train") >= 60, task
    assert count("trial_completion_assessment", "test") == DEFAULT_OPTIONS.test_size
    assert count("study_screening", "test") == 30
    first = json.loads((root / "arm_design" / "test.jsonl").read_text("utf-8").splitlines()[0])
    assert first["answer"] in first["options"]


def test_finding_the_default_imports_no_builder_and_no_store() -> None:
    probe = (
        "import sys; import trialscope.data.default; "
        "print(*sorted(m for m in sys.modules if m.startswith(('trialscope.data.', 'duckdb'))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.split() == [
        "trialscope.data.builders",
        "trialscope.data.builders.options",
        "trialscope.data.default",
    ]
