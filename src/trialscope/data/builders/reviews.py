"""Items cut from systematic reviews: study search, study screening and evidence summary."""

from __future__ import annotations

import re
from collections.abc import Container, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from trialscope.data.builders.options import BuildOptions
from trialscope.data.builders.split import balanced_letters, split_keys

if TYPE_CHECKING:  # data/default.py reads SCREENING_FOLDER on every run: no store import here
    from trialscope.data.store_queries import PublicationRow, ReviewRow

SEARCH_FOLDER = "study_search"
SCREENING_FOLDER = "study_screening"
EVIDENCE_FOLDER = "evidence_summary"
"""The task folders these builders write (named as in the released TrialPanorama data)."""
REVIEW_FOLDERS = (SEARCH_FOLDER, SCREENING_FOLDER, EVIDENCE_FOLDER)

_WORD = re.compile(r"[a-z0-9]+")
_ABSTRACT_CHARS = 700


def review_inputs(review: ReviewRow) -> dict[str, str]:
    """The review sections a search or screening item shows (keys as in the released data)."""
    return {
        "background": review.background or "",
        "objectives": review.objectives or "",
        "selection criteria": review.selection_criteria or "",
    }


def split_reviews(
    reviews: list[ReviewRow],
    options: BuildOptions,
    sizes: tuple[int, int],
    rng: np.random.Generator,
) -> tuple[list[ReviewRow], list[ReviewRow]]:
    """(train, test) reviews, split by search date under a time split."""
    by_id = {review.review_id: review for review in reviews}
    keyed = [(review.review_id, review.search_date) for review in reviews]
    train, test = split_keys(keyed, options, sizes, rng)
    return [by_id[i] for i in train], [by_id[i] for i in test]


def search_record(review: ReviewRow, corpus: Container[str]) -> dict[str, Any] | None:
    """A search item: the review's included studies that the corpus holds are the targets."""
    labels = [pmid for pmid in review.included if pmid in corpus]
    if not labels:
        return None
    return {
        "inputs": review_inputs(review),
        "labels": labels,
        "metadata": {"review_pmid": review.pmid or review.review_id},
    }


def screening_record(
    review: ReviewRow,
    publications: dict[str, PublicationRow],
    max_candidates: int,
    rng: np.random.Generator,
) -> dict[str, Any] | None:
    """A screening item: included and excluded candidates, capped and shuffled."""
    included = [p for p in review.included if p in publications]
    excluded = [p for p in review.excluded if p in publications]
    if not included or not excluded:
        return None
    total = len(included) + len(excluded)
    if total > max_candidates:
        keep_in = min(len(included), max(1, round(max_candidates * len(included) / total)))
        keep_ex = min(len(excluded), max_candidates - keep_in)
        included = [included[i] for i in sorted(rng.permutation(len(included))[:keep_in])]
        excluded = [excluded[i] for i in sorted(rng.permutation(len(excluded))[:keep_ex])]
    labelled = [(p, "included") for p in included] + [(p, "excluded") for p in excluded]
    labelled = [labelled[i] for i in rng.permutation(len(labelled))]
    return {
        "inputs": review_inputs(review),
        "context": [
            {
                "PMID": pmid,
                "title": publications[pmid].title or "",
                "abstract": publications[pmid].abstract or "",
            }
            for pmid, _ in labelled
        ],
        "labels": [{"PMID": pmid, "label": label} for pmid, label in labelled],
        "metadata": {"PMID": review.pmid or review.review_id},
    }


def _words(text: str | None) -> set[str]:
    # Content words only, so "versus placebo for ... in adults" does not make reviews look alike.
    return {w for w in _WORD.findall((text or "").lower()) if len(w) > 3 or w.isdigit()}


def _topic(review: ReviewRow) -> set[str]:
    return _words(f"{review.title} {review.objectives}")


