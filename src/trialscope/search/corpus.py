"""The documents a local search runs over, read from a benchmark root."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trialscope.search.base import SearchError, normalize_date_cap

CORPUS_FILE_NAME = "corpus.jsonl"
_DATE_FIELDS = ("date", "pub_date", "publication_date", "year")


@dataclass(frozen=True)
class CorpusFolders:
    """Where a benchmark root keeps its search corpus, as the tasks name their folders:
    `<search folder>/corpus.jsonl`, else the candidate studies of the screening splits."""

    search: tuple[str, ...]
    screening: tuple[str, ...]


@dataclass(frozen=True)
class CorpusDocument:
    """One searchable document: its id (a PMID), its text, and its publication date if known."""

    doc_id: str
    text: str
    date: str | None = None


def document_from_record(record: dict[str, Any], where: str) -> CorpusDocument:
    """A `{PMID, title, abstract[, date]}` object as a document; `where` names it in errors."""
    pmid = record.get("PMID", record.get("pmid"))
    if pmid is None or str(pmid).strip() == "":
        raise SearchError(f"{where}: field 'PMID' is missing")
    title = record.get("title") or ""
    abstract = record.get("abstract") or ""
    if not isinstance(title, str) or not isinstance(abstract, str):
        raise SearchError(f"{where}: fields 'title' and 'abstract' must be text")
    date = next((record[f] for f in _DATE_FIELDS if record.get(f) is not None), None)
    return CorpusDocument(
        str(pmid).strip(), f"{title}\n{abstract}".strip(), normalize_date_cap(date)
    )


def _objects(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    with path.open("r", encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                value = json.loads(line)
            except json.JSONDecodeError as error:
                raise SearchError(f"{where}: invalid JSON ({error.msg})") from error
            if not isinstance(value, dict):
                raise SearchError(f"{where}: expected a JSON object")
            yield where, value


def corpus_source(root: Path, folders: CorpusFolders) -> list[Path]:
    """The files a root's search corpus comes from: the search folder's `corpus.jsonl` when
    present, else every screening split (the candidate studies of all reviews)."""
    corpora = [root / folder / CORPUS_FILE_NAME for folder in folders.search]
    for corpus in corpora:
        if corpus.is_file():
            return [corpus]
    for folder in folders.screening:
        screening = sorted((root / folder).glob("*.jsonl"))
        if screening:
            return screening
    expected = " or ".join(str(path) for path in corpora)
    splits = " or ".join(f"{root / folder}/*.jsonl" for folder in folders.screening)
    raise SearchError(
        f"no search corpus in {root}: expected {expected} ({{PMID, title, abstract}} per line) "
        f"or {splits}"
    )


def benchmark_corpus(root: Path, folders: CorpusFolders) -> Iterator[CorpusDocument]:
    """Documents of a benchmark root, each PMID once (its first occurrence)."""
    seen: set[str] = set()
    for path in corpus_source(root, folders):
        is_corpus = path.name == CORPUS_FILE_NAME
        for where, value in _objects(path):
            if is_corpus:
                records = [(where, value)]
            else:
                context = value.get("context")
                if not isinstance(context, list):
                    raise SearchError(f"{where}: field 'context' must be a list of studies")
                records = [(f"{where} context[{i}]", item) for i, item in enumerate(context)]
            for item_where, record in records:
                if not isinstance(record, dict):
                    raise SearchError(f"{item_where}: expected an object")
                document = document_from_record(record, item_where)
                if document.doc_id not in seen:
                    seen.add(document.doc_id)
                    yield document
