"""Bootstrap intervals, paired differences and reliability bins."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialscope.report.statistics import (
    SampleScore,
    bootstrap_mean_ci,
    bootstrap_statistic_ci,
    paired_bootstrap,
    reliability_bins,
    score_statistic,
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


# --- weighted and stratified statistics --------------------------------------------------


def _balanced(truth: list[str], correct: list[float]) -> float:
    classes = sorted(set(truth))
    recalls = [
        sum(c for t, c in zip(truth, correct, strict=True) if t == k) / truth.count(k)
        for k in classes
    ]
    return sum(recalls) / len(recalls)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["complete", "terminate"]), st.sampled_from([0.0, 1.0])),
        min_size=1,
        max_size=60,
    )
)
def test_strata_make_the_statistic_balanced_accuracy(pairs: list[tuple[str, float]]) -> None:
    truth, correct = [t for t, _ in pairs], [c for _, c in pairs]
    items = [SampleScore(c, stratum=t) for t, c in pairs]
    assert score_statistic(items) == pytest.approx(_balanced(truth, correct), abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 12), st.integers(0, 12)), min_size=1, max_size=40).map(
        lambda rows: [(n, min(k, n)) for n, k in rows]
    )
)
def test_weights_make_per_review_accuracy_pooled(reviews: list[tuple[int, int]]) -> None:
    items = [SampleScore(right / studies, weight=studies) for studies, right in reviews]
    pooled = sum(right for _, right in reviews) / sum(studies for studies, _ in reviews)
    assert score_statistic(items) == pytest.approx(pooled, abs=1e-12)


def test_plain_scores_keep_the_plain_mean_and_its_interval() -> None:
    values = np.random.default_rng(4).binomial(1, 0.3, size=300).astype(float)
    assert score_statistic(list(values)) == pytest.approx(values.mean())
    plain = bootstrap_mean_ci(values, stream_rng(1, "p"))
    assert bootstrap_statistic_ci(list(values), stream_rng(1, "p")) == plain
    assert score_statistic([]) is None
    assert score_statistic([SampleScore(1.0, weight=0.0)]) is None


def test_majority_guess_loses_on_balanced_accuracy_though_it_wins_on_accuracy() -> None:
    # 70% of trials complete: always "complete" is 70% accurate but 50% balanced accurate;
    # the other model is 60% right in both classes (60% accurate, 60% balanced accurate).
    truth = ["complete" if i % 10 < 7 else "terminate" for i in range(1000)]
    majority = {
        f"s{i}": SampleScore(float(t == "complete"), stratum=t) for i, t in enumerate(truth)
    }
    rng = np.random.default_rng(5)
    lexical = {
        f"s{i}": SampleScore(float(rng.random() < 0.6), stratum=t) for i, t in enumerate(truth)
    }
    plain = paired_bootstrap(
        {k: v.score for k, v in lexical.items()},
        {k: v.score for k, v in majority.items()},
        stream_rng(0, "plain"),
    )
    stratified = paired_bootstrap(lexical, majority, stream_rng(0, "strata"))
    assert plain is not None and stratified is not None
    assert plain.difference < 0 and plain.significant
    expected = score_statistic(list(lexical.values())) - score_statistic(list(majority.values()))
    assert stratified.difference == pytest.approx(expected)
    assert stratified.difference > 0 and stratified.significant


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 1), st.floats(0, 1), st.integers(1, 9), st.sampled_from(["x", "y", None])
        ),
        min_size=2,
        max_size=120,
    ),
    st.integers(0, 2**32 - 1),
)
def test_weighted_paired_difference_is_the_difference_of_statistics(
    rows: list[tuple[float, float, int, str | None]], seed: int
) -> None:
    a = {str(i): SampleScore(x, w, s) for i, (x, _, w, s) in enumerate(rows)}
    b = {str(i): SampleScore(y, w, s) for i, (_, y, w, s) in enumerate(rows)}
    result = paired_bootstrap(a, b, np.random.default_rng(seed), resamples=200)
    assert result is not None
    stat_a, stat_b = score_statistic(list(a.values())), score_statistic(list(b.values()))
    assert stat_a is not None and stat_b is not None
    assert result.difference == pytest.approx(stat_a - stat_b, abs=1e-12)
    assert -1.0 - 1e-12 <= result.ci[0] <= result.ci[1] <= 1.0 + 1e-12


def test_many_distinct_weighted_rows_resample_like_few() -> None:
    # The index path (many distinct rows) and the multinomial path give the same interval width.
    rng = np.random.default_rng(6)
    weights = rng.integers(1, 10, size=600).astype(float)
    fine = [SampleScore(float(x), w) for x, w in zip(rng.random(600), weights, strict=True)]
    coarse = [SampleScore(round(s.score), s.weight) for s in fine]
    wide_fine = bootstrap_statistic_ci(fine, stream_rng(0, "f"), resamples=1000)
    wide_coarse = bootstrap_statistic_ci(coarse, stream_rng(0, "c"), resamples=1000)
    assert wide_fine is not None and wide_coarse is not None
    statistic = score_statistic(fine)
    assert statistic is not None and wide_fine[0] < statistic < wide_fine[1]
    # a 0/1 score has about sqrt(3) times the spread of a uniform one
    ratio = (wide_coarse[1] - wide_coarse[0]) / (wide_fine[1] - wide_fine[0])
    assert 1.3 < ratio < 2.3
