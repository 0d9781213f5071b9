"""Study search: the model writes a query for a review; a search backend runs it; the ranked ids
are scored against the review's included studies.

Per query: precision@k, recall@k, f1@k, ndcg@k (binary gain) for k in `k_values` plus 100 and
500, and `map` (the original's average precision over the top 1,000). Aggregates are means over
every sample (no query, a failed request or a failed search scores 0), under both the paper's
names (`recall@100`) and the original's (`avg_recall@100`). The date cap comes from the record's
search date when it has one, so PubMed results do not drift with new publications.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, cast

from pydantic import Field, field_validator

from trialscope.errors import ConfigurationError
from trialscope.search.base import SearchBackend, SearchError, normalize_date_cap
from trialscope.tasks.answer_parsing import extract_json_object, field_of, strip_reasoning
from trialscope.tasks.base import AnswerKind, Parsed, Request, Sample, SampleResult, Task
from trialscope.tasks.prompting import chat_request, evaluations_of, review_setup
from trialscope.tasks.record_base import TaskRecord, as_text

DEFAULT_K_VALUES = (100, 200, 300, 400, 500)
HEADLINE_K = (100, 500)
RETRIEVE_DEPTH = 1000
"""How many ids a search returns (the original's PubMed retmax)."""

SEARCH_DATE_FIELDS = ("search_date", "date_of_search", "last_search_date", "review_search_date")
"""Record metadata fields holding the review's search date (the cap for reproducible search)."""

SYSTEM_PROMPT = """Given the systematic review setup, formulate an effective search query that will
retrieve the clinical trials relevant to this review.

Your output must be a JSON object with the following field:
- query: the search query that will be run against PubMed (boolean operators and field tags
  are allowed)
"""

_QUERY_LINE = re.compile(r"^\W*(?:search\s+)?query\W*[:=]\s*(.+)$", re.IGNORECASE | re.MULTILINE)


class SearchRecord(TaskRecord):
    """Study search: a review's sections in, the PMIDs of its included studies as labels."""

    inputs: dict[str, Any]
    labels: list[str]
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("labels", mode="before")
    @classmethod
    def _pmidsas_text(cls, value: Any) -> Any:
        return [as_text(item) for item in value] if isinstance(value, list) else value


class StudySearchTask(Task):
    """Write a search query for a review; scored by recall of its included studies."""

    name = "study_search"
    label = "Study search"
    short_label = "search"
    paper_figures: ClassVar[dict[str, dict[str, float]]] = {
        "Recall@100": {
            "Llama-8B": 11.6,
            "Llama-70B": 25.1,
            "GPT-4o-mini": 17.3,
            "GPT-4o": 22.9,
            "o3-mini": 27.6,
        },
        "Recall@500": {
            "Llama-8B": 16.0,
            "Llama-70B": 33.3,
            "GPT-4o-mini": 22.7,
            "GPT-4o": 27.3,
            "o3-mini": 37.8,
        },
    }
    answer_kind = AnswerKind.RANKING
    score_waits_on_io = True
    folder_names = ("study_search",)
    record_model = SearchRecord
    headline_metrics: ClassVar[tuple[str, ...]] = tuple(f"recall@{k}" for k in HEADLINE_K)
    default_system_prompt = SYSTEM_PROMPT

    def __init__(
        self,
        backend: str | SearchBackend = "bm25",
        k_values: Sequence[int] = DEFAULT_K_VALUES,
        cache_dir: Path | None = None,
    ) -> None:
        if isinstance(backend, str) and backend not in ("bm25", "pubmed"):
            raise ConfigurationError(
                f"unknown search backend {backend!r}: expected 'bm25' or 'pubmed'"
            )
        if any(k <= 0 for k in k_values):
            raise ConfigurationError(f"k_values must be positive, got {list(k_values)}")
        self.k_values = tuple(sorted(set(k_values) | set(HEADLINE_K)))
        self.depth = max(RETRIEVE_DEPTH, *self.k_values)
        self.backend_choice = backend
        self.cache_dir = cache_dir
        self._backend: SearchBackend | None = None if isinstance(backend, str) else backend
        self._root: Path | None = None
        self._lock = threading.Lock()

    def sample_id(self, record: Any, index: int) -> str:
        review = record.metadata.get("review_pmid") if isinstance(record, SearchRecord) else None
        return str(review or index)

    def use_benchmark_root(self, root: Path) -> None:
        """Remember the root: the BM25 backend indexes its corpus on first use."""
        if self._root != root and isinstance(self.backend_choice, str):
            self._backend = None
        self._root = root

    @property
    def backend(self) -> SearchBackend:
        """The search backend, built on first use (the BM25 index needs the benchmark root)."""
        with self._lock:
            if self._backend is None:
                self._backend = self._make_backend()
            return self._backend

    def _make_backend(self) -> SearchBackend:
        if self.backend_choice == "pubmed":
            from trialscope.search.pubmed import PubMedSearch

            return PubMedSearch()
        from trialscope.search.bm25 import BM25Search

        if self._root is None:
            raise SearchError(
                "the BM25 search backend needs a benchmark root: load samples with "
                "trialscope.tasks.loading.load_samples first, or pass backend=BM25Search(...)"
            )
        from trialscope.search.corpus import CorpusFolders
        from trialscope.tasks.study_screening import StudyScreeningTask

        folders = CorpusFolders(search=self.folder_names, screening=StudyScreeningTask.folder_names)
        return BM25Search.from_benchmark_root(self._root, folders, cache_dir=self.cache_dir)

    def requests(self, sample: Sample, system_prompt: str | None) -> list[Request]:
        record = cast(SearchRecord, sample.record)
        user = "# Systematic Review Setup\n" + review_setup(record.inputs)
        return [chat_request(system_prompt or self.default_system_prompt, user)]

    def parse(self, sample: Sample, responses: list[str]) -> Parsed:
        text = responses[0] if responses else ""
        query = parse_query(text)
        if query is None:
            return Parsed({"query": None}, error="no search query found in the answer")
        return Parsed({"query": query})

    def date_cap(self, record: SearchRecord) -> str | None:
        """The review's search date (YYYY/MM/DD) from its metadata, when it has one."""
        for key in SEARCH_DATE_FIELDS:
            cap = normalize_date_cap(record.metadata.get(key))
            if cap is not None:
                return cap
        return None

    def score(self, sample: Sample, parsed: Parsed) -> dict[str, Any]:
        # numpy (through metrics) loads on first use, not before a run's first request.
        from trialscope.tasks import metrics as m

        record = cast(SearchRecord, sample.record)
        query = parsed.prediction.get("query") if isinstance(parsed.prediction, dict) else None
        cap = self.date_cap(record)
        retrieved: list[str] = []
        search_error = None
        if query:
            try:
                retrieved = self.backend.search(query, self.depth, cap)
            except SearchError as error:
                search_error = str(error)
        scores = m.retrieval_scores(record.labels, retrieved, self.k_values)
        evaluation: dict[str, Any] = {
            "score": scores["recall@100"],
            "query": query,
            "backend": self.backend_name,
            "date_cap": cap,
            "relevant_ids": record.labels,
            "retrieved_ids": retrieved,
            "metrics": scores,
        }
        if search_error is not None:
            evaluation["search_error"] = search_error
        return evaluation

    @property
    def backend_name(self) -> str:
        """The backend's name, without building it."""
        if isinstance(self.backend_choice, str):
            return self.backend_choice
        return str(getattr(self.backend_choice, "name", type(self.backend_choice).__name__))

    def aggregate(self, results: list[SampleResult], seed: int = 0) -> dict[str, Any]:
        # numpy (through metrics) loads on first use, not before a run's first request.
        from trialscope.tasks import metrics as m

        evaluations = evaluations_of(self, results)
        n = len(results)
        names = [
            f"{kind}@{k}" for kind in ("precision", "recall", "f1", "ndcg") for k in self.k_values
        ]
        names.append("map")
        per_query = {
            name: [float(e["metrics"].get(name, 0.0)) if e else 0.0 for e in evaluations]
            for name in names
        }
        metrics: dict[str, Any] = {name: sum(v) / n if n else 0.0 for name, v in per_query.items()}
        for k in self.k_values:
            # the original's names for the same means
            metrics[f"avg_precision@{k}"] = metrics[f"precision@{k}"]
            metrics[f"avg_recall@{k}"] = metrics[f"recall@{k}"]
        metrics["num_search_errors"] = sum(1 for e in evaluations if e and "search_error" in e)
        metrics["num_without_query"] = sum(1 for e in evaluations if not (e and e.get("query")))
        metrics.update(m.status_counts(results))
        intervals = {
            name: m.mean_interval(per_query[name], seed)
            for name in (*self.headline_metrics, "map", "ndcg@100")
        }
        return m.summary(metrics, intervals, self.headline_metrics)


def parse_query(text: str) -> str | None:
    """The search query: JSON `query`, a `Query:` line, or a one-line answer taken as is."""
    obj = extract_json_object(text)
    if obj is not None:
        value = field_of(obj, "query", "search_query", "pubmed_query")
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return " OR ".join(f"({v.strip()})" for v in value if v.strip()) or None
        return None
    body = strip_reasoning(text).strip().strip("`").strip()
    match = _QUERY_LINE.search(body)
    if match:
        return match.group(1).strip().strip("\"'`") or None
    if body and "\n" not in body and len(body) <= 2000:
        return body
    return None
