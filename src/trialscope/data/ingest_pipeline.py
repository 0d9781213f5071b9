"""Parallel CT.gov ingest: workers decode, validate and flatten chunks; the caller writes them.

`run_chunk` runs in a worker process (or in-process for one worker): it turns one chunk
source's records into column-wise rows per store table. `ordered_results` runs chunks on a
process pool and hands back their results in the order the chunks were given, with a bounded
number in flight, so memory stays flat and the store does not depend on the worker count; a
chunk that raises comes back as `ChunkFailed` naming it.
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

import pyarrow as pa

from trialscope.data.ingest_chunks import (
    ChunkFailed,
    ChunkResult,
    ChunkSource,
    RawStudy,
    RecordsChunk,
    StudyInput,
    WorkerFailure,
)
from trialscope.data.sources.ctgov_record import (
    RESULT_TABLES,
    STUDY_CHILD_TABLES,
    StudyInvalid,
    StudyRows,
    UnparsableJson,
    decode_typed,
    flatten_study,
    flatten_study_json,
    typed_rows,
)
from trialscope.data.sources.json_lines import SourcedRecord, UnreadableRecord, parse_line

TABLES = ("studies", *STUDY_CHILD_TABLES, *RESULT_TABLES)
"""Every table a study writes, in insertion order."""


def default_workers() -> int:
    """Worker processes by default: one per core."""
    return os.cpu_count() or 1


def _flatten(item: StudyInput, source: str) -> StudyRows | None:
    """One record's rows; None for a blank line. Raises `StudyInvalid`."""
    if isinstance(item, StudyRows):
        return item
    if isinstance(item, RawStudy):
        study = decode_typed(item.data)
        if study is not None:
            return typed_rows(study, source)
        if item.line is None:
            try:
                return flatten_study_json(item.data, source)
            except UnparsableJson as error:
                raise StudyInvalid(None, str(error)) from None
        parsed = parse_line(item.data, item.origin)
        if parsed is None:
            return None
        item = parsed
    if isinstance(item, UnreadableRecord):
        raise StudyInvalid(None, item.reason)
    if isinstance(item, SourcedRecord):
        return flatten_study(item.payload, source, item.size)
    return flatten_study(item, source)


def _origin_of(item: StudyInput) -> tuple[str | None, int | None]:
    if isinstance(item, RawStudy):
        return item.origin, item.line
    if isinstance(item, SourcedRecord | UnreadableRecord):
        return item.origin, None
    return None, None


Schema = dict[str, tuple[tuple[str, str], ...]]
"""Store table -> its (column, DuckDB type) pairs in order (from the store's catalog)."""

_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "INTEGER": pa.int32(),
    "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(),
    "VARCHAR[]": pa.list_(pa.string()),
    "INTEGER[]": pa.list_(pa.int32()),
}


def _arrow_table(rows: list[tuple[Any, ...]], columns: tuple[tuple[str, str], ...]) -> pa.Table:
    # Built here, in the worker: the writing process then scans Arrow memory in C++, with no
    # Python object per value (that scan was the serial bottleneck of the ingest). The row
    # tuples go in whole, as a struct array: pyarrow reads them field by field in C++, which
    # is cheaper than transposing them into columns in Python first.
    kind = pa.struct([(name, _ARROW_TYPES[kind]) for name, kind in columns])
    return pa.Table.from_struct_array(pa.array(rows, type=kind))


def run_chunk(chunk: ChunkSource, source: str, schema: Schema) -> ChunkResult:
    """Decode, validate and flatten one chunk's records into Arrow tables (in a worker)."""
    started = time.process_time()
    collecting = gc.isenabled()
    # Structs and row tuples hold no cycles: collecting while building them is wasted time.
    gc.disable()
    try:
        result = _run_chunk(chunk, source, schema)
        result.cpu_seconds = time.process_time() - started
        return result
    finally:
        if collecting:
            gc.enable()


