"""`build_benchmark` with a second process: the same bytes as one process, tasks in order."""

from __future__ import annotations

from pathlib import Path

from trialscope.data.builders import TASK_FOLDERS, BuildOptions, build_benchmark
from trialscope.data.builders.benchmark import OFFLOADED_TASKS
from trialscope.data.store import TrialStore

OPTIONS = BuildOptions(
    seed=4, train_size=60, test_size=30, review_train_size=20, review_test_size=10
)


def test_two_workers_write_the_bytes_one_worker_writes(
    synthetic_store: Path, tmp_path: Path
) -> None:
    steps: dict[int, list[str]] = {}
    for workers in (1, 2):
        steps[workers] = []
        with TrialStore(synthetic_store, read_only=True) as store:
            report = build_benchmark(
                store, tmp_path / str(workers), OPTIONS, steps[workers].append, workers=workers
            )
        assert list(report.tasks) == list(TASK_FOLDERS)
    # The offloaded tasks are reported when the second process is done, after the others.
    assert steps[2][-len(OFFLOADED_TASKS) :] == list(OFFLOADED_TASKS)
    assert sorted(steps[1]) == sorted(steps[2])
    files = sorted(p.relative_to(tmp_path / "1") for p in (tmp_path / "1").rglob("*.jsonl"))
    assert len(files) == 2 * len(TASK_FOLDERS) + 1
    for file in files:
        assert (tmp_path / "2" / file).read_bytes() == (tmp_path / "1" / file).read_bytes(), file
