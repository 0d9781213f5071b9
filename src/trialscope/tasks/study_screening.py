"""Study screening: include or exclude each candidate study of a systematic review.

Candidates go to the model in batches (at most `batch_size` studies and about
`max_prompt_chars` characters per request) so each prompt fits an 8K-token context; a study the
model leaves out counts as wrong.

Metrics pool every labelled study of every review (positive = included): accuracy, precision,
recall, f1, specificity, where a left-out study counts as the class opposite its label. Per review:
`avg_micro_accuracy` (share of its studies right) and `avg_macro_accuracy` (all right). Intervals
resample reviews, not studies, since studies of one review are not independent.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal, cast

from pydantic import Field, field_validator, model_validator

from trialscope.errors import ConfigurationError
from trialscope.tasks.answer_parsing import (
    decision_from_value,
    extract_json,
    field_of,
    parse_confidence,
)
from trialscope.tasks.base import AnswerKind, Parsed, Request, Sample, SampleResult, Task
from trialscope.tasks.prompting import chat_request, evaluations_of, review_setup
from trialscope.tasks.record_base import TaskRecord, as_text

DEFAULT_BATCH_SIZE = 8
# ~4 characters per token: 22K characters of review and studies, the system prompt and the
# answer (~30 tokens per study) fit an 8K-token context
DEFAULT_MAX_PROMPT_CHARS = 22_000
MIN_STUDY_BUDGET = 4_000

SYSTEM_PROMPT = """You are an expert in systematic reviews of clinical trials. Your task is to
determine whether each candidate study should be included in or excluded from a systematic
review, based on the systematic review setup provided.

For each candidate study, analyze the title and abstract carefully, considering:
- Whether the study addresses the research question and goals of the review
- Whether the study matches the PICO criteria (Population, Intervention, Comparison, Outcome)
- Whether the study design is appropriate for inclusion
- Any other inclusion or exclusion criteria in the review setup

For each study give your decision, "included" or "excluded", with a confidence score (0-100).

