"""Publication and systematic-review upserts of the `TrialStore`."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import msgspec
import pyarrow as pa
from pydantic import BaseModel, ValidationError

from trialscope.data.ingest_report import IngestFailure, IngestReport
from trialscope.data.sources.json_lines import SourcedRecord, UnreadableRecord
from trialscope.data.sources.literature import PublicationRecord, ReviewRecord
from trialscope.data.store_base import DEFAULT_BATCH_SIZE, FailureCallback, StoreBase, _Batch

log = logging.getLogger(__name__)
_Model = TypeVar("_Model", bound=BaseModel)


class FastPublication(msgspec.Struct):
    """`PublicationRecord`'s fields with strict types: what a well-formed publication holds."""

    pmid: Annotated[str, msgspec.Meta(min_length=1)]
    title: str | None = None
    abstract: str | None = None
    year: int | None = None
    nct_id: str | None = None
    publication_type: str | None = None


def fast_publication(payload: Any) -> FastPublication | None:
    """A publication checked in C when every value already has its exact type, else None.

    None defers to pydantic, which coerces lax values (an integer PMID, a year as text) or
    reports the error: the fast path only accepts what pydantic would store unchanged.
    """
    try:
        return msgspec.convert(payload, FastPublication)
    except msgspec.ValidationError:
        return None


@dataclass(frozen=True)
class PublicationTables:
    """Publications already checked, as the store's rows: built where they were generated."""

    publications: pa.Table
    """Rows of the `publications` table (its column names)."""
    relations: pa.Table
    """The `reported_in` rows of the `relations` table, one per publication with an `nct_id`."""

    @property
    def count(self) -> int:
        """Number of publications."""
        return self.publications.num_rows


def publication_tables(publications: Sequence[Mapping[str, Any]]) -> PublicationTables | None:
    """The publications as store rows, checked as `upsert_publications` checks them.

    None when any publication is not well-typed (`fast_publication`): those go through
    `upsert_publications`, which coerces or reports them. A PMID repeated in the list is kept
    twice here: only for publications known to be distinct.
    """
    checked = [fast_publication(payload) for payload in publications]
    if any(record is None for record in checked):
        return None
    records = [record for record in checked if record is not None]
    linked = [record for record in records if record.nct_id]
    text = pa.string()
    return PublicationTables(
        pa.table(
            {
                "pmid": pa.array([r.pmid for r in records], text),
                "title": pa.array([r.title for r in records], text),
                "abstract": pa.array([r.abstract for r in records], text),
                "year": pa.array([r.year for r in records], pa.int32()),
                "nct_id": pa.array([r.nct_id for r in records], text),
                "publication_type": pa.array([r.publication_type for r in records], text),
            }
        ),
        pa.table(
            {
                "subject_type": pa.array(["study"] * len(linked), text),
                "subject_id": pa.array([r.nct_id for r in linked], text),
                "object_type": pa.array(["publication"] * len(linked), text),
                "object_id": pa.array([r.pmid for r in linked], text),
                "label": pa.array(["reported_in"] * len(linked), text),
            }
        ),
    )


