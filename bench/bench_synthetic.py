"""Generate + ingest N synthetic trials into a TrialStore, then build all eight task sets from it.

Run from the repository root:
    .venv/bin/python bench/bench_synthetic.py --trials 1600000      # the goal measurement
    .venv/bin/python bench/bench_synthetic.py --trials 20000        # a quick check
    .venv/bin/python bench/bench_synthetic.py --trials 2000000 --compare-trials 200000 --no-build
                                                                    # flat memory
`--baseline-ref REF --baseline-trials N` (default: the code before the third synthetic pass,
at 100,000 trials) also ingests N trials with the code of git commit REF (extracted to a
temporary folder) and with this code, back to back, and prints the CPU and wall ratios;
`--baseline-ref ''` skips it.
Each phase runs in its own process so its peak RSS is its own; worker processes are reported
separately (their CPU is counted in the phase's CPU). Goal lines print the figure next to the
issue's figure as a ratio. With `--why-stopped-csv FILE` (a CSV with a `why_stopped` column) it
also reports how many texts the mapper classifies.
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from trialscope.data.builders import BuildOptions, build_benchmark
from trialscope.data.store import TrialStore
from trialscope.data.synthetic import SyntheticRegistry, load_into_store
from trialscope.data.termination import classify_why_stopped

BASELINE_REF = "ae8507b"
"""main before the third synthetic pass (workers decode JSON bytes, publications upserted)."""
OLD_INGEST_MINUTES = 24.3
"""Issue 16: 1.6M trials generated and ingested, idle 2-core machine."""
OLD_INGEST_PEAK_MB = 1559
OLD_BUILD_SECONDS = 280.2
"""`data build` of the 1.6M store before the build work of issue 16 (the lead's run on main,
13:16 UTC, load average 1.7): 347.1 CPU-s in both processes, peak RSS 3,272 + 3,442 MB."""
OLD_BUILD_CPU_SECONDS = 347.1
OLD_BUILD_PEAK_MB = (3272, 3442)
GOAL_INGEST_MINUTES = 5.0
GOAL_BUILD_SECONDS = 60.0
GOAL_PEAK_MB = 2000


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _worker_peak_rss_mb() -> float:
    # The largest peak of any finished child (the worker processes).
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _main_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _cpu_seconds() -> float:
    # CPU time is reported beside wall time: on a shared machine wall time includes waiting.
    # Worker processes count too (they have exited by the time this is read).
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


class DescendantUsage:
    """CPU seconds and peak RSS of this process's descendants, sampled from /proc.

    The ingest's workers are forked by a forkserver, which reaps them itself, so their CPU never
    reaches this process's RUSAGE_CHILDREN: a thread reads every descendant's /proc/PID/stat
    every 0.2 s and keeps each one's last figures (a worker's last 0.2 s may be missed).
    """

    def __init__(self) -> None:
        self.cpu: dict[int, float] = {}
        self.peak_kb: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._tick = os.sysconf("SC_CLK_TCK")

    def __enter__(self) -> DescendantUsage:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def cpu_seconds(self) -> float:
        return sum(self.cpu.values())

    @property
    def peak_rss_mb(self) -> float:
        return max(self.peak_kb.values(), default=0) / 1024

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self._sample()
        self._sample()

    def _sample(self) -> None:
        parents: dict[int, int] = {}
        stats: dict[int, list[str]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                text = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            # Fields after the parenthesised command name: state, ppid, ... utime(14), stime(15).
            fields = text[text.rindex(")") + 2 :].split()
            parents[int(entry)] = int(fields[1])
            stats[int(entry)] = fields
        mine = {os.getpid()}
        grew = True
        while grew:
            found = {pid for pid, parent in parents.items() if parent in mine} - mine
            grew = bool(found)
            mine |= found
        mine.discard(os.getpid())
        for pid in mine:
            fields = stats[pid]
            self.cpu[pid] = (int(fields[11]) + int(fields[12])) / self._tick
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    self.peak_kb[pid] = max(self.peak_kb.get(pid, 0), int(line.split()[1]))


def phase_generate(trials: int, seed: int) -> dict[str, float]:
    """Generation alone (no store): the generator's own rate."""
    started = time.perf_counter()
    registry = SyntheticRegistry(trials, seed=seed)
    count = sum(1 for _ in registry.trials())
    registry.reviews()
    return {
        "trials": count,
        "seconds": time.perf_counter() - started,
        "peak_rss_mb": _peak_rss_mb(),
        "cpu_s": _cpu_seconds(),
    }


