"""The nearest-neighbour sample-size regressor and its weighted median."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from trialscope.baselines.sample_size_regressor import SampleSizeRegressor, weighted_median
from trialscope.tasks.base import Sample

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


def test_both_methods_are_validated_and_the_better_one_is_used() -> None:
    vocabulary = topic_vocabulary()
    model = SampleSizeRegressor().fit(sample_size(150, 1, vocabulary))
    assert model.k in (1, 3, 5, 10, 20, 40)
    assert set(model.validation) == {"neighbours", "ridge"}
    assert model.method == max(model.validation, key=lambda name: (model.validation[name], name))
    test = sample_size(40, 2, vocabulary)
    estimates = np.array([model.predict(sample)[0] for sample in test])
    truth = np.array([sample.raw["answer"] for sample in test])
    assert np.mean(np.abs(estimates - truth) <= 0.2 * truth) > 0.8


def _factorial(phase: int, condition: str, index: int) -> Sample:
    size = round(30 * 2**phase * (1.5 if condition.startswith("c") else 1.0))
    question = f"Title: study {index}\nConditions: {condition}\nPhase: Phase {phase}"
    return make_sample(f"f{index}", {"question": question, "answer": size})


def test_ridge_generalises_to_unseen_phase_and_condition_pairs() -> None:
    conditions = [f"{prefix}{name}" for prefix in "cd" for name in ("asthma", "gout", "acne")]
    pairs = [(p, c) for p in range(1, 5) for c in conditions]
    unseen = {(p, c) for p, c in pairs if (p + conditions.index(c)) % 4 == 0}
    train = [_factorial(p, c, i) for i, (p, c) in enumerate(pairs * 4) if (p, c) not in unseen]
    test = [_factorial(p, c, 1000 + i) for i, (p, c) in enumerate(sorted(unseen))]
    model = SampleSizeRegressor().fit(train)
    assert model.validation["ridge"] > 0.9
    model.method = "ridge"
    for sample in test:
        estimate, _ = model.predict(sample)
        assert abs(estimate - sample.raw["answer"]) <= 0.2 * sample.raw["answer"], sample.raw
