"""A small arm_design benchmark root, a server that answers it mostly right, and what of a run
folder is deterministic: shared by the shard, merge and Ray tests."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from tests.support.openai_server import ChatRequest

from trialscope.engine.shards import Shard

TRIAL = re.compile(r"trial number (\d+)")
NONDETERMINISTIC = ("latency_s", "cached")
"""Per-sample fields that depend on the clock or on what the cache held, not on the answers."""


def answer_for(index: int) -> str:
    return "ABCD"[index % 4]


def make_root(root: Path, n: int) -> Path:
    folder = root / "arm_design"
    folder.mkdir(parents=True)
    for split in ("train", "test"):
        with (folder / f"{split}.jsonl").open("w") as handle:
            for i in range(n):
                record = {
                    "id": f"{split}-{i}",
                    "question": f"Which arms did trial number {i} have?",
                    "options": {"A": "drug", "B": "placebo", "C": "both", "D": "none"},
                    "answer": answer_for(i),
                }
                handle.write(json.dumps(record) + "\n")
    return root


def mostly_right(request: ChatRequest) -> str:
    """Right unless the trial number is a multiple of 3, so the metrics are not trivial."""
    match = TRIAL.search(request.last_user_text)
    index = int(match.group(1)) if match else 0
    letter = answer_for(index + (index % 3 == 0))
    return json.dumps({"step_by_step_thinking": "it says so", "answer_choice": letter})


def deterministic(folder: Path) -> tuple[str, list[dict[str, Any]]]:
    metrics = json.loads((folder / "metrics.json").read_text())
    kept = {k: v for k, v in metrics.items() if k not in ("timestamp", "usage")}
    rows = json.loads((folder / "results.json").read_text())["results"]
    results = [{k: v for k, v in row.items() if k not in NONDETERMINISTIC} for row in rows]
    return json.dumps(kept, sort_keys=True), results


class DieOnce:
    """Kills the worker running shard 2 the first time (the marker file remembers); lives here
    so that Ray workers can import it (`tests.support` is on their path)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __call__(self, shard: Shard) -> None:
        if shard.index == 2 and not self.marker.exists():
            self.marker.write_text(str(os.getpid()))
            os._exit(1)


class FailShard:
    """Raises in the worker running shard `index` (a shard that fails, its worker alive)."""

    def __init__(self, index: int) -> None:
        self.index = index

    def __call__(self, shard: Shard) -> None:
        if shard.index == self.index:
            raise RuntimeError(f"shard {shard.label} cannot reach its data")
