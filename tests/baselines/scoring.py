"""Test-side scores of baseline answers, computed from the raw records independently."""

from __future__ import annotations

import json

import bm25s
import numpy as np
from sklearn.metrics import balanced_accuracy_score

from trialscope.baselines.base import Baseline
from trialscope.tasks.base import Sample, Task


def answers(baseline: Baseline, task: Task, samples: list[Sample]) -> list[list[dict]]:
    """Every sample's answers, decoded from JSON (which also checks they are JSON)."""
    return [[json.loads(text) for text in baseline.answer(task, sample)] for sample in samples]


def search_recall(queries: list[str], samples: list[Sample], corpus: list[dict], k: int) -> float:
    """Mean recall@k of each query run through BM25 over the candidate corpus."""
    retriever = bm25s.BM25()
    texts = [f"{doc['title']} {doc['abstract']}" for doc in corpus]
    retriever.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)
    pmids = np.array([doc["PMID"] for doc in corpus])
    recalls = []
    for query, sample in zip(queries, samples, strict=True):
        tokens = bm25s.tokenize([query], stopwords="en", show_progress=False)
        if not tokens.vocab:
            recalls.append(0.0)
            continue
        hits, _ = retriever.retrieve(tokens, k=k, show_progress=False)
        found = set(pmids[hits[0]].tolist())
        relevant = set(sample.raw["labels"])
        recalls.append(len(found & relevant) / len(relevant))
    return float(np.mean(recalls))


def screening_accuracy(decoded: list[list[dict]], samples: list[Sample]) -> float:
    """Share of candidate studies decided right; a study left out counts as wrong."""
    right = total = 0
    for batches, sample in zip(decoded, samples, strict=True):
        decided = {row["PMID"]: row["decision"] for batch in batches for row in batch["results"]}
        for label in sample.raw["labels"]:
            total += 1
            right += decided.get(label["PMID"]) == label["label"]
    return right / total


def completion_scores(decoded: list[list[dict]], samples: list[Sample]) -> tuple[float, float]:
    """Balanced accuracy of the outcome, and of the reason over truly terminated trials."""
    truth = [sample.raw["labels"]["outcome"] for sample in samples]
    predicted = [answer[0]["outcome"] for answer in decoded]
    terminated = [i for i, outcome in enumerate(truth) if outcome == "terminate"]
    reasons = [samples[i].raw["labels"]["terminate_type"] for i in terminated]
    predicted_reasons = [str(decoded[i][0]["termination_reason"]) for i in terminated]
    return (
        float(balanced_accuracy_score(truth, predicted)),
        float(balanced_accuracy_score(reasons, predicted_reasons)),
    )


def choice_accuracy(decoded: list[list[dict]], samples: list[Sample]) -> float:
    """Share of questions answered with the right letter."""
    right = [
        a[0]["answer_choice"] == s.raw["answer"] for a, s in zip(decoded, samples, strict=True)
    ]
    return float(np.mean(right))


def sample_size_within(decoded: list[list[dict]], samples: list[Sample]) -> float:
    """Share of estimates within 20% of the true sample size."""
    within = [
        abs(a[0]["sample_size_needed"] - s.raw["answer"]) <= 0.2 * s.raw["answer"]
        for a, s in zip(decoded, samples, strict=True)
    ]
    return float(np.mean(within))
