"""Trial completion and termination reason by logistic regression on design and text features."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score

from trialscope.baselines.answer_text import completion_answer
from trialscope.baselines.record_text import completion_design, completion_label, completion_text
from trialscope.baselines.text_vectors import make_tfidf
from trialscope.errors import InputError
from trialscope.tasks.base import Sample, Task

CALIBRATION_FOLDS = 3


@dataclass
class TrialFeatures:
    """One-hot design fields, scaled numbers and TF-IDF of title, criteria and arms."""

    design: DictVectorizer = field(default_factory=lambda: DictVectorizer(sparse=True))
    text: TfidfVectorizer = field(default_factory=lambda: make_tfidf(max_features=20_000))

    def fit(self, samples: list[Sample]) -> TrialFeatures:
        self.design.fit([completion_design(sample) for sample in samples])
        self.text.fit([completion_text(sample) for sample in samples])
        return self

    def transform(self, samples: list[Sample]) -> csr_matrix:
        design = self.design.transform([completion_design(sample) for sample in samples])
        text = self.text.transform([completion_text(sample) for sample in samples])
        return csr_matrix(hstack([design, text]).tocsr())


C_GRID = (0.03, 0.1, 0.3, 1.0)
MAX_FOLDS = 3


def _classifier(c: float = 1.0) -> LogisticRegression:
    # Balanced class weights because the headline metrics are balanced accuracies.
    return LogisticRegression(C=c, max_iter=2000, class_weight="balanced")


def choose_c(x: csr_matrix, y: list[str]) -> float:
    """The regularisation strength with the best cross-validated balanced accuracy on train."""
    folds = min(MAX_FOLDS, *Counter(y).values())
    if folds < 2:
        return 1.0
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    scores = [
        float(
            np.mean(cross_val_score(_classifier(c), x, y, cv=splitter, scoring="balanced_accuracy"))
        )
        for c in C_GRID
    ]
    return C_GRID[int(np.argmax(scores))]


@dataclass
class LabelModel:
    """Balanced classifier for decisions; a calibrated one (data allowing) for confidence."""

    decide: LogisticRegression | None = None
    calibrated: CalibratedClassifierCV | None = None
    constant: str | None = None

    def fit(self, x: csr_matrix, y: list[str]) -> LabelModel:
        counts = Counter(y)
        if len(counts) < 2:
            self.constant = y[0] if y else None
            return self
        c = choose_c(x, y)
        self.decide = _classifier(c).fit(x, y)
        if min(counts.values()) >= CALIBRATION_FOLDS:
            self.calibrated = CalibratedClassifierCV(
                _classifier(c), method="sigmoid", cv=CALIBRATION_FOLDS
            ).fit(x, y)
        return self

    def predict(self, x: csr_matrix) -> tuple[str | None, float]:
        """The decided label for one row and the calibrated probability that it is right."""
        if self.decide is None:
            return self.constant, 1.0
        label = str(self.decide.predict(x)[0])
        source = self.calibrated if self.calibrated is not None else self.decide
        classes = [str(item) for item in source.classes_]
        return label, float(source.predict_proba(x)[0][classes.index(label)])


@dataclass
class CompletionClassifier:
    """Outcome from all train trials; termination reason from the terminated ones."""

    features: TrialFeatures = field(default_factory=TrialFeatures)
    outcome: LabelModel = field(default_factory=LabelModel)
    reason: LabelModel = field(default_factory=LabelModel)

    def fit(self, train: list[Sample]) -> CompletionClassifier:
        """Fit the featuriser and both classifiers."""
        labels = [completion_label(sample) for sample in train]
        x = self.features.fit(train).transform(train)
        self.outcome.fit(x, [outcome for outcome, _ in labels])
        terminated = [index for index, (_, reason) in enumerate(labels) if reason is not None]
        self.reason.fit(x[terminated], [str(labels[index][1]) for index in terminated])
        return self

    def answer(self, task: Task, sample: Sample) -> list[str]:
        """The completion answer for one trial."""
        x = self.features.transform([sample])
        outcome, confidence = self.outcome.predict(x)
        if outcome is None:
            raise InputError("the completion train split has no labelled trials")
        reason: str | None = None
        explanation = f"Logistic regression on design and text features: {outcome}."
        if outcome == "terminate":
            reason, reason_confidence = self.reason.predict(x)
            if reason is not None:
                explanation += f" Most likely reason: {reason} ({reason_confidence:.0%})."
        return [completion_answer(outcome, confidence, reason, explanation)]
