"""Option likeness: scikit-learn's `TfidfVectorizer` cosine and plain word-set overlap."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from trialscope.data.builders.describe import arms_text, criteria_text, masked, outcomes_text
from trialscope.data.builders.likeness import likeness
from trialscope.data.store import TrialStore


def expected(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    matrix = TfidfVectorizer().fit_transform(texts)
    cosine = (matrix[1:] @ matrix[0].T).toarray().ravel()
    words = [set(re.findall(r"[a-z0-9]+", text.lower())) for text in texts]
    overlap = [len(words[0] & w) / len(w) if w else 0.0 for w in words[1:]]
    return cosine, np.array(overlap)


def assert_matches(texts: list[str]) -> None:
    cosine, overlap = likeness(texts)
    want_cosine, want_overlap = expected(texts)
    assert np.allclose(cosine, want_cosine, rtol=0, atol=1e-12)
    assert np.allclose(overlap, want_overlap, rtol=0, atol=1e-12)


def test_likeness_matches_the_reference_on_store_texts(synthetic_store: Path) -> None:
    with TrialStore(synthetic_store, read_only=True) as store:
        ids = [row.study_id for row in store.builder_study_index()[:300]]
        details = [masked(d) for d in store.builder_study_details(ids).values()]
    for render in (arms_text, criteria_text, outcomes_text):
        texts = [render(d) for d in details]
        for start in range(0, len(texts) - 60, 60):
            assert_matches(texts[start : start + 60])


def test_likeness_matches_the_reference_on_awkward_text() -> None:
    assert_matches(
        [
            "Größe ≥ 18 Jahre; HbA1c 7–10 %; a I x\nΣΟΦΟΣ ΟΔΟΣ",
            "größe GRÖSSE 18 18 18 jahre;;\n\n",
            "a b c",
            "",
            "HbA1c HbA1c hba1c (time frame: 24 weeks); ΟΔΟΣ",
            "snake_case_word under_score",
        ]
    )


def test_results_do_not_depend_on_the_order_terms_were_first_seen_in() -> None:
    from trialscope.data.builders import likeness as module

    rng = np.random.default_rng(3)
    vocabulary = [f"w{i}x" for i in range(400)]
    texts = ["\n".join(" ".join(rng.choice(vocabulary, 12)) for _ in range(15)) for _ in range(40)]
    results = []
    for warm_up in (texts, [" ".join(reversed(t.split())) for t in reversed(texts)]):
        module._VOCABULARY.clear()
        module._part.cache_clear()
        module._text.cache_clear()
        likeness(warm_up)
        cosine, overlap = likeness(texts)
        results.append(cosine.tobytes() + overlap.tobytes())
    assert results[0] == results[1]
