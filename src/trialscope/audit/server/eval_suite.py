"""The eval protocol's server side: a secret-keyed suite of episodes and the ledger of attempts.

The suite's episode seeds are HMAC-SHA256 of the server's secret, so only the server can rebuild
them, and they lie at or above `EVAL_SEED_FLOOR`: every seed a client can name (train mode, local
runs, the dashboard) lies below it, so the two episode spaces are disjoint. Every submitter
(one per bearer token; `local` without a token) plays the same suite, each episode once, in order.
A score is released only when its batch is complete (the mean of the batch) and per episode only
when the whole task suite is complete, so repeating episodes cannot serve as an oracle.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trialscope.errors import AuditActionError, InputError

EVAL_SEED_FLOOR = 2**32
"""Client-chosen seeds are below this; eval suite seeds are at or above it."""
LOCAL_SUBMITTER = "local"


class SuiteExhaustedError(AuditActionError):
    """Every episode of a task's suite was already started by this submitter."""


def submitter_id(token: str | None) -> str:
    """A stable, non-reversible name for whoever holds this token."""
    if token is None:
        return LOCAL_SUBMITTER
    return "t-" + hashlib.sha256(token.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class EvalSuite:
    """A fixed suite of episodes per task, derived from a secret only the server holds."""

    secret: bytes = field(repr=False)
    episodes_per_task: int = 50
    batch_size: int = 10

    def __post_init__(self) -> None:
        if len(self.secret) < 16:
            raise ValueError("the eval secret must be at least 16 bytes long")
        if self.episodes_per_task < 1 or not 1 <= self.batch_size <= self.episodes_per_task:
            raise ValueError("need 1 <= batch_size <= episodes_per_task")

    def seed(self, task: str, index: int) -> int:
        """The generator seed of the suite's `index`-th episode of `task` (secret)."""
        digest = hmac.new(self.secret, f"eval-episode:{task}:{index}".encode(), "sha256").digest()
        return EVAL_SEED_FLOOR + int.from_bytes(digest[:8], "big")

    def fingerprint(self) -> str:
        """A public name of the suite (equal fingerprints: the same episodes); reveals nothing."""
        digest = hmac.new(self.secret, b"suite-fingerprint", "sha256").hexdigest()
        return f"{digest[:12]}-{self.episodes_per_task}x{self.batch_size}"


@dataclass
class _Attempts:
    started: int = 0
    scores: dict[int, float] = field(default_factory=dict)


class EvalLedger:
    """Who started which suite episode and what it scored; optionally journalled to JSONL.

    Thread-safe: episodes finish in their sessions' worker threads. With a journal, a restarted
    server keeps every attempt, so a restart never re-opens an episode.
    """

    def __init__(self, suite: EvalSuite, journal: Path | None = None) -> None:
        self.suite = suite
        self.journal = journal
        self._lock = threading.Lock()
        self._attempts: dict[tuple[str, str], _Attempts] = {}
        if journal is not None and journal.exists():
            self._load(journal)

    def _load(self, journal: Path) -> None:
        for number, line in enumerate(journal.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                key = (str(entry["submitter"]), str(entry["task"]))
                index = int(entry["index"])
                attempts = self._attempts.setdefault(key, _Attempts())
                if entry["event"] == "start":
                    attempts.started = max(attempts.started, index + 1)
                else:
                    attempts.scores[index] = float(entry["score"])
            except (ValueError, KeyError, TypeError) as exc:
                raise InputError(
                    f"not an eval ledger line ({exc})", path=journal, line=number
                ) from exc

    def _write(self, entry: Mapping[str, Any]) -> None:
        if self.journal is None:
            return
        self.journal.parent.mkdir(parents=True, exist_ok=True)
        with self.journal.open("a", encoding="utf-8") as sink:
            sink.write(json.dumps(dict(entry)) + "\n")
            sink.flush()

    def start(self, submitter: str, task: str) -> int:
        """Reserve the submitter's next suite episode of `task`; its index."""
        with self._lock:
            attempts = self._attempts.setdefault((submitter, task), _Attempts())
            if attempts.started >= self.suite.episodes_per_task:
                raise SuiteExhaustedError(
                    f"the {task} eval suite is finished for this token: all "
                    f"{self.suite.episodes_per_task} episodes were played (each can be played "
                    "once); read the scores at GET /eval/results"
                )
            index = attempts.started
            attempts.started += 1
            self._write({"event": "start", "submitter": submitter, "task": task, "index": index})
            return index

    def finish(self, submitter: str, task: str, index: int, score: float) -> None:
        """Record a suite episode's score (once; a later call for the same episode is ignored)."""
        with self._lock:
            attempts = self._attempts.setdefault((submitter, task), _Attempts())
            if index in attempts.scores:
                return
            attempts.scores[index] = score
            self._write(
                {
                    "event": "finish",
                    "submitter": submitter,
                    "task": task,
                    "index": index,
                    "score": score,
                }
            )

    def results(self, submitter: str, tasks: tuple[str, ...]) -> dict[str, Any]:
        """What the submitter may see: batch means of complete batches, episode scores of
        complete suites, nothing about an unfinished batch."""
        suite = self.suite
        out: dict[str, Any] = {"suite": suite.fingerprint(), "tasks": {}}
        with self._lock:
            for task in tasks:
                attempts = self._attempts.get((submitter, task), _Attempts())
                batches = []
                for low in range(0, suite.episodes_per_task, suite.batch_size):
                    members = range(low, min(low + suite.batch_size, suite.episodes_per_task))
                    if all(i in attempts.scores for i in members):
                        mean = sum(attempts.scores[i] for i in members) / len(members)
                        batches.append({"episodes": [low, members[-1]], "mean": round(mean, 6)})
                complete = len(attempts.scores) == suite.episodes_per_task
                scores = (
                    [attempts.scores[i] for i in range(suite.episodes_per_task)]
                    if complete
                    else None
                )
                out["tasks"][task] = {
                    "episodes": suite.episodes_per_task,
                    "started": attempts.started,
                    "finished": len(attempts.scores),
                    "batches": batches,
                    "complete": complete,
                    "mean": round(sum(scores) / len(scores), 6) if scores else None,
                    "scores": scores,
                }
        return out
