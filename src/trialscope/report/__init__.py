"""Reports from run folders: leaderboard, plots, significance, sample browser."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trialscope.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from trialscope.report.build import ReportFiles as ReportFiles
    from trialscope.report.build import build_report as build_report
    from trialscope.report.run_files import RunFolderError as RunFolderError

# Loaded on first use: `trialscope run`'s summary table imports only the leaderboard, not the
# HTML report (jinja2, plots) behind `build_report`.
_SOURCES: dict[str, str] = {
    "ReportFiles": "trialscope.report.build",
    "build_report": "trialscope.report.build",
    "RunFolderError": "trialscope.report.run_files",
}

__all__ = sorted(_SOURCES)

__getattr__, __dir__ = lazy_exports(__name__, _SOURCES)
