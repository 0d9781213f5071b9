"""Multiple choice by lexical similarity of each option to the question, ranked by a model."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from trialscope.baselines.answer_text import choice_answer
from trialscope.baselines.record_text import choice_label, choice_options, question_text
from trialscope.baselines.text_vectors import make_tfidf, rank_fraction, standardise
from trialscope.tasks.base import Sample, Task

MAX_POSITIONS = 8


def option_rows(questions: csr_matrix, options: csr_matrix, sizes: list[int]) -> np.ndarray:
    """Feature rows of every option; `questions` has one row per option (its question's).

    `sizes` gives how many consecutive option rows belong to each question; features relative
    to the other options (z-scores, ranks, position) are taken within those groups.
    """
    cosine = np.asarray(options.multiply(questions).sum(axis=1), dtype=np.float64).ravel()
    option_words = (options > 0).astype(np.float64)
    question_words = (questions > 0).astype(np.float64)
    n_words = np.asarray(option_words.sum(axis=1)).ravel()
    shared = np.asarray(option_words.multiply(question_words).sum(axis=1)).ravel()
    coverage = shared / np.maximum(n_words, 1.0)
    length = np.log1p(n_words)
    blocks = []
    start = 0
    for size in sizes:
        group = slice(start, start + size)
        start += size
        cos = cosine[group]
        position = np.zeros((size, MAX_POSITIONS))
        position[np.arange(size), np.minimum(np.arange(size), MAX_POSITIONS - 1)] = 1.0
        blocks.append(
            np.column_stack(
                [
                    cos,
                    standardise(cos),
                    rank_fraction(cos),
                    (cos >= cos.max()).astype(np.float64),
                    coverage[group],
                    standardise(coverage[group]),
                    standardise(length[group]),
                    position,
                ]
            )
        )
    return np.vstack(blocks)


@dataclass
class LexicalChoice:
    """Picks the option whose words best match the question's trial or review description.

    A logistic regression learned on train weighs TF-IDF cosine, word coverage (both raw and
    relative to the other options), option length and position; the answer is its top option.
    """

    vectorizer: TfidfVectorizer = field(default_factory=lambda: make_tfidf(ngram_max=2))
    model: LogisticRegression | None = None

    def features(self, sample: Sample) -> tuple[list[str], np.ndarray]:
        """Option letters and one feature row per option."""
        letters, rows = self._rows([sample])
        return letters[0], rows

    def _rows(self, samples: list[Sample]) -> tuple[list[list[str]], np.ndarray]:
        options = [choice_options(sample) for sample in samples]
        questions = self.vectorizer.transform([question_text(sample) for sample in samples])
        owner = [index for index, listed in enumerate(options) for _ in listed]
        matrix = self.vectorizer.transform([text for listed in options for _, text in listed])
        letters = [[letter for letter, _ in listed] for listed in options]
        rows = option_rows(questions[owner], matrix, [len(listed) for listed in options])
        return letters, rows

    def fit(self, train: list[Sample]) -> LexicalChoice:
        """Fit the vocabulary on train questions and options, then the option scorer."""
        texts = [question_text(sample) for sample in train]
        texts += [text for sample in train for _, text in choice_options(sample)]
        self.vectorizer.fit(texts)
        letters, rows = self._rows(train)
        labels = [
            letter == choice_label(sample)
            for sample, listed in zip(train, letters, strict=True)
            for letter in listed
        ]
        y = np.array(labels, dtype=np.bool_)
        if y.any() and not y.all():
            self.model = LogisticRegression(C=1.0, max_iter=1000).fit(rows, y)
        return self

    def scores(self, sample: Sample) -> tuple[list[str], np.ndarray]:
        """Option letters and their scores (higher = more likely correct)."""
        letters, rows = self.features(sample)
        if self.model is None:
            return letters, rows[:, 0]
        return letters, self.model.predict_proba(rows)[:, 1]

    def answer(self, task: Task, sample: Sample) -> list[str]:
        """The best-scoring option as a multiple-choice answer."""
        letters, scores = self.scores(sample)
        best = int(np.argmax(scores))
        pairs = zip(letters, scores, strict=True)
        listed = ", ".join(f"{letter} {score:.2f}" for letter, score in pairs)
        thinking = (
            f"Scored each option by its lexical match with the description ({listed}); "
            f"option {letters[best]} matches best."
        )
        return [choice_answer(letters[best], thinking)]
