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
from collections import Counter
from functools import lru_cache
from itertools import chain
from typing import Any

import numpy as np

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_WORD = re.compile(r"[a-z0-9]+")
_PARTS = re.compile(r"[\n;]")
_VOCABULARY: dict[str, int] = {}

Floats = np.ndarray[Any, np.dtype[np.float64]]
Ids = np.ndarray[Any, np.dtype[np.int32]]


def _ids(terms: list[str]) -> list[int]:
    vocabulary = _VOCABULARY
    return [vocabulary.setdefault(term, len(vocabulary)) for term in terms]


@lru_cache(maxsize=1 << 18)
def _part(part: str) -> tuple[list[int], list[int]]:
    """(token ids, word ids) of one line or part, repeats kept."""
    lowered = part.lower()
    return _ids(_TOKEN.findall(lowered)), _ids(_WORD.findall(lowered))


# Large enough for every option text of one design task (~100,000 distractors and the items).
@lru_cache(maxsize=1 << 17)
def _text(text: str) -> tuple[Ids, Ids, Ids]:
    """(distinct token ids in order of first appearance, their counts, distinct word ids)."""
    parts = [_part(part) for part in _PARTS.split(text)]
    # Counter keeps first-appearance order and counts in C: far cheaper than np.unique on
    # arrays of a few hundred ids.
    counts = Counter(chain.from_iterable(part[0] for part in parts))
    words = set(chain.from_iterable(part[1] for part in parts))
    return (
        np.fromiter(counts.keys(), dtype=np.int32, count=len(counts)),
        np.fromiter(counts.values(), dtype=np.int32, count=len(counts)),
        np.fromiter(words, dtype=np.int32, count=len(words)),
    )


def likeness(texts: list[str]) -> tuple[Floats, Floats]:
    """(TF-IDF cosine, word overlap) of each of `texts[1:]` with `texts[0]`.

    The TF-IDF model is fitted on `texts` themselves, as `TfidfVectorizer().fit_transform(texts)`
    would be.
    """
    parsed = [_text(text) for text in texts]
    size = len(texts)
    width = len(_VOCABULARY) + 1
    # TF-IDF: counts per (text, term), document frequency per term, then weights and norms.
    # Each text's terms are distinct and in order of first appearance, so the terms' first
    # appearances across the texts keep the order of the texts' full token streams.
    doc = np.repeat(np.arange(size), [len(p[0]) for p in parsed])
    token = np.concatenate([p[0] for p in parsed])
    # Terms renumbered by first appearance in these texts: float sums then run in an order
    # fixed by the texts alone, not by the process-wide ids (which depend on earlier items).
    seen, first, inverse = np.unique(token, return_index=True, return_inverse=True)
    local = np.empty(len(seen), dtype=np.int64)
    local[np.argsort(first, kind="stable")] = np.arange(len(seen))
    span = len(seen) + 1
    keys = doc * span + local[inverse]
    by_key = np.argsort(keys, kind="stable")
    pairs, counts = keys[by_key], np.concatenate([p[1] for p in parsed])[by_key]
    pair_doc, pair_term = pairs // span, pairs % span
    # Local ids are dense (every one occurs), so they index the terms directly.
    term_index = pair_term
    frequency = np.bincount(term_index, minlength=len(seen))
    idf = np.log((1 + size) / (1 + frequency)) + 1.0
    weight = counts * idf[term_index]
    norm = np.sqrt(np.bincount(pair_doc, weights=weight * weight, minlength=size))
    query = np.zeros(len(seen))
    in_query = pair_doc == 0
    query[term_index[in_query]] = weight[in_query]
    dot = np.bincount(pair_doc, weights=weight * query[term_index], minlength=size)
    with np.errstate(divide="ignore", invalid="ignore"):
        cosine = np.where(norm * norm[0] > 0, dot / (norm * norm[0]), 0.0)
    # Word overlap: the share of each text's distinct words that the question has too.
    distinct = np.array([len(p[2]) for p in parsed])
    word_doc = np.repeat(np.arange(size), distinct)
    asked = np.zeros(width, dtype=bool)
    asked[parsed[0][2]] = True
    shared = np.bincount(
        word_doc, weights=asked[np.concatenate([p[2] for p in parsed])], minlength=size
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        overlap = np.where(distinct > 0, shared / distinct, 0.0)
    return cosine[1:], overlap[1:]
