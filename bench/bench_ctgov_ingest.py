"""Ingest rate of real ClinicalTrials.gov v2 studies, replicated with new ids to N studies.

Run from the repository root (needs ../shared/data/real/ctgov, the real studies):
    .venv/bin/python bench/bench_ctgov_ingest.py --studies 500000     # the goal measurement
    .venv/bin/python bench/bench_ctgov_ingest.py --studies 20000      # a quick check
It writes the replicated studies twice, as one JSON-lines file and as a bulk-download zip (one
`NCTxxxxxxxx.json` per study, the shape of ClinicalTrials.gov's AllAPIJSON.zip), then times
`trialscope data ingest ctgov FILE --store S` on each in a fresh process: wall and CPU seconds,
studies/s and the process's peak RSS. The load average is printed beside every figure: on a
shared machine wall time includes waiting for a core.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REAL = (
    Path(os.environ["TRIALSCOPE_SHARED_DATA"]) / "ctgov"
    if os.environ.get("TRIALSCOPE_SHARED_DATA")
    else ROOT.parent / "shared" / "data" / "real" / "ctgov"
)
MALFORMED = "reserialised_by_r_10.json"


def real_studies(folder: Path) -> list[dict[str, Any]]:
    """Every well-formed real study in `folder` (single studies, lists and API pages)."""
    studies: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.json")):
        if path.name == MALFORMED:
            continue
        document = json.loads(path.read_text("utf-8"))
        if isinstance(document, dict) and "studies" in document:
            studies.extend(document["studies"])
        elif isinstance(document, list):
            studies.extend(document)
        else:
            studies.append(document)
    return studies


def replicated(studies: list[dict[str, Any]], n: int) -> Iterator[tuple[str, bytes]]:
    """`n` studies cycling through `studies`, each re-serialised with a fresh NCT id."""
    encoded = [json.dumps(study, ensure_ascii=False) for study in studies]
    ids = [study["protocolSection"]["identificationModule"]["nctId"] for study in studies]
    for index in range(n):
        source = index % len(studies)
        new_id = f"NCT{90000000 + index:08d}"
        yield new_id, encoded[source].replace(ids[source], new_id).encode("utf-8")


def write_inputs(studies: list[dict[str, Any]], n: int, folder: Path) -> tuple[Path, Path]:
    jsonl = folder / "studies.jsonl"
    bulk = folder / "AllAPIJSON.zip"
    with jsonl.open("wb") as lines, zipfile.ZipFile(bulk, "w", zipfile.ZIP_DEFLATED) as archive:
        for new_id, payload in replicated(studies, n):
            lines.write(payload + b"\n")
            archive.writestr(f"{new_id}.json", payload)
    return jsonl, bulk


def timed_ingest(source: Path, store: Path) -> dict[str, float]:
    """`trialscope data ingest ctgov SOURCE --store STORE` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    command = [sys.executable, "-m", "trialscope.cli.main", "data", "ingest", "ctgov",
               str(source), "--store", str(store)]  # fmt: skip
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if completed.returncode != 0:
        raise SystemExit(f"ingest failed ({completed.returncode}):\n{completed.stderr[-2000:]}")
    return {
        "wall_s": wall,
        "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        # ru_maxrss of children is the largest child so far: each phase runs in order, and the
        # ingest process is larger than the generator that ran before it.
        "peak_rss_mb": after.ru_maxrss / 1024,
        "load_before": load,
        "load_after": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=20000)
    parser.add_argument("--real", type=Path, default=REAL)
    parser.add_argument("--keep", type=Path, help="Write inputs and stores here (kept).")
    args = parser.parse_args()
    if not args.real.is_dir():
        raise SystemExit(f"{args.real}: the real studies are missing (../shared/data/real/ctgov)")
    studies = real_studies(args.real)
    with tempfile.TemporaryDirectory(dir=args.keep) as scratch:
        folder = Path(scratch)
        started = time.perf_counter()
        jsonl, bulk = write_inputs(studies, args.studies, folder)
        print(
            f"{len(studies)} real studies replicated to {args.studies:,} "
            f"({jsonl.stat().st_size / 1e6:,.0f} MB JSONL, "
            f"{bulk.stat().st_size / 1e6:,.0f} MB zip) "
            f"in {time.perf_counter() - started:.0f} s"
        )
        for name, source in (("jsonl", jsonl), ("bulk zip", bulk)):
            figures = timed_ingest(source, folder / f"{name.replace(' ', '_')}.duckdb")
            rate = args.studies / figures["wall_s"]
            print(
                f"{name:9} {args.studies:>9,} studies  {figures['wall_s']:7.1f} s wall "
                f"{figures['cpu_s']:7.1f} s CPU  {rate:8,.0f} studies/s  "
                f"{args.studies / figures['cpu_s']:8,.0f} studies/CPU-s  "
                f"peak {figures['peak_rss_mb']:6,.0f} MB  "
                f"load {figures['load_before']:.1f}->{figures['load_after']:.1f}"
            )


if __name__ == "__main__":
    main()