class LiteratureUpserts(StoreBase):
    """Upserts of publications (by PMID) and reviews (by review id, with their relations)."""

    def _upsert_validated(
        self,
        records: Iterable[Mapping[str, Any] | SourcedRecord | UnreadableRecord],
        model: type[_Model],
        key: Callable[[_Model], str],
        to_rows: Callable[[_Model, _Batch], None],
        key_table: str,
        key_column: str,
        replace: Callable[[set[str]], None],
        report: IngestReport,
        batch_size: int,
        on_failure: FailureCallback | None,
        fast: Callable[[Any], Any] | None = None,
    ) -> IngestReport:
        pending: dict[str, Any] = {}

        def flush() -> None:
            if not pending:
                return
            batch = _Batch()
            for record in pending.values():
                to_rows(record, batch)
            inserted, updated = self._write_batch(
                list(pending), batch, replace, key_table, key_column
            )
            report.inserted += inserted
            report.updated += updated
            pending.clear()

        for index, item in enumerate(records, start=1):
            report.seen += 1
            origin = item.origin if isinstance(item, SourcedRecord | UnreadableRecord) else None
            if isinstance(item, UnreadableRecord):
                failure = IngestFailure(item.origin, item.reason, origin)
                report.add_failure(failure)
                if on_failure is not None:
                    on_failure(failure)
                continue
            payload = item.payload if isinstance(item, SourcedRecord) else item
            try:
                record = (fast and fast(payload)) or model.model_validate(payload)
            except ValidationError as error:
                raw_id = payload.get(key_column) if isinstance(payload, Mapping) else None
                where = "; ".join(
                    f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()[:3]
                )
                record_id = str(raw_id) if raw_id else origin or f"record {index}"
                failure = IngestFailure(record_id, where, origin)
            else:
                if key(record) in pending:
                    report.updated += 1
                pending[key(record)] = record
                if len(pending) >= batch_size:
                    flush()
                continue
            report.add_failure(failure)
            if on_failure is not None:
                on_failure(failure)
        flush()
        log.info(report.summary())
        return report

    def upsert_publications(
        self,
        records: Iterable[Mapping[str, Any] | SourcedRecord | UnreadableRecord],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        on_failure: FailureCallback | None = None,
    ) -> IngestReport:
        """Upsert publication lines by PMID; a publication with an `nct_id` links to that study."""

        def to_rows(pub: PublicationRecord | FastPublication, batch: _Batch) -> None:
            batch.add(
                "publications",
                [(pub.pmid, pub.title, pub.abstract, pub.year, pub.nct_id, pub.publication_type)],
            )
            if pub.nct_id:
                batch.add(
                    "relations", [("study", pub.nct_id, "publication", pub.pmid, "reported_in")]
                )

        def replace(pmids: set[str]) -> None:
            self._delete("publications", "pmid", pmids)
            self._delete(
                "relations",
                "object_id",
                pmids,
                "AND object_type = 'publication' AND label = 'reported_in'",
            )

        return self._upsert_validated(
            records, PublicationRecord, lambda p: p.pmid, to_rows, "publications", "pmid",
            replace, IngestReport(source="publications"), batch_size, on_failure,
            fast_publication,
        )  # fmt: skip

    def numeric_pmids_between(self, low: int, high: int) -> int:
        """How many stored publications have a PMID that reads as a number in [low, high]."""
        row = self._con.execute(
            "SELECT count(*) FROM publications WHERE TRY_CAST(pmid AS BIGINT) BETWEEN ? AND ?",
            [low, high],
        ).fetchone()
        return int(row[0]) if row else 0

    def append_publications(self, parts: Sequence[PublicationTables]) -> int:
        """Insert checked publications in one transaction, without looking for stored ones.

        Only for PMIDs known to be new, in the store and among `parts` (the synthetic
        registry's own numbers, checked absent with `numeric_pmids_between`): the store then
        ends as `upsert_publications` of the same records would leave it. Returns the count.
        """
        if not parts:
            return 0
        self._con.execute("BEGIN TRANSACTION")
        try:
            for table in ("publications", "relations"):
                rows = pa.concat_tables([getattr(part, table) for part in parts])
                if rows.num_rows:
                    self._insert_arrow(table, rows)
            self._con.execute("COMMIT")
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        return sum(part.count for part in parts)

    def upsert_reviews(
        self,
        records: Iterable[Mapping[str, Any] | SourcedRecord | UnreadableRecord],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        on_failure: FailureCallback | None = None,
    ) -> IngestReport:
        """Upsert systematic reviews by id, with their included / excluded publication relations."""

        def to_rows(review: ReviewRecord, batch: _Batch) -> None:
            batch.add(
                "reviews",
                [
                    (
                        review.review_id,
                        review.pmid,
                        review.title,
                        review.background,
                        review.objectives,
                        review.selection_criteria,
                        review.search_date,
                        review.conclusion,
                    )
                ],
            )
            for label, pmids in (
                ("included", review.included_pmids),
                ("excluded", review.excluded_pmids),
            ):
                batch.add(
                    "relations",
                    [
                        ("review", review.review_id, "publication", pmid, label)
                        for pmid in dict.fromkeys(pmids)
                    ],
                )

        def replace(review_ids: set[str]) -> None:
            self._delete("reviews", "review_id", review_ids)
            self._delete("relations", "subject_id", review_ids, "AND subject_type = 'review'")

        return self._upsert_validated(
            records, ReviewRecord, lambda r: r.review_id, to_rows, "reviews", "review_id",
            replace, IngestReport(source="reviews"), batch_size, on_failure,
        )  # fmt: skip
