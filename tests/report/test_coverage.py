"""Coverage of every interval the report shows: nominal 95% intervals must cover the true value at
least 93% of the time for n in {5, 20, 100} and p in {0.1, 0.5, 0.9}.

The intervals of 0/1 data depend only on the number of successes k, so coverage is computed
exactly as the binomial-weighted share of k whose interval holds p (each bootstrap with a fixed
seed); no Monte Carlo error. Methods that refuse small n ("too few") must refuse, not guess.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from trialscope.report.statistics import (
    MIN_BOOTSTRAP_N,
    SampleScore,
    score_interval,
)
from trialscope.tasks import metrics as task_metrics

NS = (5, 20, 100)
PS = (0.1, 0.5, 0.9)
FLOOR = 0.93
RESAMPLES = 1000


def _binary(k: int, n: int, stratum: str | None = None) -> list[SampleScore]:
    return [SampleScore(1.0 if i < k else 0.0, 1.0, stratum) for i in range(n)]


def _coverage(covered: np.ndarray, n: int, p: float) -> float:
    return float((stats.binom.pmf(np.arange(n + 1), n, p) * covered).sum())


@pytest.mark.parametrize("n", NS)
@pytest.mark.parametrize("p", PS)
def test_exact_interval_of_a_proportion_covers(n: int, p: float) -> None:
    k = np.arange(n + 1)
    lo, hi = task_metrics.clopper_pearson(k, n)
    assert _coverage((lo <= p) & (p <= hi), n, p) >= FLOOR
    # what the report shows for a plain 0/1 run is that same exact interval
    for successes in (0, n // 2, n):
        shown = score_interval(_binary(successes, n), np.random.default_rng(0))
        assert shown.method == "exact"
        assert shown.bounds == pytest.approx((lo[successes], hi[successes]))


@pytest.mark.parametrize("n", NS)
@pytest.mark.parametrize("p", PS)
def test_task_metrics_exact_interval_covers(n: int, p: float) -> None:
    covered = np.zeros(n + 1, dtype=bool)
    for k in range(n + 1):
        low, high = task_metrics.mean_interval([1.0] * k + [0.0] * (n - k), seed=0) or (2.0, -1.0)
        covered[k] = low <= p <= high
    assert _coverage(covered, n, p) >= FLOOR


@pytest.mark.parametrize("n", NS)
@pytest.mark.parametrize("p", PS)
def test_bootstrap_of_a_stratified_statistic_covers_or_says_too_few(n: int, p: float) -> None:
    covered = np.zeros(n + 1, dtype=bool)
    for k in range(n + 1):
        # a stratum makes the statistic non-plain: the report bootstraps it
        shown = score_interval(_binary(k, n, "all"), np.random.default_rng([7, k]), RESAMPLES)
        if n < MIN_BOOTSTRAP_N:
            assert shown.method == "too few" and shown.bounds is None
            continue
        assert shown.method == "bootstrap" and shown.bounds is not None
        covered[k] = shown.bounds[0] <= p <= shown.bounds[1]
    if n >= MIN_BOOTSTRAP_N:
        assert _coverage(covered, n, p) >= FLOOR


@pytest.mark.parametrize("n", NS)
@pytest.mark.parametrize("p", PS)
def test_task_bootstrap_interval_covers_or_says_too_few(n: int, p: float) -> None:
    covered = np.zeros(n + 1, dtype=bool)
    for k in range(n + 1):
        values = np.r_[np.ones(k), np.zeros(n - k)]
        interval = task_metrics.bootstrap_interval(
            np.column_stack([values, np.ones(n)]), task_metrics.mean_statistic, seed=k
        )
        if n < task_metrics.MIN_BOOTSTRAP_N:
            assert interval is None
            continue
        assert interval is not None
        covered[k] = interval[0] <= p <= interval[1]
    if n >= task_metrics.MIN_BOOTSTRAP_N:
        assert _coverage(covered, n, p) >= FLOOR


@pytest.mark.parametrize("n", NS)
@pytest.mark.parametrize("p", PS)
def test_balanced_accuracy_interval_covers_or_says_too_few(n: int, p: float) -> None:
    # two gold classes of n/2 each, both recalled with probability p: balanced accuracy is p
    half = n // 2
    weights = stats.binom.pmf(np.arange(half + 1), half, p)
    likely = np.flatnonzero(weights > 1e-3)  # the rest counts as not covered
    total = 0.0
    for k0 in likely:
        for k1 in likely:
            truth = [0] * half + [1] * half
            guess = [0] * k0 + [1] * (half - k0) + [1] * k1 + [0] * (half - k1)
            rows = task_metrics.confusion_rows(truth, guess, 2)
            interval = task_metrics.balanced_accuracy_interval(rows, seed=int(k0 * 1000 + k1))
            if n < task_metrics.MIN_BOOTSTRAP_N:
                assert interval is None
                continue
            assert interval is not None
            total += weights[k0] * weights[k1] * float(interval[0] <= p <= interval[1])
    if n >= task_metrics.MIN_BOOTSTRAP_N:
        assert total >= FLOOR
