"""Find run folders under the paths a user gives; keep the newest run per dataset, task, model."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from trialscope.report.audit_run import AuditRun, is_audit_folder, load_audit_run
from trialscope.report.benchmark_run import BenchmarkRun, is_benchmark_folder, load_benchmark_run
from trialscope.report.datasets import DatasetGroup, group_by_dataset
from trialscope.report.run_files import RunFolderError

log = logging.getLogger(__name__)
SHARD_FOLDER = re.compile(r"-shard\d+of\d+$")
"""One shard of a run (`run --shard I/N`): a part, reported once merged (`trialscope merge`)."""


@dataclass
class RunSet:
    """Every run a report covers."""

    benchmark: list[BenchmarkRun]
    audit: list[AuditRun]
    datasets: list[DatasetGroup] = field(default_factory=list)
    """The benchmark runs grouped by the data they answered."""


def find_run_folders(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """Benchmark and audit run folders at or under `paths` (a file stands for its folder)."""
    benchmark: list[Path] = []
    audit: list[Path] = []
    for given in paths:
        if not given.exists():
            raise RunFolderError(f"{given}: no such file or folder")
        start = given.parent if given.is_file() else given
        for root, dirs, _files in os.walk(start):
            folder = Path(root)
            # An audit folder also holds summary.json, so it is recognised first.
            if (folder / "episodes.jsonl").is_file() or (
                is_audit_folder(folder) and not is_benchmark_folder(folder)
            ):
                audit.append(folder)
                dirs.clear()
            elif SHARD_FOLDER.search(folder.name) and is_benchmark_folder(folder):
                log.info("%s: a shard of a run, left out (report its merged run)", folder)
                dirs.clear()
            elif is_benchmark_folder(folder):
                benchmark.append(folder)
                dirs.clear()
            else:
                dirs.sort()
    return sorted(set(benchmark)), sorted(set(audit))


def _newest_benchmark(runs: list[BenchmarkRun]) -> list[BenchmarkRun]:
    newest: dict[tuple[str, str], BenchmarkRun] = {}
    for run in runs:
        key = (run.task, run.model)
        if key not in newest or (run.timestamp, str(run.folder)) > (
            newest[key].timestamp,
            str(newest[key].folder),
        ):
            newest[key] = run
    return list(newest.values())


def _newest_audit(runs: list[AuditRun]) -> list[AuditRun]:
    newest: dict[str, AuditRun] = {}
    for run in runs:
        if run.agent not in newest or run.timestamp > newest[run.agent].timestamp:
            newest[run.agent] = run
    return list(newest.values())


def _label_repeats(group: DatasetGroup) -> None:
    """With every run kept, each run's label says when it ran, on which data and on how many
    samples, so two runs of a model are told apart."""
    seen: dict[tuple[str, str], int] = {}
    for run in group.runs:
        seen[(run.task, run.model)] = seen.get((run.task, run.model), 0) + 1
    for run in group.runs:
        if seen[(run.task, run.model)] > 1:
            when = run.timestamp or run.folder.name
            data = group.title if group.known else group.name
            run.model = f"{run.model} @ {when} · {data} · n={run.n_text}"


def collect_runs(paths: list[Path], keep_all: bool = False) -> RunSet:
    """Load every run under `paths`, grouped by dataset; unless `keep_all`, only the newest run
    per dataset, task and model."""
    benchmark_folders, audit_folders = find_run_folders(paths)
    if not benchmark_folders and not audit_folders:
        shown = ", ".join(str(p) for p in paths)
        raise RunFolderError(
            f"no run folders found under {shown} (expected results.json, metrics.json, "
            "samples.jsonl or an audit episodes.jsonl)"
        )
    loaded = [load_benchmark_run(folder) for folder in benchmark_folders]
    audit = [load_audit_run(folder) for folder in audit_folders]
    groups = group_by_dataset(loaded)
    for group in groups:
        if keep_all:
            _label_repeats(group)
        else:
            group.runs = _newest_benchmark(group.runs)
    if not keep_all:
        audit = _newest_audit(audit)
    benchmark = [run for group in groups for run in group.runs]
    return RunSet(benchmark=benchmark, audit=audit, datasets=groups)
