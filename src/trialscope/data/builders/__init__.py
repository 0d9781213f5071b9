"""Benchmark builders: cut the eight TrialPanorama task sets from a `TrialStore`."""

from trialscope.data.builders.benchmark import TASK_FOLDERS, build_benchmark
from trialscope.data.builders.options import BuildOptions, BuildReport, TaskCounts

__all__ = ["TASK_FOLDERS", "BuildOptions", "BuildReport", "TaskCounts", "build_benchmark"]
