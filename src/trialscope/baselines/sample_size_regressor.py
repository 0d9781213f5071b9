"""Sample size by nearest-neighbour regression over train questions (k tuned leave-one-out)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer

from trialscope.baselines.answer_text import sample_size_answer
from trialscope.baselines.record_text import question_text, sample_size_label
from trialscope.baselines.text_vectors import make_tfidf
from trialscope.tasks.base import Sample, Task

K_CHOICES = (1, 3, 5, 10, 20, 40)
TUNING_QUERIES = 2000
CHUNK_ROWS = 256
TOLERANCE = 0.2


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The value at which the cumulative weight first reaches half the total."""
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    index = int(np.searchsorted(cumulative, cumulative[-1] / 2.0))
    return float(values[order][min(index, len(values) - 1)])


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


@dataclass
class SampleSizeRegressor:
    """Similarity-weighted median (in log space) of the k most similar train trials' sizes."""

    vectorizer: TfidfVectorizer = field(default_factory=lambda: make_tfidf(ngram_max=2))
    k: int = 5
    train_matrix: csr_matrix | None = None
    log_sizes: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def _estimate(self, index: np.ndarray, similarity: np.ndarray, k: int) -> np.ndarray:
        estimates = [
            weighted_median(self.log_sizes[row[:k]], np.maximum(sim[:k], 0.0) + 1e-6)
            for row, sim in zip(index, similarity, strict=True)
        ]
        return np.exp(np.array(estimates))

    def fit(self, train: list[Sample]) -> SampleSizeRegressor:
        """Index the train questions and choose k by leave-one-out accuracy within 20%."""
        sizes = np.array([max(sample_size_label(sample), 1) for sample in train], dtype=np.float64)
        self.log_sizes = np.log(sizes)
        self.train_matrix = csr_matrix(
            self.vectorizer.fit_transform(question_text(sample) for sample in train)
        )
        if len(train) < 3:
            self.k = 1
            return self
        n_queries = min(len(train), TUNING_QUERIES)
        index, similarity = neighbours(
            self.train_matrix[:n_queries], self.train_matrix, max(K_CHOICES), exclude_offset=0
        )
        truth = sizes[:n_queries]
        best: tuple[float, float] | None = None
        for k in K_CHOICES:
            if k > index.shape[1]:
                break
            estimate = np.round(self._estimate(index, similarity, k))
            within = float(np.mean(np.abs(estimate - truth) <= TOLERANCE * truth))
            key = (within, -float(np.median(np.abs(estimate - truth))))
            if best is None or key > best:
                best, self.k = key, k
        return self

    def predict(self, sample: Sample) -> tuple[int, list[int]]:
        """The estimate and the neighbours' sizes it came from."""
        if self.train_matrix is None:
            raise RuntimeError("SampleSizeRegressor.predict() called before fit()")
        query = csr_matrix(self.vectorizer.transform([question_text(sample)]))
        index, similarity = neighbours(query, self.train_matrix, self.k)
        estimate = round(float(self._estimate(index, similarity, self.k)[0]))
        return estimate, [round(float(np.exp(self.log_sizes[i]))) for i in index[0]]

    def answer(self, task: Task, sample: Sample) -> list[str]:
        """The sample-size answer for one question."""
        estimate, sizes = self.predict(sample)
        thinking = (
            f"The {len(sizes)} most similar training trials enrolled {sizes}; "
            f"their similarity-weighted median is {estimate}."
        )
        return [sample_size_answer(estimate, thinking)]
