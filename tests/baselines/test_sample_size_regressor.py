"""The nearest-neighbour sample-size regressor and its weighted median."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from trialscope.baselines.sample_size_regressor import SampleSizeRegressor, weighted_median

from .synthetic_records import make_sample, sample_size, topic_vocabulary


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=41).filter(lambda v: len(v) % 2))
def test_equal_weights_give_the_ordinary_median(values: list[float]) -> None:
    array = np.array(values)
    assert weighted_median(array, np.ones(len(array))) == float(np.median(array))


@given(st.lists(st.floats(0, 100), min_size=1, max_size=20), st.integers(0, 19))
def test_a_dominant_weight_wins(values: list[float], heavy: int) -> None:
    array = np.array(values)
    heavy %= len(array)
    weights = np.full(len(array), 1e-6)
    weights[heavy] = 1.0
    assert weighted_median(array, weights) == array[heavy]


def test_k_is_tuned_and_estimates_follow_the_nearest_trials() -> None:
    vocabulary = topic_vocabulary()
    model = SampleSizeRegressor().fit(sample_size(150, 1, vocabulary))
    assert model.k in (1, 3, 5, 10, 20, 40)
    probe = make_sample("p", {"question": " ".join(vocabulary[3][:8]), "answer": 1})
    estimate, sizes = model.predict(probe)
    assert len(sizes) == model.k
    assert abs(estimate - 40 * 1.5**3) <= 0.1 * 40 * 1.5**3
