"""BM25 over the trial store's titles and summaries: index build time, size, query latency.

Builds (or reuses) a store of N synthetic trials, indexes `TrialStore.iter_search_documents()`
with bm25s, and times top-10 queries one at a time (wall time, and the querying thread's CPU
time: the latency on an idle core when other jobs share the machine). Side by side, the same
queries run as a naive DuckDB scan (`ILIKE` on every query word over titles and summaries), the
no-index baseline, and the script prints the ratio.

    .venv/bin/python bench/bench_store_search.py --n 1600000 --store /tmp/bench-store.duckdb
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

import bm25s
import numpy as np
from rich.console import Console
from rich.progress import Progress

from trialscope.data.store import TrialStore

console = Console(stderr=True)


def build_store(path: Path, n: int, seed: int) -> float:
    """Fill a fresh store with n synthetic trials; returns seconds taken."""
    from trialscope.data.synthetic import SyntheticRegistry

    started = time.perf_counter()
    registry = SyntheticRegistry(n, seed=seed)
    with TrialStore(path) as store, Progress(console=console, transient=True) as progress:
        task = progress.add_task("synthetic trials", total=n)
        store.ingest_ctgov_studies(
            (trial.study for trial in registry.trials()),
            source="synthetic",
            on_progress=lambda done: progress.update(task, completed=done),
        )
    return time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile in milliseconds."""
    return float(np.percentile(np.array(values), q) * 1000)


def main() -> None:
    """Run the benchmark and print one JSON object of figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_600_000, help="trials in the store")
    parser.add_argument("--store", type=Path, default=None, help="reuse or create this store")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--scan-queries", type=int, default=20, help="queries for the baseline")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("bm25s").setLevel(logging.WARNING)

    workdir = Path(tempfile.mkdtemp(prefix="bench-store-search-"))
    store_path = args.store or workdir / "store.duckdb"
    figures: dict[str, float | int | str] = {"n_requested": args.n}
    if not store_path.exists():
        figures["store_build_s"] = round(build_store(store_path, args.n, args.seed), 1)

    with TrialStore(store_path, read_only=True) as store:
        started = time.perf_counter()
        ids, texts = [], []
        for doc_id, text in store.iter_search_documents():
            ids.append(doc_id)
            texts.append(text)
        figures["n_documents"] = len(ids)
        figures["read_documents_s"] = round(time.perf_counter() - started, 1)

        started = time.perf_counter()
        tokens = bm25s.tokenize(texts, stopwords="en", show_progress=False)
        tokenize_s = time.perf_counter() - started
        started = time.perf_counter()
        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
        index_s = time.perf_counter() - started
        figures["tokenize_s"] = round(tokenize_s, 1)
        figures["index_s"] = round(index_s, 1)
        figures["index_build_total_s"] = round(tokenize_s + index_s, 1)
        index_dir = workdir / "index"
        retriever.save(str(index_dir))
        size = sum(p.stat().st_size for p in index_dir.rglob("*") if p.is_file())
        figures["index_size_mb"] = round(size / 1e6, 1)

        rng = np.random.default_rng(args.seed)
        picks = rng.choice(len(texts), size=args.queries, replace=False)
        # A query is 3-6 consecutive words of a stored title: how a user names a trial topic.
        queries = []
        for pick in picks:
            words = texts[int(pick)].split()[:12]
            start = int(rng.integers(0, max(1, len(words) - 3)))
            queries.append(" ".join(words[start : start + int(rng.integers(3, 7))]))
        del texts, tokens

        for query in queries[:5]:  # warm-up, untimed
            retriever.retrieve(
                bm25s.tokenize([query], show_progress=False), k=10, show_progress=False
            )
        latencies, cpu_latencies = [], []
        hits = 0
        for query in queries:
            started, cpu_started = time.perf_counter(), time.thread_time()
            query_tokens = bm25s.tokenize([query], stopwords="en", show_progress=False)
            results, _ = retriever.retrieve(query_tokens, k=10, show_progress=False)
            latencies.append(time.perf_counter() - started)
            cpu_latencies.append(time.thread_time() - cpu_started)
            hits += int(results.shape[1] > 0)
        bm25_p50 = percentile(latencies, 50)
        figures["bm25_p50_ms"] = round(bm25_p50, 2)
        figures["bm25_p95_ms"] = round(percentile(latencies, 95), 2)
        # CPU time of the querying thread: what the latency is on an idle core.
        figures["bm25_cpu_p50_ms"] = round(percentile(cpu_latencies, 50), 2)
        figures["bm25_cpu_p95_ms"] = round(percentile(cpu_latencies, 95), 2)
        figures["queries"] = len(queries)
        figures["queries_with_hits"] = hits

        scan_latencies = []
        for query in queries[: args.scan_queries]:
            words = [w for w in query.lower().split() if len(w) > 3][:3] or [query.lower()]
            started = time.perf_counter()
            store.scan_search(words, limit=10)
            scan_latencies.append(time.perf_counter() - started)
        scan_p50 = percentile(scan_latencies, 50)
        figures["scan_p50_ms"] = round(scan_p50, 1)
        figures["scan_over_bm25_p50"] = round(scan_p50 / max(bm25_p50, 1e-6), 1)
    figures["load_average_1min"] = round(os.getloadavg()[0], 1)
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(figures, indent=2))
    shutil.rmtree(workdir / "index", ignore_errors=True)
    if args.store is None:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
