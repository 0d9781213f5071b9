"""Parsing of `--task-option` and the named task flags."""

from __future__ import annotations

import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st

from trialscope.cli.run import parse_task_options


def test_named_flags_and_typed_values() -> None:
    options = parse_task_options(
        ["study_search.k_values=[100, 200]", "study_screening.batch_size=7", "x.flag=true"],
        search_backend="pubmed",
        screening_batch_size=None,
    )
    assert options == {
        "study_search": {"k_values": [100, 200], "backend": "pubmed"},
        "study_screening": {"batch_size": 7},
        "x": {"flag": True},
    }
    assert parse_task_options([], None, 12) == {"study_screening": {"batch_size": 12}}


@pytest.mark.parametrize("item", ["batch_size=3", "study_screening.=3", ".k=1", "task.key"])
def test_malformed_items_are_explained(item: str) -> None:
    with pytest.raises(typer.BadParameter, match=r"TASK\.KEY=VALUE"):
        parse_task_options([item], None, None)


def test_unknown_search_backend() -> None:
    with pytest.raises(typer.BadParameter, match="bm25 or pubmed"):
        parse_task_options([], "google", None)


names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)


@given(task=names, key=names, value=st.integers(-(10**9), 10**9))
def test_integer_values_round_trip(task: str, key: str, value: int) -> None:
    assert parse_task_options([f"{task}.{key}={value}"], None, None) == {task: {key: value}}
