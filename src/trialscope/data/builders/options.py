"""Options and report of a benchmark build."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class BuildOptions:
    """How to cut the benchmark from a store.

    Test items are trials first submitted in [registered_after, registered_before) (reviews: by
    search date) when either bound is given; training items are then drawn from records before
    `registered_after` (or, with only an upper bound, from the records outside the window), so no
    test item predates its training data. Without bounds the split is random by `seed`.
    """

    seed: int = 0
    train_size: int = 1000
    test_size: int = 200
    review_train_size: int = 200
    review_test_size: int = 50
    registered_after: date | None = None
    registered_before: date | None = None
    screening_max_candidates: int = 20
    evidence_max_studies: int = 30
    n_options: int = 4
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Per-task (train, test) sizes overriding the defaults above."""

    def split_sizes(self, task: str, *, from_reviews: bool = False) -> tuple[int, int]:
        """(train, test) item counts requested for one task (review tasks have their own)."""
        if task in self.sizes:
            return self.sizes[task]
        if from_reviews:
            return self.review_train_size, self.review_test_size
        return self.train_size, self.test_size


@dataclass
class TaskCounts:
    """How many items one task got, and why it got fewer than asked (if it did)."""

    train: int = 0
    test: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class BuildReport:
    """What a build wrote."""

    out_dir: str
    tasks: dict[str, TaskCounts] = field(default_factory=dict)
    corpus_size: int = 0
    seconds: float = 0.0
