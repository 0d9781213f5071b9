"""Study search: query parsing, running it on the local BM25 corpus, recall@k and MAP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialscope.errors import ConfigurationError
from trialscope.search.base import SearchError
from trialscope.tasks.loading import load_samples
from trialscope.tasks.registry import get_task
from trialscope.tasks.study_search import StudySearchTask, parse_query

from .benchmark_files import candidate, search_record, write_jsonl, write_split
from .scoring import result_of, sample_of


class ListBackend:
    """A backend that returns a fixed ranking and records what it was asked."""

    name = "fixed"

    def __init__(self, ranking: list[str], fail: bool = False) -> None:
        self.ranking = ranking
        self.fail = fail
        self.calls: list[tuple[str, int, str | None]] = []

    def search(self, query: str, k: int, date_cap: str | None = None) -> list[str]:
        self.calls.append((query, k, date_cap))
        if self.fail:
            raise SearchError("backend down")
        return self.ranking[:k]


@given(query=st.text(min_size=1, max_size=80).filter(lambda q: q.strip() == q and q))
def test_query_from_json(query: str) -> None:
    assert parse_query(json.dumps({"query": query})) == query


def test_query_forms() -> None:
    assert parse_query('```json\n{"query": "insulin AND diabetes"}\n```') == "insulin AND diabetes"
    assert parse_query("Query: insulin[tiab] AND diabetes") == "insulin[tiab] AND diabetes"
    assert parse_query("insulin AND diabetes") == "insulin AND diabetes"
    assert parse_query('{"query": ["insulin", "glargine"]}') == "(insulin) OR (glargine)"
    assert parse_query('{"answer": "x"}') is None
    assert parse_query("") is None


def test_scores_ranked_ids_with_date_cap() -> None:
    backend = ListBackend(["a", "x", "b"] + [f"n{i}" for i in range(600)] + ["c"])
    task = StudySearchTask(backend=backend, k_values=[2, 100])
    raw = search_record(0, ["a", "b", "c", "d"], search_date="2019-05-01")
    result = result_of(task, sample_of(task, raw), ['{"query": "insulin"}'])
    assert backend.calls == [("insulin", 1000, "2019/05/01")]
    evaluation = result.evaluation
    assert evaluation["metrics"]["recall@2"] == pytest.approx(1 / 4)
    assert evaluation["metrics"]["recall@100"] == pytest.approx(2 / 4)
    assert evaluation["metrics"]["recall@500"] == pytest.approx(2 / 4)
    assert evaluation["score"] == pytest.approx(2 / 4)
    assert evaluation["metrics"]["map"] == pytest.approx((1 + 2 / 3 + 3 / 604) / 4)


def test_aggregate_counts_failures_in_every_denominator() -> None:
    backend = ListBackend(["a", "b"])
    task = StudySearchTask(backend=backend)
    good = result_of(task, sample_of(task, search_record(0, ["a", "z"]), 0), ['{"query": "q"}'])
    unparsed = result_of(
        task, sample_of(task, search_record(1, ["a"]), 1), ["I cannot help.\nSorry."]
    )
    failed = result_of(task, sample_of(task, search_record(2, ["a"]), 2), None)
    summary = task.aggregate([good, unparsed, failed], seed=0)
    metrics = summary["metrics"]
    assert metrics["recall@100"] == pytest.approx(0.5 / 3)
    assert metrics["avg_recall@100"] == metrics["recall@100"]
    assert metrics["num_without_query"] == 2
    assert metrics["num_parse_errors"] == 1 and metrics["num_errors"] == 1
    assert summary["headline"] == ["recall@100", "recall@500"]
    # 3 reviews are too few for a bootstrap interval: none is given (see tasks/metrics.py)
    assert not set(summary["headline"]) & set(summary["confidence_intervals"])


def test_search_errors_score_zero_and_are_counted() -> None:
    task = StudySearchTask(backend=ListBackend([], fail=True))
    result = result_of(task, sample_of(task, search_record(0, ["a"])), ['{"query": "q"}'])
    assert result.evaluation["search_error"] == "backend down"
    assert task.aggregate([result])["metrics"]["num_search_errors"] == 1


def test_bm25_backend_over_the_benchmark_corpus(tmp_path: Path) -> None:
    write_jsonl(
        tmp_path / "study_search" / "corpus.jsonl",
        [
            candidate("11", "Basal insulin glargine in type 2 diabetes", "A randomised trial."),
            candidate("12", "Insulin detemir versus NPH insulin", "Adults with diabetes."),
            candidate("13", "Aspirin after stroke", "Secondary prevention."),
            candidate("14", "Exercise for knee osteoarthritis", "Physiotherapy trial."),
        ],
    )
    write_split(tmp_path, "study_search", "test", [search_record(0, ["11", "12"])])
    task = get_task("study_search", backend="bm25", cache_dir=tmp_path / "cache")
    loaded = load_samples(task, tmp_path)
    answer = '{"query": "(insulin[tiab] OR glargine) AND diabetes"}'
    result = result_of(task, loaded.samples[0], [answer])
    assert result.evaluation["retrieved_ids"][:2] in (["11", "12"], ["12", "11"])
    assert "13" not in result.evaluation["retrieved_ids"]
    assert result.evaluation["score"] == 1.0
    assert result.evaluation["backend"] == "bm25"


def test_bm25_without_a_root_explains_itself() -> None:
    task = get_task("study_search")
    result = result_of(task, sample_of(task, search_record(0, ["a"])), ['{"query": "q"}'])
    assert "needs a benchmark root" in result.evaluation["search_error"]


def test_unknown_backend_and_options_are_rejected() -> None:
    with pytest.raises(ConfigurationError, match="unknown search backend"):
        get_task("study_search", backend="google")
    with pytest.raises(ConfigurationError, match="bad options"):
        get_task("study_search", batch_size=3)
