"""Search queries from a review's key terms, weighted by how rare they are among train reviews."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sklearn.feature_extraction.text import CountVectorizer

from trialscope.baselines.answer_text import search_answer
from trialscope.baselines.record_text import review_focus_text, review_full_text
from trialscope.baselines.text_vectors import WORD_PATTERN
from trialscope.tasks.base import Sample, Task

QUERY_TERMS = 12
BOILERPLATE_SHARE = 0.5
"""Terms in more than this share of train reviews ("randomised", "trials") say nothing specific."""
MIN_REVIEWS_FOR_BOILERPLATE = 10


def word_analyzer() -> Callable[[str], list[str]]:
    """Lower-cased words without English stop words, as the lexical methods tokenise."""
    analyzer = CountVectorizer(stop_words="english", token_pattern=WORD_PATTERN).build_analyzer()
    return analyzer


@dataclass
class KeyTermQuery:
    """Builds an OR query of a review's highest TF-IDF terms (objectives, selection criteria)."""

    n_terms: int = QUERY_TERMS
    n_reviews: int = 0
    document_frequency: Counter[str] = field(default_factory=Counter)
    boilerplate: frozenset[str] = frozenset()

    def fit(self, train: list[Sample]) -> KeyTermQuery:
        """Count in how many train reviews each term appears."""
        analyze = word_analyzer()
        self.n_reviews = len(train)
        self.document_frequency = Counter()
        for sample in train:
            self.document_frequency.update(set(analyze(review_full_text(sample))))
        if self.n_reviews >= MIN_REVIEWS_FOR_BOILERPLATE:
            limit = BOILERPLATE_SHARE * self.n_reviews
            self.boilerplate = frozenset(
                term for term, count in self.document_frequency.items() if count > limit
            )
        return self

    def weights(self, sample: Sample) -> dict[str, float]:
        """TF-IDF weight of each non-boilerplate term of the review's focus sections.

        Falls back to every section when the focus sections hold no usable term.
        """
        weights = self._weights(review_focus_text(sample))
        return weights or self._weights(review_full_text(sample))

    def _weights(self, text: str) -> dict[str, float]:
        counts = Counter(word_analyzer()(text))
        return {
            term: (1.0 + math.log(count))
            * (math.log((self.n_reviews + 1) / (self.document_frequency[term] + 1)) + 1.0)
            for term, count in counts.items()
            if term not in self.boilerplate and len(term) > 2
        }

    def query(self, sample: Sample) -> str:
        """The review's top terms joined by OR (an OR query suits both BM25 and PubMed)."""
        weights = self.weights(sample)
        ranked = sorted(weights, key=lambda term: (-weights[term], term))
        return " OR ".join(ranked[: self.n_terms])

    def answer(self, task: Task, sample: Sample) -> list[str]:
        """The search answer for one review."""
        return [search_answer(self.query(sample))]
