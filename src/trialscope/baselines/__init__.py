"""Offline baseline models (`baseline/<name>`): real methods that need no LLM.

A baseline chooses its method from the task's `answer_kind` and reads records in that kind's
layout (`Task.kind_record`), so it answers any task of a known kind, plugins' included.
"""

from trialscope.baselines.base import Baseline
from trialscope.baselines.kind_records import KIND_RECORDS
from trialscope.baselines.registry import BASELINE_NAMES, get_baseline

__all__ = ["BASELINE_NAMES", "KIND_RECORDS", "Baseline", "get_baseline"]
