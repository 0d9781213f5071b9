"""The evaluation engine: scheduling, concurrency, retries, cache, journal, manifest."""
