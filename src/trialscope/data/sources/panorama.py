"""The TrialPanorama database parquet files (`TrialPanorama/TrialPanorama-database`) into the store.

The published database has ten tables (studies, conditions, drugs, endpoints, outcomes,
biomarkers, adverse_events, results, relations, drug_moa). The paper names some columns
(`study_id`, `condition_name`, `condition_mesh_id`, `drug_name`, `drugbank_id`,
`rx_normalized_name`, `start_year`, `phase`, `recruitment_status`, sponsor type); the others were
not verifiable offline, so each store column reads the first of several candidate source columns
that exists (see `TABLE_MAPPINGS`), and is NULL when none does. Tables imported: studies,
conditions, drugs (-> interventions), endpoints (-> outcomes). Each table is loaded set-wise by
DuckDB's `read_parquet`; re-importing replaces the rows of the studies it contains.

A root is a local directory, or `hf://datasets/<owner>/<name>` which is fetched with
`huggingface_hub` (when installed) into its cache first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from trialscope.data.ingest_report import IngestReport
from trialscope.data.store_parquet import ParquetImport
from trialscope.errors import ConfigurationError, InputError

HF_PREFIX = "hf://datasets/"
DEFAULT_HF_DATASET = "hf://datasets/TrialPanorama/TrialPanorama-database"


@dataclass(frozen=True)
class Column:
    """A store column filled from the first existing source column, through `template`."""

    candidates: tuple[str, ...]
    template: str = "{}"
    default: str = "NULL"


def _text(*names: str) -> Column:
    return Column(names, "CAST({} AS VARCHAR)")


def _integer(*names: str) -> Column:
    return Column(names, "TRY_CAST({} AS INTEGER)")


def _date(*names: str) -> Column:
    return Column(names, "TRY_CAST(CAST({} AS VARCHAR) AS DATE)")


@dataclass(frozen=True)
class TableMapping:
    """How one TrialPanorama table fills one store table."""

    source: str
    target: str
    columns: dict[str, Column | str]  # a str is a fixed SQL expression


_POSITION = "CAST(row_number() OVER (PARTITION BY study_id) - 1 AS INTEGER)"

TABLE_MAPPINGS: tuple[TableMapping, ...] = (
    TableMapping(
        "studies",
        "studies",
        {
            "study_id": _text("study_id", "nct_id", "nctid", "trial_id"),
            "source": Column(
                ("study_source", "source", "registry", "data_source"),
                "coalesce(CAST({} AS VARCHAR), 'panorama')",
                "'panorama'",
            ),
            "title": _text("brief_title", "title", "public_title", "official_title"),
            "official_title": _text("official_title", "scientific_title"),
            "summary": _text("brief_summary", "summary", "description"),
            "detailed_description": _text("detailed_description"),
            "study_type": _text("study_type", "trial_type"),
            "phase": _text("phase", "phases"),
            "phases": Column(("phase", "phases"), "string_split(CAST({} AS VARCHAR), '/')"),
            "status": _text("recruitment_status", "overall_status", "status"),
            "why_stopped": _text("why_stopped", "termination_reason"),
            "start_date": Column(
                ("start_date", "start_year"),
                "coalesce(TRY_CAST(CAST({0} AS VARCHAR) AS DATE), "
                "make_date(TRY_CAST({0} AS INTEGER), 1, 1))",
            ),
            "primary_completion_date": _date("primary_completion_date"),
            "completion_date": _date("completion_date"),
            "first_submitted": _date(
                "study_first_submitted_date", "first_submitted", "registration_date"
            ),
            "enrollment": _integer("enrollment", "actual_accrual", "target_sample_size"),
            "enrollment_type": _text("enrollment_type"),
            "sponsor": _text("lead_sponsor", "sponsor", "sponsor_name"),
            "sponsor_class": _text("sponsor_type", "sponsor_class", "agency_class"),
            "allocation": _text("allocation"),
            "intervention_model": _text("intervention_model"),
            "primary_purpose": _text("primary_purpose"),
            "observational_model": _text("observational_model"),
            "time_perspective": _text("time_perspective"),
            "masking": _text("masking"),
            "has_results": Column(("has_results",), "TRY_CAST({} AS BOOLEAN)"),
        },
    ),
    TableMapping(
        "conditions",
        "conditions",
        {
            "study_id": _text("study_id", "nct_id"),
            "position": _POSITION,
            "name": _text("condition_name", "condition", "name"),
            "mesh_id": _text("condition_mesh_id", "mesh_id"),
            "origin": "'panorama'",
        },
    ),
    TableMapping(
        "drugs",
        "interventions",
        {
            "study_id": _text("study_id", "nct_id"),
            "position": _POSITION,
            "type": "'DRUG'",
            "name": _text("drug_name", "rx_normalized_name", "name"),
            "drugbank_id": _text("drugbank_id"),
        },
    ),
    TableMapping(
        "endpoints",
        "outcomes",
        {
            "study_id": _text("study_id", "nct_id"),
            "kind": Column(
                ("endpoint_type", "outcome_type", "type"),
                "CASE WHEN lower(CAST({} AS VARCHAR)) LIKE '%secondary%' "
                "THEN 'secondary' ELSE 'primary' END",
                "'primary'",
            ),
            "position": _POSITION,
            "measure": _text("endpoint_name", "measure", "endpoint", "outcome_measure", "title"),
            "description": _text("description", "endpoint_description"),
            "time_frame": _text("time_frame"),
        },
    ),
)


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


def table_files(root: Path, table: str) -> list[str]:
    """Parquet files of one table: `<table>.parquet`, `<table>-*.parquet` or under `<table>/`."""
    found = []
    for path in sorted(root.rglob("*.parquet")):
        parts = path.relative_to(root).parts[:-1]
        if table in parts or path.stem == table or path.stem.startswith(f"{table}-"):
            found.append(str(path))
    return found


def _source_columns(files: list[str]) -> set[str]:
    with duckdb.connect() as con:
        rows = con.execute(
            "SELECT column_name FROM "
            "(DESCRIBE SELECT * FROM read_parquet(?, union_by_name = true))",
            [files],
        ).fetchall()
    return {str(row[0]) for row in rows}


def build_select(mapping: TableMapping, available: set[str], files: list[str]) -> dict[str, str]:
    """The store-column -> SQL expression map for the columns these files actually have."""
    select: dict[str, str] = {}
    for target, column in mapping.columns.items():
        if isinstance(column, str):
            select[target] = column
            continue
        present = next((name for name in column.candidates if name in available), None)
        if present is None:
            select[target] = column.default
        else:
            select[target] = column.template.format(f'"{present}"')
    id_column = mapping.columns["study_id"]
    candidates = id_column.candidates if isinstance(id_column, Column) else ()
    if not any(name in available for name in candidates):
        raise ValueError(
            f"{files[0]}: table {mapping.source!r} has no study id column "
            f"(expected one of {', '.join(candidates)}; found {', '.join(sorted(available))})"
        )
    # `position` numbers rows within a study, so its window partitions by the source id column.
    partition = f"PARTITION BY {select['study_id']}"
    return {k: v.replace("PARTITION BY study_id", partition) for k, v in select.items()}


def import_panorama(
    store: ParquetImport,
    root: Path,
    *,
    tables: tuple[str, ...] | None = None,
    on_table: Callable[[str, IngestReport], None] | None = None,
) -> list[IngestReport]:
    """Import the TrialPanorama tables found under `root` into the store; one report per table."""
    reports = []
    for mapping in TABLE_MAPPINGS:
        if tables is not None and mapping.source not in tables:
            continue
        files = table_files(root, mapping.source)
        if not files:
            continue
        select = build_select(mapping, _source_columns(files), files)
        report = store.replace_from_parquet(mapping.target, files, select, key=("study_id",))
        report.source = f"panorama:{mapping.source}"
        reports.append(report)
        if on_table is not None:
            on_table(mapping.source, report)
    if not reports:
        raise FileNotFoundError(
            f"{root}: no TrialPanorama parquet tables found "
            f"(looked for {', '.join(m.source for m in TABLE_MAPPINGS)})"
        )
    return reports
