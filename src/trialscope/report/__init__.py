"""Reports from run folders: leaderboard, plots, significance, sample browser."""

from trialscope.report.build import ReportFiles, build_report
from trialscope.report.run_files import RunFolderError

__all__ = ["ReportFiles", "RunFolderError", "build_report"]
