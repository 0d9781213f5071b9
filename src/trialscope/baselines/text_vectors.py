"""TF-IDF text vectors and within-group feature scalings shared by the lexical methods."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

WORD_PATTERN = r"(?u)\b[^\W\d_][\w\-]+\b"
"""Words of two or more characters starting with a letter (numbers carry little lexical signal)."""

WORD_OR_NUMBER_PATTERN = r"(?u)\b\w[\w\-]*\b"
"""Any word or number, single characters included ("Phase 3", "2 arms" keep their numbers)."""


def make_tfidf(
    ngram_max: int = 1, max_features: int | None = 50_000, keep_numbers: bool = False
) -> TfidfVectorizer:
    """A TF-IDF vectoriser with English stop words removed, sublinear term frequency, l2 norm."""
    return TfidfVectorizer(
        lowercase=True,
        stop_words="english",
        token_pattern=WORD_OR_NUMBER_PATTERN if keep_numbers else WORD_PATTERN,
        ngram_range=(1, ngram_max),
        sublinear_tf=True,
        max_features=max_features,
        dtype=np.float64,
    )


def standardise(values: np.ndarray) -> np.ndarray:
    """Z-scores within one group (zeros when the group has no spread)."""
    spread = float(values.std())
    if spread < 1e-12:
        return np.zeros_like(values)
    return (values - values.mean()) / spread


def rank_fraction(values: np.ndarray) -> np.ndarray:
    """Rank of each value within its group scaled to [0, 1] (1 = highest)."""
    if len(values) <= 1:
        return np.ones_like(values)
    order = np.argsort(np.argsort(values, kind="stable"), kind="stable")
    return order / (len(values) - 1)
