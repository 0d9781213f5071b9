"""`TrialStore`: the trial records in one DuckDB file, with idempotent streaming ingest.

Records are validated in Python and written set-wise in batches (see `store_base`), so 1.6M
trials load in minutes and memory stays bounded by the batch size. The schema is `schema.sql`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa
from platformdirs import user_data_dir

from trialscope.data.ingest_chunks import ChunkFailed, ChunkResult, ChunkSource, RawStudy
from trialscope.data.ingest_pipeline import (
    TABLES,
    default_workers,
    ordered_results,
    records_chunks,
)
from trialscope.data.ingest_report import IngestFailure, IngestReport
from trialscope.data.sources.json_lines import SourcedRecord, UnreadableRecord
from trialscope.data.store_base import (
    ALL_TABLES,
    DEFAULT_BATCH_SIZE,
    STUDY_TABLES,
    FailureCallback,
    ProgressCallback,
)
from trialscope.data.store_export import StoreExport
from trialscope.data.store_literature import LiteratureUpserts
from trialscope.data.store_parquet import ParquetImport
from trialscope.data.store_queries import BuilderQueries

log = logging.getLogger(__name__)
ChunkCallback = Callable[[ChunkSource, Any], object]
"""Called with (chunk, its `extras()` value or None), in chunk order, once the chunk is stored."""

STORE_ENV = "TRIALSCOPE_STORE"
CHUNK_BATCH_STUDIES = 24_000
"""Studies per transaction of a chunk ingest (~240 MB of Arrow held by the writer for real
studies). A commit this large crosses DuckDB's checkpoint threshold (16 MB of log), and DuckDB
then writes it straight into the file, by its own checkpoint, not through the write-ahead log
first; its row groups are never merged afterwards (`store_base.MAX_VACUUM_TASKS`), so larger
transactions mean fewer, larger row groups and less fixed cost per commit."""
INGEST_MEMORY_LIMIT = "256MB"
"""DuckDB's memory limit while ingesting: it would otherwise keep every block it wrote cached
(about 2 MB per 1,000 real studies), so its memory grew with the input. Since each transaction
is written straight into the file (see `CHUNK_BATCH_STUDIES`), 256 MB costs no more CPU than
384 MB did and lowers the peak (500K real studies: 881 -> 744 MB in one A/B); idle, the ingest's
largest process peaked at 673 MB for 50K studies and 765 MB for 500K."""
INGEST_THREADS = "1"
"""DuckDB's threads while ingesting: the worker processes keep the cores busy, and a second
DuckDB thread scanning each Arrow batch about doubled the inserts' CPU (~50 -> ~25 us/study)."""


def default_store_path() -> Path:
    """`$TRIALSCOPE_STORE`, else `store.duckdb` in the user's trialscope data directory."""
    configured = os.environ.get(STORE_ENV)
    if configured:
        return Path(configured)
    return Path(user_data_dir("trialscope")) / "store.duckdb"


@dataclass
class StoreStats:
    """Row counts per table and study counts per status, phase and source."""

    tables: dict[str, int]
    by_status: list[tuple[str, int]]
    by_phase: list[tuple[str, int]]
    by_source: list[tuple[str, int]]


