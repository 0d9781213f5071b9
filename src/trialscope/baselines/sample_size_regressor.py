"""Sample size from train questions: log-linear ridge regression or nearest neighbours.

Both methods read the question's words and numbers (phase, condition, arms, design); the one with
the better cross-validated accuracy within 20% on train answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, cross_val_predict

from trialscope.baselines.answer_text import sample_size_answer
from trialscope.baselines.record_text import question_text, sample_size_label
from trialscope.baselines.text_vectors import WORD_OR_NUMBER_PATTERN, make_tfidf
from trialscope.tasks.base import Sample, Task

K_CHOICES = (1, 3, 5, 10, 20, 40)
ALPHAS = (0.3, 1.0, 3.0, 10.0, 30.0)
TUNING_QUERIES = 2000
CHUNK_ROWS = 256
TOLERANCE = 0.2
MIN_TRAIN_FOR_RIDGE = 10


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The value at which the cumulative weight first reaches half the total."""
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    index = int(np.searchsorted(cumulative, cumulative[-1] / 2.0))
    return float(values[order][min(index, len(values) - 1)])


def within_tolerance(estimate: np.ndarray, truth: np.ndarray) -> float:
    """Share of rounded estimates within 20% of the truth."""
    return float(np.mean(np.abs(np.round(estimate) - truth) <= TOLERANCE * truth))


def neighbours(
    queries: csr_matrix, train: csr_matrix, k: int, exclude_offset: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Indices and cosine similarities of each query's k nearest train rows, nearest first.

    With `exclude_offset`, query row i is train row `exclude_offset + i` and is skipped
    (leave-one-out).
    """
    k = min(k, train.shape[0] - (1 if exclude_offset is not None else 0))
    all_index, all_similarity = [], []
    for start in range(0, queries.shape[0], CHUNK_ROWS):
        block = np.asarray((queries[start : start + CHUNK_ROWS] @ train.T).todense())
        if exclude_offset is not None:
            rows = np.arange(block.shape[0])
            block[rows, exclude_offset + start + rows] = -np.inf
        top = np.argpartition(-block, k - 1, axis=1)[:, :k]
        top_similarity = np.take_along_axis(block, top, axis=1)
        # Ties broken by train index so results do not depend on the partition algorithm.
        order = np.lexsort((top, -top_similarity), axis=1)
        all_index.append(np.take_along_axis(top, order, axis=1))
        all_similarity.append(np.take_along_axis(top_similarity, order, axis=1))
    return np.vstack(all_index), np.vstack(all_similarity)


def presence_vectorizer() -> CountVectorizer:
    """0/1 word and bigram presence: additive effects in log size stay additive (no row norm)."""
    return CountVectorizer(
        stop_words="english",
        token_pattern=WORD_OR_NUMBER_PATTERN,
        ngram_range=(1, 2),
        binary=True,
        min_df=2,
        dtype=np.float64,
    )


def _ridge(alpha: float) -> Ridge:
    # sparse_cg never forms a dense Gram or covariance matrix, so large train splits fit in memory.
    return Ridge(alpha=alpha, solver="sparse_cg", tol=1e-6)


@dataclass
class SampleSizeRegressor:
    """Predicts log sample size by ridge regression or a k-nearest-neighbour weighted median."""

    vectorizer: TfidfVectorizer = field(
        default_factory=lambda: make_tfidf(ngram_max=2, keep_numbers=True)
    )
    presence: CountVectorizer = field(default_factory=presence_vectorizer)
    k: int = 5
    method: str = "neighbours"
    ridge: Ridge | None = None
    train_matrix: csr_matrix | None = None
    log_sizes: np.ndarray = field(default_factory=lambda: np.zeros(0))
    validation: dict[str, float] = field(default_factory=dict)

    def _median_of(self, index: np.ndarray, similarity: np.ndarray, k: int) -> np.ndarray:
        estimates = [
            weighted_median(self.log_sizes[row[:k]], np.maximum(sim[:k], 0.0) + 1e-6)
            for row, sim in zip(index, similarity, strict=True)
        ]
        return np.exp(np.array(estimates))

    def _tune_neighbours(self, matrix: csr_matrix, sizes: np.ndarray) -> float:
        n_queries = min(len(sizes), TUNING_QUERIES)
        index, similarity = neighbours(matrix[:n_queries], matrix, max(K_CHOICES), exclude_offset=0)
        truth = sizes[:n_queries]
        best: tuple[float, float] | None = None
        for k in K_CHOICES:
            if k > index.shape[1]:
                break
            estimate = self._median_of(index, similarity, k)
            key = (within_tolerance(estimate, truth), -float(np.median(np.abs(estimate - truth))))
            if best is None or key > best:
                best, self.k = key, k
        return best[0] if best else 0.0

    def _tune_ridge(self, matrix: csr_matrix, sizes: np.ndarray) -> float:
        """Choose alpha by 5-fold squared error in log space; fit; return its CV accuracy."""
        folds = KFold(n_splits=5, shuffle=True, random_state=0)
        best: tuple[float, float, float] | None = None
        for alpha in ALPHAS:
            predicted = cross_val_predict(_ridge(alpha), matrix, self.log_sizes, cv=folds)
            error = float(np.mean((predicted - self.log_sizes) ** 2))
            if best is None or error < best[0]:
                best = (error, alpha, within_tolerance(np.exp(predicted), sizes))
        assert best is not None
        self.ridge = _ridge(best[1]).fit(matrix, self.log_sizes)
        return best[2]

    def fit(self, train: list[Sample]) -> SampleSizeRegressor:
        """Fit both methods on train and keep the one that validates better."""
        sizes = np.array([max(sample_size_label(sample), 1) for sample in train], dtype=np.float64)
        self.log_sizes = np.log(sizes)
        matrix = csr_matrix(self.vectorizer.fit_transform(question_text(s) for s in train))
        self.train_matrix = matrix
        if len(train) < 3:
            self.k, self.method = 1, "neighbours"
            return self
        self.validation["neighbours"] = self._tune_neighbours(matrix, sizes)
        if len(train) >= MIN_TRAIN_FOR_RIDGE:
            try:
                presence = self.presence.fit_transform(question_text(s) for s in train)
            except ValueError:  # no word occurs twice: nothing for a regression to share
                presence = None
            if presence is not None:
                self.validation["ridge"] = self._tune_ridge(csr_matrix(presence), sizes)
        self.method = max(self.validation, key=lambda name: (self.validation[name], name))
        return self

    def predict(self, sample: Sample) -> tuple[int, str]:
        """The estimate and how it was reached."""
        if self.train_matrix is None:
            raise RuntimeError("SampleSizeRegressor.predict() called before fit()")
        text = question_text(sample)
        if self.method == "ridge" and self.ridge is not None:
            presence = csr_matrix(self.presence.transform([text]))
            estimate = round(float(np.exp(self.ridge.predict(presence)[0])))
            how = "a log-linear ridge regression over the description's words and numbers"
            return max(estimate, 1), how
        query = csr_matrix(self.vectorizer.transform([text]))
        index, similarity = neighbours(query, self.train_matrix, self.k)
        estimate = round(float(self._median_of(index, similarity, self.k)[0]))
        sizes = [round(float(np.exp(self.log_sizes[i]))) for i in index[0]]
        return estimate, f"the weighted median of the {len(sizes)} most similar trials {sizes}"

    def answer(self, task: Task, sample: Sample) -> list[str]:
        """The sample-size answer for one question."""
        estimate, how = self.predict(sample)
        thinking = f"Estimated from training trials by {how}: {estimate} participants."
        return [sample_size_answer(estimate, thinking)]
