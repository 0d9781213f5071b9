"""Confidence intervals, paired comparisons and reliability bins, valid at the n they are used.

- A proportion (the plain mean of 0/1 scores) gets the exact Clopper-Pearson interval at any n.
- Any other statistic gets a percentile bootstrap interval only from `MIN_BOOTSTRAP_N` samples up;
  below that it has none and the report says "too few" (the percentile bootstrap of a mean
  undercovers at small n: at n=5 and p=0.1 it misses the true value 6 times in 10).
- Paired comparisons of 0/1 scores use the exact McNemar test (a binomial test on the discordant
  pairs) at any n; other scores need `MIN_BOOTSTRAP_N` shared samples for a paired bootstrap.
  tests/report/test_coverage.py checks every interval's coverage by simulation.

The statistic of a run's per-sample scores is the one `docs/formats.md` defines: the mean over
strata of the weighted mean score within each stratum (one stratum and unit weights give the plain
mean). Resampling works on per-sample sums (weight x score and weight, one pair of columns per
stratum), so each resample's statistic is a matrix product of draw counts with those sums.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from trialscope.tasks.metrics import clopper_pearson

DEFAULT_RESAMPLES = 2000
MIN_BOOTSTRAP_N = 30
"""Fewest samples a bootstrap interval or paired bootstrap is computed from."""
SIGNIFICANCE_LEVEL = 0.05
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
class SampleScore:
    """One sample's score, its weight in the headline mean and its stratum (None: no stratum)."""

    score: float
    weight: float = 1.0
    stratum: str | None = None

    @property
    def plain(self) -> bool:
        """True when the sample counts as in a plain mean (unit weight, no stratum)."""
        return self.weight == 1.0 and self.stratum is None


ScoreLike = float | SampleScore
"""A plain score or a SampleScore; plain scores have unit weight and no stratum."""


def _as_sample_score(value: ScoreLike) -> SampleScore:
    return value if isinstance(value, SampleScore) else SampleScore(float(value))


def unit_sums(items: Sequence[SampleScore]) -> NDArray[np.float64]:
    """Per-sample columns `[weight x score per stratum..., weight per stratum...]`."""
    labels = sorted({item.stratum for item in items}, key=lambda s: (s is not None, s or ""))
    column = {label: i for i, label in enumerate(labels)}
    sums = np.zeros((len(items), 2 * len(labels)), dtype=np.float64)
    rows = np.arange(len(items))
    codes = np.fromiter((column[item.stratum] for item in items), np.int64, len(items))
    weights = np.fromiter((item.weight for item in items), np.float64, len(items))
    scores = np.fromiter((item.score for item in items), np.float64, len(items))
    sums[rows, codes] = weights * scores
    sums[rows, len(labels) + codes] = weights
    return sums


def stratified_statistic(pooled: NDArray[np.float64]) -> NDArray[np.float64]:
    """Per row of pooled `unit_sums`: the mean over strata with positive weight of the weighted
    mean score in each; NaN when no stratum has weight."""
    strata = pooled.shape[1] // 2
    numerators, denominators = pooled[:, :strata], pooled[:, strata:]
    present = denominators > 0
    means = np.where(present, numerators / np.where(present, denominators, 1.0), 0.0)
    count = present.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(count > 0, means.sum(axis=1) / np.maximum(count, 1), np.nan)


def score_statistic(values: Sequence[ScoreLike]) -> float | None:
    """The headline statistic of per-sample scores; None when there are none (or no weight)."""
    items = [_as_sample_score(v) for v in values]
    if not items:
        return None
    value = float(stratified_statistic(unit_sums(items).sum(axis=0, keepdims=True))[0])
    return value if np.isfinite(value) else None