class TrialStore(LiteratureUpserts, ParquetImport, StoreExport, BuilderQueries):
    """The trial store: one DuckDB file holding studies, literature and their relations.

    Use as a context manager: `with TrialStore(path) as store: store.ingest_ctgov_studies(...)`.
    """

    def ingest_ctgov_studies(
        self,
        studies: Iterable[Mapping[str, Any] | SourcedRecord | UnreadableRecord | RawStudy],
        *,
        source: str = "ctgov",
        batch_size: int = DEFAULT_BATCH_SIZE,
        on_failure: FailureCallback | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> IngestReport:
        """Validate and upsert ClinicalTrials.gov v2 study objects, streaming in batches.

        A study that fails validation is reported (id and reason) and skipped; the rest go in.
        Re-ingesting a study replaces all its rows. `on_progress` gets the records read so far.
        Runs in this process, `batch_size` records per transaction; for files use
        `ingest_ctgov_chunks` with `sources.ctgov_chunks.file_chunks`, which runs in parallel.
        """
        return self.ingest_ctgov_chunks(
            records_chunks(studies, batch_size),
            source=source,
            workers=1,
            batch_size=1,
            on_failure=on_failure,
            on_progress=on_progress,
        )

    def ingest_ctgov_chunks(
        self,
        chunks: Iterable[ChunkSource],
        *,
        source: str = "ctgov",
        workers: int | None = None,
        on_failure: FailureCallback | None = None,
        on_progress: ProgressCallback | None = None,
        on_publications: Callable[[list[dict[str, Any]]], object] | None = None,
        on_chunk: ChunkCallback | None = None,
        batch_size: int = CHUNK_BATCH_STUDIES,
    ) -> IngestReport:
        """Ingest chunk sources (see `data.ingest_chunks`) decoded by `workers` processes.

        Chunks are written in the order given, whole chunks per transaction (at least
        `batch_size` studies each, a chunk never split), so the store is the same for any number
        of workers and an interrupted ingest keeps every committed transaction. The
        publications of a transaction's chunks go to `on_publications` in one list (default:
        upserted into this store) once their studies are committed; then `on_chunk(chunk,
        extras)` is called for each, in order. A chunk that raises in its worker stops the
        ingest with `ChunkFailed` naming it, after the chunks before it are committed.
        """
        report = IngestReport(source=source)
        count = default_workers() if workers is None else workers
        schema = {table: tuple(self._column_types[table]) for table in TABLES}
        with self._ingest_settings():
            self._ingest_results(
                ordered_results(chunks, source, schema, count, batch_size),
                report,
                batch_size,
                on_failure,
                on_progress,
                on_publications,
                on_chunk,
            )
        log.info(report.summary())
        return report

    @contextmanager
    def _ingest_settings(self) -> Iterator[None]:
        """DuckDB's memory limit and threads for an ingest, put back after."""
        with (
            self._setting("memory_limit", INGEST_MEMORY_LIMIT),
            self._setting("threads", INGEST_THREADS),
        ):
            yield

    @contextmanager
    def _setting(self, name: str, value: str) -> Iterator[None]:
        """One DuckDB setting set to `value` for the duration, then put back."""

        def current() -> str:
            row = self._con.execute(f"SELECT current_setting('{name}')").fetchone()
            return str(row[0]) if row else ""

        previous = current()
        self._con.execute(f"RESET {name}")
        # DuckDB shows sizes rounded ("2.7 GiB"): RESET puts the default back exactly.
        was_default = current() == previous
        self._con.execute(f"SET {name} = '{value}'")
        try:
            yield
        finally:
            if was_default:
                self._con.execute(f"RESET {name}")
            else:
                self._con.execute(f"SET {name} = '{previous}'")

    def _ingest_results(
        self,
        results: Iterable[tuple[ChunkSource, ChunkResult]],
        report: IngestReport,
        batch_size: int,
        on_failure: FailureCallback | None,
        on_progress: ProgressCallback | None,
        on_publications: Callable[[list[dict[str, Any]]], object] | None,
        on_chunk: ChunkCallback | None,
    ) -> None:
        line_bases: dict[str, int] = {}
        pending: list[tuple[ChunkSource, ChunkResult]] = []
        pending_ids: set[str] = set()

        def flush() -> None:
            if pending_ids:
                inserted, updated = self._write_results([result for _, result in pending])
                report.inserted += inserted
                report.updated += updated
            # One upsert for the transaction's chunks (in chunk order: a later paper wins).
            publications = [paper for _, result in pending for paper in result.publications]
            if publications:
                (on_publications or self.upsert_publications)(publications)
            if on_chunk is not None:
                for chunk, result in pending:
                    on_chunk(chunk, result.extras)
            pending.clear()
            pending_ids.clear()

        try:
            for chunk, result in results:
                self._account(chunk, result, report, line_bases, on_failure)
                if not pending_ids.isdisjoint(result.study_ids):
                    # A study repeated in a later chunk replaces the stored version: commit first.
                    flush()
                pending.append((chunk, result))
                pending_ids.update(result.study_ids)
                if len(pending_ids) >= batch_size:
                    flush()
                if on_progress is not None:
                    on_progress(report.seen)
        except ChunkFailed:
            flush()  # every chunk before the failed one is kept
            raise
        flush()

    def _account(
        self,
        chunk: ChunkSource,
        result: ChunkResult,
        report: IngestReport,
        line_bases: dict[str, int],
        on_failure: FailureCallback | None,
    ) -> None:
        """Count a chunk's records into the report and report its failures by file and line."""
        line_file = getattr(chunk, "line_file", None)
        starts_file = getattr(chunk, "starts_file", False)
        base = line_bases.get(line_file, 0) if isinstance(line_file, str) else 0
        base = 0 if starts_file else base
        for failure in result.failures:
            origin = failure.origin
            if failure.line is not None:
                origin = f"{origin}:{base + failure.line}"
            record_id = (
                failure.study_id or origin or (f"record {report.seen + failure.position + 1}")
            )
            failed = IngestFailure(record_id, failure.reason, origin)
            report.add_failure(failed)
            if on_failure is not None:
                on_failure(failed)
        if isinstance(line_file, str):
            line_bases[line_file] = base + result.lines
        report.seen += result.seen
        log.debug("chunk of %d records: %.3f s worker CPU", result.seen, result.cpu_seconds)
        report.updated += result.repeats

    def _write_results(self, results: list[ChunkResult]) -> tuple[int, int]:
        """Upsert the studies of chunk results (no id in two of them) in one transaction."""
        return self._write_tables(
            [study_id for result in results for study_id in result.study_ids],
            partial(self._insert_results, results),
            self._delete_studies,
            "studies",
            "study_id",
        )

    def _insert_results(self, results: list[ChunkResult]) -> None:
        for table in TABLES:
            parts = [result.tables[table] for result in results if table in result.tables]
            if parts:
                self._insert_arrow(table, pa.concat_tables(parts) if len(parts) > 1 else parts[0])

    def _delete_studies(self, study_ids: set[str]) -> None:
        for table in STUDY_TABLES:
            self._delete(table, "study_id", study_ids)
        self._delete(
            "relations",
            "subject_id",
            study_ids,
            "AND subject_type = 'study' AND label <> 'reported_in'",
        )

    def stats(self) -> StoreStats:
        """Counts per table, and studies per status, per phase and per source."""

        def grouped(column: str) -> list[tuple[str, int]]:
            rows = self._con.execute(
                f"SELECT coalesce({column}, '(none)') AS k, count(*) AS n FROM studies "
                "GROUP BY k ORDER BY n DESC, k"
            ).fetchall()
            return [(str(k), int(n)) for k, n in rows]

        return StoreStats(
            tables={table: self.count(table) for table in ALL_TABLES},
            by_status=grouped("status"),
            by_phase=grouped("phase"),
            by_source=grouped("source"),
        )

    def get_study(self, study_id: str) -> dict[str, Any] | None:
        """One study with its child rows (conditions, arms, ...) as plain dicts; None if absent."""
        study = self._dicts("SELECT * FROM studies WHERE study_id = ?", [study_id])
        if not study:
            return None
        record = study[0]
        for table, order in (
            ("conditions", "position"),
            ("interventions", "position"),
            ("arm_groups", "position"),
            ("outcomes", "kind, position"),
            ("study_references", "position"),
        ):
            record[table] = self._dicts(
                f"SELECT * EXCLUDE (study_id) FROM {table} WHERE study_id = ? ORDER BY {order}",
                [study_id],
            )
        eligibility = self._dicts(
            "SELECT * EXCLUDE (study_id) FROM eligibility WHERE study_id = ?", [study_id]
        )
        record["eligibility"] = eligibility[0] if eligibility else None
        return record

    def iter_search_documents(self, batch_size: int = 20_000) -> Iterator[tuple[str, str]]:
        """Yield (study_id, title + summary) for every study, in study_id order, streaming."""
        yield from self._stream(
            "SELECT study_id, concat_ws(' ', title, summary) FROM studies ORDER BY study_id",
            batch_size,
        )

    def iter_publication_documents(self, batch_size: int = 20_000) -> Iterator[tuple[str, str]]:
        """Yield (pmid, title + abstract) for every publication, in PMID order, streaming."""
        yield from self._stream(
            "SELECT pmid, concat_ws(' ', title, abstract) FROM publications ORDER BY pmid",
            batch_size,
        )

    def scan_search(self, words: list[str], limit: int = 10) -> list[str]:
        """Study ids whose title or summary contains every word (a full scan; no index needed)."""
        if not words:
            return []
        condition = " AND ".join("concat_ws(' ', title, summary) ILIKE ?" for _ in words)
        patterns = [f"%{w.replace('%', '').replace('_', '')}%" for w in words]
        rows = self._con.execute(
            f"SELECT study_id FROM studies WHERE {condition} ORDER BY study_id LIMIT ?",
            [*patterns, limit],
        ).fetchall()
        return [str(row[0]) for row in rows]

    # --- queries used by the benchmark builders ---
