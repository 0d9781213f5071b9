"""Import modules a run needs only at its end in a background thread while requests are out.

Metrics (scipy.special for exact intervals) and the CLI's summary table (the report package) take
a second of CPU to import. Imported when first used, that second follows the last answer; imported
here once the first requests are out, it overlaps the wait for answers instead. Python's import
lock makes a later plain `import` of the same module wait for this one, never import it twice.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Iterable

log = logging.getLogger(__name__)

RUN_END_MODULES = ("numpy", "trialscope.tasks.metrics", "scipy.special")
"""What every run's metrics import (tasks/metrics.py: numpy, exact Clopper-Pearson intervals
from scipy.special). None of them is imported before the first request."""

_started: set[str] = set()
_lock = threading.Lock()


def import_in_background(modules: Iterable[str]) -> threading.Thread | None:
    """Start a daemon thread importing each of `modules` not asked for before (None if none)."""
    with _lock:
        wanted = [name for name in dict.fromkeys(modules) if name not in _started]
        _started.update(wanted)
    if not wanted:
        return None
    thread = threading.Thread(
        target=_import_all, args=(wanted,), name="trialscope-background-imports", daemon=True
    )
    thread.start()
    return thread


def _import_all(modules: list[str]) -> None:
    # An import holds the GIL for a whole switch interval before the event loop gets it back
    # after an answer: a run shortens the interval while it lasts (runner.RUN_SWITCH_INTERVAL_S).
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # the later real import raises it where it matters
            log.debug("background import of %s failed", name, exc_info=True)
