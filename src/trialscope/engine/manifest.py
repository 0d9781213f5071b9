"""The run manifest: what produced a run folder, so a number can be traced and reproduced."""

from __future__ import annotations

import hashlib
import inspect
import json
import platform
import subprocess
import sys
import threading
from datetime import UTC, datetime
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import trialscope

TRACKED_PACKAGES = (
    "trialscope",
    "openai",
    "httpx",
    "pydantic",
    "pydantic-settings",
    "numpy",
    "scikit-learn",
    "duckdb",
    "bm25s",
    "typer",
    "rich",
    "llama-cpp-python",
)


def utc_now() -> str:
    """The current time, ISO 8601 in UTC."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@lru_cache(maxsize=1)
def git_revision() -> str | None:
    """The commit of the checkout trialscope runs from (with `-dirty`), or None outside git."""
    source = Path(trialscope.__file__).resolve().parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=source, capture_output=True, text=True, timeout=5
        )
        if head.returncode != 0:
            return None
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=source,
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    dirty = "-dirty" if status.returncode == 0 and status.stdout.strip() else ""
    return head.stdout.strip() + dirty


def prefetch_git_revision() -> threading.Thread:
    """Start `git_revision()` in a thread and return it (join it before the first manifest):
    its two git commands take 20-30 ms, during which the caller can load data instead."""
    thread = threading.Thread(target=git_revision, name="trialscope-git-revision", daemon=True)
    thread.start()
    return thread


@lru_cache(maxsize=1)
def package_versions() -> dict[str, str | None]:
    """Installed versions of the packages that shape results (None when not installed)."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in TRACKED_PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return versions


def file_sha256(path: Path) -> str:
    """sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def prompt_fingerprint(task: Any) -> str:
    """The task's own prompt hash when it offers one, else a hash of its prompt and its code."""
    own = getattr(task, "prompt_fingerprint", None)
    if callable(own):
        return str(own())
    digest = hashlib.sha256(str(getattr(task, "default_system_prompt", "")).encode("utf-8"))
    try:
        digest.update(inspect.getsource(type(task)).encode("utf-8"))
    except (OSError, TypeError):
        digest.update(type(task).__qualname__.encode("utf-8"))
    return digest.hexdigest()


def build_manifest(
    *,
    task: str,
    model: str,
    run_id: str,
    seed: int,
    data_files: list[Path],
    prompt_hash: str,
    system_prompt: str | None,
    generation: dict[str, Any],
    options: dict[str, Any],
    settings: dict[str, Any],
    started_at: str,
) -> dict[str, Any]:
    """The manifest written when a run starts (finished_at is filled in at the end)."""
    return {
        "trialscope_version": trialscope.__version__,
        "git_revision": git_revision(),
        "python": sys.version.split()[0],
        "packages": package_versions(),
        "task": task,
        "model": model,
        "run_id": run_id,
        "seed": seed,
        "dataset_files": {str(path): file_sha256(path) for path in data_files},
        "prompt_hash": prompt_hash,
        "system_prompt": system_prompt,
        "generation": generation,
        "options": without_url_credentials(options),
        "settings": without_url_credentials(settings),
        "started_at": started_at,
        "resumed_at": [],
        "finished_at": None,
    }


RESUME_KEYS = ("dataset_files", "prompt_hash", "system_prompt", "generation", "options", "shard")
"""Manifest entries that must match for a run folder to be resumed."""

RESUME_FREE = {"generation.timeout_s"}
"""Entries that may change on resume: they do not change what the model is asked."""


def resume_conflicts(previous: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """Each differing field under RESUME_KEYS as `path (earlier → now)`, e.g.
    `generation.temperature (0.0 → 0.7)`."""
    conflicts: list[str] = []
    for key in RESUME_KEYS:
        conflicts.extend(_differences(key, previous.get(key), current.get(key)))
    return conflicts


def _differences(path: str, earlier: Any, now: Any) -> list[str]:
    if earlier == now or path in RESUME_FREE:
        return []
    if isinstance(earlier, dict) and isinstance(now, dict):
        found: list[str] = []
        for key in sorted(set(earlier) | set(now), key=str):
            found.extend(_differences(f"{path}.{key}", earlier.get(key), now.get(key)))
        return found
    return [f"{path} ({_shown(earlier)} → {_shown(now)})"]


def _shown(value: Any, limit: int = 60) -> str:
    text = "absent" if value is None else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def without_url_credentials(value: Any) -> Any:
    """`value` with every `user:password@` in a URL string replaced by `***@` (recursively)."""
    from trialscope.models.openai_compatible import redact_url_credentials

    if isinstance(value, str):
        return redact_url_credentials(value)
    if isinstance(value, dict):
        return {key: without_url_credentials(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [without_url_credentials(item) for item in value]
    return value


def _count_records(path: Path) -> int:
    """Non-blank lines of a JSONL file: the records of a split."""
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())


def data_identity(
    *,
    source: str | None,
    root: Path | None,
    split: str,
    data_files: list[Path],
    sample_ids: list[str],
    file_hashes: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What data a run answered, so reports never rank runs on different data together.

    `source` is what the user gave (`hf://<id>` or a folder; None for the embedded default);
    `sample_set_sha256` hashes the sorted sample ids the run answered, `split_size` counts the
    records of the split, so a run on fewer samples (`--num-samples`) shows as partial.
    `file_hashes` (path -> sha256, as in `dataset_files`) saves hashing the files again.
    """
    known = file_hashes or {}
    if source and source.startswith("hf://"):
        shown = source
    elif root is not None:
        shown = str(root.resolve())
    else:
        shown = source or "unknown"
    ids = "\n".join(sorted(sample_ids)).encode("utf-8")
    return {
        "source": shown,
        "name": source if source and source.startswith("hf://") else Path(shown).name or shown,
        "split": split,
        "files": {path.name: known.get(str(path)) or file_sha256(path) for path in data_files},
        "split_size": sum(_count_records(path) for path in data_files if path.is_file()),
        "n_samples": len(sample_ids),
        "sample_set_sha256": hashlib.sha256(ids).hexdigest(),
    }
