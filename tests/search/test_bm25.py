"""BM25Search: ranking, the on-disk index cache, date caps and benchmark corpora."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialscope.search import bm25 as bm25_module
from trialscope.search.base import SearchBackend, SearchError
from trialscope.search.bm25 import BM25Search, query_text
from trialscope.search.corpus import CorpusDocument, CorpusFolders, benchmark_corpus

DOCUMENTS = [
    ("1", "Basal insulin glargine in type 2 diabetes"),
    ("2", "Aspirin for secondary prevention after stroke"),
    ("3", "Metformin and insulin in type 2 diabetes: a randomised trial"),
    ("4", "Exercise therapy for knee osteoarthritis"),
]


FOLDERS = CorpusFolders(search=("study_search",), screening=("study_screening",))


def _write(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def test_ranks_matching_documents_only(tmp_path: Path) -> None:
    search = BM25Search(DOCUMENTS, cache_dir=tmp_path)
    assert isinstance(search, SearchBackend)
    found = search.search("insulin diabetes", k=10)
    assert set(found) == {"1", "3"}
    assert search.search("insulin diabetes", k=1) == found[:1]
    assert search.search("unrelated words", k=10) == []
    assert search.search("insulin", k=0) == []


def test_boolean_queries_become_words() -> None:
    assert query_text('("insulin"[MeSH] OR glargin*) AND diabetes NOT "type 1"').split() == [
        "insulin",
        "glargin",
        "diabetes",
        "type",
        "1",
    ]


def test_index_is_cached_by_corpus_hash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = BM25Search(DOCUMENTS, cache_dir=tmp_path)
    assert first.cache_path is not None and first.cache_path.parent == tmp_path
    assert (first.cache_path / "params.index.json").is_file()

    def no_rebuild(texts: list[str]) -> None:
        raise AssertionError("the cached index should have been loaded")

    monkeypatch.setattr(BM25Search, "_build", staticmethod(no_rebuild))
    again = BM25Search(DOCUMENTS, cache_dir=tmp_path)
    assert again.search("insulin diabetes", k=10) == first.search("insulin diabetes", k=10)
    monkeypatch.undo()
    changed = BM25Search([*DOCUMENTS, ("5", "insulin pumps")], cache_dir=tmp_path)
    assert changed.corpus_hash != first.corpus_hash
    assert len(list(tmp_path.iterdir())) == 2


def test_default_cache_dir_follows_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIALSCOPE_CACHE_DIR", str(tmp_path))
    assert bm25_module.default_cache_dir() == tmp_path / "bm25"


def test_date_cap_leaves_out_later_documents(tmp_path: Path) -> None:
    documents = [
        CorpusDocument("old", "insulin diabetes trial", "2010/01/01"),
        CorpusDocument("new", "insulin diabetes trial again", "2021/06/01"),
        CorpusDocument("undated", "insulin diabetes", None),
    ]
    search = BM25Search(documents, use_cache=False)
    assert set(search.search("insulin diabetes", k=10)) == {"old", "new", "undated"}
    assert set(search.search("insulin diabetes", k=10, date_cap="2015")) == {"old", "undated"}


def test_empty_corpus_is_an_error() -> None:
    with pytest.raises(SearchError, match="empty corpus"):
        BM25Search([], use_cache=False)
    with pytest.raises(SearchError, match="no indexable words"):
        BM25Search([("1", "a"), ("2", "")], use_cache=False)


def test_corpus_file_is_preferred(tmp_path: Path) -> None:
    _write(
        tmp_path / "study_search" / "corpus.jsonl",
        [{"PMID": 5, "title": "T", "abstract": None, "year": 2001}],
    )
    _write(
        tmp_path / "study_screening" / "test.jsonl", [{"context": [{"PMID": "9", "title": "X"}]}]
    )
    assert list(benchmark_corpus(tmp_path, FOLDERS)) == [CorpusDocument("5", "T", "2001/12/31")]


def test_screening_candidates_are_the_fallback_corpus(tmp_path: Path) -> None:
    review = {
        "context": [
            {"PMID": "1", "title": "Insulin", "abstract": "x"},
            {"PMID": "2", "title": "Aspirin"},
        ]
    }
    again = {"context": [{"PMID": "2", "title": "Aspirin"}, {"PMID": "3", "title": "Statins"}]}
    _write(tmp_path / "study_screening" / "train.jsonl", [review])
    _write(tmp_path / "study_screening" / "test.jsonl", [again])
    ids = [d.doc_id for d in benchmark_corpus(tmp_path, FOLDERS)]
    assert sorted(ids) == ["1", "2", "3"]
    search = BM25Search.from_benchmark_root(tmp_path, FOLDERS, cache_dir=tmp_path / "cache")
    assert len(search) == 3


def test_corpus_errors_name_the_place(tmp_path: Path) -> None:
    with pytest.raises(SearchError, match="no search corpus"):
        list(benchmark_corpus(tmp_path, FOLDERS))
    _write(tmp_path / "study_search" / "corpus.jsonl", [{"title": "no id"}])
    with pytest.raises(SearchError, match=r"corpus.jsonl:1: field 'PMID' is missing"):
        list(benchmark_corpus(tmp_path, FOLDERS))


@settings(max_examples=25, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(["insulin", "diabetes", "stroke", "aspirin", "knee", "trial", "metformin"]),
        min_size=1,
        max_size=5,
    ),
    k=st.integers(min_value=1, max_value=6),
)
def test_results_are_distinct_known_ids_within_k(words: list[str], k: int) -> None:
    search = _shared_index()
    found = search.search(" ".join(words), k=k)
    assert len(found) <= k
    assert len(set(found)) == len(found)
    assert set(found) <= {doc_id for doc_id, _ in DOCUMENTS}


_INDEX: list[BM25Search] = []


def _shared_index() -> BM25Search:
    if not _INDEX:
        _INDEX.append(BM25Search(DOCUMENTS, use_cache=False))
    return _INDEX[0]
