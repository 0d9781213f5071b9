"""The contract every benchmark task keeps.

A task turns one record into one or more chat requests, parses the answers into a prediction,
scores that prediction, and aggregates per-sample results into metrics. Everything other layers
need to know about a task is a ClassVar here, set once in the task's own module. Adding a task
means one module plus one registry line: `BUILTIN_TASKS` in `trialscope.tasks.registry`, or an
entry point in the `trialscope.tasks` group for a task shipped in another package
(docs/extending.md).
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel

from trialscope.models.base import ChatMessage


class AnswerKind(StrEnum):
    """The shape of a task's answer; the offline baselines answer by shape, not by task name.

    A kind fixes two things a task of that kind keeps: the record layout `Task.kind_record`
    returns (the baselines read it) and the JSON answer the task's parser reads (the baselines
    send it). Both are those of the built-in task named with each kind.
    """

    RANKING = "ranking"
    """A search query whose ranked hits are scored (study search: `SearchRecord`,
    answer `{"query": ...}`)."""
    SCREENING = "screening"
    """An include/exclude decision with a confidence per candidate (study screening:
    `ScreeningRecord`, answer `{"results": [{"PMID", "decision", "confidence"}]}`)."""
    OUTCOME = "outcome"
    """A binary outcome with a confidence, plus an optional reason (trial completion:
    `CompletionRecord`, answer `{"outcome", "confidence", "termination_reason", ...}`)."""
    CHOICE = "choice"
    """One option letter of several (the design and evidence tasks: `MultipleChoiceRecord`,
    answer `{"answer_choice": "A", "step_by_step_thinking": ...}`)."""
    COUNT = "count"
    """A positive whole number (sample size: `SampleSizeRecord`, answer
    `{"sample_size_needed": 120, "step_by_step_thinking": ...}`)."""


@dataclass
class Sample:
    """One validated benchmark record. `raw` is the JSON object exactly as read from the file."""

    sample_id: str
    record: BaseModel
    raw: dict[str, Any]


@dataclass
class Request:
    """One chat request a task needs answered for a sample."""

    messages: list[ChatMessage]
    json_mode: bool = True


@dataclass
class Parsed:
    """A task's reading of the model's answers. `error` is set when the answer is unusable."""

    prediction: Any
    error: str | None = None


@dataclass
class SampleResult:
    """Everything known about one finished sample; one line of the run journal.

    `evaluation` always holds `score` (a float in [0, 1], the per-sample headline score used for
    paired significance tests) and, for tasks with a confidence, `calibration`: a list of
    `[confidence in 0..1, correct as 0/1]` pairs. Optional `weight` (a number >= 0, default 1) and
    `stratum` (a label) make the first headline metric the mean over strata of the weighted mean
    score within each stratum (see docs/formats.md); tasks set them so that this holds exactly.
    `status` is `ok`, `parse_error` or `error` (the request failed after retries).
    """

    sample_id: str
    input: dict[str, Any]
    prediction: Any
    evaluation: dict[str, Any]
    status: str = "ok"
    error: str | None = None
    raw_responses: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    latency_s: float = 0.0
    retries: int = 0
    cached: bool = False
    messages: list[list[ChatMessage]] = field(default_factory=list)
    """The exact chat messages sent to the model, one list per request (empty for baselines)."""


class Task(ABC):
    """A benchmark task. Tasks are stateless apart from their construction options."""

    name: ClassVar[str]
    """Canonical name (lower case, underscores); also the results folder name."""

    folder_names: ClassVar[tuple[str, ...]]
    """Data folder names accepted under a benchmark root (README and released-data conventions)."""

    aliases: ClassVar[tuple[str, ...]] = ()
    """Other names the original scripts and old runs use for the task (besides `folder_names`)."""

    record_model: ClassVar[type[BaseModel]]
    """pydantic model that validates one JSONL record."""

    headline_metrics: ClassVar[tuple[str, ...]]
    """The paper's headline metric names, as keys of `aggregate()`'s result."""

    label: ClassVar[str]
    """Display label for reports, e.g. `Trial completion`."""

    short_label: ClassVar[str]
    """At most 8 characters, for terminal tables that must fit 80 columns, e.g. `complete`."""

    answer_kind: ClassVar[AnswerKind]
    """The answer's shape; offline baselines choose their strategy from it."""

    calibrated: ClassVar[bool] = False
    """Whether answers carry a confidence (the report draws reliability diagrams for these)."""

    score_waits_on_io: ClassVar[bool] = False
    """Whether `score` may wait on I/O (a remote search backend): the engine then runs it in a
    thread; other scorers run inline, a thread hand-off costing more than they do."""

    paper_figures: ClassVar[dict[str, dict[str, float]]] = {}
    """The TrialPanorama paper's published figures for this task: metric -> model -> value
    (percent; MAE in participants), shown beside measured results. Empty for new tasks."""

    default_system_prompt: ClassVar[str]

    def sample_id(self, record: BaseModel, index: int) -> str:
        """A stable id for the record (its own id when it has one, else its line index)."""
        return str(getattr(record, "id", None) or index)

    def prompt_templates(self) -> list[str]:
        """Every prompt template the task uses (system and user); hashed for the manifest."""
        return [self.default_system_prompt]

    def prompt_fingerprint(self) -> str:
        """sha256 of the task's prompt templates, so a manifest shows when prompts changed."""
        digest = hashlib.sha256()
        for template in self.prompt_templates():
            digest.update(template.encode("utf-8"))
            digest.update(b"\x00")
        return digest.hexdigest()

    def kind_record(self, sample: Sample) -> BaseModel:
        """The sample's record in the layout its answer kind shares, which the offline baselines
        read (see `AnswerKind`). The record itself by default; a task whose records have another
        layout converts them here."""
        return sample.record

    def use_benchmark_root(self, root: Path) -> None:
        """Called by `load_samples` with the benchmark root; tasks that need more than their
        records (the study search corpus) keep it. Does nothing by default."""
        return None

    @abstractmethod
    def requests(self, sample: Sample, system_prompt: str | None) -> list[Request]:
        """The chat requests needed to answer one sample (several for batched screening)."""

    @abstractmethod
    def parse(self, sample: Sample, responses: list[str]) -> Parsed:
        """Read the model's answers (one per request, in order) into a prediction."""

    @abstractmethod
    def score(self, sample: Sample, parsed: Parsed) -> dict[str, Any]:
        """Score one sample; a parse failure scores as wrong. Must include `score`."""

    @abstractmethod
    def aggregate(self, results: list[SampleResult], seed: int = 0) -> dict[str, Any]:
        """Metrics over all results (every sample in every denominator).

        Returns `{"metrics": {name: value}, "confidence_intervals": {name: [lo, hi]},
        "headline": [names]}`; metric names include both the original's and the paper's.
        """
