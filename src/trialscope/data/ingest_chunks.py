"""The unit of parallel ingest work: a picklable chunk source, and what a worker sends back.

The contract (for every producer of studies: files, zips, the synthetic registry):

- A **chunk source** is any picklable object with a method `records()` returning an iterable of
  study inputs. It is pickled to a worker process and `records()` is called there, once. It
  should be small to pickle (a path and a byte range, a zip path and member names, a seed and a
  range of indices), not the records themselves.
- A study input is one of:
  * `RawStudy(origin, data, line)`: one study's JSON as bytes, decoded straight into the typed
    structs (the fast path; `line` is its line number within the chunk, 1-based, or None);
  * a `Mapping`: an already-built study dict (converted to the typed structs);
  * `SourcedRecord` / `UnreadableRecord`, as the readers of `sources.json_lines` produce them;
  * `StudyRows`: a study the source flattened itself (the synthetic registry, whose one fixed
    shape it turns into rows directly, tested equal to the JSON path's); a study such a source
    refuses comes as an `UnreadableRecord` with the reason.
- A chunk source may also define `publications() -> list[dict]`: called in the worker after
  `records()` is exhausted; the publications are upserted once that chunk's studies are
  committed (the synthetic registry generates a trial's papers with it).
- A chunk source may also define `extras() -> Any`: called in the worker after `publications()`;
  its (picklable) value is handed to the `on_chunk(chunk, extras)` callback of
  `TrialStore.ingest_ctgov_chunks`, in chunk order, once that chunk is committed (the synthetic
  registry sends back each chunk's review candidates with it).
- A chunk whose `records()` (or `publications()`, `extras()`) raises stops the ingest with
  `ChunkFailed`, which names the chunk by its `str()`; every chunk before it is committed first.
- A chunk source that is a slice of a line-oriented file sets the attribute `line_file` (the
  file's name as failures should show it), yields `RawStudy` with `line` counted from 1 within
  the chunk, and defines `lines_read() -> int` (lines it covered, blank ones included): the main
  process numbers lines across the chunks of one file, so a failure names `file:line` exactly
  as a sequential read would; `starts_file = True` on the first chunk of a file restarts the
  count. Other chunk sources put the full origin in each record.

The main process consumes chunk results in the order the chunks were given, whatever the number
of workers, so the store is identical for 1 or N workers: a study id repeated anywhere keeps its
latest version, as a sequential ingest would. Whole chunks are committed together, several per
transaction (see `TrialStore.ingest_ctgov_chunks`); an interrupted ingest loses only the chunks
not yet committed. Workers come from a `forkserver` pool, which imports the caller's main
module: a script that ingests with more than one worker needs `if __name__ == "__main__":`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import pyarrow as pa

from trialscope.data.sources.ctgov_record import StudyRows
from trialscope.data.sources.json_lines import SourcedRecord, UnreadableRecord


@dataclass(frozen=True, slots=True)
class RawStudy:
    """One study's JSON text as bytes, with where it was read."""

    origin: str
    data: bytes
    line: int | None = None


StudyInput = RawStudy | Mapping[str, Any] | SourcedRecord | UnreadableRecord | StudyRows


@runtime_checkable
class ChunkSource(Protocol):
    """A picklable unit of ingest work; `records()` runs in a worker process."""

    def records(self) -> Iterable[StudyInput]:
        """The chunk's study inputs, in order."""
        ...


@dataclass(frozen=True)
class RecordsChunk:
    """A chunk holding its records itself (in-process inputs: dicts from an API page, tests)."""

    items: tuple[StudyInput, ...]

    def records(self) -> Iterable[StudyInput]:
        """The records, as given."""
        return self.items

    def __str__(self) -> str:
        return f"in-process chunk of {len(self.items)} records"


class ChunkFailed(RuntimeError):
    """A chunk source raised in its worker; every chunk before it is committed."""

    def __init__(self, chunk: object, error: BaseException) -> None:
        name = str(chunk)
        # A chunk's str should be short (its numbers, a path and range); cap any that is not.
        name = name if len(name) <= 200 else name[:197] + "..."
        super().__init__(
            f"{name} failed: {type(error).__name__}: {error}; the chunks before it are stored"
        )
        self.chunk = chunk


@dataclass
class WorkerFailure:
    """A record that failed in a worker; the main process turns it into an `IngestFailure`."""

    position: int
    """0-based position of the record in its chunk (for `record N` when nothing names it)."""
    study_id: str | None
    reason: str
    origin: str | None
    line: int | None = None
    """Line within the chunk, when the origin is a file whose lines are numbered across chunks."""


@dataclass
class ChunkResult:
    """What a worker sends back for one chunk: column-wise rows per table, and its failures."""

    seen: int
    study_ids: list[str]
    """Ids of the studies in `columns`, each once (a repeat inside the chunk keeps the last)."""
    repeats: int
    """Studies replaced by a later version inside this chunk (counted as updates)."""
    tables: dict[str, pa.Table]
    """Store table -> its rows as an Arrow table (the store's column names and types)."""
    failures: list[WorkerFailure] = field(default_factory=list)
    lines: int = 0
    publications: list[dict[str, Any]] = field(default_factory=list)
    extras: Any = None
    """The chunk source's `extras()` (None when it has none)."""
    cpu_seconds: float = 0.0
    """CPU time the worker spent on the chunk (for the ingest's accounting)."""