def _bootstrap_pooled(
    sums: NDArray[np.float64], rng: np.random.Generator, resamples: int
) -> NDArray[np.float64]:
    """Column sums of `sums` over resamples of its rows, shape (resamples, columns)."""
    n = len(sums)
    distinct, counts = np.unique(sums, axis=0, return_counts=True)
    if len(distinct) <= _FEW_DISTINCT:
        # As in _bootstrap_means: a multinomial draw over the distinct rows.
        draws = rng.multinomial(n, counts / n, size=resamples).astype(np.float64)
        return np.asarray(draws @ distinct, dtype=np.float64)
    pooled = np.empty((resamples, sums.shape[1]), dtype=np.float64)
    rows = max(1, _CHUNK_CELLS // max(n, 1))
    for start in range(0, resamples, rows):
        stop = min(resamples, start + rows)
        idx = rng.integers(0, n, size=(stop - start, n))
        idx += n * np.arange(stop - start)[:, None]
        drawn = np.bincount(idx.ravel(), minlength=(stop - start) * n).reshape(stop - start, n)
        pooled[start:stop] = drawn.astype(np.float64) @ sums
    return pooled


def _interval(values: NDArray[np.float64], level: float) -> tuple[float, float] | None:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return None
    tail = (1.0 - level) / 2.0
    lo, hi = np.quantile(finite, [tail, 1.0 - tail])
    return float(lo), float(hi)


def bootstrap_statistic_ci(
    values: Sequence[ScoreLike],
    rng: np.random.Generator,
    resamples: int = DEFAULT_RESAMPLES,
    level: float = 0.95,
) -> tuple[float, float] | None:
    """Percentile bootstrap interval of `score_statistic`; None for fewer than two values."""
    items = [_as_sample_score(v) for v in values]
    if all(item.plain for item in items):
        return bootstrap_mean_ci([item.score for item in items], rng, resamples, level)
    if len(items) < 2:
        return None
    pooled = _bootstrap_pooled(unit_sums(items), rng, resamples)
    return _interval(stratified_statistic(pooled), level)


def is_proportion(values: Sequence[ScoreLike]) -> bool:
    """True when the statistic is a plain proportion: unit weights, no strata, scores 0 or 1."""
    items = [_as_sample_score(v) for v in values]
    return bool(items) and all(item.plain and item.score in (0.0, 1.0) for item in items)


@dataclass(frozen=True)
class Interval:
    """A confidence interval and how it was made; `bounds` is None when there are too few."""

    bounds: tuple[float, float] | None
    method: str
    """`exact` (Clopper-Pearson), `bootstrap`, or `too few` (n below MIN_BOOTSTRAP_N)."""


def score_interval(
    values: Sequence[ScoreLike],
    rng: np.random.Generator,
    resamples: int = DEFAULT_RESAMPLES,
    level: float = 0.95,
) -> Interval:
    """The interval the report shows for the statistic of per-sample scores."""
    items = [_as_sample_score(v) for v in values]
    if is_proportion(items):
        lo, hi = clopper_pearson(int(sum(item.score for item in items)), len(items), level)
        return Interval((float(lo), float(hi)), "exact")
    if len(items) < MIN_BOOTSTRAP_N:
        return Interval(None, "too few")
    return Interval(bootstrap_statistic_ci(items, rng, resamples, level), "bootstrap")


@dataclass(frozen=True)
class PairedDifference:
    """Headline statistic of A minus B over the shared samples, with how it was tested.

    0/1 scores are tested with the exact McNemar test (`p_value`); other scores by a paired
    bootstrap interval, only from MIN_BOOTSTRAP_N shared samples (`method` is `too few` below).
    """

    model_a: str
    model_b: str
    n: int
    difference: float
    ci: tuple[float, float] | None
    method: str = "bootstrap"
    p_value: float | None = None

    @property
    def significant(self) -> bool:
        """Exact test: p below 0.05; bootstrap: the interval excludes zero; too few: never."""
        if self.p_value is not None:
            return self.p_value < SIGNIFICANCE_LEVEL
        if self.ci is None:
            return False
        return self.ci[0] > 0.0 or self.ci[1] < 0.0


def exact_mcnemar(scores_a: Sequence[float], scores_b: Sequence[float]) -> float:
    """Two-sided exact McNemar p-value for paired 0/1 scores (1.0 when no pair disagrees)."""
    a_only = sum(1 for a, b in zip(scores_a, scores_b, strict=True) if a > b)
    b_only = sum(1 for a, b in zip(scores_a, scores_b, strict=True) if b > a)
    if a_only + b_only == 0:
        return 1.0
    # imported here: a run's summary table reads this module, and scipy.stats is a second of CPU
    from scipy import stats

    return float(stats.binomtest(a_only, a_only + b_only, 0.5).pvalue)


def paired_comparison(
    scores_a: Mapping[str, ScoreLike],
    scores_b: Mapping[str, ScoreLike],
    rng: np.random.Generator,
    names: tuple[str, str] = ("A", "B"),
    resamples: int = DEFAULT_RESAMPLES,
    level: float = 0.95,
) -> PairedDifference | None:
    """Compare two runs on their shared samples: exact McNemar for 0/1 scores, else a paired
    bootstrap from MIN_BOOTSTRAP_N shared samples, else a `too few` entry without a verdict.
    None when no sample is shared."""
    shared = sorted(scores_a.keys() & scores_b.keys())
    if not shared:
        return None
    items_a = [_as_sample_score(scores_a[k]) for k in shared]
    items_b = [_as_sample_score(scores_b[k]) for k in shared]
    enough = len(shared) >= MIN_BOOTSTRAP_N
    if is_proportion(items_a) and is_proportion(items_b):
        a = [item.score for item in items_a]
        b = [item.score for item in items_b]
        boot = paired_bootstrap(
            dict(zip(shared, a, strict=True)), dict(zip(shared, b, strict=True)),
            rng, names, resamples, level,
        ) if enough else None  # fmt: skip
        return PairedDifference(
            names[0],
            names[1],
            len(shared),
            float(np.mean(a) - np.mean(b)),
            boot.ci if boot is not None else None,
            "exact McNemar",
            exact_mcnemar(a, b),
        )
    if not enough:
        difference = (score_statistic(items_a) or 0.0) - (score_statistic(items_b) or 0.0)
        return PairedDifference(names[0], names[1], len(shared), difference, None, "too few")
    return paired_bootstrap(scores_a, scores_b, rng, names, resamples, level)


def paired_bootstrap(
    scores_a: Mapping[str, ScoreLike],
    scores_b: Mapping[str, ScoreLike],
    rng: np.random.Generator,
    names: tuple[str, str] = ("A", "B"),
    resamples: int = DEFAULT_RESAMPLES,
    level: float = 0.95,
) -> PairedDifference | None:
    """Resample the shared sample ids jointly for both models; the difference is of
    `score_statistic` on each resample. None when fewer than two samples are shared (or the
    statistic is undefined)."""
    shared = sorted(scores_a.keys() & scores_b.keys())
    if len(shared) < 2:
        return None
    items_a = [_as_sample_score(scores_a[k]) for k in shared]
    items_b = [_as_sample_score(scores_b[k]) for k in shared]
    if not all(item.plain for item in (*items_a, *items_b)):
        return _paired_statistic(items_a, items_b, rng, names, resamples, level)
    diffs = np.fromiter(
        (a.score - b.score for a, b in zip(items_a, items_b, strict=True)), np.float64, len(shared)
    )
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


def _paired_statistic(
    items_a: list[SampleScore],
    items_b: list[SampleScore],
    rng: np.random.Generator,
    names: tuple[str, str],
    resamples: int,
    level: float,
) -> PairedDifference | None:
    sums_a, sums_b = unit_sums(items_a), unit_sums(items_b)
    width = sums_a.shape[1]
    both = np.hstack([sums_a, sums_b])
    total = both.sum(axis=0, keepdims=True)
    difference = stratified_statistic(total[:, :width]) - stratified_statistic(total[:, width:])
    pooled = _bootstrap_pooled(both, rng, resamples)
    diffs = stratified_statistic(pooled[:, :width]) - stratified_statistic(pooled[:, width:])
    ci = _interval(diffs, level)
    if ci is None or not np.isfinite(difference[0]):
        return None
    return PairedDifference(names[0], names[1], len(items_a), float(difference[0]), ci)


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
