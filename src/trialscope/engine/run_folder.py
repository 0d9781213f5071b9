"""Where a run lives: `<output>/<task>/<model-slug>/<timestamp>/`."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path

from trialscope.errors import ConfigurationError

RUN_ID_FORMAT = "%Y%m%d_%H%M%S"
_RUN_ID = re.compile(r"^\d{8}_\d{6}(_\d+)?$")
_RUN_FOLDER = re.compile(r"^(\d{8}_\d{6}(?:_\d+)?)(-shard\d+of\d+)?$")
"""A run folder's name: a run id, then `-shardIofN` for one shard of a run (engine/shards.py)."""


def model_slug(model: str) -> str:
    """A model name as a folder name: `/` becomes `--`, unsafe characters `_`.

    Base URLs after `@` become a short hash: `openai-compatible/m@http://a/v1` →
    `openai-compatible--m_1f2e3d4c`.
    """
    name, at, urls = model.partition("@")
    slug = re.sub(r"[^A-Za-z0-9._=+-]", "_", name.replace("/", "--"))
    if at:
        slug += "_" + hashlib.sha256(urls.encode("utf-8")).hexdigest()[:8]
    return slug


def new_run_id() -> str:
    """A UTC timestamp, `YYYYMMDD_HHMMSS`."""
    return datetime.now(UTC).strftime(RUN_ID_FORMAT)


def runs_root(output: Path, task: str, model: str) -> Path:
    """The folder holding every run of `model` on `task`."""
    return output / task / model_slug(model)


def latest_run(output: Path, task: str, model: str, suffix: str = "") -> Path | None:
    """The newest run folder of `model` on `task` named with `suffix` (a shard's), or None."""
    root = runs_root(output, task, model)
    if not root.is_dir():
        return None
    runs = sorted(
        p
        for p in root.iterdir()
        if p.is_dir() and (match := _RUN_FOLDER.match(p.name)) and (match.group(2) or "") == suffix
    )
    return runs[-1] if runs else None


def choose_run_folder(
    output: Path, task: str, model: str, *, run_id: str | None, resume: bool, suffix: str = ""
) -> Path:
    """The folder this run writes to.

    An explicit `run_id` names the folder (an existing one is continued); `resume` continues the
    newest run; otherwise a new timestamped folder (suffixed when the second is already taken).
    `suffix` ends the folder name (a shard's `-shardIofN`), and resume looks only at such folders.
    """
    root = runs_root(output, task, model)
    if run_id is not None:
        if not _RUN_ID.match(run_id):
            raise ConfigurationError(f"--run-id {run_id!r}: expected YYYYMMDD_HHMMSS")
        return root / f"{run_id}{suffix}"
    if resume:
        latest = latest_run(output, task, model, suffix)
        if latest is not None:
            return latest
    stamp = new_run_id()
    folder = root / f"{stamp}{suffix}"
    counter = 2
    while folder.exists():
        folder = root / f"{stamp}_{counter}{suffix}"
        counter += 1
    return folder
