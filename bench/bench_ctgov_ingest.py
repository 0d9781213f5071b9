"""Ingest rate of real ClinicalTrials.gov v2 studies, replicated with new ids to N studies.

Run from the repository root (needs ../shared/data/real/ctgov, the real studies):
    .venv/bin/python bench/bench_ctgov_ingest.py --studies 50000 500000   # the goal measurement
    .venv/bin/python bench/bench_ctgov_ingest.py --studies 20000          # a quick check
    # --inputs DIR keeps the replicated inputs (~11 GB at 500K) and reuses them next time
    # with the old code measured in the same run (a checkout of the old commit):
    git worktree add --detach /tmp/ctgov-old <old commit>
    .venv/bin/python bench/bench_ctgov_ingest.py --studies 50000 500000 \
        --old-src /tmp/ctgov-old/src --old-studies 20000
For each N it writes the replicated studies twice, as one JSON-lines file and as a bulk-download
zip (one `NCTxxxxxxxx.json` per study, the shape of ClinicalTrials.gov's AllAPIJSON.zip), then
times `trialscope data ingest ctgov FILE --store S` on each in a fresh process: wall and CPU
seconds (the ingest process and its workers), studies/s, and peak memory: the largest single
process (ru_maxrss) and the largest sum over the process tree (sampled from /proc). The load
average is printed beside every figure: on a shared machine wall time includes waiting for a
core. The goal: >= 5,000 studies/s wall on 2 cores, peak memory flat from 50K to 500K.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MALFORMED = "reserialised_by_r_10.json"
GOAL = 5000
ISSUE_FIGURES = (460, 1580)
"""Studies/s of the code before issue 16, as the issue reports them (idle machine)."""


def _default_real() -> Path:
    if os.environ.get("TRIALSCOPE_SHARED_DATA"):
        return Path(os.environ["TRIALSCOPE_SHARED_DATA"]) / "ctgov"
    # In a git worktree the shared data sits next to the main checkout (git's common dir).
    common = subprocess.run(
        ["git", "rev-parse", "--path-format=absolute", "--git-common-dir"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    for repo in (ROOT, Path(common).parent if common else ROOT):
        candidate = repo.parent / "shared" / "data" / "real" / "ctgov"
        if candidate.is_dir():
            return candidate
    return ROOT.parent / "shared" / "data" / "real" / "ctgov"


REAL = _default_real()


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
    """`studies.jsonl` and `AllAPIJSON.zip` (deflate level 1, to write 500K quickly)."""
    jsonl = folder / "studies.jsonl"
    bulk = folder / "AllAPIJSON.zip"
    with (
        jsonl.open("wb") as lines,
        zipfile.ZipFile(bulk, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
    ):
        for new_id, payload in replicated(studies, n):
            lines.write(payload + b"\n")
            archive.writestr(f"{new_id}.json", payload)
    return jsonl, bulk


def _tree(root: int) -> dict[int, tuple[int, int]]:
    """{pid: (resident bytes, CPU clock ticks)} of `root` and every descendant (from /proc)."""
    parents: dict[int, int] = {}
    usage: dict[int, tuple[int, int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        # fields[0] is the state (field 3 of stat): utime/stime are fields 14/15, rss is 24.
        usage[pid] = (int(fields[21]) * PAGE, int(fields[11]) + int(fields[12]))
    tree = {}
    for pid, values in usage.items():
        node = pid
        while node > 1 and node != root:
            node = parents.get(node, 0)
        if node == root:
            tree[pid] = values
    return tree


PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


def timed_ingest(source: Path, store: Path, old_src: Path | None = None) -> dict[str, float]:
    """`trialscope data ingest ctgov SOURCE --store STORE` in a fresh process."""
    env = dict(os.environ)
    if old_src is not None:
        env["PYTHONPATH"] = str(old_src)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    command = [sys.executable, "-m", "trialscope.cli.main", "data", "ingest", "ctgov",
               str(source), "--store", str(store)]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    peak_tree = 0.0
    ticks: dict[int, int] = {}
    done = threading.Event()

    def sample() -> None:
        # Workers are grandchildren (forked by multiprocessing's forkserver): getrusage does not
        # see them, so their CPU is read from /proc while they run (every 0.2 s).
        nonlocal peak_tree
        while not done.wait(0.2):
            tree = _tree(process.pid)
            peak_tree = max(peak_tree, sum(rss for rss, _ in tree.values()) / 1e6)
            for pid, (_, used) in tree.items():
                ticks[pid] = max(ticks.get(pid, 0), used)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise SystemExit(f"ingest failed ({process.returncode}):\n{stderr[-2000:]}")
    waited = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    unwaited = sum(used for pid, used in ticks.items() if pid != process.pid) / TICKS
    return {
        # The writing process alone, as last sampled (it ends a little later: a lower bound).
        "main_cpu_s": ticks.get(process.pid, 0) / TICKS,
        "wall_s": wall,
        # The ingest process (waited for) plus its workers as last seen in /proc.
        "cpu_s": waited + unwaited,
        # ru_maxrss of children is the largest single descendant so far (ingest or worker).
        "peak_rss_mb": after.ru_maxrss / 1024,
        "peak_tree_mb": peak_tree,
        "load_before": load,
        "load_after": os.getloadavg()[0],
    }


def _line(name: str, n: int, figures: dict[str, float]) -> str:
    return (
        f"{name:18} {n:>9,} studies {figures['wall_s']:7.1f} s wall {figures['cpu_s']:7.1f} s CPU "
        f"{n / figures['wall_s']:7,.0f} studies/s {n / figures['cpu_s']:7,.0f} studies/CPU-s "
        f"(CPU {figures['cpu_s'] / n * 1e6:4,.0f} us/study, writer process "
        f"{figures['main_cpu_s'] / n * 1e6:4,.0f}) "
        f"peak {figures['peak_rss_mb']:5,.0f} MB/process {figures['peak_tree_mb']:5,.0f} MB/tree "
        f"load {figures['load_before']:.1f}->{figures['load_after']:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, nargs="+", default=[20000])
    parser.add_argument("--real", type=Path, default=REAL)
    parser.add_argument("--keep", type=Path, help="Write inputs and stores under here.")
    parser.add_argument(
        "--inputs",
        type=Path,
        help="Keep the replicated inputs here (n<N>/...) and reuse them in a later run.",
    )
    parser.add_argument("--old-src", type=Path, help="src/ of the old code, timed in this run.")
    parser.add_argument("--old-studies", type=int, default=20000, help="N for the old code.")
    args = parser.parse_args()
    if not args.real.is_dir():
        raise SystemExit(f"{args.real}: the real studies are missing (../shared/data/real/ctgov)")
    studies = real_studies(args.real)
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()}", flush=True)
    old_rates: dict[str, float] = {}
    measured: dict[str, list[tuple[int, dict[str, float]]]] = {}
    sizes = [("old", args.old_studies)] if args.old_src else []
    sizes += [("new", n) for n in args.studies]
    for code, n in sizes:
        with tempfile.TemporaryDirectory(dir=args.keep) as scratch:
            folder = Path(scratch)
            jsonl, bulk = _inputs(studies, n, args.inputs / f"n{n}" if args.inputs else folder)
            for kind, source in (("jsonl", jsonl), ("bulk zip", bulk)):
                old_src = args.old_src if code == "old" else None
                figures = timed_ingest(source, folder / "store.duckdb", old_src)
                Path(f"{folder / 'store.duckdb'}.wal").unlink(missing_ok=True)
                (folder / "store.duckdb").unlink()
                rate = n / figures["wall_s"]
                note = ""
                if code == "old":
                    old_rates[kind] = rate
                else:
                    note = (
                        f"  goal {GOAL:,}/s: {'met' if rate >= GOAL else 'NOT met'}; "
                        f"x{rate / ISSUE_FIGURES[1]:.1f}-x{rate / ISSUE_FIGURES[0]:.1f} the "
                        f"issue's {ISSUE_FIGURES[0]:,}-{ISSUE_FIGURES[1]:,}/s"
                    )
                    if kind in old_rates:
                        note += f"; x{rate / old_rates[kind]:.1f} the old code in this run"
                    measured.setdefault(kind, []).append((n, figures))
                print(_line(f"{code} {kind}", n, figures) + note, flush=True)
    _summary(measured, old_rates)


def _inputs(studies: list[dict[str, Any]], n: int, folder: Path) -> tuple[Path, Path]:
    """The JSON-lines file and zip of `n` replicated studies in `folder`, written unless a
    previous run finished writing them there."""
    done = folder / "written"
    if done.exists():
        print(f"reusing the {n:,} replicated studies in {folder}", flush=True)
        return folder / "studies.jsonl", folder / "AllAPIJSON.zip"
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    jsonl, bulk = write_inputs(studies, n, folder)
    done.touch()
    print(
        f"{len(studies)} real studies replicated to {n:,} "
        f"({jsonl.stat().st_size / 1e6:,.0f} MB JSONL, {bulk.stat().st_size / 1e6:,.0f} "
        f"MB zip) in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    return jsonl, bulk


def _summary(
    measured: dict[str, list[tuple[int, dict[str, float]]]], old_rates: dict[str, float]
) -> None:
    """The goal lines: the largest N's rate against the goal and the old code, and whether peak
    memory stayed flat from the smallest N to the largest."""
    print("summary:")
    for kind, runs in measured.items():
        n, largest = max(runs, key=lambda run: run[0])
        rate = n / largest["wall_s"]
        old = f", x{rate / old_rates[kind]:.1f} the old code" if kind in old_rates else ""
        print(
            f"  {kind}: {rate:,.0f} studies/s wall at {n:,} (goal {GOAL:,}/s: "
            f"{'met' if rate >= GOAL else 'NOT met'}{old}); "
            f"{largest['cpu_s'] / n * 1e6:,.0f} us CPU/study; load "
            f"{largest['load_before']:.1f}->{largest['load_after']:.1f}"
        )
        if len(runs) > 1:
            small_n, smallest = min(runs, key=lambda run: run[0])
            grew = largest["peak_rss_mb"] / smallest["peak_rss_mb"]
            print(
                f"  {kind}: peak memory {small_n:,} -> {n:,} studies: "
                f"{smallest['peak_rss_mb']:,.0f} -> {largest['peak_rss_mb']:,.0f} MB largest "
                f"process (x{grew:.2f}), {smallest['peak_tree_mb']:,.0f} -> "
                f"{largest['peak_tree_mb']:,.0f} MB process tree "
                f"(x{largest['peak_tree_mb'] / smallest['peak_tree_mb']:.2f}): "
                f"{'flat' if grew <= 1.15 else 'NOT flat'} (within 15%)"
            )


if __name__ == "__main__":
    main()
