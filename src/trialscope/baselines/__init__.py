"""Offline baseline models (`baseline/<name>`): real methods that need no LLM.

A baseline chooses its method from the task's `answer_kind` and reads records in that kind's
layout (`Task.kind_record`), so it answers any task of a known kind, plugins' included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trialscope.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from trialscope.baselines.base import (
        Baseline as Baseline,
    )
    from trialscope.baselines.kind_records import (
        KIND_RECORDS as KIND_RECORDS,
    )
    from trialscope.baselines.registry import (
        BASELINE_NAMES as BASELINE_NAMES,
    )
    from trialscope.baselines.registry import (
        get_baseline as get_baseline,
    )

# Loaded on first use, so importing one submodule (say `.base`) stays cheap.
_SOURCES: dict[str, str] = {
    "Baseline": "trialscope.baselines.base",
    "KIND_RECORDS": "trialscope.baselines.kind_records",
    "BASELINE_NAMES": "trialscope.baselines.registry",
    "get_baseline": "trialscope.baselines.registry",
}

__all__ = sorted(_SOURCES)

__getattr__, __dir__ = lazy_exports(__name__, _SOURCES)
