"""Metrics shared by the tasks, with seeded bootstrap confidence intervals.

Point estimates are computed as scikit-learn computes them (equal to the bit, see the tests).
Intervals resample units (samples, or reviews for screening) with replacement: each resample is
a vector of counts, so a pooled statistic is a matrix product of those counts with per-unit
sums, computed for all resamples at once from confusion matrices (the numpy statistics below
match scikit-learn's, see the tests).

Small samples: a proportion of 0/1 values gets the exact Clopper-Pearson interval at any n; a
bootstrap interval is computed only from `MIN_BOOTSTRAP_N` units up (None below: too few).
Balanced accuracy is resampled within each gold class, so no class drops out of a resample.
A metric undefined on the labels present (balanced accuracy with one gold class) is an
`UndefinedMetric` with its reason; `summary` reports it as null plus the reason, never a number.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from trialscope.tasks.base import SampleResult

N_RESAMPLES = 1000
CONFIDENCE = 0.95
MIN_BOOTSTRAP_N = 30
"""Fewest units (samples, reviews) a bootstrap interval is computed from; the percentile
bootstrap of a mean undercovers below (tests/report/test_coverage.py)."""


@dataclass(frozen=True)
class UndefinedMetric:
    """A metric that has no value on this data, and why (e.g. only one gold class)."""

    reason: str


_MAX_CELLS_PER_CHUNK = 4_000_000

Statistic = Callable[[np.ndarray], np.ndarray]
"""Maps pooled per-resample sums, shape (resamples, columns), to one value per resample."""


def bootstrap_counts(n_units: int, n_resamples: int, seed: int) -> Iterator[np.ndarray]:
    """How often each unit is drawn in each resample, in chunks of shape (resamples, units)."""
    rng = np.random.default_rng(seed)
    chunk = max(1, min(n_resamples, _MAX_CELLS_PER_CHUNK // max(n_units, 1)))
    pvals = np.full(n_units, 1.0 / n_units)
    done = 0
    while done < n_resamples:
        size = min(chunk, n_resamples - done)
        yield rng.multinomial(n_units, pvals, size=size).astype(np.float64)
        done += size


def bootstrap_interval(
    unit_sums: np.ndarray,
    statistic: Statistic,
    seed: int,
    n_resamples: int = N_RESAMPLES,
    confidence: float = CONFIDENCE,
) -> list[float] | None:
    """Percentile interval of `statistic` over resamples of the rows of `unit_sums`.

    `unit_sums` has one row per unit (sample or review) and one column per additive quantity the
    statistic needs (e.g. a flattened confusion matrix). None when there are no units or the
    statistic is undefined in every resample, or fewer than MIN_BOOTSTRAP_N units.
    """
    unit_sums = np.asarray(unit_sums, dtype=np.float64)
    if unit_sums.ndim == 1:
        unit_sums = unit_sums[:, None]
    if unit_sums.shape[0] < MIN_BOOTSTRAP_N:
        return None
    values = [
        statistic(counts @ unit_sums)
        for counts in bootstrap_counts(len(unit_sums), n_resamples, seed)
    ]
    stats = np.concatenate(values)
    stats = stats[np.isfinite(stats)]
    if stats.size == 0:
        return None
    tail = (1.0 - confidence) / 2.0 * 100.0
    low, high = np.percentile(stats, [tail, 100.0 - tail])
    return [float(low), float(high)]


def _divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1), 0.0)


def mean_statistic(pooled: np.ndarray) -> np.ndarray:
    """Column 0 summed over column 1 (value, count): a mean or a ratio of sums."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(pooled[:, 1] > 0, pooled[:, 0] / np.maximum(pooled[:, 1], 1e-300), np.nan)


