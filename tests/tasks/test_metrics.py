"""Metric code against hand-computed values and against scikit-learn on random inputs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    balanced_accuracy_score,
    f1_score,
    ndcg_score,
    precision_score,
    recall_score,
)

import trialscope.tasks.metrics as m


def test_binary_metrics_by_hand() -> None:
    # tp=2, fn=1, fp=1, tn=2
    y_true = [1, 1, 1, 0, 0, 0]
    y_pred = [1, 1, 0, 1, 0, 0]
    scores = m.binary_metrics(y_true, y_pred)
    assert scores["accuracy"] == pytest.approx(4 / 6)
    assert scores["precision"] == pytest.approx(2 / 3)
    assert scores["recall"] == pytest.approx(2 / 3)
    assert scores["f1"] == pytest.approx(2 / 3)
    assert scores["specificity"] == pytest.approx(2 / 3)


def test_balanced_accuracy_and_macro_f1_by_hand() -> None:
    y_true = ["a", "a", "a", "b"]
    y_pred = ["a", "b", "(none)", "b"]
    # recall a = 1/3, recall b = 1 -> 2/3
    assert m.balanced_accuracy(y_true, y_pred) == pytest.approx(2 / 3)
    # f1 a = 2*1/(3+1) = 0.5 ; f1 b = 2*1/(1+2) = 2/3 -> 7/12
    assert m.macro_f1(y_true, y_pred) == pytest.approx(7 / 12)


def test_retrieval_scores_by_hand() -> None:
    relevant = ["a", "b", "c", "d"]
    ranked = ["a", "x", "b", "a", "y"]  # the repeated "a" counts once
    scores = m.retrieval_scores(relevant, ranked, [2, 4])
    assert scores["precision@2"] == pytest.approx(1 / 2)
    assert scores["recall@2"] == pytest.approx(1 / 4)
    assert scores["recall@4"] == pytest.approx(2 / 4)
    assert scores["precision@4"] == pytest.approx(2 / 4)
    # AP: hits at ranks 1 and 3 -> (1/1 + 2/3) / 4
    assert scores["map"] == pytest.approx((1 + 2 / 3) / 4)
    dcg = 1 + 1 / np.log2(4)
    ideal = 1 + 1 / np.log2(3) + 1 / np.log2(4) + 1 / np.log2(5)
    assert scores["ndcg@4"] == pytest.approx(dcg / ideal)


def test_retrieval_with_nothing_relevant_or_retrieved() -> None:
    assert m.retrieval_scores([], ["a"], [1])["recall@1"] == 0.0
    assert m.retrieval_scores(["a"], [], [1])["map"] == 0.0


labels = st.lists(st.integers(min_value=0, max_value=1), min_size=1, max_size=60)


@settings(max_examples=60, deadline=None)  # a loaded 2-core machine
@given(data=st.data())
def test_confusion_statistics_match_sklearn_binary(data: st.DataObject) -> None:
    y_true = data.draw(labels)
    y_pred = data.draw(st.lists(st.integers(0, 1), min_size=len(y_true), max_size=len(y_true)))
    pooled = m.confusion_rows(y_true, y_pred, 2).sum(axis=0, keepdims=True)
    kwargs = {"labels": [0, 1], "zero_division": 0}
    assert m.accuracy_from_confusion(pooled)[0] == pytest.approx(accuracy_score(y_true, y_pred))
    assert m.precision_from_confusion(pooled)[0] == pytest.approx(
        precision_score(y_true, y_pred, **kwargs)
    )
    assert m.recall_from_confusion(pooled)[0] == pytest.approx(
        recall_score(y_true, y_pred, **kwargs)
    )
    assert m.f1_from_confusion(pooled)[0] == pytest.approx(f1_score(y_true, y_pred, **kwargs))
    assert m.specificity_from_confusion(pooled)[0] == pytest.approx(
        recall_score(y_true, y_pred, pos_label=0, **kwargs)
    )
    assert m.binary_metrics(y_true, y_pred)["f1"] == pytest.approx(
        f1_score(y_true, y_pred, **kwargs)
    )


@pytest.mark.filterwarnings("ignore:A single label was found")
@settings(max_examples=60, deadline=None)  # a loaded 2-core machine
@given(data=st.data())
def test_multiclass_statistics_match_sklearn(data: st.DataObject) -> None:
    classes = list("abcdef")
    y_true = data.draw(st.lists(st.sampled_from(classes[:4]), min_size=1, max_size=60))
    y_pred = data.draw(
        st.lists(st.sampled_from(classes), min_size=len(y_true), max_size=len(y_true))
    )
    true_codes, pred_codes, n_labels = m.encode(y_true, y_pred)
    pooled = m.confusion_rows(true_codes, pred_codes, n_labels).sum(axis=0, keepdims=True)
    present = sorted(set(y_true))
    expected_f1 = f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0)
    expected_recall = recall_score(y_true, y_pred, labels=present, average="macro", zero_division=0)
    assert m.macro_f1(y_true, y_pred) == pytest.approx(expected_f1)
    assert m.macro_f1_from_confusion(pooled)[0] == pytest.approx(expected_f1)
    if len(present) == 1:  # one gold class: balanced accuracy is undefined, never a number
        undefined = m.balanced_accuracy(y_true, y_pred)
        assert isinstance(undefined, m.UndefinedMetric) and "one gold class" in undefined.reason
        return
    assert m.balanced_accuracy(y_true, y_pred) == pytest.approx(expected_recall)
    assert m.balanced_accuracy_from_confusion(pooled)[0] == pytest.approx(expected_recall)
    if set(y_pred) <= set(y_true):
        assert m.balanced_accuracy(y_true, y_pred) == pytest.approx(
            balanced_accuracy_score(y_true, y_pred)
        )


@settings(max_examples=40, deadline=None)  # a loaded 2-core machine
@given(data=st.data())
def test_retrieval_matches_sklearn_when_everything_relevant_is_ranked(data: st.DataObject) -> None:
    n_docs = data.draw(st.integers(min_value=2, max_value=30))
    relevance = data.draw(st.lists(st.booleans(), min_size=n_docs, max_size=n_docs))
    if not any(relevance):
        relevance[0] = True
    ranked = [f"d{i}" for i in range(n_docs)]
    relevant = [doc for doc, rel in zip(ranked, relevance, strict=True) if rel]
    k = data.draw(st.integers(min_value=1, max_value=n_docs))
    scores = m.retrieval_scores(relevant, ranked, [k])
    y_true = np.array([relevance], dtype=float)
    y_score = np.array([np.arange(n_docs, 0, -1)], dtype=float)
    assert scores["map"] == pytest.approx(average_precision_score(relevance, y_score[0]))
    assert scores[f"ndcg@{k}"] == pytest.approx(ndcg_score(y_true, y_score, k=k))


def test_bootstrap_is_seeded_and_brackets_the_estimate() -> None:
    rng = np.random.default_rng(7)
    values = rng.random(200)  # not 0/1: a proportion gets the exact interval instead
    first = m.mean_interval(values, seed=3)
    again = m.mean_interval(values, seed=3)
    other = m.mean_interval(values, seed=4)
    assert first == again
    assert first != other
    assert first is not None
    assert first[0] < values.mean() < first[1]
    # a 95% interval of a mean of 200 uniform values is about +/- 0.04
    assert 0.05 < first[1] - first[0] < 0.12


def test_bootstrap_of_a_constant_is_a_point() -> None:
    assert m.mean_interval([0.5] * 40, seed=0) == [0.5, 0.5]


def test_a_proportion_gets_the_exact_interval_at_any_n() -> None:
    # Clopper-Pearson: 10 of 10 gives [0.6915, 1]; a bootstrap would say [1, 1]
    low, high = m.mean_interval([1.0] * 10, seed=0) or (0.0, 0.0)
    assert low == pytest.approx(0.69150289, abs=1e-6) and high == 1.0


@pytest.mark.parametrize("n", [1, 2, 7, 40, 333, 5000])
def test_the_exact_interval_is_scipy_stats_own(n: int) -> None:
    # the run computes it from scipy.special (a cheaper import): the same numbers as
    # scipy.stats's beta quantiles to the bit, and as binomtest's root-finding to 1e-12
    from scipy import stats

    k = np.arange(n + 1)
    low, high = m.clopper_pearson(k, n)
    tail = (1.0 - 0.95) / 2.0
    with np.errstate(invalid="ignore"):
        assert np.array_equal(low, np.where(k > 0, stats.beta.ppf(tail, k, n - k + 1), 0.0))
        assert np.array_equal(high, np.where(k < n, stats.beta.isf(tail, k + 1, n - k), 1.0))
    for successes in {0, 1, n // 3, n - 1, n}:
        exact = stats.binomtest(successes, n).proportion_ci(0.95, method="exact")
        assert m.proportion_interval(successes, n) == pytest.approx(
            [exact.low, exact.high], abs=1e-12
        )


def test_bootstrap_needs_enough_units() -> None:
    values = np.linspace(0.0, 1.0, m.MIN_BOOTSTRAP_N - 1)
    assert m.mean_interval(values, seed=0) is None
    assert m.mean_interval(np.linspace(0.0, 1.0, m.MIN_BOOTSTRAP_N), seed=0) is not None


def test_one_gold_class_makes_balanced_accuracy_undefined_in_the_summary() -> None:
    value = m.balanced_accuracy(["terminate"] * 40, ["terminate"] * 40)
    summary = m.summary(
        {"balanced_accuracy_outcome": value, "accuracy": 1.0},
        {"balanced_accuracy_outcome": [0.9, 1.0]},
        ["balanced_accuracy_outcome"],
    )
    assert summary["metrics"]["balanced_accuracy_outcome"] is None
    assert (
        "only one gold class ('terminate')"
        in summary["undefined_metrics"]["balanced_accuracy_outcome"]
    )
    assert "balanced_accuracy_outcome" not in summary["confidence_intervals"]


def test_balanced_accuracy_interval_keeps_every_class_in_every_resample() -> None:
    # 97 common (all right) and 3 rare (all wrong): balanced accuracy is 0.5 in every resample
    # that keeps the rare class. A plain bootstrap drops it about 5% of the time and then
    # reports the common class's recall alone, 1.0: the interval jumps to [0.5, 1.0].
    truth = [0] * 97 + [1] * 3
    rows = m.confusion_rows(truth, [0] * 100, 2)
    plain = m.bootstrap_interval(rows, m.balanced_accuracy_from_confusion, seed=0)
    assert plain == [0.5, 1.0]
    assert m.balanced_accuracy_interval(rows, seed=0) == [0.5, 0.5]


@pytest.mark.filterwarnings("ignore:A single label was found")
@settings(max_examples=80, deadline=None)  # a loaded 2-core machine
@given(data=st.data())
def test_point_estimates_equal_sklearn_to_the_bit(data: st.DataObject) -> None:
    """binary_metrics, balanced_accuracy and macro_f1 are numpy now: exactly sklearn's values."""
    n = data.draw(st.integers(min_value=1, max_value=300))
    y_true = data.draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    y_pred = data.draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    kwargs = {"labels": [0, 1], "zero_division": 0}
    assert m.binary_metrics(y_true, y_pred) == {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "precision": float(precision_score(y_true, y_pred, **kwargs)),
        "recall": float(recall_score(y_true, y_pred, **kwargs)),
        "f1": float(f1_score(y_true, y_pred, **kwargs)),
        "specificity": float(recall_score(y_true, y_pred, pos_label=0, **kwargs)),
    }
    classes = [f"class {i}" for i in range(data.draw(st.integers(1, 12)))]
    gold = data.draw(st.lists(st.sampled_from(classes), min_size=n, max_size=n))
    guess = data.draw(st.lists(st.sampled_from([*classes, "(none)"]), min_size=n, max_size=n))
    present = sorted(set(gold))
    expected_f1 = f1_score(gold, guess, labels=present, average="macro", zero_division=0)
    assert m.macro_f1(gold, guess) == float(expected_f1)
    if len(present) > 1:
        expected = recall_score(gold, guess, labels=present, average="macro", zero_division=0)
        assert m.balanced_accuracy(gold, guess) == float(expected)
