"""Offline BM25 search (bm25s) over a fixed corpus, so search scores are reproducible."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
import platformdirs

from trialscope.search.base import SearchError, normalize_date_cap
from trialscope.search.corpus import CorpusDocument, CorpusFolders, benchmark_corpus

log = logging.getLogger(__name__)

INDEX_FORMAT = "bm25s-english-stopwords-nostem-v1"
"""Changes whenever tokenisation or parameters change, so old cached indexes are not reused."""

_FIELD_TAG = re.compile(r"\[[^\]]*\]")
_OPERATOR = re.compile(r"\b(?:AND|OR|NOT)\b")
_PUNCTUATION = re.compile(r"[()\"*:]")


def default_cache_dir() -> Path:
    """Where indexes are kept: `$TRIALSCOPE_CACHE_DIR/bm25`, else the user cache folder."""
    base = os.environ.get("TRIALSCOPE_CACHE_DIR")
    return Path(base) / "bm25" if base else Path(platformdirs.user_cache_dir("trialscope")) / "bm25"


def query_text(query: str) -> str:
    """A boolean PubMed query as plain words: field tags, operators and wildcards dropped."""
    return _PUNCTUATION.sub(" ", _OPERATOR.sub(" ", _FIELD_TAG.sub(" ", query)))


def _tokenize(texts: list[str]) -> list[list[str]]:
    tokens = bm25s.tokenize(texts, stopwords="en", return_ids=False, show_progress=False)
    return [list(doc) for doc in tokens]


def _as_document(item: CorpusDocument | tuple[str, str]) -> CorpusDocument:
    if isinstance(item, CorpusDocument):
        return item
    doc_id, text = item
    return CorpusDocument(str(doc_id), text or "")


class BM25Search:
    """BM25 over documents given as `CorpusDocument`s or `(id, text)` pairs.

    The index is cached on disk under the sha256 of the corpus (ids, texts, dates and the index
    format), so a second run over the same corpus loads instead of re-indexing.
    """

    name = "bm25"

    def __init__(
        self,
        documents: Iterable[CorpusDocument | tuple[str, str]],
        cache_dir: Path | None = None,
        use_cache: bool = True,
    ) -> None:
        ids: list[str] = []
        texts: list[str] = []
        dates: list[str | None] = []
        digest = hashlib.sha256(INDEX_FORMAT.encode())
        for item in documents:
            document = _as_document(item)
            ids.append(document.doc_id)
            texts.append(document.text)
            dates.append(document.date)
            digest.update(f"{document.doc_id}\x00{document.text}\x00{document.date}\x01".encode())
        if not ids:
            raise SearchError("cannot build a BM25 index over an empty corpus")
        self.corpus_hash = digest.hexdigest()
        self.ids = ids
        self.dates = dates
        self.cache_path: Path | None = None
        if use_cache:
            self.cache_path = (cache_dir or default_cache_dir()) / self.corpus_hash
            self.retriever = self._load_or_build(texts, self.cache_path)
        else:
            self.retriever = self._build(texts)

    @classmethod
    def from_benchmark_root(
        cls, root: Path, folders: CorpusFolders, cache_dir: Path | None = None
    ) -> BM25Search:
        """An index over the root's corpus (the search folder's `corpus.jsonl`, else the
        screening candidates)."""
        return cls(benchmark_corpus(root, folders), cache_dir=cache_dir)

    def cache_identity(self) -> dict[str, Any]:
        """What makes this backend's results distinct."""
        return {"backend": self.name, "corpus_sha256": self.corpus_hash}

    def __len__(self) -> int:
        return len(self.ids)

    @staticmethod
    def _build(texts: list[str]) -> bm25s.BM25:
        tokens = bm25s.tokenize(texts, stopwords="en", return_ids=True, show_progress=False)
        if not tokens.vocab:
            raise SearchError("cannot build a BM25 index: the corpus has no indexable words")
        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
        return retriever

    def _load_or_build(self, texts: list[str], path: Path) -> bm25s.BM25:
        if (path / "params.index.json").is_file():
            try:
                return bm25s.BM25.load(str(path), show_progress=False)
            except (OSError, ValueError) as error:
                log.warning("cached BM25 index %s unreadable (%s); rebuilding", path, error)
        retriever = self._build(texts)
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
        try:
            retriever.save(str(staging), show_progress=False)
            if path.exists():
                shutil.rmtree(path, ignore_errors=True)
            os.replace(staging, path)
        except OSError as error:
            log.warning("could not cache the BM25 index at %s: %s", path, error)
            shutil.rmtree(staging, ignore_errors=True)
        return retriever

    def search(self, query: str, k: int, date_cap: str | None = None) -> list[str]:
        """Up to `k` ids with a positive BM25 score, best first; documents dated after
        `date_cap` are left out (documents without a date are kept)."""
        if k <= 0:
            return []
        vocabulary = self.retriever.vocab_dict
        tokens = [token for token in _tokenize([query_text(query)])[0] if token in vocabulary]
        if not tokens:
            return []
        mask = None
        cap = normalize_date_cap(date_cap)
        if cap is not None:
            mask = np.array([0.0 if d is not None and d > cap else 1.0 for d in self.dates])
        depth = min(k, len(self.ids))
        indices, scores = self.retriever.retrieve(
            [tokens], k=depth, show_progress=False, weight_mask=mask, n_threads=1
        )
        return [
            self.ids[int(index)]
            for index, score in zip(indices[0], scores[0], strict=True)
            if score > 0
        ]
