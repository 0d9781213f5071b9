"""Runs the engine on the letter task in its own process, so a test can SIGKILL it mid-run."""

from __future__ import annotations

import argparse
from pathlib import Path

from tests.engine.letter_task import letter_data

from trialscope.engine.runner import RunOptions, run_benchmark
from trialscope.settings import load_settings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--samples", type=int, required=True)
    parser.add_argument("--cache", required=True)
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--no-cache", action="store_true")
    args = parser.parse_args()
    options = RunOptions(
        output_path=args.out,
        run_id=args.run_id,
        max_connections=4,
        use_cache=not args.no_cache,
        live_progress=False,
        settings=load_settings(cache_path=Path(args.cache)),
    )
    run_benchmark(
        [letter_data(args.samples, requests_per_sample=2)],
        [f"openai-compatible/scripted@{args.base_url}"],
        options,
    )


if __name__ == "__main__":
    main()
