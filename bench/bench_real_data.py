"""Real-data figures: CT.gov ingest rate, the adversarial check of the design QA items, and the
termination-reason mapper's coverage and precision.

Run from the repository root (the real data is ../shared/data/real, or pass --real):
    .venv/bin/python bench/bench_real_data.py
Every figure is printed with the load average at the time it was measured (the machine is
shared; figures under load are slower than on an idle machine).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from trialscope.data.builders import BuildOptions, build_benchmark
from trialscope.data.builders.design_qa import DESIGN_KINDS
from trialscope.data.builders.lexical_guessers import GUESSERS, hit_rate
from trialscope.data.sources.ctgov_chunks import file_chunks
from trialscope.data.store import TrialStore
from trialscope.data.termination import CATEGORIES, classify_why_stopped

MALFORMED = "reserialised_by_r_10.json"
LABEL_FILES = ("why_stopped_labels.csv", "why_stopped_heldout_labels.csv")


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def ingest_rate(files: list[Path], work: Path, repeats: int) -> Path:
    """Ingest the real studies `repeats` times into fresh stores; print the best rate."""
    best = float("inf")
    studies = 0
    store = work / "real-0.duckdb"
    for n in range(repeats):
        store = work / f"real-{n}.duckdb"
        with TrialStore(store) as trial_store:
            # Timed from an open, empty store: reading, validating, flattening and writing.
            started = time.perf_counter()
            report = trial_store.ingest_ctgov_chunks(file_chunks(files))
            best = min(best, time.perf_counter() - started)
        studies = report.stored
    print(
        f"ingest: {studies} real CT.gov studies in {best:.2f} s (best of {repeats}) = "
        f"{studies / best:,.0f} studies/s [{_load()}]"
    )
    return store


def adversarial(store: Path, work: Path) -> None:
    """Build every design QA item the real store allows; print the lexical guessers' hit rates."""
    out = work / "bench"
    with TrialStore(store, read_only=True) as trial_store:
        build_benchmark(trial_store, out, BuildOptions(seed=0, train_size=0, test_size=400))
    print(f"adversarial check (chance 25%, goal <= 40%) [{_load()}]")
    for task in DESIGN_KINDS:
        lines = (out / task / "test.jsonl").read_text("utf-8").splitlines()
        items = [json.loads(line) for line in lines]
        rates = ", ".join(f"{name} {hit_rate(items, g):.1%}" for name, g in GUESSERS.items())
        print(f"  {task}: {len(items)} items; {rates}")


def mapper(csv_path: Path, labels_dir: Path) -> None:
    """Coverage over every real why_stopped text; precision per category on the labelled ones."""
    with csv_path.open(encoding="utf-8") as handle:
        texts = {row["nctid"]: row["why_stopped"] for row in csv.DictReader(handle)}
    mapped = Counter(classify_why_stopped(text) for text in texts.values())
    coverage = 1 - mapped[None] / len(texts)
    print(f"mapper: {len(texts):,} real texts, {coverage:.1%} get a category [{_load()}]")
    print("  " + ", ".join(f"{k or 'no reason'} {v:,}" for k, v in mapped.most_common()))
    for name in LABEL_FILES:
        with (labels_dir / name).open(encoding="utf-8") as handle:
            labelled = [(row["nctid"], row["label"]) for row in csv.DictReader(handle)]
        parts = []
        for category in CATEGORIES:
            truth = [t for nct, t in labelled if classify_why_stopped(texts[nct]) == category]
            right = sum(t == category for t in truth)
            parts.append(f"{category} {right}/{len(truth)}")
        print(f"  precision on {name} ({len(labelled)} texts): " + ", ".join(parts))


def _default_real(repo: Path) -> Path:
    """../shared/data/real next to the checkout; for a git worktree, next to the main checkout."""
    beside = repo.parent / "shared" / "data" / "real"
    if beside.is_dir():
        return beside
    common = subprocess.run(
        ["git", "rev-parse", "--path-format=absolute", "--git-common-dir"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return Path(common).parent.parent / "shared" / "data" / "real" if common else beside


def main() -> None:
    """Print the three real-data figures."""
    repo = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, default=_default_real(repo))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if not args.real.is_dir():
        raise SystemExit(f"{args.real}: no real data here (pass --real DIR)")
    files = sorted(p for p in (args.real / "ctgov").glob("*.json") if p.name != MALFORMED)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        store = ingest_rate(files, work, args.repeats)
        adversarial(store, work)
    mapper(args.real / "ctcovidstop_stopped_trials.csv", repo / "tests" / "data")


if __name__ == "__main__":
    main()
