"""Screening by lexical similarity of each study to the review, with a threshold tuned on train."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from trialscope.baselines.answer_text import ScreeningDecision, screening_answer
from trialscope.baselines.record_text import (
    review_focus_text,
    review_full_text,
    screening_candidates,
    screening_labels,
)
from trialscope.baselines.screening_batches import request_batches
from trialscope.baselines.text_vectors import make_tfidf, rank_fraction, standardise
from trialscope.errors import InputError
from trialscope.tasks.base import Sample, Task


def tune_threshold(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """The cut on P(included) with the best train accuracy (ties: best F1, then nearest 0.5)."""
    best: tuple[float, float, float] | None = None
    best_cut = 0.5
    for cut in np.unique(np.concatenate([probabilities, [0.5, 1.0 + 1e-9]])):
        predicted = probabilities >= cut
        accuracy = float(np.mean(predicted == labels))
        true_positive = float(np.sum(predicted & labels))
        f1 = 2 * true_positive / max(float(predicted.sum() + labels.sum()), 1.0)
        key = (accuracy, f1, -abs(float(cut) - 0.5))
        if best is None or key > best:
            best, best_cut = key, float(cut)
    return best_cut


@dataclass
class LexicalScreening:
    """Logistic regression on review-study TF-IDF similarities (raw, z-scored and ranked)."""

    vectorizer: TfidfVectorizer = field(default_factory=make_tfidf)
    model: LogisticRegression | None = None
    threshold: float = 0.5
    constant: bool | None = None

    def features(self, sample: Sample) -> tuple[list[str], np.ndarray]:
        """Candidate PMIDs and one feature row per candidate."""
        candidates = screening_candidates(sample)
        if not candidates:
            return [], np.zeros((0, 5))
        studies = self.vectorizer.transform([candidate.text for candidate in candidates])
        reviews = self.vectorizer.transform([review_focus_text(sample), review_full_text(sample)])
        similarity = np.asarray((studies @ reviews.T).todense(), dtype=np.float64)
        focus = similarity[:, 0]
        rows = np.column_stack(
            [focus, similarity[:, 1], standardise(focus), rank_fraction(focus), focus - focus.max()]
        )
        return [candidate.pmid for candidate in candidates], rows

    def fit(self, train: list[Sample]) -> LexicalScreening:
        """Fit the vocabulary, the classifier and the decision threshold on train reviews."""
        texts = [review_full_text(sample) for sample in train]
        texts += [c.text for sample in train for c in screening_candidates(sample)]
        self.vectorizer.fit(texts)
        rows, labels = [], []
        for sample in train:
            pmids, features = self.features(sample)
            truth = screening_labels(sample)
            for pmid, row in zip(pmids, features, strict=True):
                if pmid in truth:
                    rows.append(row)
                    labels.append(truth[pmid])
        if not labels:
            raise InputError("the screening train split has no labelled candidate studies")
        y = np.array(labels, dtype=np.bool_)
        if y.all() or not y.any():
            self.constant = bool(y[0])
            return self
        x = np.vstack(rows)
        self.model = LogisticRegression(C=1.0, max_iter=1000).fit(x, y)
        self.threshold = tune_threshold(self.model.predict_proba(x)[:, 1], y)
        return self

    def decisions(self, sample: Sample) -> dict[str, ScreeningDecision]:
        """A decision for every candidate of the review."""
        pmids, rows = self.features(sample)
        if self.model is None or not pmids:
            included = bool(self.constant)
            return {pmid: ScreeningDecision(pmid, included, 1.0) for pmid in pmids}
        probability = self.model.predict_proba(rows)[:, 1]
        decisions = {}
        for pmid, p in zip(pmids, probability.tolist(), strict=True):
            included = p >= self.threshold
            decisions[pmid] = ScreeningDecision(pmid, included, p if included else 1.0 - p)
        return decisions

    def answer(self, task: Task, sample: Sample) -> list[str]:
        """One screening answer per request batch."""
        decisions = self.decisions(sample)
        answers = []
        for batch in request_batches(task, sample):
            missing = [pmid for pmid in batch if pmid not in decisions]
            if missing:
                raise ValueError(f"sample {sample.sample_id}: batch PMIDs {missing} not in context")
            answers.append(screening_answer(decisions[pmid] for pmid in batch))
        return answers