def _run_chunk(chunk: ChunkSource, source: str, schema: Schema) -> ChunkResult:
    pending: dict[str, StudyRows] = {}
    failures: list[WorkerFailure] = []
    repeats = seen = 0
    for position, item in enumerate(chunk.records()):
        try:
            rows = _flatten(item, source)
        except StudyInvalid as error:
            seen += 1
            origin, line = _origin_of(item)
            failures.append(WorkerFailure(position, error.study_id, error.reason, origin, line))
            continue
        if rows is None:
            continue
        seen += 1
        # A study repeated inside one chunk: the later version wins.
        if rows.study_id in pending:
            repeats += 1
        pending[rows.study_id] = rows
    tables: dict[str, pa.Table] = {}
    for table in TABLES:
        table_rows = [row for rows in pending.values() for row in _table(rows, table)]
        if table_rows:
            tables[table] = _arrow_table(table_rows, schema[table])
    lines_read = getattr(chunk, "lines_read", None)
    publications = getattr(chunk, "publications", None)
    extras = getattr(chunk, "extras", None)
    # In the contract's order: publications, then extras (which may depend on them).
    chunk_publications = publications() if callable(publications) else []
    return ChunkResult(
        seen=seen,
        study_ids=list(pending),
        repeats=repeats,
        tables=tables,
        failures=failures,
        lines=lines_read() if callable(lines_read) else 0,
        publications=chunk_publications,
        extras=extras() if callable(extras) else None,
    )


def _table(rows: StudyRows, table: str) -> list[tuple[Any, ...]]:
    if table == "studies":
        return [rows.study]
    if table in RESULT_TABLES:
        return getattr(rows.results, table)
    return getattr(rows, table)


def ordered_results(
    chunks: Iterable[ChunkSource],
    source: str,
    schema: Schema,
    workers: int,
    batch_studies: int = 0,
) -> Iterator[tuple[ChunkSource, ChunkResult]]:
    """Each chunk with its result, in the chunks' order; `workers` processes (1: in-process).

    `batch_studies` is how many studies the caller gathers before it writes them: that many
    studies' worth of chunks (judged from the chunks seen so far) stay in flight on top of two
    per worker, so the workers go on decoding while the caller writes."""
    if workers <= 1:
        for chunk in chunks:
            try:
                result = run_chunk(chunk, source, schema)
            except Exception as error:
                raise ChunkFailed(chunk, error) from error
            yield chunk, result
        return
    # forkserver: workers never inherit the caller's open DuckDB connection or its threads.
    context = multiprocessing.get_context("forkserver")
    # Workers fork from a server that has imported this module (not the caller's __main__).
    context.set_forkserver_preload([__name__, "trialscope.data.arrow_warmup"])
    in_flight: deque[tuple[ChunkSource, Future[ChunkResult]]] = deque()
    window = InFlightWindow(2 * workers, batch_studies)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        try:
            for chunk in chunks:
                in_flight.append((chunk, pool.submit(run_chunk, chunk, source, schema)))
                while len(in_flight) >= window.chunks:
                    done, future = in_flight.popleft()
                    result = _result(done, future)
                    window.saw(result.seen)
                    yield done, result
            while in_flight:
                done, future = in_flight.popleft()
                yield done, _result(done, future)
        finally:
            for _, future in in_flight:
                future.cancel()


class InFlightWindow:
    """How many chunks to keep submitted: `base` (two per worker keep every worker busy), plus
    enough to cover one write of `batch_studies` studies at the chunk size seen so far."""

    def __init__(self, base: int, batch_studies: int) -> None:
        self.base = base
        self.batch_studies = batch_studies
        self._chunks_seen = 0
        self._studies_seen = 0

    def saw(self, studies: int) -> None:
        """Count one finished chunk of `studies` studies."""
        self._chunks_seen += 1
        self._studies_seen += studies

    @property
    def chunks(self) -> int:
        """The window, in chunks; memory stays bounded by the write size, not the input."""
        if not self.batch_studies or not self._studies_seen:
            return self.base
        per_chunk = self._studies_seen / self._chunks_seen
        return self.base + math.ceil(self.batch_studies / per_chunk)


def _result(chunk: ChunkSource, future: Future[ChunkResult]) -> ChunkResult:
    try:
        return future.result()
    except Exception as error:
        raise ChunkFailed(chunk, error) from error


def records_chunks(
    records: Iterable[Mapping[str, Any] | StudyInput], size: int
) -> Iterator[ChunkSource]:
    """Group in-process records into chunks of `size`, pulling from `records` lazily."""
    batch: list[Any] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield RecordsChunk(tuple(batch))
            batch = []
    if batch:
        yield RecordsChunk(tuple(batch))
