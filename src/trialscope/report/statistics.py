"""Bootstrap confidence intervals, paired bootstrap differences and reliability bins."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

DEFAULT_RESAMPLES = 2000
_CHUNK_CELLS = 4_000_000  # bounds the memory of one block of resampled indices
_FEW_DISTINCT = 64


def stream_rng(seed: int, *labels: str) -> np.random.Generator:
    """A Generator for one named comparison, so results do not depend on the order of work."""
    key = zlib.crc32("\x1f".join(labels).encode("utf-8"))
    return np.random.default_rng([seed, key])


def _bootstrap_means(
    values: NDArray[np.float64], rng: np.random.Generator, resamples: int
) -> NDArray[np.float64]:
    n = len(values)
    distinct, counts = np.unique(values, return_counts=True)
    if len(distinct) <= _FEW_DISTINCT:
        # Drawing n values with replacement from few distinct ones is a multinomial draw of how
        # often each occurs: the same distribution as resampling indices, at O(distinct) per draw.
        draws = rng.multinomial(n, counts / n, size=resamples)
        return np.asarray(draws @ distinct / n, dtype=np.float64)
    means = np.empty(resamples, dtype=np.float64)
    rows = max(1, _CHUNK_CELLS // max(n, 1))
    for start in range(0, resamples, rows):
        stop = min(resamples, start + rows)
        idx = rng.integers(0, n, size=(stop - start, n))
        means[start:stop] = values[idx].mean(axis=1)
    return means


def bootstrap_mean_ci(
    values: list[float] | NDArray[np.float64],
    rng: np.random.Generator,
    resamples: int = DEFAULT_RESAMPLES,
    level: float = 0.95,
) -> tuple[float, float] | None:
    """Percentile bootstrap interval of the mean; None for fewer than two values."""
    array = np.asarray(values, dtype=np.float64)
    if len(array) < 2:
        return None
    means = _bootstrap_means(array, rng, resamples)
    tail = (1.0 - level) / 2.0
    lo, hi = np.quantile(means, [tail, 1.0 - tail])
    return float(lo), float(hi)


@dataclass(frozen=True)
class PairedDifference:
    """Mean score of A minus B over the samples both answered, with its bootstrap interval."""

    model_a: str
    model_b: str
    n: int
    difference: float
    ci: tuple[float, float]

    @property
    def significant(self) -> bool:
        """True when the interval excludes zero."""
        return self.ci[0] > 0.0 or self.ci[1] < 0.0


def paired_bootstrap(
    scores_a: dict[str, float],
    scores_b: dict[str, float],
    rng: np.random.Generator,
    names: tuple[str, str] = ("A", "B"),
    resamples: int = DEFAULT_RESAMPLES,
    level: float = 0.95,
) -> PairedDifference | None:
    """Resample the shared sample ids; None when fewer than two samples are shared."""
    shared = sorted(scores_a.keys() & scores_b.keys())
    if len(shared) < 2:
        return None
    diffs = np.fromiter((scores_a[k] - scores_b[k] for k in shared), np.float64, len(shared))
    means = _bootstrap_means(diffs, rng, resamples)
    tail = (1.0 - level) / 2.0
    lo, hi = np.quantile(means, [tail, 1.0 - tail])
    return PairedDifference(
        model_a=names[0],
        model_b=names[1],
        n=len(shared),
        difference=float(diffs.mean()),
        ci=(float(lo), float(hi)),
    )


@dataclass(frozen=True)
class ReliabilityBin:
    """One confidence bin of a reliability diagram."""

    lower: float
    upper: float
    count: int
    mean_confidence: float
    accuracy: float


def reliability_bins(
    pairs: list[tuple[float, float]], n_bins: int = 10
) -> tuple[list[ReliabilityBin], float]:
    """Equal-width confidence bins (non-empty only) and the expected calibration error."""
    if not pairs:
        return [], 0.0
    data = np.asarray(pairs, dtype=np.float64)
    conf, correct = np.clip(data[:, 0], 0.0, 1.0), data[:, 1]
    which = np.minimum((conf * n_bins).astype(int), n_bins - 1)
    bins: list[ReliabilityBin] = []
    ece = 0.0
    for b in range(n_bins):
        mask = which == b
        count = int(mask.sum())
        if count == 0:
            continue
        mean_conf, accuracy = float(conf[mask].mean()), float(correct[mask].mean())
        bins.append(ReliabilityBin(b / n_bins, (b + 1) / n_bins, count, mean_conf, accuracy))
        ece += count / len(conf) * abs(accuracy - mean_conf)
    return bins, ece
