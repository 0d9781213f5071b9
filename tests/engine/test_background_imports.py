"""Modules only a run's end needs are imported while its requests are out."""

from __future__ import annotations

import subprocess
import sys

from trialscope.engine.background_imports import import_in_background


def test_each_module_is_imported_once_in_a_background_thread() -> None:
    probe = """
import sys, threading
from trialscope.engine.background_imports import import_in_background
assert "colorsys" not in sys.modules
thread = import_in_background(["colorsys", "colorsys", "no.such.module"])
thread.join()
print("colorsys" in sys.modules, import_in_background(["colorsys"]) is None)
"""
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["True", "True"]


def test_a_module_already_asked_for_starts_no_thread() -> None:
    first = import_in_background(["json"])
    if first is not None:
        first.join()
    assert import_in_background(["json"]) is None
