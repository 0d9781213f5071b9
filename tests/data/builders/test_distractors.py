"""Distractor likeness: the TF-IDF cosine is scikit-learn's `TfidfVectorizer` weighting."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from trialscope.data.builders.describe import arms_text, criteria_text, masked
from trialscope.data.builders.distractors import tfidf_cosine, words
from trialscope.data.store import TrialStore


def sklearn_cosine(texts: list[str]) -> np.ndarray:
    matrix = TfidfVectorizer().fit_transform(texts)
    return (matrix[1:] @ matrix[0].T).toarray().ravel()


def test_cosine_matches_the_vectorizer_on_store_texts(synthetic_store: Path) -> None:
    with TrialStore(synthetic_store, read_only=True) as store:
        ids = [row.study_id for row in store.builder_study_index()[:200]]
        details = [masked(d) for d in store.builder_study_details(ids).values()]
    for render in (arms_text, criteria_text):
        texts = [render(d) for d in details]
        for start in range(0, len(texts) - 50, 50):
            group = texts[start : start + 50]
            assert np.allclose(tfidf_cosine(group), sklearn_cosine(group), atol=1e-12)


def test_cosine_matches_the_vectorizer_on_awkward_text() -> None:
    texts = [
        "Größe ≥ 18 Jahre; HbA1c 7–10 %; a I x",
        "größe GRÖSSE 18 18 18 jahre",
        "a b c",
        "",
        "HbA1c HbA1c hba1c (time frame: 24 weeks)",
    ]
    assert np.allclose(tfidf_cosine(texts), sklearn_cosine(texts), atol=1e-12)
    assert words("HbA1c, 7-10 %") == frozenset({"hba1c", "7", "10"})
