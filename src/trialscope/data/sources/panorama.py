"""The TrialPanorama database parquet files (`TrialPanorama/TrialPanorama-database`) into the store.

The mapping itself (eleven tables, candidate columns) is `panorama_mapping`; this module finds
each table's part files, plans the import (`plan_panorama`, shown by `--dry-run`) and runs it.
Candidates come from the paper and third-party code that reads the real release; each table is
loaded set-wise by DuckDB's `read_parquet` over all its part files; re-importing replaces the
rows of the studies it contains.

A root is a local directory, or `hf://datasets/<owner>/<name>` which is fetched with
`huggingface_hub` (when installed) into its cache first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from trialscope.data.ingest_report import IngestReport
from trialscope.data.sources.panorama_mapping import TABLE_MAPPINGS, Column, TableMapping
from trialscope.data.store_parquet import ParquetImport
from trialscope.errors import ConfigurationError, InputError

HF_PREFIX = "hf://datasets/"
DEFAULT_HF_DATASET = "hf://datasets/TrialPanorama/TrialPanorama-database"


def resolve_root(root: str, *, download: Callable[[str], Path] | None = None) -> Path:
    """A local directory for `root`; `hf://datasets/...` is fetched with huggingface_hub."""
    if not root.startswith(HF_PREFIX):
        path = Path(root)
        if not path.is_dir():
            raise InputError("not a directory of TrialPanorama parquet files", path=root)
        return path
    return (download or _download_from_hub)(root.removeprefix(HF_PREFIX))


def _download_from_hub(repo_id: str) -> Path:
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        raise ConfigurationError(
            "reading hf:// needs huggingface_hub (pip install huggingface_hub), "
            "or download the parquet files and pass their directory"
        ) from None
    local = snapshot_download(repo_id=repo_id, repo_type="dataset", allow_patterns=["*.parquet"])
    return Path(local)


def table_of(root: Path, path: Path) -> str | None:
    """The release table a parquet file belongs to, or None when it belongs to none.

    `<table>.parquet`, its part files (`<table>_part_2.parquet`, `<table>-00001.parquet`) and
    any file under a `<table>/` folder.
    """
    folders = path.relative_to(root).parts[:-1]
    for mapping in TABLE_MAPPINGS:
        table = mapping.source
        if table in folders or path.stem == table:
            return table
        if path.stem.startswith(table) and _PART.fullmatch(path.stem[len(table) :]):
            return table
    return None


_PART = re.compile(r"[_-]part[_-]?\d+|-\d+(?:-of-\d+)?")


def table_files(root: Path, table: str) -> list[str]:
    """Parquet files of one table, in name order."""
    return [str(p) for p in sorted(root.rglob("*.parquet")) if table_of(root, p) == table]


def unmapped_files(root: Path) -> list[Path]:
    """Parquet files under `root` that belong to no table of the release."""
    return [p for p in sorted(root.rglob("*.parquet")) if table_of(root, p) is None]


def _source_columns(files: list[str]) -> list[str]:
    with duckdb.connect() as con:
        rows = con.execute(
            "SELECT column_name FROM "
            "(DESCRIBE SELECT * FROM read_parquet(?, union_by_name = true))",
            [files],
        ).fetchall()
    return [str(row[0]) for row in rows]


@dataclass(frozen=True)
class TablePlan:
    """What one release table will fill: its files, and each store column's source."""

    mapping: TableMapping
    files: list[str]
    source_columns: list[str]
    select: dict[str, str]
    sources: dict[str, str | None]
    """store column -> the source column it reads (None: nothing, the column stays NULL)."""


def build_select(
    mapping: TableMapping, available: set[str], files: list[str]
) -> tuple[dict[str, str], dict[str, str | None]]:
    """(store column -> SQL expression, store column -> source column) for these files."""
    select: dict[str, str] = {}
    sources: dict[str, str | None] = {}
    for target, column in mapping.columns.items():
        if isinstance(column, str):
            select[target], sources[target] = column, f"= {column}"
            continue
        present = next((name for name in column.candidates if name in available), None)
        sources[target] = present
        select[target] = (
            column.default if present is None else column.template.format(f'"{present}"')
        )
    if mapping.mode == "copy":
        return select, sources
    id_column = mapping.columns["study_id"]
    candidates = id_column.candidates if isinstance(id_column, Column) else ()
    if not any(name in available for name in candidates):
        raise InputError(
            f"table {mapping.source!r} has no study id column (expected one of "
            f"{', '.join(candidates)}; found {', '.join(sorted(available))})",
            path=files[0],
        )
    # `position` numbers rows within a study, so its window partitions by the source id column.
    partition = f"PARTITION BY {select['study_id']}"
    return {k: v.replace("PARTITION BY study_id", partition) for k, v in select.items()}, sources


def plan_panorama(root: Path, tables: tuple[str, ...] | None = None) -> list[TablePlan]:
    """The mapping an import of `root` would use; a parquet file of no known table is an error."""
    stray = unmapped_files(root)
    if stray:
        known = ", ".join(m.source for m in TABLE_MAPPINGS)
        raise InputError(
            f"parquet file of no TrialPanorama table (known tables: {known}; part files are "
            f"named <table>_part_<n>.parquet)",
            path=stray[0],
        )
    plans = []
    for mapping in TABLE_MAPPINGS:
        if tables is not None and mapping.source not in tables:
            continue
        files = table_files(root, mapping.source)
        if not files:
            continue
        columns = _source_columns(files)
        select, sources = build_select(mapping, set(columns), files)
        plans.append(TablePlan(mapping, files, columns, select, sources))
    if not plans:
        raise InputError(
            "no TrialPanorama parquet tables here "
            f"(looked for {', '.join(m.source for m in TABLE_MAPPINGS)})",
            path=root,
        )
    return plans


def import_panorama(
    store: ParquetImport,
    root: Path,
    *,
    tables: tuple[str, ...] | None = None,
    on_table: Callable[[str, IngestReport], None] | None = None,
) -> list[IngestReport]:
    """Import the TrialPanorama tables found under `root` into the store; one report per table."""
    reports = []
    for plan in plan_panorama(root, tables):
        mapping = plan.mapping
        if mapping.mode == "copy":
            report = store.copy_parquet_table(mapping.target, plan.files)
        elif mapping.mode == "update":
            report = store.update_from_parquet(mapping.target, plan.files, plan.select, "study_id")
        else:
            report = store.replace_from_parquet(
                mapping.target, plan.files, plan.select, key=("study_id",)
            )
        report.source = f"panorama:{mapping.source}"
        reports.append(report)
        if on_table is not None:
            on_table(mapping.source, report)
    return reports