def clopper_pearson(
    successes: np.ndarray | int, n: int, level: float = CONFIDENCE
) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Clopper-Pearson) interval bounds for `successes` out of `n`, vectorised.

    The beta quantiles come from scipy.special, the same functions scipy.stats.beta's ppf and
    isf call: importing scipy.stats costs a run about three times the CPU, while its requests
    are still in flight."""
    from scipy import special

    k = np.asarray(successes, dtype=np.float64)
    tail = (1.0 - level) / 2.0
    with np.errstate(invalid="ignore"):
        low = np.where(k > 0, special.betaincinv(k, n - k + 1, tail), 0.0)
        high = np.where(k < n, special.betainccinv(k + 1, n - k, tail), 1.0)
    return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)


def proportion_interval(
    successes: int, n: int, confidence: float = CONFIDENCE
) -> list[float] | None:
    """Exact Clopper-Pearson interval of successes / n (None when n is 0)."""
    if n <= 0:
        return None
    low, high = clopper_pearson(int(successes), int(n), confidence)
    return [float(low), float(high)]


def mean_interval(
    values: Sequence[float] | np.ndarray, seed: int, n_resamples: int = N_RESAMPLES
) -> list[float] | None:
    """Interval of the mean of per-sample values: exact for 0/1 values, else bootstrap."""
    array = np.asarray(values, dtype=np.float64)
    if array.size and np.isin(array, (0.0, 1.0)).all():
        return proportion_interval(int(array.sum()), int(array.size))
    return bootstrap_interval(
        np.column_stack([array, np.ones_like(array)]), mean_statistic, seed, n_resamples
    )


def ratio_interval(
    numerators: Sequence[float] | np.ndarray,
    denominators: Sequence[float] | np.ndarray,
    seed: int,
) -> list[float] | None:
    """Bootstrap interval of sum(numerators) / sum(denominators) over resampled units."""
    return bootstrap_interval(
        np.column_stack([np.asarray(numerators, float), np.asarray(denominators, float)]),
        mean_statistic,
        seed,
    )


# --- confusion matrices ------------------------------------------------------------------


def confusion_rows(y_true: Sequence[int], y_pred: Sequence[int], n_labels: int) -> np.ndarray:
    """One row per sample: its one-hot cell of an (n_labels x n_labels) confusion matrix."""
    cells = np.asarray(y_true, dtype=np.int64) * n_labels + np.asarray(y_pred, dtype=np.int64)
    rows = np.zeros((len(cells), n_labels * n_labels))
    rows[np.arange(len(cells)), cells] = 1.0
    return rows


def _square(pooled: np.ndarray) -> np.ndarray:
    size = math.isqrt(pooled.shape[1])
    return pooled.reshape(len(pooled), size, size)


def accuracy_from_confusion(pooled: np.ndarray) -> np.ndarray:
    """Accuracy per row of flattened confusion matrices (true label = row index)."""
    cm = _square(pooled)
    return _divide(np.trace(cm, axis1=1, axis2=2), cm.sum(axis=(1, 2)))


def precision_from_confusion(pooled: np.ndarray) -> np.ndarray:
    """Binary precision, positive label 1, zero when nothing is predicted positive."""
    cm = _square(pooled)
    return _divide(cm[:, 1, 1], cm[:, 0, 1] + cm[:, 1, 1])


def recall_from_confusion(pooled: np.ndarray) -> np.ndarray:
    """Binary recall (sensitivity), positive label 1."""
    cm = _square(pooled)
    return _divide(cm[:, 1, 1], cm[:, 1, 0] + cm[:, 1, 1])


def specificity_from_confusion(pooled: np.ndarray) -> np.ndarray:
    """Binary specificity: recall of label 0."""
    cm = _square(pooled)
    return _divide(cm[:, 0, 0], cm[:, 0, 0] + cm[:, 0, 1])


def f1_from_confusion(pooled: np.ndarray) -> np.ndarray:
    """Binary F1, positive label 1."""
    cm = _square(pooled)
    return _divide(2 * cm[:, 1, 1], 2 * cm[:, 1, 1] + cm[:, 0, 1] + cm[:, 1, 0])


def balanced_accuracy_from_confusion(pooled: np.ndarray) -> np.ndarray:
    """Mean recall over the classes present in the truth (scikit-learn's definition)."""
    cm = _square(pooled)
    support = cm.sum(axis=2)
    recall = _divide(np.diagonal(cm, axis1=1, axis2=2), support)
    present = support > 0
    return _divide((recall * present).sum(axis=1), present.sum(axis=1).astype(float))


def macro_f1_from_confusion(pooled: np.ndarray) -> np.ndarray:
    """Mean F1 over the classes present in the truth (predicted-only classes count as errors)."""
    cm = _square(pooled)
    tp = np.diagonal(cm, axis1=1, axis2=2)
    support = cm.sum(axis=2)
    predicted = cm.sum(axis=1)
    f1 = _divide(2 * tp, support + predicted)
    present = support > 0
    return _divide((f1 * present).sum(axis=1), present.sum(axis=1).astype(float))


# --- point estimates (numpy, equal to scikit-learn's to the bit: see the tests) --------------
# scikit-learn takes a second or two of CPU to import; these are a few divisions.


def _per_label_counts(
    y_true: Sequence[Any], y_pred: Sequence[Any], labels: Sequence[Any]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per label, as float64: true positives, gold count (support) and predicted count."""
    hits = Counter(truth for truth, guess in zip(y_true, y_pred, strict=True) if truth == guess)
    gold, predicted = Counter(y_true), Counter(y_pred)

    def column(counts: Counter[Any]) -> np.ndarray:
        return np.array([counts[label] for label in labels], dtype=np.float64)

    return column(hits), column(gold), column(predicted)


def _ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, 0.0 for a zero denominator (scikit-learn's zero_division=0)."""
    return float(numerator / denominator) if denominator else 0.0


def binary_metrics(y_true: Sequence[int], y_pred: Sequence[int]) -> dict[str, float]:
    """Accuracy, precision, recall, F1 and specificity with positive label 1 (0.0 when empty)."""
    if len(y_true) == 0:
        return dict.fromkeys(("accuracy", "precision", "recall", "f1", "specificity"), 0.0)
    (tn, tp), (gold_negative, gold_positive), (_, predicted_positive) = _per_label_counts(
        y_true, y_pred, [0, 1]
    )
    return {
        "accuracy": _ratio(tn + tp, len(y_true)),
        "precision": _ratio(tp, predicted_positive),
        "recall": _ratio(tp, gold_positive),
        "f1": _ratio(2 * tp, gold_positive + predicted_positive),
        "specificity": _ratio(tn, gold_negative),
    }


def balanced_accuracy(y_true: Sequence[str], y_pred: Sequence[str]) -> float | UndefinedMetric:
    """Mean per-class recall over the classes of the truth; undefined with fewer than two gold
    classes (with one, it is that class's recall, which a constant answer maximises)."""
    classes = sorted(set(y_true))
    if len(classes) < 2:
        found = f"only one gold class ({classes[0]!r})" if classes else "no samples"
        return UndefinedMetric(f"{found} in the data; balanced accuracy needs at least two")
    # macro recall over the true classes is balanced_accuracy_score without its warnings about
    # predicted-only classes (the tests check the two agree)
    hits, gold, _ = _per_label_counts(y_true, y_pred, classes)
    return float(np.nanmean(hits / gold))


def macro_f1(y_true: Sequence[str], y_pred: Sequence[str]) -> float:
    """Macro F1 over the classes of the truth (an unparsed answer is a wrong class)."""
    if len(y_true) == 0:
        return 0.0
    labels = sorted(set(y_true))
    hits, gold, predicted = _per_label_counts(y_true, y_pred, labels)
    return float(np.nanmean(2 * hits / (gold + predicted)))


def encode(y_true: Sequence[str], y_pred: Sequence[str]) -> tuple[list[int], list[int], int]:
    """Label strings as codes over the union of both sequences, for confusion rows."""
    labels = sorted(set(y_true) | set(y_pred))
    index = {label: code for code, label in enumerate(labels)}
    return [index[v] for v in y_true], [index[v] for v in y_pred], len(labels)


# --- retrieval ---------------------------------------------------------------------------


def retrieval_scores(
    relevant: Collection[str], ranked: Sequence[str], k_values: Sequence[int]
) -> dict[str, float]:
    """precision@k, recall@k, f1@k, ndcg@k (binary gain) and average precision of one query.

    Duplicate ids in `ranked` count once, at their first rank. `map` is the original's
    average precision: the sum of precision at each relevant hit over the number of relevant ids.
    """
    relevant_set = set(relevant)
    unique = list(dict.fromkeys(ranked))
    hits = np.array([doc in relevant_set for doc in unique], dtype=np.float64)
    n_relevant = len(relevant_set)
    scores: dict[str, float] = {}
    discounts = 1.0 / np.log2(np.arange(2, len(unique) + 2))
    for k in k_values:
        found = float(hits[:k].sum())
        precision = found / k if k > 0 else 0.0
        recall = found / n_relevant if n_relevant else 0.0
        scores[f"precision@{k}"] = precision
        scores[f"recall@{k}"] = recall
        scores[f"f1@{k}"] = (
            2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
        )
        ideal = float((1.0 / np.log2(np.arange(2, min(k, n_relevant) + 2))).sum())
        dcg = float((hits[:k] * discounts[:k]).sum())
        scores[f"ndcg@{k}"] = dcg / ideal if ideal > 0 else 0.0
    cumulative = np.cumsum(hits)
    precision_at_hits = cumulative[hits > 0] / (np.flatnonzero(hits) + 1)
    scores["map"] = float(precision_at_hits.sum() / n_relevant) if n_relevant else 0.0
    return scores


# --- status counts -----------------------------------------------------------------------


def status_counts(results: Sequence[SampleResult]) -> dict[str, int]:
    """How many results are ok, unparseable, or failed requests (all are in every denominator)."""
    return {
        "num_samples": len(results),
        "num_ok": sum(1 for r in results if r.status == "ok"),
        "num_parse_errors": sum(1 for r in results if r.status == "parse_error"),
        "num_errors": sum(1 for r in results if r.status == "error"),
    }


def summary(
    metrics: dict[str, Any], intervals: dict[str, list[float] | None], headline: Sequence[str]
) -> dict[str, Any]:
    """The `aggregate()` result shape, dropping intervals that are undefined.

    An `UndefinedMetric` becomes null in `metrics` and its reason in `undefined_metrics`.
    """
    undefined = {
        name: value.reason for name, value in metrics.items() if isinstance(value, UndefinedMetric)
    }
    return {
        "metrics": {name: None if name in undefined else value for name, value in metrics.items()},
        "confidence_intervals": {
            name: ci for name, ci in intervals.items() if ci is not None and name not in undefined
        },
        "headline": list(headline),
        "undefined_metrics": undefined,
    }


def balanced_accuracy_interval(
    confusion: np.ndarray, seed: int, n_resamples: int = N_RESAMPLES
) -> list[float] | None:
    """Bootstrap interval of balanced accuracy from per-sample confusion rows, resampling
    within each gold class so that every class stays in every resample (a plain bootstrap
    drops rare classes and the interval jumps). None below MIN_BOOTSTRAP_N samples."""
    confusion = np.asarray(confusion, dtype=np.float64)
    if len(confusion) < MIN_BOOTSTRAP_N:
        return None
    size = math.isqrt(confusion.shape[1])
    gold = confusion.argmax(axis=1) // size
    groups = [np.flatnonzero(gold == label) for label in np.unique(gold)]
    if len(groups) < 2:
        return None
    rng = np.random.default_rng(seed)
    pooled = np.zeros((n_resamples, confusion.shape[1]))
    for members in groups:
        pvals = np.full(len(members), 1.0 / len(members))
        chunk = max(1, _MAX_CELLS_PER_CHUNK // len(members))
        for start in range(0, n_resamples, chunk):
            stop = min(n_resamples, start + chunk)
            counts = rng.multinomial(len(members), pvals, size=stop - start)
            pooled[start:stop] += counts.astype(np.float64) @ confusion[members]
    values = balanced_accuracy_from_confusion(pooled)
    tail = (1.0 - CONFIDENCE) / 2.0 * 100.0
    low, high = np.percentile(values, [tail, 100.0 - tail])
    return [float(low), float(high)]
