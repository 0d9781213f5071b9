"""What an ingest did: counts, and the records that failed validation with their reasons."""

from __future__ import annotations

from dataclasses import dataclass, field

# Failures beyond this many are counted but not kept, so a bad source cannot grow memory.
MAX_KEPT_FAILURES = 1000


@dataclass(frozen=True)
class IngestFailure:
    """One record that did not enter the store: its id (or where it was read) and why."""

    record_id: str
    reason: str
    origin: str | None = None


@dataclass
class IngestReport:
    """Counts of one ingest; `failures` keeps the first `MAX_KEPT_FAILURES` failures."""

    source: str
    seen: int = 0
    inserted: int = 0
    updated: int = 0
    failed: int = 0
    failures: list[IngestFailure] = field(default_factory=list)

    @property
    def stored(self) -> int:
        """Records written (new plus replaced)."""
        return self.inserted + self.updated

    def add_failure(self, failure: IngestFailure) -> None:
        """Count a failure and keep it while under the cap."""
        self.failed += 1
        if len(self.failures) < MAX_KEPT_FAILURES:
            self.failures.append(failure)

    def merge(self, other: IngestReport) -> None:
        """Add another report's counts and failures to this one."""
        self.seen += other.seen
        self.inserted += other.inserted
        self.updated += other.updated
        self.failed += other.failed
        room = MAX_KEPT_FAILURES - len(self.failures)
        self.failures.extend(other.failures[: max(room, 0)])

    def summary(self) -> str:
        """One line for logs and the CLI."""
        return (
            f"{self.source}: {self.seen} read, {self.inserted} new, {self.updated} updated, "
            f"{self.failed} failed"
        )
