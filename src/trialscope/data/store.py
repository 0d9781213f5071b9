"""`TrialStore`: the trial records in one DuckDB file, with idempotent streaming ingest.

Records are validated in Python and written set-wise in batches (see `store_base`), so 1.6M
trials load in minutes and memory stays bounded by the batch size. The schema is `schema.sql`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from trialscope.data.ingest_report import IngestFailure, IngestReport
from trialscope.data.sources.ctgov_record import StudyInvalid, StudyRows, flatten_study
from trialscope.data.sources.json_lines import SourcedRecord, UnreadableRecord
from trialscope.data.store_base import (
    ALL_TABLES,
    DEFAULT_BATCH_SIZE,
    STUDY_TABLES,
    FailureCallback,
    ProgressCallback,
    _Batch,
)
from trialscope.data.store_export import StoreExport
from trialscope.data.store_literature import LiteratureUpserts
from trialscope.data.store_parquet import ParquetImport
from trialscope.data.store_queries import BuilderQueries

log = logging.getLogger(__name__)

STORE_ENV = "TRIALSCOPE_STORE"


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
        studies: Iterable[Mapping[str, Any] | SourcedRecord | UnreadableRecord],
        *,
        source: str = "ctgov",
        batch_size: int = DEFAULT_BATCH_SIZE,
        on_failure: FailureCallback | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> IngestReport:
        """Validate and upsert ClinicalTrials.gov v2 study objects, streaming in batches.

        A study that fails validation is reported (id and reason) and skipped; the rest go in.
        Re-ingesting a study replaces all its rows. `on_progress` gets the records read so far.
        """
        report = IngestReport(source=source)
        pending: dict[str, StudyRows] = {}

        def flush() -> None:
            if not pending:
                return
            batch = _Batch()
            for rows in pending.values():
                for table, table_rows in rows.tables():
                    batch.add(table, table_rows)
            inserted, updated = self._write_batch(
                list(pending), batch, self._delete_studies, "studies", "study_id"
            )
            report.inserted += inserted
            report.updated += updated
            pending.clear()

        for index, item in enumerate(studies, start=1):
            report.seen += 1
            origin = item.origin if isinstance(item, SourcedRecord | UnreadableRecord) else None
            try:
                if isinstance(item, UnreadableRecord):
                    raise StudyInvalid(None, item.reason)
                if isinstance(item, SourcedRecord):
                    rows = flatten_study(item.payload, source, item.size)
                else:
                    rows = flatten_study(item, source)
            except StudyInvalid as error:
                record_id = error.study_id or origin or f"record {index}"
                failure = IngestFailure(record_id, error.reason, origin)
                report.add_failure(failure)
                if on_failure is not None:
                    on_failure(failure)
            else:
                # A study repeated inside one batch: the later version wins.
                if rows.study_id in pending:
                    report.updated += 1
                pending[rows.study_id] = rows
                if len(pending) >= batch_size:
                    flush()
            if on_progress is not None and index % 1000 == 0:
                on_progress(index)
        flush()
        if on_progress is not None:
            on_progress(report.seen)
        log.info(report.summary())
        return report

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
