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


def test_the_start_of_a_run_imports_neither_numpy_nor_scipy() -> None:
    # Everything `trialscope run` imports before its first request: the CLI, the engine, every
    # registered task, the provider and finding the embedded default. numpy and scipy.stats
    # (metrics, retry jitter) load in the background once requests are out (RUN_END_MODULES).
    probe = """
import sys
import trialscope.cli.main, trialscope.cli.run
import trialscope.data.default
import trialscope.engine.model_pool, trialscope.engine.runner, trialscope.engine.task_run
import trialscope.models.openai_compatible
from trialscope.engine.retry import SeededRandom
from trialscope.tasks.registry import get_task, task_names
for name in task_names():
    get_task(name)
print(sorted(name for name in ("numpy", "scipy", "sklearn") if name in sys.modules))
SeededRandom([0, 1]).uniform(0, 1)
print("numpy" in sys.modules)
"""
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.split("\n")[:2] == ["[]", "True"]


def test_seeded_random_draws_what_numpy_default_rng_draws() -> None:
    import numpy as np

    from trialscope.engine.retry import SeededRandom

    lazy, eager = SeededRandom([3, 1]), np.random.default_rng([3, 1])
    assert [lazy.uniform(0.5, 1.0) for _ in range(5)] == [eager.uniform(0.5, 1.0) for _ in range(5)]


def test_the_default_names_the_screening_folder_the_builders_write() -> None:
    from trialscope.data.builders.reviews import SCREENING_FOLDER
    from trialscope.data.default import SCREENING_FOLDER as spelled_in_default

    assert spelled_in_default == SCREENING_FOLDER
