"""The embedded default benchmark: built from the synthetic registry on first use, then cached.

The cache key hashes the build settings and the source of every module that shapes the data, so
a code change yields a fresh build instead of stale files. Builds happen in a private temporary
folder renamed into place, so two processes racing both end up with one complete copy.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import uuid
from importlib import resources
from pathlib import Path

import platformdirs

# Only light builder modules: finding the built default must not import every builder.
from trialscope.data.builders.options import BuildOptions
from trialscope.tasks.study_screening import StudyScreeningTask

SCREENING_FOLDER = StudyScreeningTask.folder_names[0]
"""The screening task's folder, read from the task's own module (builders.reviews names the same
folder, tested equal): builders.reviews imports numpy, which `trialscope run` imports only once
its first requests are out."""

log = logging.getLogger(__name__)

CACHE_ENV = "TRIALSCOPE_CACHE_DIR"
DEFAULT_TRIALS = 8000
DEFAULT_SEED = 20250522
DEFAULT_OPTIONS = BuildOptions(
    seed=DEFAULT_SEED,
    train_size=1000,
    test_size=200,
    review_train_size=80,
    review_test_size=40,
    sizes={SCREENING_FOLDER: (100, 30)},
)
STORE_NAME = "trials.duckdb"
_SHAPING_SOURCES = (
    "synthetic",
    "builders",
    "termination.py",
    "store_queries.py",
    "sources",
    "schema.sql",
    "store.py",
    "store_base.py",
    "store_literature.py",
    "ingest_chunks.py",
    "ingest_pipeline.py",
)


def cache_root() -> Path:
    """Where trialscope caches data: `$TRIALSCOPE_CACHE_DIR`, else the user cache directory."""
    override = os.environ.get(CACHE_ENV)
    return Path(override) if override else Path(platformdirs.user_cache_dir("trialscope"))


def default_key(n_trials: int = DEFAULT_TRIALS, options: BuildOptions = DEFAULT_OPTIONS) -> str:
    """A short hash of the settings and data-shaping code of the default build."""
    digest = hashlib.sha256(f"{n_trials}|{options!r}".encode())
    package = resources.files("trialscope.data")
    for name in _SHAPING_SOURCES:
        entry = package.joinpath(name)
        files = [entry] if entry.is_file() else _walk(entry)
        for file in sorted(files, key=lambda f: str(f)):
            digest.update(str(file.name).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def _walk(folder: resources.abc.Traversable) -> list[resources.abc.Traversable]:
    if not folder.is_dir():
        return []
    found: list[resources.abc.Traversable] = []
    for child in folder.iterdir():
        if child.is_dir():
            found.extend(_walk(child))
        elif child.name.endswith((".py", ".yaml", ".sql")):
            found.append(child)
    return found


def _complete(root: Path) -> bool:
    from trialscope.data.builders.benchmark import TASK_FOLDERS

    return all((root / task / "test.jsonl").is_file() for task in TASK_FOLDERS)


def default_benchmark_root(
    n_trials: int = DEFAULT_TRIALS, options: BuildOptions = DEFAULT_OPTIONS
) -> Path:
    """The default benchmark folder (eight task folders, corpus and `trials.duckdb`), built once."""
    final = cache_root() / "benchmarks" / f"synthetic-{default_key(n_trials, options)}"
    if final.is_dir():
        # Only a finished build is renamed into place (below), so the folder is complete; this
        # path must stay cheap (no builder imports): every `trialscope run` takes it.
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    temp = final.parent / f".building-{final.name}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        build_default_into(temp, n_trials, options)
        try:
            os.rename(temp, final)
        except OSError:
            # Another process finished first; its copy is identical.
            if not _complete(final):
                raise
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return final


def build_default_into(
    folder: Path, n_trials: int = DEFAULT_TRIALS, options: BuildOptions = DEFAULT_OPTIONS
) -> None:
    """Generate the synthetic registry into `folder/trials.duckdb` and cut the benchmark there."""
    from trialscope.data.builders.benchmark import build_benchmark
    from trialscope.data.store import TrialStore
    from trialscope.data.synthetic import SyntheticRegistry, load_into_store

    folder.mkdir(parents=True, exist_ok=True)
    log.info("building the default benchmark (%d synthetic trials) in %s", n_trials, folder)
    with TrialStore(folder / STORE_NAME) as store:
        load_into_store(store, SyntheticRegistry(n_trials, seed=options.seed))
    # Reopened read-only so the builder may read it from a second process too.
    with TrialStore(folder / STORE_NAME, read_only=True) as store:
        build_benchmark(store, folder, options)