def evidence_records(
    reviews: list[ReviewRow],
    pool: list[ReviewRow],
    publications: dict[str, PublicationRow],
    options: BuildOptions,
    rng: np.random.Generator,
) -> list[dict[str, Any]]:
    """Evidence summary items; distractors are conclusions of the most similar other reviews."""
    usable = [r for r in reviews if r.conclusion and any(p in publications for p in r.included)]
    letters = balanced_letters(len(usable), options.n_options, rng)
    topics = _Topics([other for other in pool if other.conclusion])
    items = []
    for review, letter in zip(usable, letters, strict=True):
        item = _evidence_item(review, letter, topics, publications, options)
        if item is not None:
            items.append(item)
    return items


class _Topics:
    """The topic words of a pool of reviews, as a sparse matrix, for Jaccard likeness to one review
    against every review at once (a pool of 23,000 reviews is 500 items x 23,000 set operations
    otherwise)."""

    def __init__(self, pool: list[ReviewRow]) -> None:
        # imported here: data/default.py imports this module on every run, without building
        from scipy.sparse import csr_matrix

        self.pool = pool
        vocabulary: dict[str, int] = {}
        rows: list[int] = []
        columns: list[int] = []
        for row, other in enumerate(pool):
            words = _topic(other)
            rows += [row] * len(words)
            columns += [vocabulary.setdefault(word, len(vocabulary)) for word in words]
        self.vocabulary = vocabulary
        self.matrix = csr_matrix(
            (np.ones(len(rows), dtype=np.int64), (rows, columns)),
            shape=(len(pool), len(vocabulary) + 1),
        )
        self.sizes = np.diff(self.matrix.indptr)
        # Ties are broken by review id: its rank among the pool's ids.
        self.id_rank = np.empty(len(pool), dtype=np.int64)
        self.id_rank[sorted(range(len(pool)), key=lambda i: pool[i].review_id)] = np.arange(
            len(pool)
        )

    def most_alike(self, review: ReviewRow) -> Iterator[ReviewRow]:
        """The other reviews of the pool, most alike in topic words (Jaccard) first."""
        own = _topic(review)
        asked = np.zeros(self.matrix.shape[1], dtype=np.int64)
        asked[[self.vocabulary[w] for w in own if w in self.vocabulary]] = 1
        shared = self.matrix @ asked
        score = -shared / np.maximum(1, len(own) + self.sizes - shared)
        for i in np.lexsort((self.id_rank, score)):
            other = self.pool[i]
            if other.review_id != review.review_id:
                yield other


def _evidence_item(
    review: ReviewRow,
    letter: str,
    topics: _Topics,
    publications: dict[str, PublicationRow],
    options: BuildOptions,
) -> dict[str, Any] | None:
    correct = (review.conclusion or "").strip()
    # The most similar reviews first; ties keep review-id order, so the choice is stable.
    texts = [correct]
    for other in topics.most_alike(review):
        text = (other.conclusion or "").strip()
        if text and text not in texts:
            texts.append(text)
        if len(texts) == options.n_options:
            break
    if len(texts) < options.n_options:
        return None
    letters = [chr(ord("A") + i) for i in range(options.n_options)]
    at = letters.index(letter)
    ordered = [*texts[1 : at + 1], correct, *texts[at + 1 :]]
    studies = [publications[p] for p in review.included if p in publications]
    studies = studies[: options.evidence_max_studies]
    listing = "\n".join(
        f"{n}. {pub.title or ''}: {(pub.abstract or '')[:_ABSTRACT_CHARS]}"
        for n, pub in enumerate(studies, start=1)
    )
    question = (
        f"Systematic review: {review.title or ''}\nObjectives: {review.objectives or ''}\n\n"
        f"Included studies:\n{listing}\n\n"
        "Which of the following is the most accurate summary of the evidence from these studies?"
    )
    return {
        "id": review.review_id,
        "question": question,
        "options": dict(zip(letters, ordered, strict=True)),
        "answer": letter,
    }
