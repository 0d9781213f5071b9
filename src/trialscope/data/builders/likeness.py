"""How alike option texts are to a question: TF-IDF cosine and word overlap, vectorised.

The TF-IDF weighting is scikit-learn's `TfidfVectorizer()` defaults (its token pattern,
lower-case, smoothed idf, raw counts, L2 norm); word overlap is the share of an option's
distinct [a-z0-9]+ words that the question also has. Both are computed over integer term ids
with NumPy. Texts are parsed by line and by '; '-separated part (neither pattern matches across
those separators), and each part is parsed once per process: registry texts repeat their lines
(criteria bullets, outcome measures, arm labels) far more than whole texts.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import numpy as np

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_WORD = re.compile(r"[a-z0-9]+")
_PARTS = re.compile(r"[\n;]")
_VOCABULARY: dict[str, int] = {}

Floats = np.ndarray[Any, np.dtype[np.float64]]
Ids = np.ndarray[Any, np.dtype[np.int64]]


def _ids(terms: list[str]) -> list[int]:
    vocabulary = _VOCABULARY
    return [vocabulary.setdefault(term, len(vocabulary)) for term in terms]


@lru_cache(maxsize=1 << 18)
def _part(part: str) -> tuple[Ids, Ids]:
    """(token ids, word ids) of one line or part, repeats kept."""
    lowered = part.lower()
    return (
        np.array(_ids(_TOKEN.findall(lowered)), dtype=np.int64),
        np.array(_ids(_WORD.findall(lowered)), dtype=np.int64),
    )


@lru_cache(maxsize=1 << 14)
def _text(text: str) -> tuple[tuple[Ids, Ids], ...]:
    """The parsed parts of a whole text."""
    return tuple(_part(part) for part in _PARTS.split(text))


def _stacked(parsed: list[tuple[tuple[Ids, Ids], ...]], which: int) -> tuple[Ids, Ids]:
    """(text number, id) of every token (which=0) or word (which=1) of the texts."""
    arrays = [part[which] for parts in parsed for part in parts]
    lengths = [sum(len(part[which]) for part in parts) for parts in parsed]
    return np.repeat(np.arange(len(parsed)), lengths), np.concatenate(arrays)


def likeness(texts: list[str]) -> tuple[Floats, Floats]:
    """(TF-IDF cosine, word overlap) of each of `texts[1:]` with `texts[0]`.

    The TF-IDF model is fitted on `texts` themselves, as `TfidfVectorizer().fit_transform(texts)`
    would be.
    """
    parsed = [_text(text) for text in texts]
    size = len(texts)
    width = len(_VOCABULARY) + 1
    # TF-IDF: counts per (text, term), document frequency per term, then weights and norms.
    doc, token = _stacked(parsed, 0)
    # Terms renumbered by first appearance in these texts: float sums then run in an order
    # fixed by the texts alone, not by the process-wide ids (which depend on earlier items).
    seen, first, inverse = np.unique(token, return_index=True, return_inverse=True)
    local = np.empty(len(seen), dtype=np.int64)
    local[np.argsort(first, kind="stable")] = np.arange(len(seen))
    span = len(seen) + 1
    pairs, counts = np.unique(doc * span + local[inverse], return_counts=True)
    pair_doc, pair_term = pairs // span, pairs % span
    terms, term_index = np.unique(pair_term, return_inverse=True)
    frequency = np.bincount(term_index, minlength=len(terms))
    idf = np.log((1 + size) / (1 + frequency)) + 1.0
    weight = counts * idf[term_index]
    norm = np.sqrt(np.bincount(pair_doc, weights=weight * weight, minlength=size))
    query = np.zeros(len(terms))
    in_query = pair_doc == 0
    query[term_index[in_query]] = weight[in_query]
    dot = np.bincount(pair_doc, weights=weight * query[term_index], minlength=size)
    with np.errstate(divide="ignore", invalid="ignore"):
        cosine = np.where(norm * norm[0] > 0, dot / (norm * norm[0]), 0.0)
    # Word overlap: the share of each text's distinct words that the question has too.
    word_doc, word = _stacked(parsed, 1)
    distinct_pairs = np.unique(word_doc * width + word)
    distinct_doc, distinct_word = distinct_pairs // width, distinct_pairs % width
    asked = np.zeros(width, dtype=bool)
    asked[distinct_word[distinct_doc == 0]] = True
    shared = np.bincount(distinct_doc, weights=asked[distinct_word], minlength=size)
    distinct = np.bincount(distinct_doc, minlength=size)
    with np.errstate(divide="ignore", invalid="ignore"):
        overlap = np.where(distinct > 0, shared / distinct, 0.0)
    return cosine[1:], overlap[1:]
