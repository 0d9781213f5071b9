"""The journal survives a kill at any byte: torn lines dropped, nothing counted twice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialscope.engine.journal import Journal, JournalError, result_to_json
from trialscope.tasks.base import SampleResult


def result(sample_id: str, status: str = "ok", score: float = 1.0) -> SampleResult:
    return SampleResult(
        sample_id=sample_id,
        input={"q": f"question {sample_id} ünïcode"},
        prediction="A",
        evaluation={"score": score},
        status=status,
    )


def test_appended_results_are_read_back(tmp_path: Path) -> None:
    path = tmp_path / "samples.jsonl"
    journal = Journal(path)
    journal.append(result("a"))
    journal.append(result("b", status="parse_error"))
    journal.close()
    reopened = Journal(path)
    assert list(reopened.finished) == ["a", "b"]
    assert reopened.finished["b"].status == "parse_error"
    assert reopened.finished["a"].input["q"].endswith("ünïcode")
    reopened.close()


def test_the_last_line_for_a_sample_wins(tmp_path: Path) -> None:
    path = tmp_path / "samples.jsonl"
    journal = Journal(path)
    journal.append(result("a", status="error", score=0.0))
    journal.append(result("a", status="ok", score=1.0))
    journal.close()
    reopened = Journal(path)
    assert len(reopened.finished) == 1 and reopened.finished["a"].status == "ok"
    reopened.close()


def test_a_torn_last_line_is_cut_off_before_appending(tmp_path: Path) -> None:
    path = tmp_path / "samples.jsonl"
    whole = result_to_json(result("a")) + "\n"
    torn = result_to_json(result("b"))[:25]
    path.write_text(whole + torn, encoding="utf-8")
    journal = Journal(path)
    assert journal.dropped_torn_line and list(journal.finished) == ["a"]
    journal.append(result("c"))
    journal.close()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["sample_id"] for line in lines] == ["a", "c"]


def test_garbage_in_the_middle_is_an_error_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "samples.jsonl"
    good = result_to_json(result("a")) + "\n"
    path.write_text(good + "not json\n" + good, encoding="utf-8")
    with pytest.raises(JournalError, match=r"samples.jsonl:2"):
        Journal(path)


@settings(max_examples=60, deadline=None)
@given(
    ids=st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=8, unique=True),
    cut=st.floats(min_value=0.0, max_value=1.0),
)
def test_a_kill_at_any_byte_keeps_exactly_the_complete_lines(
    tmp_path_factory: pytest.TempPathFactory, ids: list[str], cut: float
) -> None:
    path = tmp_path_factory.mktemp("journal") / "samples.jsonl"
    data = "".join(result_to_json(result(i)) + "\n" for i in ids).encode("utf-8")
    size = int(len(data) * cut)
    path.write_bytes(data[:size])
    expected = [json.loads(line)["sample_id"] for line in data[:size].split(b"\n")[:-1]]
    journal = Journal(path)
    assert list(journal.finished) == expected
    journal.append(result("new"))
    journal.close()
    assert list(Journal(path).finished) == [*expected, "new"]