def phase_ingest(trials: int, seed: int, store_path: str) -> dict[str, float]:
    """Generation streamed into the store through the normal ingest path."""
    started = time.perf_counter()
    with DescendantUsage() as descendants, TrialStore(store_path) as store:
        report = load_into_store(store, SyntheticRegistry(trials, seed=seed))
    main_cpu = _main_cpu_seconds()
    # Spawned (not forkserver) workers are reaped by this process: count whichever is larger.
    workers_cpu = max(descendants.cpu_seconds, _cpu_seconds() - main_cpu)
    return {
        "trials": report.trials,
        "publications": report.publications,
        "reviews": report.reviews,
        "failures": len(report.failures),
        "seconds": time.perf_counter() - started,
        "peak_rss_mb": _peak_rss_mb(),
        "worker_peak_rss_mb": max(_worker_peak_rss_mb(), descendants.peak_rss_mb),
        "cpu_s": main_cpu + workers_cpu,
        "main_cpu_s": main_cpu,
        "store_mb": Path(store_path).stat().st_size / 1e6,
        "load": os.getloadavg()[0],
    }


def phase_build(store_path: str, out_dir: str) -> dict[str, float]:
    """All eight task sets at the paper's test sizes (1,000 per trial task, 100 reviews)."""
    options = BuildOptions(
        seed=0, train_size=5000, test_size=1000, review_train_size=400, review_test_size=100
    )
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    with TrialStore(store_path, read_only=True) as store:
        report = build_benchmark(store, Path(out_dir), options)
    return {
        "load_before": load_before,
        "seconds": time.perf_counter() - started,
        "peak_rss_mb": _peak_rss_mb(),
        "worker_peak_rss_mb": _worker_peak_rss_mb(),
        "cpu_s": _cpu_seconds(),
        "load": os.getloadavg()[0],
        "corpus": report.corpus_size,
        "items": sum(c.train + c.test for c in report.tasks.values()),
    }


def _child(*args: str, checkout: Path | None = None) -> dict[str, float]:
    """One phase in a fresh process; with `checkout`, that folder's bench and package."""
    script = Path(__file__) if checkout is None else checkout / "bench" / "bench_synthetic.py"
    env = dict(os.environ)
    if checkout is not None:
        # The forkserver workers import the package from PYTHONPATH, not the script's sys.path.
        env["PYTHONPATH"] = str(checkout / "src")
    done = subprocess.run(
        [sys.executable, str(script), "--phase", *args],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _per_trial(result: dict[str, float], trials: int) -> str:
    return (
        f"{result['seconds']:.1f} s wall, CPU {result['cpu_s'] / trials * 1e6:.0f} us/trial "
        f"(main process {result['main_cpu_s'] / trials * 1e6:.0f}), peak RSS "
        f"{result['peak_rss_mb']:.0f} MB main + {result['worker_peak_rss_mb']:.0f} MB worker, "
        f"load average {result['load']:.1f}"
    )


def compare_with_baseline(ref: str, trials: int, seed: int, workdir: Path) -> None:
    """Ingest `trials` with the code of commit `ref` and with this code, back to back."""
    root = Path(__file__).resolve().parent.parent
    checkout = workdir / f"baseline-{ref}"
    if not checkout.exists():
        checkout.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "-C", str(root), "archive", ref], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(checkout)], input=archive, check=True)
    runs = {}
    for name, where in (("baseline", checkout), ("this code", None)):
        store = workdir / f"compare-{name.replace(' ', '-')}.duckdb"
        store.unlink(missing_ok=True)
        runs[name] = _child("ingest", str(trials), str(seed), str(store), checkout=where)
        print(f"{name} ({ref if where else 'HEAD'}), {trials} trials: "
              f"{_per_trial(runs[name], trials)}", flush=True)  # fmt: skip
    old, new = runs["baseline"], runs["this code"]
    print(
        f"RATIO vs {ref} at {trials} trials: CPU {old['cpu_s'] / new['cpu_s']:.2f}x less, main "
        f"process CPU {old['main_cpu_s'] / new['main_cpu_s']:.2f}x less, wall "
        f"{old['seconds'] / new['seconds']:.2f}x faster (wall under load is noisy)",
        flush=True,
    )


