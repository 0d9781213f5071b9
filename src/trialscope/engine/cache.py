"""The response cache: SQLite, keyed on what is sent, checked on open and on every read.

The key hashes the model's identity (dialect, model, normalised base URLs, ...) and the request
body the model would send, so two models, two prompts or two temperatures never share an entry,
while settings the server never sees (`--timeout`, the provider prefix of one URL) do not split it.

A cache is a convenience, never a reason for a run to fail: a file SQLite cannot open or that
fails its integrity check is moved aside and a fresh one started; a row whose checksum does not
match is ignored (and re-requested); a read or write error is logged and treated as a miss.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from trialscope.models.base import ChatResult, Usage

log = logging.getLogger(__name__)

_TABLE = "answers_v2"
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {_TABLE} (
    key TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    reasoning TEXT NOT NULL,
    model TEXT NOT NULL,
    finish_reason TEXT,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    checksum TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
)
"""
_COLUMNS = "text, reasoning, model, finish_reason, prompt_tokens, completion_tokens"


def cache_key(identity: dict[str, Any], request: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of the model's identity and the request it would send."""
    document = {"identity": identity, "request": request}
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _row_checksum(key: str, row: tuple[Any, ...]) -> str:
    canonical = json.dumps([key, *row], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ResponseCache:
    """A process-wide SQLite cache; safe to share between the engine's coroutines and threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self.damaged_rows = 0
        self._db: sqlite3.Connection | None = None
        try:
            self._db = self._open_checked()
        except sqlite3.DatabaseError as exc:
            self._set_aside(f"{exc}")
            try:
                self._db = self._open_checked()
            except sqlite3.DatabaseError as again:
                log.warning("response cache %s unusable (%s); running without it", path, again)
                self._db = None

    def _open_checked(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        try:
            verdict = db.execute("PRAGMA quick_check").fetchone()
            if verdict is None or verdict[0] != "ok":
                raise sqlite3.DatabaseError(f"integrity check failed: {verdict}")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(_SCHEMA)
            db.commit()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _set_aside(self, why: str) -> None:
        aside = self.path.with_name(f"{self.path.name}.damaged-{int(time.time())}")
        log.warning(
            "response cache %s is damaged (%s); moved it to %s and started a fresh cache; "
            "its answers will be requested again",
            self.path,
            why,
            aside,
        )
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{self.path}{suffix}")
            if source.exists():
                source.replace(Path(f"{aside}{suffix}"))

    def get(self, key: str) -> ChatResult | None:
        """The stored answer for `key`, or None (also for a damaged row, with a warning)."""
        if self._db is None:
            return None
        try:
            with self._lock:
                row = self._db.execute(
                    f"SELECT {_COLUMNS}, checksum FROM {_TABLE} WHERE key = ?", (key,)
                ).fetchone()
        except sqlite3.DatabaseError as exc:
            self._damaged(key, f"unreadable ({exc})")
            return None
        if row is None:
            return None
        *values, checksum = row
        try:
            text, reasoning, model, finish_reason, prompt_tokens, completion_tokens = values
            intact = checksum == _row_checksum(key, tuple(values))
            result = ChatResult(
                text=str(text),
                usage=Usage(int(prompt_tokens), int(completion_tokens)),
                model=str(model),
                reasoning=str(reasoning),
                finish_reason=finish_reason,
            )
        except (TypeError, ValueError):
            intact = False
        if not intact:
            self._damaged(key, "checksum mismatch")
            return None
        return result

    def _damaged(self, key: str, why: str) -> None:
        self.damaged_rows += 1
        log.warning(
            "response cache %s: entry %s… is damaged (%s); ignoring it and asking the model again",
            self.path,
            key[:12],
            why,
        )

    def put(self, key: str, result: ChatResult) -> None:
        """Store an answer (the last one stored for a key wins); a write error only warns."""
        if self._db is None:
            return
        values = (
            result.text,
            result.reasoning,
            result.model,
            result.finish_reason,
            result.usage.prompt_tokens,
            result.usage.completion_tokens,
        )
        try:
            with self._lock:
                self._db.execute(
                    f"INSERT OR REPLACE INTO {_TABLE} (key, {_COLUMNS}, checksum)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (key, *values, _row_checksum(key, values)),
                )
                self._db.commit()
        except sqlite3.DatabaseError as exc:
            log.warning("response cache %s: could not store an answer (%s)", self.path, exc)

    def __len__(self) -> int:
        if self._db is None:
            return 0
        with self._lock:
            return int(self._db.execute(f"SELECT COUNT(*) FROM {_TABLE}").fetchone()[0])

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
