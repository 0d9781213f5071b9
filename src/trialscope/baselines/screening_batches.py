"""Which candidate PMIDs each screening request holds, as the task batches them."""

from __future__ import annotations

from typing import Any

from trialscope.baselines.record_text import screening_candidates
from trialscope.errors import ConfigurationError
from trialscope.tasks.base import Sample, Task


def _pmid(item: Any) -> str:
    if isinstance(item, str | int):
        return str(item)
    if isinstance(item, dict):
        for key in ("PMID", "pmid"):
            if key in item:
                return str(item[key])
    for attribute in ("PMID", "pmid"):
        if hasattr(item, attribute):
            return str(getattr(item, attribute))
    raise TypeError(f"cannot read a PMID from screening batch item {item!r}")


def request_batches(task: Task, sample: Sample) -> list[list[str]]:
    """PMIDs per request, in request order (the task's own `batches` when it has one)."""
    batches = getattr(task, "batches", None)
    if callable(batches):
        return [[_pmid(item) for item in batch] for batch in batches(sample)]
    n_requests = len(task.requests(sample, None))
    if n_requests != 1:
        raise ConfigurationError(
            f"task {task.name!r} sends {n_requests} requests per sample but has no batches()"
        )
    return [[candidate.pmid for candidate in screening_candidates(sample)]]
