"""Which data a run answered, and the runs grouped by it: one leaderboard per dataset.

A run's manifest records its data identity (`data`: source, split, file hashes, split size and
a hash of the sample ids it answered; see docs/formats.md). Runs are ranked only against runs on
the same data. Runs from before that field existed are grouped as "unknown data", apart from
every identified dataset, since nothing says which data they used.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trialscope.report.run_files import RunFolderError, read_json_object

UNKNOWN_DATA = "unknown data"


@dataclass(frozen=True)
class DataIdentity:
    """The data one run answered."""

    source: str
    """`hf://<id>` or the benchmark root's absolute path."""
    name: str
    """A short name for headings: the hf id or the root folder's name."""
    split: str
    files_sha256: str
    """One hash over the task's data files (their names and sha256)."""
    split_size: int | None
    """Records in the split; a run that answered fewer is partial."""
    sample_set_sha256: str | None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def read_data_identity(folder: Path) -> DataIdentity | None:
    """The `data` entry of a run folder's manifest.json; None when the run does not say."""
    path = folder / "manifest.json"
    if not path.is_file():
        return None
    data = read_json_object(path).get("data")
    if data is None:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("source"), str):
        raise RunFolderError(f"{path}: `data` must be an object with a `source` text")
    files = data.get("files")
    if not isinstance(files, dict):
        files = {}
    digest = hashlib.sha256()
    for name, sha in sorted(files.items()):
        digest.update(f"{name}\x00{sha}\x00".encode())
    sample_set = data.get("sample_set_sha256")
    return DataIdentity(
        source=data["source"],
        name=str(data.get("name") or data["source"]),
        split=str(data.get("split") or "test"),
        files_sha256=digest.hexdigest(),
        split_size=_int(data.get("split_size")),
        sample_set_sha256=sample_set if isinstance(sample_set, str) else None,
    )


@dataclass
class DatasetGroup:
    """Runs on one dataset: one source and split, and for each task the same files."""

    name: str
    source: str
    split: str | None
    task_files: dict[str, str] = field(default_factory=dict)
    runs: list[Any] = field(default_factory=list)
    """The BenchmarkRuns of this dataset."""

    @property
    def known(self) -> bool:
        """False for the group of runs that do not record their data."""
        return self.split is not None

    @property
    def title(self) -> str:
        """The heading a report shows for this dataset."""
        if not self.known:
            return f"{UNKNOWN_DATA} (runs that do not record their data; they may differ)"
        return f"{self.name} · {self.split} split"


def group_by_dataset(runs: list[Any]) -> list[DatasetGroup]:
    """Groups of runs on the same data, known datasets by name first, unknown data last.

    Two runs of a task on one source and split whose files differ (the data was rebuilt in
    place) land in different groups, the later one named with its files' hash.
    """
    groups: list[DatasetGroup] = []
    unknown = DatasetGroup(UNKNOWN_DATA, UNKNOWN_DATA, None)
    for run in sorted(runs, key=lambda r: (r.timestamp, str(r.folder)), reverse=True):
        identity: DataIdentity | None = run.data
        if identity is None:
            unknown.runs.append(run)
            continue
        home = next(
            (
                g
                for g in groups
                if g.source == identity.source
                and g.split == identity.split
                and g.task_files.get(run.task, identity.files_sha256) == identity.files_sha256
            ),
            None,
        )
        if home is None:
            same_source = any(
                g.source == identity.source and g.split == identity.split for g in groups
            )
            name = identity.name
            if same_source:
                name = f"{name} (data {identity.files_sha256[:8]})"
            home = DatasetGroup(name, identity.source, identity.split)
            groups.append(home)
        home.task_files.setdefault(run.task, identity.files_sha256)
        home.runs.append(run)
    groups.sort(key=lambda g: (g.name, g.source))
    if unknown.runs:
        groups.append(unknown)
    return groups