def termination_coverage(path: Path) -> None:
    """How many real why_stopped texts the mapper puts in a category."""
    with path.open(encoding="utf-8") as handle:
        texts = [row["why_stopped"] for row in csv.DictReader(handle)]
    counts = collections.Counter(classify_why_stopped(t) for t in texts)
    blank = sum(1 for t in texts if t.strip().upper() in ("", "NA", "N/A"))
    mapped = len(texts) - counts[None]
    print(f"why_stopped texts: {len(texts)}, mapped {mapped} ({mapped / len(texts):.1%}); ")
    print(f"  excluding {blank} blank/NA: {mapped / (len(texts) - blank):.1%}")
    for category, n in counts.most_common():
        print(f"  {category}: {n}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=1_600_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--generate-sample", type=int, default=100_000)
    parser.add_argument("--why-stopped-csv", type=Path, default=None)
    parser.add_argument(
        "--compare-trials", type=int, default=0, help="also ingest this many, for flat memory"
    )
    parser.add_argument("--no-build", action="store_true", help="skip the data build phase")
    parser.add_argument("--baseline-ref", default=BASELINE_REF, help="'' to skip the comparison")
    parser.add_argument("--baseline-trials", type=int, default=100_000)
    parser.add_argument("--phase", nargs="+", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        name, *rest = args.phase
        if name == "generate":
            result = phase_generate(int(rest[0]), int(rest[1]))
        elif name == "ingest":
            result = phase_ingest(int(rest[0]), int(rest[1]), rest[2])
        else:
            result = phase_build(rest[0], rest[1])
            print_build(result, "this store")
        print(json.dumps(result))
        return
    if args.why_stopped_csv:
        termination_coverage(args.why_stopped_csv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-synthetic-"))
    workdir.mkdir(parents=True, exist_ok=True)
    store = workdir / "trials.duckdb"
    store.unlink(missing_ok=True)
    sample = min(args.generate_sample, args.trials)
    generated = _child("generate", str(sample), str(args.seed))
    print(
        f"generate only, {sample} trials: {generated['seconds']:.1f} s "
        f"({sample / generated['seconds']:.0f} trials/s, CPU {generated['cpu_s']:.1f} s), peak RSS "
        f"{generated['peak_rss_mb']:.0f} MB",
        flush=True,
    )
    if args.baseline_ref:
        compare_with_baseline(
            args.baseline_ref, min(args.baseline_trials, args.trials), args.seed, workdir
        )
    ingested = _child("ingest", str(args.trials), str(args.seed), str(store))
    minutes = ingested["seconds"] / 60
    rate = args.trials / ingested["seconds"]
    print(
        f"generate + ingest, {args.trials} trials: {minutes:.1f} min "
        f"({rate:.0f} trials/s, CPU {ingested['cpu_s'] / 60:.1f} min incl. workers, main process "
        f"{ingested['main_cpu_s'] / 60:.1f} min), peak RSS "
        f"{ingested['peak_rss_mb']:.0f} MB main + {ingested['worker_peak_rss_mb']:.0f} MB "
        f"largest worker, store {ingested['store_mb']:.0f} MB, {ingested['publications']} "
        f"publications, {ingested['reviews']} reviews, {ingested['failures']} failures, "
        f"load average {ingested['load']:.1f}",
        flush=True,
    )
    print(
        f"ingest overhead vs generation alone: "
        f"{(sample / generated['seconds']) / rate:.2f}x per trial (wall), "
        f"{(ingested['cpu_s'] / args.trials) / (generated['cpu_s'] / sample):.1f}x (CPU)",
        flush=True,
    )
    scaled = minutes * 1_600_000 / args.trials
    all_peak = ingested["peak_rss_mb"] + (os.cpu_count() or 1) * ingested["worker_peak_rss_mb"]
    # On an idle 2-core machine the wall time is bounded below by the busier side: the main
    # process (writes) or half the total CPU.
    bound = max(ingested["main_cpu_s"], ingested["cpu_s"] / 2) / 60 * 1_600_000 / args.trials
    print(
        f"CPU bound for 1.6M on 2 idle cores: {bound:.2f} min "
        f"(main {ingested['main_cpu_s'] / args.trials * 1e6:.0f} us/trial, all processes "
        f"{ingested['cpu_s'] / args.trials * 1e6:.0f} us/trial)",
        flush=True,
    )
    print(
        f"GOAL generate+ingest: {minutes:.2f} min for {args.trials} trials "
        f"(~{scaled:.2f} min per 1.6M) vs issue {OLD_INGEST_MINUTES} min: "
        f"{OLD_INGEST_MINUTES / scaled:.2f}x the issue's speed "
        f"(goal < {GOAL_INGEST_MINUTES:.0f} min); "
        f"peak RSS main {ingested['peak_rss_mb']:.0f} MB vs issue {OLD_INGEST_PEAK_MB} MB "
        f"({ingested['peak_rss_mb'] / OLD_INGEST_PEAK_MB:.2f}x; goal < {GOAL_PEAK_MB} MB; with "
        f"{os.cpu_count()} workers at their peak {all_peak:.0f} MB); load average "
        f"{ingested['load']:.1f}",
        flush=True,
    )
    if args.compare_trials:
        other = workdir / "compare.duckdb"
        other.unlink(missing_ok=True)
        small = _child("ingest", str(args.compare_trials), str(args.seed), str(other))
        print(
            f"flat memory: peak RSS {args.trials} trials {ingested['peak_rss_mb']:.0f} MB "
            f"(worker {ingested['worker_peak_rss_mb']:.0f} MB) vs {args.compare_trials} trials "
            f"{small['peak_rss_mb']:.0f} MB (worker {small['worker_peak_rss_mb']:.0f} MB): "
            f"{ingested['peak_rss_mb'] / small['peak_rss_mb']:.2f}x",
            flush=True,
        )
    if args.no_build:
        return
    built = _child("build", str(store), str(workdir / "benchmark"))
    print_build(built, f"this store has {args.trials} trials")


def print_build(built: dict[str, float], store: str) -> None:
    """The build phase's figures and its goal line, against the figures before issue 16's work."""
    print(
        f"build 8 task sets: {built['seconds']:.1f} s (CPU {built['cpu_s']:.1f} s incl. the "
        f"second process), peak RSS {built['peak_rss_mb']:.0f} MB main + "
        f"{built['worker_peak_rss_mb']:.0f} MB second process, {built['items']} items, corpus "
        f"{built['corpus']} publications, load average {built['load_before']:.1f} at the start, "
        f"{built['load']:.1f} at the end",
        flush=True,
    )
    print(
        f"GOAL data build: {built['seconds']:.1f} s vs before {OLD_BUILD_SECONDS} s: "
        f"{OLD_BUILD_SECONDS / built['seconds']:.2f}x the earlier speed (goal < "
        f"{GOAL_BUILD_SECONDS:.0f} s for the 1.6M store; {store}); CPU {built['cpu_s']:.1f} s vs "
        f"{OLD_BUILD_CPU_SECONDS} s ({OLD_BUILD_CPU_SECONDS / built['cpu_s']:.2f}x less); peak "
        f"RSS {built['peak_rss_mb']:.0f} + {built['worker_peak_rss_mb']:.0f} MB vs "
        f"{OLD_BUILD_PEAK_MB[0]} + {OLD_BUILD_PEAK_MB[1]} MB",
        flush=True,
    )


if __name__ == "__main__":
    main()
