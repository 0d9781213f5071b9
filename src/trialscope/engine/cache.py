"""The response cache: SQLite, keyed on everything that shapes an answer.

The key hashes the model's identity (provider, model, base URLs, ...), the full message list and
every GenerationConfig field, so two models, two prompts or two temperatures never share an entry.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any

from trialscope.models.base import ChatMessage, ChatResult, GenerationConfig, Usage

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    reasoning TEXT NOT NULL,
    model TEXT NOT NULL,
    finish_reason TEXT,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
)
"""


def cache_key(
    identity: dict[str, Any], messages: list[ChatMessage], config: GenerationConfig
) -> str:
    """sha256 of the canonical JSON of identity, messages and every generation parameter."""
    document = {"identity": identity, "messages": messages, "config": asdict(config)}
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ResponseCache:
    """A process-wide SQLite cache; safe to share between the engine's coroutines and threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(path, timeout=30, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
            self._db.commit()
        except sqlite3.DatabaseError as exc:
            raise sqlite3.DatabaseError(
                f"response cache {path} is unusable ({exc}); delete it or pass --no-cache"
            ) from exc

    def get(self, key: str) -> ChatResult | None:
        """The stored answer for `key`, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT text, reasoning, model, finish_reason, prompt_tokens, completion_tokens"
                " FROM responses WHERE key = ?",
                (key,),
            ).fetchone()
        if row is None:
            return None
        text, reasoning, model, finish_reason, prompt_tokens, completion_tokens = row
        return ChatResult(
            text=text,
            usage=Usage(prompt_tokens=prompt_tokens, completion_tokens=completion_tokens),
            model=model,
            reasoning=reasoning,
            finish_reason=finish_reason,
        )

    def put(self, key: str, result: ChatResult) -> None:
        """Store an answer (the last one stored for a key wins)."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO responses (key, text, reasoning, model, finish_reason,"
                " prompt_tokens, completion_tokens) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    result.text,
                    result.reasoning,
                    result.model,
                    result.finish_reason,
                    result.usage.prompt_tokens,
                    result.usage.completion_tokens,
                ),
            )
            self._db.commit()

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()
