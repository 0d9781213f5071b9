"""Study search index and metric bootstrap speed, each beside the simpler way, in one run.

    .venv/bin/python bench/bench_task_scoring.py [--docs 100000] [--samples 1000]

1. BM25 (bm25s) over a generated corpus: building the index vs loading it from the on-disk cache
   keyed by the corpus hash (what a second run over the same benchmark does), and query latency.
2. 95% bootstrap interval of balanced accuracy (1,000 resamples): resampled confusion matrices
   pooled by one matrix product (trialscope.tasks.metrics) vs calling scikit-learn per resample.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table
from sklearn.metrics import balanced_accuracy_score

from trialscope.search.bm25 import BM25Search
from trialscope.tasks import metrics as m

WORDS = 5000
WORDS_PER_DOC = 180


def corpus(n_docs: int, seed: int) -> list[tuple[str, str]]:
    """Documents of Zipf-distributed pseudo-words, about the length of a title plus abstract."""
    rng = np.random.default_rng(seed)
    vocabulary = [f"term{i}x" for i in range(WORDS)]
    ranks = np.minimum(rng.zipf(1.3, size=(n_docs, WORDS_PER_DOC)), WORDS) - 1
    return [(str(i), " ".join(vocabulary[r] for r in row)) for i, row in enumerate(ranks)]


def timed(action: object) -> tuple[float, object]:
    started = time.perf_counter()
    value = action()  # type: ignore[operator]
    return time.perf_counter() - started, value


def bench_bm25(n_docs: int) -> list[tuple[str, str, str]]:
    documents = corpus(n_docs, seed=1)
    with tempfile.TemporaryDirectory() as folder:
        cache = Path(folder)
        build_s, built = timed(lambda: BM25Search(documents, cache_dir=cache))
        load_s, loaded = timed(lambda: BM25Search(documents, cache_dir=cache))
        queries = [" ".join(f"term{i}x" for i in range(q, q + 8)) for q in range(0, 400, 4)]
        query_s, _ = timed(lambda: [loaded.search(q, 1000) for q in queries])  # type: ignore[attr-defined]
        assert built.search(queries[0], 1000) == loaded.search(queries[0], 1000)  # type: ignore[attr-defined]
    return [
        ("BM25 index, built (no cache)", f"{build_s:.2f} s", ""),
        ("BM25 index, loaded from cache", f"{load_s:.2f} s", f"{build_s / load_s:.1f}x faster"),
        ("BM25 query, top 1,000", f"{query_s / len(queries) * 1000:.1f} ms", ""),
    ]


def bench_bootstrap(n_samples: int) -> list[tuple[str, str, str]]:
    rng = np.random.default_rng(2)
    y_true = rng.integers(0, 6, size=n_samples)
    y_pred = np.where(rng.random(n_samples) < 0.4, y_true, rng.integers(0, 7, size=n_samples))
    rows = m.confusion_rows(y_true, y_pred, 7)
    fast_s, fast = timed(lambda: m.bootstrap_interval(rows, m.balanced_accuracy_from_confusion, 0))

    def per_resample() -> list[float]:
        draws = np.random.default_rng(0)
        stats = []
        for _ in range(m.N_RESAMPLES):
            idx = draws.integers(0, n_samples, size=n_samples)
            stats.append(balanced_accuracy_score(y_true[idx], y_pred[idx]))
        return [float(v) for v in np.percentile(stats, [2.5, 97.5])]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "y_pred contains classes not in y_true"
        slow_s, slow = timed(per_resample)
    return [
        (f"CI, pooled confusion ({n_samples} samples)", f"{fast_s:.3f} s", _interval(fast)),
        (
            "CI, sklearn per resample",
            f"{slow_s:.3f} s",
            f"{_interval(slow)}; {slow_s / fast_s:.0f}x slower",
        ),
    ]


def _interval(value: object) -> str:
    low, high = value  # type: ignore[misc]
    return f"[{low:.3f}, {high:.3f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=1000)
    args = parser.parse_args()
    table = Table("measure", "time", "note")
    for row in [*bench_bm25(args.docs), *bench_bootstrap(args.samples)]:
        table.add_row(*row)
    Console().print(table)


if __name__ == "__main__":
    main()
