"""Deterministic shards of a run: `--shard I/N` runs the I-th of N fixed slices of each task.

A task's samples are dealt round-robin in the order they were loaded (file order, after
`--num-samples`): the sample at position k (0-based) belongs to shard `k mod N + 1`. The slices
depend on the data alone, never on the seed, so every machine cuts the same shards; they differ in
size by at most one sample; and the unsharded order is rebuilt exactly by interleaving them again
(position k is the `k // N`-th result of shard `k mod N + 1`), which is what makes a merge exact.

A shard's manifest records `shard`: its index and count, how samples were dealt, the number of
samples in the whole task, and a hash of their ids in order, so a merge can prove the shards were
cut from the same samples and together cover each of them once.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from trialscope.errors import UserError
from trialscope.tasks.base import Sample, Task

ASSIGNMENT = "round-robin over the loaded sample order"
_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")

T = TypeVar("T")


class _TaskSamples(Protocol):
    task: Task
    samples: list[Sample]


D = TypeVar("D", bound=_TaskSamples)


@dataclass(frozen=True)
class Shard:
    """Shard `index` (1-based) of `count`."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """`"2/4"` → Shard(2, 4); anything else is a UserError that says what was expected."""
        match = _SHARD.match(text)
        if not match:
            raise UserError(f"--shard {text!r}: expected I/N, e.g. 2/4 (the 2nd of 4 shards)")
        index, count = int(match.group(1)), int(match.group(2))
        if count < 1 or not 1 <= index <= count:
            raise UserError(f"--shard {text!r}: I must be between 1 and N, e.g. 1/{max(count, 2)}")
        return cls(index, count)

    @property
    def label(self) -> str:
        """`2/4`."""
        return f"{self.index}/{self.count}"

    @property
    def folder_suffix(self) -> str:
        """What a shard's run folder name ends with: `-shard2of4`."""
        return f"-shard{self.index}of{self.count}"

    def positions(self, total: int) -> range:
        """The positions (0-based, in load order) of this shard's samples among `total`."""
        return range(self.index - 1, total, self.count)

    def select(self, items: Sequence[T]) -> list[T]:
        """This shard's items, in their original order."""
        return [items[k] for k in self.positions(len(items))]


def sample_ids_digest(sample_ids: Iterable[str]) -> str:
    """sha256 of the sample ids in order, one per line."""
    digest = hashlib.sha256()
    for sample_id in sample_ids:
        digest.update(sample_id.encode("utf-8") + b"\n")
    return digest.hexdigest()


def shard_record(shard: Shard, all_sample_ids: Sequence[str]) -> dict[str, Any]:
    """The manifest's `shard` entry for one task cut from `all_sample_ids`."""
    return {
        "index": shard.index,
        "count": shard.count,
        "assignment": ASSIGNMENT,
        "n_samples_total": len(all_sample_ids),
        "sample_ids_sha256": sample_ids_digest(all_sample_ids),
    }


def interleave(parts: Sequence[Sequence[T]]) -> list[T]:
    """Undo round-robin dealing: `parts[i]` holds shard i+1's items in order."""
    count = len(parts)
    total = sum(len(part) for part in parts)
    return [parts[k % count][k // count] for k in range(total)]


def shard_folder_suffix(record: dict[str, Any] | None) -> str:
    """The run-folder suffix for a manifest's `shard` entry ("" for an unsharded run)."""
    return "" if record is None else Shard(record["index"], record["count"]).folder_suffix


def cut_shards(data: list[D], shard: Shard) -> tuple[list[D], dict[str, dict[str, Any]]]:
    """This shard's part of each task's samples, and each task's manifest `shard` entry."""
    records = {
        item.task.name: shard_record(shard, [sample.sample_id for sample in item.samples])
        for item in data
    }
    parts = []
    for item in data:
        part = copy.copy(item)
        part.samples = shard.select(item.samples)
        parts.append(part)
    return parts, records
