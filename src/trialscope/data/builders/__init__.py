"""Benchmark builders: cut the eight TrialPanorama task sets from a `TrialStore`."""

from trialscope.lazy_exports import lazy_exports

# Lazy: `trialscope run` reads BuildOptions (builders/options.py) to find the embedded default,
# and must not import every builder (duckdb, pandas-free but still a quarter second) to do so.
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "TASK_FOLDERS": "trialscope.data.builders.benchmark",
        "build_benchmark": "trialscope.data.builders.benchmark",
        "BuildOptions": "trialscope.data.builders.options",
        "BuildReport": "trialscope.data.builders.options",
        "TaskCounts": "trialscope.data.builders.options",
    },
)

__all__ = ["TASK_FOLDERS", "BuildOptions", "BuildReport", "TaskCounts", "build_benchmark"]
