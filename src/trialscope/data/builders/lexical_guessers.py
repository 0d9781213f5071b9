"""Guessers that answer a multiple-choice item by words alone: the adversarial check of the design
QA builders (tests and bench/bench_real_data.py).

Each picks the option most alike the question (by the share of the option's words found in the
question, or by TF-IDF cosine), or the least alike (which would find answers among distractors
chosen too alike). On a fair item none does much better than chance.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

_WORD = re.compile(r"[a-z0-9]+")


def _overlaps(item: dict[str, Any]) -> tuple[list[str], list[float]]:
    asked = set(_WORD.findall(item["question"].lower()))
    letters = sorted(item["options"])
    scores = []
    for letter in letters:
        words = set(_WORD.findall(item["options"][letter].lower()))
        scores.append(len(asked & words) / (len(words) or 1))
    return letters, scores


def _cosines(item: dict[str, Any]) -> tuple[list[str], list[float]]:
    letters = sorted(item["options"])
    texts = [item["question"], *(item["options"][k] for k in letters)]
    matrix = TfidfVectorizer().fit_transform(texts)
    return letters, list((matrix[1:] @ matrix[0].T).toarray().ravel())


def word_overlap_choice(item: dict[str, Any]) -> str:
    """The letter whose option shares the largest share of its words with the question."""
    letters, scores = _overlaps(item)
    return letters[int(np.argmax(scores))]


def tfidf_choice(item: dict[str, Any]) -> str:
    """The letter whose option has the highest TF-IDF cosine with the question."""
    letters, scores = _cosines(item)
    return letters[int(np.argmax(scores))]


def least_overlap_choice(item: dict[str, Any]) -> str:
    """The letter whose option shares the smallest share of its words with the question."""
    letters, scores = _overlaps(item)
    return letters[int(np.argmin(scores))]


def least_tfidf_choice(item: dict[str, Any]) -> str:
    """The letter whose option has the lowest TF-IDF cosine with the question (the guesser that
    exploits distractors chosen too alike)."""
    letters, scores = _cosines(item)
    return letters[int(np.argmin(scores))]


GUESSERS = {
    "word overlap": word_overlap_choice,
    "TF-IDF": tfidf_choice,
    "least word overlap": least_overlap_choice,
    "least TF-IDF": least_tfidf_choice,
}


def hit_rate(items: list[dict[str, Any]], guesser: Callable[[dict[str, Any]], str]) -> float:
    """Share of items the guesser answers right."""
    return sum(guesser(item) == item["answer"] for item in items) / len(items)
