"""The store's connection and its set-wise write primitives, shared by the `TrialStore` parts.

Rows are gathered per table and inserted with one `INSERT ... SELECT` over NumPy columns; an
upsert deletes the rows of the batch's keys that already exist, then inserts, inside one
transaction per batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import duckdb
import numpy as np

from trialscope.data.ingest_report import IngestFailure
from trialscope.errors import UserError

SCHEMA_VERSION = "2"
# Tables whose rows belong to one study and are replaced with it.
STUDY_TABLES = (
    "studies",
    "conditions",
    "interventions",
    "arm_groups",
    "eligibility",
    "outcomes",
    "study_references",
    "collaborators",
    "locations",
    "result_flow",
    "result_baseline",
    "result_outcomes",
    "result_analyses",
    "result_adverse_events",
)
ALL_TABLES = (*STUDY_TABLES, "publications", "reviews", "relations")
DEFAULT_BATCH_SIZE = 5000
MAX_VACUUM_TASKS = 0

FailureCallback = Callable[[IngestFailure], None]
ProgressCallback = Callable[[int], None]


class StoreUnavailable(UserError):
    """The store file cannot be opened (usually: another process is writing to it)."""


@dataclass
class _Batch:
    """Rows waiting to be inserted, per table."""

    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)

    def add(self, table: str, rows: Iterable[tuple[Any, ...]]) -> None:
        self.rows.setdefault(table, []).extend(rows)


class StoreBase:
    """One DuckDB file with the store's schema, and the primitives every write uses."""

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        if read_only and not self.path.exists():
            raise FileNotFoundError(f"trial store {self.path} does not exist")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as error:
            # Typically another process holds DuckDB's write lock on the file.
            raise StoreUnavailable(f"cannot open trial store {self.path}: {error}") from None
        version = self._stored_schema_version()
        if version is not None and version != SCHEMA_VERSION:
            self._con.close()
            raise StoreUnavailable(
                f"trial store {self.path} has schema version {version}, this trialscope needs "
                f"{SCHEMA_VERSION}: ingest into a new store file"
            )
        if not read_only:
            # DuckDB's checkpoints merge a table's small row groups ("vacuum"), rewriting rows
            # already stored: during a 500K-study ingest two checkpoints rewrote whole tables
            # (13-19 CPU-s each), and the first small write after an ingest did it again. Rows
            # are written once; row groups stay as the transactions made them.
            self._con.execute(f"SET max_vacuum_tasks = {MAX_VACUUM_TASKS}")
            schema = resources.files("trialscope.data").joinpath("schema.sql").read_text("utf-8")
            self._con.execute(schema)
            if self._meta("schema_version") is None:
                self._con.execute(
                    "INSERT INTO store_meta VALUES ('schema_version', ?)", [SCHEMA_VERSION]
                )
        self._column_types = self._read_column_types()

    # --- lifecycle ---

    def close(self) -> None:
        """Close the DuckDB connection."""
        self._con.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _stored_schema_version(self) -> str | None:
        (exists,) = self._con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'store_meta'"
        ).fetchone() or (0,)
        return self._meta("schema_version") if exists else None

    def _meta(self, key: str) -> str | None:
        row = self._con.execute("SELECT value FROM store_meta WHERE key = ?", [key]).fetchone()
        return None if row is None else str(row[0])

    def _read_column_types(self) -> dict[str, list[tuple[str, str]]]:
        rows = self._con.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position"
        ).fetchall()
        types: dict[str, list[tuple[str, str]]] = {}
        for table, column, data_type in rows:
            types.setdefault(table, []).append((column, data_type))
        return types

    # --- writing ---

    def _insert_rows(self, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        columns = self._column_types[table]
        if len(rows[0]) != len(columns):
            raise ValueError(
                f"{table}: got rows of {len(rows[0])} values, schema has {len(columns)}"
            )
        arrays = []
        for values in zip(*rows, strict=True):
            array = np.empty(len(values), dtype=object)
            array[:] = values
            arrays.append(array)
        self._insert_arrays(table, arrays)

    def _insert_arrays(self, table: str, arrays: Sequence[np.ndarray[Any, Any]]) -> None:
        """Insert one table's rows given column-wise, in schema order."""
        columns = self._column_types[table]
        if len(arrays) != len(columns):
            raise ValueError(f"{table}: got {len(arrays)} columns, schema has {len(columns)}")
        # Object arrays scanned by DuckDB's NumPy reader: ~1 us per row for a whole table,
        # an order of magnitude faster than binding Python lists as parameters.
        incoming = {name: array for (name, _), array in zip(columns, arrays, strict=True)}
        names = ", ".join(name for name, _ in columns)
        casts = ", ".join(f"CAST({name} AS {kind})" for name, kind in columns)
        self._con.register("_incoming_rows", incoming)
        try:
            self._con.execute(f"INSERT INTO {table} ({names}) SELECT {casts} FROM _incoming_rows")
        finally:
            self._con.unregister("_incoming_rows")

    def _insert_arrow(self, table: str, rows: Any) -> None:
        """Insert one table's rows given as an Arrow table with the schema's column names."""
        names = ", ".join(name for name, _ in self._column_types[table])
        self._con.register("_incoming_rows", rows)
        try:
            self._con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM _incoming_rows")
        finally:
            self._con.unregister("_incoming_rows")

    def _existing(self, table: str, key: str, ids: list[str]) -> set[str]:
        rows = self._con.execute(
            f"SELECT DISTINCT {key} FROM {table} WHERE {key} IN (SELECT unnest($1::VARCHAR[]))",
            [ids],
        ).fetchall()
        return {row[0] for row in rows}

    def _delete(self, table: str, key: str, ids: Iterable[str], extra: str = "") -> None:
        self._con.execute(
            f"DELETE FROM {table} WHERE {key} IN (SELECT unnest($1::VARCHAR[])) {extra}",
            [list(ids)],
        )

    def _write_batch(
        self,
        keys: list[str],
        batch: _Batch,
        replace: Callable[[set[str]], None],
        key_table: str,
        key: str,
    ) -> tuple[int, int]:
        """Replace existing records of `keys`, insert the batch; returns (inserted, updated)."""

        def insert() -> None:
            for table, rows in batch.rows.items():
                self._insert_rows(table, rows)

        return self._write_tables(keys, insert, replace, key_table, key)

    def _write_tables(
        self,
        keys: list[str],
        insert: Callable[[], object],
        replace: Callable[[set[str]], None],
        key_table: str,
        key: str,
    ) -> tuple[int, int]:
        """In one transaction: delete the rows of `keys` already stored, then `insert()`."""
        self._con.execute("BEGIN TRANSACTION")
        try:
            existing = self._existing(key_table, key, keys)
            if existing:
                replace(existing)
            insert()
            self._con.execute("COMMIT")
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        return len(keys) - len(existing), len(existing)

    def count(self, table: str) -> int:
        """Number of rows in one store table."""
        if table not in self._column_types:
            raise ValueError(f"unknown store table {table!r}")
        (value,) = self._con.execute(f"SELECT count(*) FROM {table}").fetchone() or (0,)
        return int(value)

    def _dicts(self, sql: str, params: list[Any]) -> list[dict[str, Any]]:
        cursor = self._con.execute(sql, params)
        names = [d[0] for d in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def _stream(self, sql: str, batch_size: int) -> Iterator[tuple[str, str]]:
        cursor = self._con.cursor()
        try:
            cursor.execute(sql)
            while rows := cursor.fetchmany(batch_size):
                for key, text in rows:
                    yield str(key), str(text)
        finally:
            cursor.close()
