"""Baselines by name, and the errors a user sees for unknown names and unfitted use."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from trialscope.baselines.registry import BASELINE_NAMES, get_baseline
from trialscope.errors import ConfigurationError, InputError
from trialscope.tasks.base import Sample

from . import synthetic_records as synthetic
from .shape_tasks import ShapeTask


def test_every_name_builds_a_fresh_baseline_with_that_name() -> None:
    assert set(BASELINE_NAMES) == {"majority", "random", "lexical"}
    for name in BASELINE_NAMES:
        first, second = get_baseline(f"baseline/{name}"), get_baseline(f"baseline/{name}")
        assert first.name == f"baseline/{name}"
        assert first is not second


def test_bare_names_are_accepted() -> None:
    assert get_baseline("lexical").name == "baseline/lexical"


def test_unknown_name_lists_the_valid_names() -> None:
    with pytest.raises(
        ConfigurationError, match="baseline/majority, baseline/random, baseline/lexical"
    ):
        get_baseline("baseline/bm25-magic")


def test_answer_before_fit_names_the_baseline_and_task() -> None:
    sample = synthetic.sample_size(1, 0, synthetic.topic_vocabulary())[0]
    with pytest.raises(RuntimeError, match=r"baseline/lexical.*sample_size_estimation"):
        get_baseline("baseline/lexical").answer(ShapeTask("sample_size_estimation"), sample)


def test_a_task_without_a_known_answer_kind_is_refused_with_the_known_kinds() -> None:
    with pytest.raises(
        ConfigurationError, match=r"no offline baseline answers task 'mystery'.*choice, count"
    ):
        get_baseline("baseline/majority").fit(ShapeTask("mystery"), [])


def test_records_outside_the_kind_layout_are_refused_naming_the_layout() -> None:
    class WrongLayout(ShapeTask):
        def kind_record(self, sample: Sample) -> BaseModel:
            return sample.record

    sizes = synthetic.sample_size(3, 0, synthetic.topic_vocabulary())
    with pytest.raises(ConfigurationError, match=r"must return a SampleSizeRecord, got RawRecord"):
        get_baseline("baseline/majority").fit(WrongLayout("sample_size_estimation"), sizes)


@pytest.mark.parametrize("name", ["baseline/majority", "baseline/lexical"])
def test_learning_from_an_empty_train_split_is_an_error(name: str) -> None:
    with pytest.raises(InputError, match="empty train split"):
        get_baseline(name).fit(ShapeTask("endpoint_design"), [])


def test_fitted_state_is_kept_per_task() -> None:
    vocabulary = synthetic.topic_vocabulary()
    baseline = get_baseline("baseline/majority")
    sizes = synthetic.sample_size(30, 1, vocabulary)
    choices = synthetic.multiple_choice(30, 2, vocabulary)
    baseline.fit(ShapeTask("sample_size_estimation"), sizes)
    baseline.fit(ShapeTask("arm_design"), choices)
    assert "sample_size_needed" in baseline.answer(ShapeTask("sample_size_estimation"), sizes[0])[0]
    assert "answer_choice" in baseline.answer(ShapeTask("arm_design"), choices[0])[0]
