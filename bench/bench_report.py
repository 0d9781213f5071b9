"""Time `trialscope report` on 8 tasks x 5 models x 1,000 samples (and a tenth of that, for scale).

Run from the repository root: `.venv/bin/python bench/bench_report.py`.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.report.run_factory import write_benchmark_tree

from trialscope.report.html_report import render_html
from trialscope.report.leaderboard import build_leaderboard
from trialscope.report.markdown_report import render_markdown
from trialscope.report.paper import paper_figures
from trialscope.report.run_folders import collect_runs
from trialscope.report.statistics import DEFAULT_RESAMPLES

MODELS = [
    ("openai/gpt-4o", 0.74),
    ("openai/gpt-4o-mini", 0.68),
    ("azure/o3-mini", 0.72),
    ("vllm/llama-3.1-8b", 0.55),
    ("baseline/bm25", 0.38),
]

log = logging.getLogger("bench_report")


def measure(root: Path, samples: int, padding: int) -> dict[str, float]:
    """Write the run folders, then time each stage of a report build on them."""
    runs_dir = root / f"runs-{samples}"
    write_benchmark_tree(runs_dir, MODELS, n=samples, prompt_padding=padding)
    started = time.perf_counter()
    runs = collect_runs([runs_dir])
    loaded = time.perf_counter()
    boards = [
        (build_leaderboard(g.runs, seed=0, resamples=DEFAULT_RESAMPLES, dataset=g.title), g.runs)
        for g in runs.datasets
    ]
    computed = time.perf_counter()
    html = render_html(boards, [], paper_figures(), 0, DEFAULT_RESAMPLES, "bench")
    markdown = render_markdown([b for b, _ in boards], [], paper_figures(), 0, DEFAULT_RESAMPLES)
    (root / f"report-{samples}.html").write_text(html, encoding="utf-8")
    (root / f"leaderboard-{samples}.md").write_text(markdown, encoding="utf-8")
    finished = time.perf_counter()
    return {
        "load_s": loaded - started,
        "statistics_s": computed - loaded,
        "render_write_s": finished - computed,
        "total_s": finished - started,
        "html_mb": len(html.encode("utf-8")) / 1e6,
    }


def main() -> None:
    """Print the figures for docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--prompt-chars", type=int, default=1500, help="padding per prompt")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with tempfile.TemporaryDirectory() as scratch:
        small = measure(Path(scratch), args.samples // 10, args.prompt_chars)
        full = measure(Path(scratch), args.samples, args.prompt_chars)
    rows = len(MODELS) * 8
    log.info("8 tasks x %d models, %d bootstrap resamples", len(MODELS), DEFAULT_RESAMPLES)
    for name, figures in (
        (f"{rows}x{args.samples // 10}", small),
        (f"{rows}x{args.samples}", full),
    ):
        log.info(
            "%-9s load %.2fs  statistics %.2fs  render+write %.2fs  total %.2fs  html %.1f MB",
            name,
            figures["load_s"],
            figures["statistics_s"],
            figures["render_write_s"],
            figures["total_s"],
            figures["html_mb"],
        )
    log.info("ratio total(1,000) / total(100 samples): %.1fx", full["total_s"] / small["total_s"])


if __name__ == "__main__":
    main()
