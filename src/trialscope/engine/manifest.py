"""The run manifest: what produced a run folder, so a number can be traced and reproduced."""

from __future__ import annotations

import hashlib
import inspect
import platform
import subprocess
import sys
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
        "options": options,
        "settings": settings,
        "started_at": started_at,
        "resumed_at": [],
        "finished_at": None,
    }


RESUME_KEYS = ("dataset_files", "prompt_hash", "system_prompt", "generation", "options", "shard")
"""Manifest entries that must match for a run folder to be resumed."""


def resume_conflicts(previous: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """The RESUME_KEYS whose values differ between an earlier manifest and this run's."""
    return [key for key in RESUME_KEYS if previous.get(key) != current.get(key)]
