"""Set-wise import of parquet files into the store's tables (used by the TrialPanorama source)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from trialscope.data.ingest_report import IngestFailure, IngestReport
from trialscope.data.store_base import StoreBase


class ParquetImport(StoreBase):
    """Loads parquet rows into a store table through a column mapping, replacing by key."""

    def replace_from_parquet(
        self,
        table: str,
        files: Sequence[str],
        select: Mapping[str, str],
        key: Sequence[str],
        *,
        constant_filter: str | None = None,
    ) -> IngestReport:
        """Load parquet rows into `table`: `select` maps each target column to a source expression.

        Target rows sharing a `key` with the incoming rows are deleted first, so a re-import
        replaces rather than duplicates. Rows whose key is NULL are counted as failures.
        """
        if table not in self._column_types:
            raise ValueError(f"unknown store table {table!r}")
        known = {name for name, _ in self._column_types[table]}
        unknown = set(select) - known
        if unknown:
            raise ValueError(f"{table}: no such columns {sorted(unknown)}")
        report = IngestReport(source=f"parquet:{table}")
        exprs = ", ".join(f"{expr} AS {name}" for name, expr in select.items())
        not_null = " AND ".join(f"{k} IS NOT NULL" for k in key)
        where = f"WHERE {constant_filter}" if constant_filter else ""
        file_list = _file_list(files)
        self._con.execute(
            f"CREATE OR REPLACE TEMP VIEW _incoming AS SELECT {exprs} "
            f"FROM read_parquet({file_list}, union_by_name = true) {where}"
        )
        self._con.execute("BEGIN TRANSACTION")
        try:
            total, missing = self._con.execute(
                f"SELECT count(*), count(*) FILTER (WHERE NOT ({not_null})) FROM _incoming"
            ).fetchone() or (0, 0)
            join = " AND ".join(f"{table}.{k} = keys.{k}" for k in key)
            keys = ", ".join(key)
            (replaced,) = self._con.execute(
                f"SELECT count(*) FROM {table} WHERE EXISTS "
                f"(SELECT 1 FROM (SELECT DISTINCT {keys} FROM _incoming) keys WHERE {join})"
            ).fetchone() or (0,)
            self._con.execute(
                f"DELETE FROM {table} USING "
                f"(SELECT DISTINCT {keys} FROM _incoming WHERE {not_null}) keys WHERE {join}"
            )
            names = ", ".join(select)
            self._con.execute(
                f"INSERT INTO {table} ({names}) SELECT {names} FROM _incoming WHERE {not_null}"
            )
            self._con.execute("COMMIT")
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        finally:
            self._con.execute("DROP VIEW IF EXISTS _incoming")
        report.seen = int(total)
        report.updated = int(replaced)
        report.inserted = int(total) - int(missing) - int(replaced)
        if missing:
            report.add_failure(
                IngestFailure(
                    f"{table} ({missing} rows)", f"no value for key column(s) {', '.join(key)}"
                )
            )
            report.failed = int(missing)
        return report

    def update_from_parquet(
        self, table: str, files: Sequence[str], select: Mapping[str, str], key: str
    ) -> IngestReport:
        """Set columns of existing `table` rows from parquet rows matched on `key`.

        A column whose source is missing (NULL) keeps its stored value. Rows whose key matches
        nothing in the store are counted as failures (they would be orphans).
        """
        known = {name for name, _ in self._column_types[table]}
        unknown = set(select) - known
        if unknown:
            raise ValueError(f"{table}: no such columns {sorted(unknown)}")
        report = IngestReport(source=f"parquet:{table}")
        exprs = ", ".join(f"{expr} AS {name}" for name, expr in select.items())
        self._con.execute(
            f"CREATE OR REPLACE TEMP VIEW _incoming AS SELECT {exprs} "
            f"FROM read_parquet({_file_list(files)}, union_by_name = true)"
        )
        sets = ", ".join(
            f"{name} = coalesce(_incoming.{name}, {table}.{name})" for name in select if name != key
        )
        self._con.execute("BEGIN TRANSACTION")
        try:
            total, matched = self._con.execute(
                f"SELECT count(*), count(*) FILTER (WHERE {key} IN (SELECT {key} FROM {table})) "
                "FROM _incoming"
            ).fetchone() or (0, 0)
            self._con.execute(
                f"UPDATE {table} SET {sets} FROM (SELECT * FROM _incoming "
                f"QUALIFY row_number() OVER (PARTITION BY {key}) = 1) AS _incoming "
                f"WHERE {table}.{key} = _incoming.{key}"
            )
            self._con.execute("COMMIT")
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        finally:
            self._con.execute("DROP VIEW IF EXISTS _incoming")
        report.seen, report.updated = int(total), int(matched)
        if total > matched:
            report.add_failure(
                IngestFailure(
                    f"{table} ({total - matched} rows)", f"no study in the store with that {key}"
                )
            )
            report.failed = int(total - matched)
        return report

    def copy_parquet_table(self, table: str, files: Sequence[str]) -> IngestReport:
        """Keep parquet rows whole as store table `table` (replacing an earlier copy)."""
        self._con.execute(
            f"CREATE OR REPLACE TABLE {table} AS "
            f"SELECT * FROM read_parquet({_file_list(files)}, union_by_name = true)"
        )
        self._column_types = self._read_column_types()
        report = IngestReport(source=f"parquet:{table}")
        report.seen = report.inserted = self.count(table)
        return report


def _file_list(files: Sequence[str]) -> str:
    return "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"
