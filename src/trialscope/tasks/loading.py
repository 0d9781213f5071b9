"""Find a benchmark root and read one task's split into validated samples."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from trialscope.errors import InputError
from trialscope.tasks.base import Sample, Task

log = logging.getLogger(__name__)

HF_PREFIX = "hf://"
SPLITS = ("train", "test")


class BenchmarkDataError(InputError):
    """A benchmark root, folder or record is missing or not in the expected layout."""


@dataclass
class LoadedSplit:
    """A task with one split loaded: its samples, the files read, what was skipped (with why),
    and where they came from (the engine reads the train split from `root` for baselines)."""

    task: Task
    samples: list[Sample]
    files: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    root: Path | None = None
    train: list[Sample] | None = None
    """The task's train split, once loaded (baselines fit on it)."""


def _layout_hint() -> str:
    from trialscope.tasks.registry import default_registry

    examples = [" or ".join(cls.folder_names) for cls in list(default_registry())[:4]]
    return (
        "expected <root>/<task folder>/{train,test}.jsonl with task folders such as "
        + ", ".join(examples)
        + ", ..."
    )


def _looks_like_root(path: Path) -> bool:
    from trialscope.tasks.registry import all_folder_names

    return any((path / name).is_dir() for name in all_folder_names())


def _find_root_inside(path: Path) -> Path:
    """The folder under `path` (itself, or up to two levels down) that holds task folders."""
    candidates = [path, *sorted(p for p in path.glob("*") if p.is_dir())]
    candidates += sorted(p for p in path.glob("*/*") if p.is_dir())
    for candidate in candidates:
        if _looks_like_root(candidate):
            return candidate
    raise BenchmarkDataError(f"no task folders found in {path}: {_layout_hint()}")


def download_from_hub(dataset_id: str, revision: str | None = None) -> Path:
    """Download a published benchmark from the Hugging Face hub (only its JSONL files)."""
    try:
        from huggingface_hub import snapshot_download
    except ImportError as error:
        raise BenchmarkDataError(
            f"reading hf://{dataset_id} needs the huggingface_hub package "
            "(pip install huggingface_hub), or download the dataset and pass its folder"
        ) from error
    try:
        folder = snapshot_download(
            repo_id=dataset_id,
            repo_type="dataset",
            revision=revision,
            allow_patterns=["*.jsonl", "**/*.jsonl"],
        )
    except Exception as error:  # the hub client raises many types (offline, 404, auth)
        raise BenchmarkDataError(f"could not download hf://{dataset_id}: {error}") from error
    return Path(folder)


def resolve_benchmark_root(data_path: str | None) -> Path:
    """The benchmark root for `--data-path`: a folder, `hf://<dataset-id>[@revision]`, or
    None for the embedded default benchmark."""
    if data_path is None:
        from trialscope.data.default import default_benchmark_root

        return Path(default_benchmark_root())
    if data_path.startswith(HF_PREFIX):
        spec = data_path[len(HF_PREFIX) :].strip("/")
        dataset_id, _, revision = spec.partition("@")
        if dataset_id.count("/") != 1:
            raise BenchmarkDataError(
                f"{data_path!r}: expected hf://<owner>/<dataset>[@revision], "
                "e.g. hf://zifeng-ai/TrialPanorama-benchmark"
            )
        return _find_root_inside(download_from_hub(dataset_id, revision or None))
    path = Path(data_path).expanduser()
    if not path.is_dir():
        raise BenchmarkDataError(f"benchmark root {path} does not exist: {_layout_hint()}")
    return _find_root_inside(path)


def task_folder(task: Task, root: Path) -> Path:
    """The task's folder under the root, in whichever naming convention is present."""
    for name in task.folder_names:
        if (root / name).is_dir():
            return root / name
    names = " or ".join(str(root / name) for name in task.folder_names)
    raise BenchmarkDataError(
        f"no folder for task {task.name!r} in {root}: looked for {names}; {_layout_hint()}"
    )


def _field_path(location: tuple[Any, ...]) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(record)"


def _describe(error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        got = item.get("input")
        shown = repr(got)[:60] if not isinstance(got, dict) else "an object"
        problems.append(f"field '{_field_path(item['loc'])}': {item['msg']} (got {shown})")
    return "; ".join(problems)


def iter_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, object) per non-blank line, streamed; a bad line yields an error text."""
    with path.open("r", encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as error:
                yield number, f"invalid JSON ({error.msg} at column {error.colno})"
                continue
            if not isinstance(value, dict):
                yield number, f"expected a JSON object, got {type(value).__name__}"
                continue
            yield number, value


def split_path(task: Task, root: Path, split: str = "test") -> Path:
    """`<root>/<task folder>/<split>.jsonl`; BenchmarkDataError when it does not exist."""
    if split not in SPLITS:
        raise BenchmarkDataError(f"unknown split {split!r}: expected one of {SPLITS}")
    path = task_folder(task, root) / f"{split}.jsonl"
    if not path.is_file():
        raise BenchmarkDataError(f"{path} does not exist: {_layout_hint()}")
    return path


def load_samples(
    task: Task,
    root: Path,
    split: str = "test",
    limit: int | None = None,
    skip_invalid: bool = False,
) -> LoadedSplit:
    """Read and validate `<root>/<task folder>/<split>.jsonl`, the first `limit` records.

    A malformed line or a record failing validation raises BenchmarkDataError naming the file,
    line and field; with `skip_invalid` it is skipped and described in `skipped` instead. A split
    with no valid record raises BenchmarkDataError naming the file.
    """
    path = split_path(task, root, split)
    task.use_benchmark_root(root)
    loaded = LoadedSplit(task, samples=[], files=[path], root=root)
    seen: dict[str, int] = {}
    for number, value in iter_jsonl(path):
        if limit is not None and len(loaded.samples) >= limit:
            break
        problem: str | None = value if isinstance(value, str) else None
        record = None
        if isinstance(value, dict):
            try:
                record = task.record_model.model_validate(value)
            except ValidationError as error:
                problem = _describe(error)
        if record is None or not isinstance(value, dict):
            message = f"{path}:{number}: {problem}"
            if not skip_invalid:
                raise BenchmarkDataError(message)
            loaded.skipped.append(message)
            continue
        sample_id = task.sample_id(record, len(loaded.samples) + len(loaded.skipped))
        if sample_id in seen:
            log.warning(
                "%s:%d: sample id %r repeats line %d", path, number, sample_id, seen[sample_id]
            )
            sample_id = f"{sample_id}~{number}"
        seen[sample_id] = number
        loaded.samples.append(Sample(sample_id=sample_id, record=record, raw=value))
    if not loaded.samples:
        # A score over no samples is no score: an empty split is an error, never a 0.0.
        found = f"all {len(loaded.skipped)} records are invalid" if loaded.skipped else "no records"
        raise BenchmarkDataError(
            f"{found} (the {split} split is empty or blank); expected one JSON record per line",
            path=path,
        )
    return loaded
