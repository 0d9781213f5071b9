"""The evaluation engine: scheduling, concurrency, retries, cache, journal, manifest.

Entry points: `trialscope.engine.runner.run_benchmark(tasks, models, RunOptions(...))` (sync) and
`run_benchmark_async`; each returns one `RunSummary` per task and model. Run folders follow
`docs/formats.md`.
"""
