"""Guessers that answer a multiple-choice item by words alone, never by reading the design.

Each picks the option most alike the question: by the share of the option's words found in the
question, or by TF-IDF cosine. On a fair item they do little better than chance.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

_WORD = re.compile(r"[a-z0-9]+")


def word_overlap_choice(item: dict[str, Any]) -> str:
    """The letter whose option shares the largest share of its words with the question."""
    asked = set(_WORD.findall(item["question"].lower()))
    letters = sorted(item["options"])
    scores = []
    for letter in letters:
        words = set(_WORD.findall(item["options"][letter].lower()))
        scores.append(len(asked & words) / (len(words) or 1))
    return letters[int(np.argmax(scores))]


def tfidf_choice(item: dict[str, Any]) -> str:
    """The letter whose option has the highest TF-IDF cosine with the question."""
    letters = sorted(item["options"])
    texts = [item["question"], *(item["options"][k] for k in letters)]
    matrix = TfidfVectorizer().fit_transform(texts)
    return letters[int(np.argmax((matrix[1:] @ matrix[0].T).toarray().ravel()))]


def hit_rate(items: list[dict[str, Any]], guesser: Any) -> float:
    """Share of items the guesser answers right."""
    return sum(guesser(item) == item["answer"] for item in items) / len(items)
