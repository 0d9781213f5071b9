"""Parquet export of a whole store, and its re-import: the hand-off to Spark, Ray Data or DuckDB.

Layout of an export folder:

    _export.json                      tables, their columns and types, row counts, schema version
    studies/registration_year=2019/data_0.parquet    study tables: hive-partitioned by the year
    conditions/registration_year=2019/data_0.parquet   the study was first submitted
    publications/data_0.parquet       tables without a study id: one file set, unpartitioned

Hive partitioning is what Spark (`spark.read.parquet(dir)`), Ray Data (`read_parquet(dir)`) and
DuckDB (`read_parquet('dir/**/*.parquet', hive_partitioning = true)`) read without options. The
partition column is derived, not stored: re-import drops it. Files starting with `_` are ignored
by all three readers.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from trialscope.atomic_files import write_json_atomic
from trialscope.data.store_base import StoreBase
from trialscope.errors import InputError, UserError

EXPORT_FORMAT = 1
MANIFEST_NAME = "_export.json"
PARTITION_COLUMN = "registration_year"
STUDY_KEY = "study_id"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class StoreExport(StoreBase):
    """Writes every table of the store to parquet and loads such an export back."""

    def export_parquet(self, out_dir: Path, *, overwrite: bool = False) -> dict[str, Any]:
        """Export every table to `out_dir`; returns the manifest written to `_export.json`.

        Study tables (those with a `study_id`) are partitioned by the study's registration
        year (`first_submitted`; hive's default partition when unknown).
        """
        out_dir = Path(out_dir)
        if out_dir.exists() and any(out_dir.iterdir()):
            if not overwrite:
                raise UserError(f"{out_dir} is not empty: choose a new folder or pass --overwrite")
            shutil.rmtree(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        tables: dict[str, Any] = {}
        for table, columns in sorted(self._column_types.items()):
            names = [name for name, _ in columns]
            target = out_dir / table
            selected = ", ".join(f"t.{_quote(name)}" for name in names)
            order = ", ".join(f"t.{_quote(name)}" for name in names)
            if STUDY_KEY in names and table != "studies":
                query = (
                    f"SELECT {selected}, year(s.first_submitted) AS {PARTITION_COLUMN} "
                    f"FROM {_quote(table)} t LEFT JOIN studies s USING ({STUDY_KEY}) "
                    f"ORDER BY {order}"
                )
            elif table == "studies":
                query = (
                    f"SELECT {selected}, year(t.first_submitted) AS {PARTITION_COLUMN} "
                    f"FROM studies t ORDER BY {order}"
                )
            else:
                query = f"SELECT {selected} FROM {_quote(table)} t ORDER BY {order}"
            partitioned = STUDY_KEY in names
            options = "FORMAT parquet, COMPRESSION zstd"
            if partitioned:
                options += f", PARTITION_BY ({PARTITION_COLUMN})"
                destination = _literal(str(target))
            else:
                target.mkdir(parents=True, exist_ok=True)
                destination = _literal(str(target / "data_0.parquet"))
            self._con.execute(f"COPY ({query}) TO {destination} ({options})")
            if partitioned and not any(target.rglob("*.parquet")):
                # An empty table still gets a file, so readers find its schema (Spark refuses a
                # folder without one); with no partition folder to infer it from, the file
                # carries the partition column itself.
                target.mkdir(parents=True, exist_ok=True)
                self._con.execute(
                    f"COPY (SELECT {selected}, NULL::INTEGER AS {PARTITION_COLUMN} "
                    f"FROM {_quote(table)} t LIMIT 0) "
                    f"TO {_literal(str(target / 'data_0.parquet'))} (FORMAT parquet)"
                )
            tables[table] = {
                "rows": self.count(table),
                "columns": [[name, data_type] for name, data_type in columns],
                "partitioned_by": PARTITION_COLUMN if partitioned else None,
            }
        manifest = {
            "format": "trialscope-store-export",
            "format_version": EXPORT_FORMAT,
            "schema_version": self._meta("schema_version"),
            "tables": tables,
        }
        write_json_atomic(out_dir / MANIFEST_NAME, manifest)
        return manifest

    def import_parquet_export(self, export_dir: Path) -> dict[str, int]:
        """Load an export made by `export_parquet` into this (empty) store; rows per table.

        Every table of the export must exist here with the same columns, and be empty here;
        anything else is an error naming the table, before any row is written.
        """
        export_dir = Path(export_dir)
        manifest_path = export_dir / MANIFEST_NAME
        if not manifest_path.is_file():
            raise InputError(
                "not a trialscope store export (no _export.json); make one with "
                "`trialscope data export`",
                path=export_dir,
            )
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            tables: dict[str, Any] = manifest["tables"]
            version = manifest["format_version"]
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise InputError(f"unreadable export manifest ({error})", path=manifest_path) from None
        if version != EXPORT_FORMAT:
            raise InputError(
                f"export format {version!r}; this trialscope reads format {EXPORT_FORMAT}",
                path=manifest_path,
                field="format_version",
            )
        for table, info in tables.items():
            if table not in self._column_types:
                raise InputError(f"table {table!r} does not exist in this store", path=export_dir)
            here = [name for name, _ in self._column_types[table]]
            there = [name for name, _ in info["columns"]]
            if here != there:
                raise InputError(
                    f"table {table!r} has columns {there}; this store expects {here}",
                    path=manifest_path,
                )
            if table != "store_meta" and self.count(table):
                raise UserError(
                    f"table {table!r} of store {self.path} already holds rows: import an export "
                    "into a new store"
                )
        loaded: dict[str, int] = {}
        self._con.execute("BEGIN TRANSACTION")
        try:
            for table, info in tables.items():
                files = export_dir / table
                if not any(files.rglob("*.parquet")):
                    loaded[table] = 0
                    continue
                names = ", ".join(_quote(name) for name, _ in info["columns"])
                pattern = _literal(str(files / "**" / "*.parquet"))
                hive = "true" if info.get("partitioned_by") else "false"
                if table == "store_meta":
                    self._con.execute("DELETE FROM store_meta")
                self._con.execute(
                    f"INSERT INTO {_quote(table)} ({names}) SELECT {names} FROM "
                    f"read_parquet({pattern}, hive_partitioning = {hive}, union_by_name = true)"
                )
                loaded[table] = self.count(table)
                if loaded[table] != int(info["rows"]):
                    raise InputError(
                        f"table {table!r}: the manifest says {info['rows']} rows, the files hold "
                        f"{loaded[table]}",
                        path=files,
                    )
            self._con.execute("COMMIT")
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        return loaded
