"""The report reads task facts from the task classes; unknown (plugin) tasks are still shown."""

from __future__ import annotations

from pathlib import Path

from tests.report.run_factory import write_trialscope_run

from trialscope.report.build import build_report
from trialscope.report.task_names import (
    canonical_task,
    is_calibrated,
    task_label,
    task_order,
    task_short_label,
)
from trialscope.tasks.registry import default_registry


def test_every_fact_comes_from_the_task_class() -> None:
    registry = default_registry()
    for cls in registry:
        name = cls.name
        assert task_label(name) == cls.label
        assert task_short_label(name) == cls.short_label
        assert is_calibrated(name) is cls.calibrated
        for alias in cls.folder_names:
            assert canonical_task(alias) == name
    assert sorted(registry.names, key=task_order) == list(registry.names)


def test_a_plugin_task_in_a_run_folder_is_shown_with_a_derived_label(tmp_path: Path) -> None:
    write_trialscope_run(tmp_path / "runs", "adverse_event_grading", "openai/gpt-4o", 0.7, n=40)
    write_trialscope_run(tmp_path / "runs", "arm_design", "openai/gpt-4o", 0.6, n=40)
    assert task_label("adverse_event_grading") == "Adverse event grading"
    assert task_order("adverse_event_grading") > task_order("sample_size_estimation")
    files = build_report([tmp_path / "runs"], tmp_path / "out")
    markdown = files.markdown.read_text()
    assert "Adverse event grading" in markdown and "Arm design" in markdown
    assert "Adverse event grading" in files.html.read_text()
