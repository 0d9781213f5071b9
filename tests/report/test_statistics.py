"""Bootstrap intervals, paired differences and reliability bins."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from trialscope.report.statistics import (
    bootstrap_mean_ci,
    paired_bootstrap,
    reliability_bins,
    stream_rng,
)


def test_bootstrap_interval_brackets_the_mean_and_is_reproducible() -> None:
    values = np.random.default_rng(1).binomial(1, 0.6, size=400).astype(float)
    first = bootstrap_mean_ci(values, stream_rng(7, "x"))
    again = bootstrap_mean_ci(values, stream_rng(7, "x"))
    assert first is not None and first == again
    lo, hi = first
    assert lo < values.mean() < hi
    # The normal-approximation half-width for p=0.6, n=400 is about 0.048.
    assert 0.03 < (hi - lo) / 2 < 0.07


def test_bootstrap_of_too_few_values_has_no_interval() -> None:
    assert bootstrap_mean_ci([1.0], stream_rng(0)) is None


def test_identical_models_differ_by_nothing_and_not_significantly() -> None:
    scores = {f"s{i}": float(i % 2) for i in range(100)}
    result = paired_bootstrap(scores, dict(scores), stream_rng(0, "same"))
    assert result is not None
    assert result.difference == 0.0 and result.ci == (0.0, 0.0)
    assert not result.significant


def test_clearly_better_model_is_significant_and_only_shared_samples_count() -> None:
    a = {f"s{i}": 1.0 for i in range(200)}
    b = {f"s{i}": float(i % 3 == 0) for i in range(150)} | {"only-b": 1.0}
    result = paired_bootstrap(a, b, stream_rng(0, "better"), names=("a", "b"))
    assert result is not None
    assert result.n == 150
    assert result.significant and result.ci[0] > 0.5
    assert (result.model_a, result.model_b) == ("a", "b")


def test_noise_between_equal_models_is_not_significant() -> None:
    rng = np.random.default_rng(3)
    a = {f"s{i}": float(v) for i, v in enumerate(rng.binomial(1, 0.7, 300))}
    b = {f"s{i}": float(v) for i, v in enumerate(rng.binomial(1, 0.7, 300))}
    result = paired_bootstrap(a, b, stream_rng(0, "noise"))
    assert result is not None and result.ci[0] < result.difference < result.ci[1]


def test_stream_rng_depends_on_labels_not_call_order() -> None:
    x = stream_rng(5, "task", "a", "b").integers(0, 10**9)
    y = stream_rng(5, "task", "a", "c").integers(0, 10**9)
    assert x == stream_rng(5, "task", "a", "b").integers(0, 10**9)
    assert x != y


def test_reliability_of_perfect_calibration_is_zero() -> None:
    pairs = [(0.25, 1.0)] * 1 + [(0.25, 0.0)] * 3 + [(0.75, 1.0)] * 3 + [(0.75, 0.0)] * 1
    bins, ece = reliability_bins(pairs, n_bins=4)
    assert [b.count for b in bins] == [4, 4]
    assert ece == 0.0


def test_overconfidence_shows_as_error() -> None:
    bins, ece = reliability_bins([(1.0, 0.0), (1.0, 1.0)], n_bins=10)
    assert len(bins) == 1 and bins[0].upper == 1.0
    assert abs(ece - 0.5) < 1e-12


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([0.0, 0.5, 1.0]), st.sampled_from([0.0, 1.0])),
        min_size=2,
        max_size=60,
    ),
    st.integers(0, 2**32 - 1),
)
def test_paired_interval_is_ordered_and_bounded(
    pairs: list[tuple[float, float]], seed: int
) -> None:
    a = {str(i): x for i, (x, _) in enumerate(pairs)}
    b = {str(i): y for i, (_, y) in enumerate(pairs)}
    result = paired_bootstrap(a, b, np.random.default_rng(seed), resamples=200)
    assert result is not None
    assert -1.0 <= result.ci[0] <= result.ci[1] <= 1.0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.sampled_from([0.0, 1.0])), max_size=80))
def test_reliability_bins_cover_every_pair(pairs: list[tuple[float, float]]) -> None:
    bins, ece = reliability_bins(pairs)
    assert sum(b.count for b in bins) == len(pairs)
    assert 0.0 <= ece <= 1.0


def test_many_distinct_values_take_the_index_resampling_path() -> None:
    values = np.random.default_rng(2).random(500)
    interval = bootstrap_mean_ci(values, stream_rng(0, "continuous"), resamples=500)
    assert interval is not None
    assert interval[0] < values.mean() < interval[1]
    # Standard error of a uniform mean over 500 values is about 0.0129.
    assert 0.015 < (interval[1] - interval[0]) / 2 < 0.035
