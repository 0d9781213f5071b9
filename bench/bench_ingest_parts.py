"""CPU seconds of each part of the CT.gov ingest, in one process: read+parse, size check, flatten.

Run from the repository root, once per checkout to compare (the old code from a `git worktree`):
    .venv/bin/python bench/bench_ingest_parts.py --studies 10000
    PYTHONPATH=/tmp/old/src .venv/bin/python bench/bench_ingest_parts.py --studies 10000
It replicates the real studies in ../shared/data/real/ctgov to N (as bench_ctgov_ingest does),
writes them as JSON lines and as a bulk zip, then times each part with process CPU time (the
honest figure on a shared machine) and prints the load average beside it.
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

from trialscope.data.sources.ctgov import iter_ctgov_files
from trialscope.data.sources.ctgov_checks import oversized_text_reason
from trialscope.data.sources.ctgov_record import flatten_study
from trialscope.data.sources.json_lines import SourcedRecord


def _timed(label: str, n: int, work: Any) -> Any:
    load = os.getloadavg()[0]
    cpu = time.process_time()
    wall = time.perf_counter()
    result = work()
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - wall
    print(
        f"{label:22} {n:>8,} records  {cpu:7.2f} s CPU  {wall:7.2f} s wall  "
        f"{n / cpu:9,.0f} records/CPU-s  load {load:.1f}->{os.getloadavg()[0]:.1f}",
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=10000)
    parser.add_argument("--real", type=Path, default=REAL)
    args = parser.parse_args()
    import trialscope

    print(f"code: {Path(trialscope.__file__).parent}")
    studies = real_studies(args.real)
    with tempfile.TemporaryDirectory() as scratch:
        jsonl, bulk = write_inputs(studies, args.studies, Path(scratch))
        n = args.studies
        for name, path in (("read+parse jsonl", jsonl), ("read+parse bulk zip", bulk)):
            items = _timed(name, n, lambda path=path: list(iter_ctgov_files([path])))
        records = [item for item in items if isinstance(item, SourcedRecord)]
        sizes = [getattr(item, "size", None) for item in records]

        def check() -> None:
            for record, size in zip(records, sizes, strict=True):
                if size is None:
                    oversized_text_reason(record.payload)
                else:
                    oversized_text_reason(record.payload, size=size)

        _timed("oversized-field check", n, check)
        _timed("flatten (incl. check)", n, lambda: [flatten_study(r.payload, "b") for r in records])


if __name__ == "__main__":
    main()
