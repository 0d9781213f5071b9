"""CPU seconds of each part of the CT.gov ingest, in one process, for the old or the new code.

Run from the repository root, once per checkout to compare (the old code from a `git worktree`):
    .venv/bin/python bench/bench_ingest_parts.py --studies 10000
    PYTHONPATH=/tmp/ctgov-old/src .venv/bin/python bench/bench_ingest_parts.py --studies 10000
It replicates the real studies in ../shared/data/real/ctgov to N (as bench_ctgov_ingest does),
writes them as JSON lines and as a bulk zip, then times each part with process CPU time (the
honest figure on a shared machine) and prints the load average beside it. The new code's parts:
reading+splitting files into raw studies, typed decoding (msgspec), flattening to rows, building
the Arrow tables, and the store's write (insert + commit). The old code's: read+parse, the
oversized-field check, flatten (pydantic).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ctgov_ingest import REAL, real_studies, write_inputs

from trialscope.data.store import TrialStore


def _timed(label: str, n: int, work: Any) -> Any:
    load = os.getloadavg()[0]
    cpu = time.process_time()
    wall = time.perf_counter()
    result = work()
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - wall
    print(
        f"{label:26} {n:>8,} records  {cpu:7.2f} s CPU  {wall:7.2f} s wall  "
        f"{cpu / n * 1e6:6,.0f} us/record  load {load:.1f}->{os.getloadavg()[0]:.1f}",
        flush=True,
    )
    return result


def old_parts(n: int, jsonl: Path, bulk: Path) -> None:
    """The parts of the code before issue 16 (pydantic models over orjson-parsed dicts)."""
    from trialscope.data.sources.ctgov import iter_ctgov_files
    from trialscope.data.sources.ctgov_checks import oversized_text_reason
    from trialscope.data.sources.ctgov_record import flatten_study
    from trialscope.data.sources.json_lines import SourcedRecord

    for name, path in (("read+parse jsonl", jsonl), ("read+parse bulk zip", bulk)):
        items = _timed(name, n, lambda path=path: list(iter_ctgov_files([path])))
    records = [item for item in items if isinstance(item, SourcedRecord)]
    _timed(
        "oversized-field check",
        n,
        lambda: [oversized_text_reason(r.payload, size=r.size) for r in records],
    )
    _timed("flatten (incl. check)", n, lambda: [flatten_study(r.payload, "b") for r in records])


def new_parts(n: int, jsonl: Path, bulk: Path, folder: Path) -> None:
    """The parts of the parallel path, each in this one process, with the garbage collector off
    as in the workers (`run_chunk` turns it off: structs and row tuples hold no cycles)."""
    import gc

    gc.disable()
    from trialscope.data.ingest_chunks import RawStudy
    from trialscope.data.ingest_pipeline import TABLES, _arrow_table, run_chunk
    from trialscope.data.sources.ctgov_chunks import file_chunks
    from trialscope.data.sources.ctgov_record import decode_typed, typed_rows

    for name, path in (("read+split jsonl", jsonl), ("read+split bulk zip", bulk)):
        items = _timed(
            name, n, lambda path=path: [r for c in file_chunks([path]) for r in c.records()]
        )
    raws = [item.data for item in items if isinstance(item, RawStudy)]
    studies = _timed("typed decode (msgspec)", n, lambda: [decode_typed(raw) for raw in raws])
    rows = _timed("flatten to rows", n, lambda: [typed_rows(s, "b") for s in studies if s])
    with TrialStore(folder / "schema.duckdb") as store:
        schema = {table: tuple(store._column_types[table]) for table in TABLES}

    def arrow() -> None:
        for first in range(0, len(rows), 500):
            part = rows[first : first + 500]
            for table in TABLES:
                table_rows = [row for study in part for row in _of(study, table)]
                if table_rows:
                    _arrow_table(table_rows, schema[table])

    import trialscope.data.arrow_warmup  # noqa: F401  (pyarrow's one-time pandas import)

    _timed("Arrow tables", n, arrow)
    chunks = list(file_chunks([jsonl]))
    results = _timed("worker total (jsonl)", n, lambda: [run_chunk(c, "b", schema) for c in chunks])
    with TrialStore(folder / "write.duckdb") as store:
        _timed("store write (insert+commit)", n, lambda: _write(store, results))


def _write(store: TrialStore, results: list[Any]) -> None:
    """The writer's part as an ingest runs it: its DuckDB settings, its transaction size."""
    from contextlib import nullcontext

    import trialscope.data.store as module

    per_transaction = getattr(module, "CHUNK_BATCH_STUDIES", len(results) * 500)
    settings = getattr(store, "_ingest_settings", None)
    limit = getattr(store, "_memory_limit", None)
    with settings() if settings else limit("384MB") if limit else nullcontext():
        batch: list[Any] = []
        for result in results:
            batch.append(result)
            if sum(len(r.study_ids) for r in batch) >= per_transaction:
                store._write_results(batch)
                batch = []
        if batch:
            store._write_results(batch)


def _of(study: Any, table: str) -> list[Any]:
    if table == "studies":
        return [study.study]
    if table.startswith("result_"):
        return list(getattr(study.results, table))
    return list(getattr(study, table))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=10000)
    parser.add_argument("--real", type=Path, default=REAL)
    args = parser.parse_args()
    import trialscope

    print(f"code: {Path(trialscope.__file__).parent}")
    studies = real_studies(args.real)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        jsonl, bulk = write_inputs(studies, args.studies, folder)
        try:
            import trialscope.data.ingest_pipeline
        except ImportError:
            old_parts(args.studies, jsonl, bulk)
        else:
            new_parts(args.studies, jsonl, bulk, folder)


if __name__ == "__main__":
    main()