Your response must be a JSON object with a "results" array holding one object per candidate
study, in the order given:
{
  "results": [
    {
      "PMID": "<the study's PMID>",
      "decision": "included" or "excluded",
      "confidence": <integer 0-100>
    },
    ...
  ]
}"""

USER_TEMPLATE = "# Systematic Review Setup\n{setup}\n\n# Candidate Studies\n{studies}"
STUDY_TEMPLATE = (
    "## Study {number} (PMID: {pmid})\n### Title\n{title}\n\n### Abstract\n{abstract}\n"
)


class Candidate(TaskRecord):
    """One candidate study of a screening review."""

    PMID: str
    title: str = ""
    abstract: str = ""

    @field_validator("PMID", mode="before")
    @classmethod
    def _pmidas_text(cls, value: Any) -> Any:
        return as_text(value)

    @field_validator("title", "abstract", mode="before")
    @classmethod
    def _none_as_empty(cls, value: Any) -> Any:
        return "" if value is None else value


class ScreeningLabel(TaskRecord):
    """The review authors' decision on one candidate."""

    PMID: str
    label: Literal["included", "excluded"]

    @field_validator("PMID", mode="before")
    @classmethod
    def _pmidas_text(cls, value: Any) -> Any:
        return as_text(value)

    @field_validator("label", mode="before")
    @classmethod
    def _normalise_label(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip().lower()
            return {"include": "included", "exclude": "excluded"}.get(text, text)
        return value


class ScreeningRecord(TaskRecord):
    """Study screening: a review's sections and its candidate studies with decisions."""

    inputs: dict[str, Any]
    context: list[Candidate]
    labels: list[ScreeningLabel]
    metadata: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _labels_are_candidates(self) -> ScreeningRecord:
        candidates = {candidate.PMID for candidate in self.context}
        for index, label in enumerate(self.labels):
            if label.PMID not in candidates:
                raise ValueError(
                    f"labels[{index}].PMID {label.PMID!r} is not among the context candidates"
                )
        return self


class StudyScreeningTask(Task):
    """Decide inclusion for each candidate study of a review, batch by batch."""

    name = "study_screening"
    label = "Study screening"
    short_label = "screen"
    paper_figures: ClassVar[dict[str, dict[str, float]]] = {
        "Accuracy": {
            "Llama-8B": 55.3,
            "Llama-70B": 60.7,
            "GPT-4o-mini": 60.2,
            "GPT-4o": 66.1,
            "o3-mini": 71.6,
        },
        "Precision": {
            "Llama-8B": 46.8,
            "Llama-70B": 59.1,
            "GPT-4o-mini": 60.4,
            "GPT-4o": 64.4,
            "o3-mini": 71.9,
        },
        "Recall": {
            "Llama-8B": 58.2,
            "Llama-70B": 70.5,
            "GPT-4o-mini": 60.5,
            "GPT-4o": 72.3,
            "o3-mini": 71.3,
        },
    }
    answer_kind = AnswerKind.SCREENING
    calibrated = True
    folder_names = ("study_screening",)
    record_model = ScreeningRecord
    headline_metrics: ClassVar[tuple[str, ...]] = ("accuracy", "precision", "recall")
    default_system_prompt = SYSTEM_PROMPT

    def __init__(
        self, batch_size: int = DEFAULT_BATCH_SIZE, max_prompt_chars: int = DEFAULT_MAX_PROMPT_CHARS
    ) -> None:
        if batch_size < 1:
            raise ConfigurationError(f"batch_size must be at least 1, got {batch_size}")
        self.batch_size = batch_size
        self.max_prompt_chars = max_prompt_chars

    def sample_id(self, record: Any, index: int) -> str:
        review = record.metadata.get("PMID") if isinstance(record, ScreeningRecord) else None
        return str(review or index)

    def prompt_templates(self) -> list[str]:
        return [self.default_system_prompt, USER_TEMPLATE, STUDY_TEMPLATE]

    def _study_text(self, number: int, candidate: Candidate, budget: int) -> str:
        text = STUDY_TEMPLATE.format(
            number=number, pmid=candidate.PMID, title=candidate.title, abstract=candidate.abstract
        )
        if len(text) > budget:
            # one very long abstract: cut it rather than overflow the context
            text = text[: max(budget, 200)].rstrip() + " [...]\n"
        return text

    def study_budget(self, sample: Sample) -> int:
        """Characters left for candidate studies once the review setup is in the prompt."""
        setup = review_setup(cast(ScreeningRecord, sample.record).inputs)
        return max(self.max_prompt_chars - len(setup), MIN_STUDY_BUDGET)

    def batches(self, sample: Sample) -> list[list[Candidate]]:
        """The candidates of each request, in order: at most `batch_size` studies and about
        `max_prompt_chars` characters of review and studies per request."""
        record = cast(ScreeningRecord, sample.record)
        budget = self.study_budget(sample)
        batches: list[list[Candidate]] = []
        current: list[Candidate] = []
        used = 0
        for candidate in record.context:
            size = len(self._study_text(0, candidate, budget))
            if current and (len(current) >= self.batch_size or used + size > budget):
                batches.append(current)
                current, used = [], 0
            current.append(candidate)
            used += size
        if current:
            batches.append(current)
        return batches

    def requests(self, sample: Sample, system_prompt: str | None) -> list[Request]:
        record = cast(ScreeningRecord, sample.record)
        setup = review_setup(record.inputs)
        budget = self.study_budget(sample)
        requests = []
        for batch in self.batches(sample):
            studies = "\n".join(
                self._study_text(number, candidate, budget)
                for number, candidate in enumerate(batch, start=1)
            )
            user = USER_TEMPLATE.format(setup=setup, studies=studies)
            requests.append(chat_request(system_prompt or self.default_system_prompt, user))
        return requests

    def parse(self, sample: Sample, responses: list[str]) -> Parsed:
        batches = self.batches(sample)
        decisions: dict[str, dict[str, Any]] = {}
        unparsed: list[int] = []
        for index, batch in enumerate(batches):
            text = responses[index] if index < len(responses) else ""
            found = _batch_decisions(text, batch)
            if not found:
                unparsed.append(index)
            decisions.update(found)
        order = [c.PMID for c in cast(ScreeningRecord, sample.record).context]
        prediction = {
            "results": [{"PMID": pmid, **decisions[pmid]} for pmid in order if pmid in decisions],
            "missing": [pmid for pmid in order if pmid not in decisions],
            "unparsed_batches": unparsed,
        }
        if not decisions:
            return Parsed(prediction, error="no screening decision found in any answer")
        return Parsed(prediction)

    def score(self, sample: Sample, parsed: Parsed) -> dict[str, Any]:
        record = cast(ScreeningRecord, sample.record)
        results = (
            parsed.prediction.get("results", []) if isinstance(parsed.prediction, dict) else []
        )
        by_pmid = {item["PMID"]: item for item in results if isinstance(item, dict)}
        evaluations = []
        for label in record.labels:
            decided = by_pmid.get(label.PMID, {})
            decision = decided.get("decision")
            correct = decision == label.label
            evaluations.append(
                {
                    "PMID": label.PMID,
                    "true_label": label.label,
                    "pred_label": decision,
                    "confidence": decided.get("confidence"),
                    "is_correct": correct,
                }
            )
        n_correct = sum(1 for e in evaluations if e["is_correct"])
        micro = n_correct / len(evaluations) if evaluations else 0.0
        return {
            "score": micro,
            # weighted by its studies, the mean of per-review accuracy is the pooled accuracy
            "weight": len(evaluations),
            "review_id": record.metadata.get("PMID", sample.sample_id),
            "evaluations": evaluations,
            "micro_accuracy": micro,
            "macro_accuracy": 1.0 if evaluations and n_correct == len(evaluations) else 0.0,
            "num_missing": sum(1 for e in evaluations if e["pred_label"] is None),
            "calibration": [
                [e["confidence"], 1 if e["is_correct"] else 0]
                for e in evaluations
                if e["confidence"] is not None
            ],
        }

    def aggregate(self, results: list[SampleResult], seed: int = 0) -> dict[str, Any]:
        # numpy (through metrics) loads on first use, not before a run's first request.
        import numpy as np

        from trialscope.tasks import metrics as m

        evaluations = evaluations_of(self, results)
        reviews = [e for e in evaluations if e is not None]
        # per review: a flattened 2x2 confusion matrix (positive = included); a missing
        # decision is counted as the wrong class
        cms = np.zeros((len(reviews), 4))
        for row, review in enumerate(reviews):
            for study in review["evaluations"]:
                truth = 1 if study["true_label"] == "included" else 0
                guess = study["pred_label"]
                predicted = (1 if guess == "included" else 0) if guess else 1 - truth
                cms[row, truth * 2 + predicted] += 1
        pooled = cms.sum(axis=0, keepdims=True)
        tn, fp, fn, tp = (int(v) for v in pooled[0])
        y_true = [1] * (tp + fn) + [0] * (tn + fp)
        y_pred = [1] * tp + [0] * fn + [0] * tn + [1] * fp
        n = len(results)
        metrics: dict[str, Any] = dict(m.binary_metrics(y_true, y_pred))
        metrics.update(
            {
                "avg_micro_accuracy": sum(e["micro_accuracy"] if e else 0.0 for e in evaluations)
                / n
                if n
                else 0.0,
                "avg_macro_accuracy": sum(e["macro_accuracy"] if e else 0.0 for e in evaluations)
                / n
                if n
                else 0.0,
                "num_reviews": n,
                "num_studies": len(y_true),
                "num_included": tp + fn,
                "num_excluded": tn + fp,
                "num_missing_decisions": sum(e["num_missing"] for e in reviews),
                "true_positives": tp,
                "true_negatives": tn,
                "false_positives": fp,
                "false_negatives": fn,
                **m.status_counts(results),
            }
        )
        micro = [e["micro_accuracy"] if e else 0.0 for e in evaluations]
        intervals = {
            "accuracy": m.bootstrap_interval(cms, m.accuracy_from_confusion, seed),
            "precision": m.bootstrap_interval(cms, m.precision_from_confusion, seed),
            "recall": m.bootstrap_interval(cms, m.recall_from_confusion, seed),
            "f1": m.bootstrap_interval(cms, m.f1_from_confusion, seed),
            "avg_micro_accuracy": m.mean_interval(micro, seed),
        }
        return m.summary(metrics, intervals, self.headline_metrics)


def _batch_decisions(text: str, batch: list[Candidate]) -> dict[str, dict[str, Any]]:
    """PMID -> {decision, confidence} from one answer; items without a known PMID are matched
    to the batch by position."""
    value = extract_json(text)
    items = field_of(value, "results", "studies", "decisions") if isinstance(value, dict) else value
    if not isinstance(items, list):
        return {}
    pmids = [candidate.PMID for candidate in batch]
    found: dict[str, dict[str, Any]] = {}
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        decision = decision_from_value(field_of(item, "decision", "label", "include"))
        if decision is None:
            continue
        pmid = field_of(item, "PMID", "id", "study_pmid")
        pmid = str(pmid).strip() if pmid is not None else None
        if pmid not in pmids:
            pmid = pmids[position] if position < len(pmids) else None
        if pmid is None or pmid in found:
            continue
        found[pmid] = {
            "decision": decision,
            "confidence": parse_confidence(field_of(item, "confidence", "probability")),
        }
    return found
