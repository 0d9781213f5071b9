"""The query tools over one episode's records: filtered pages, variable summaries, distributions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from trialscope.audit.rules import Columns, day_numbers
from trialscope.audit.tools import RecordFilter
from trialscope.errors import AuditActionError

DERIVED_FIELDS: tuple[str, ...] = ("delay_days", "death_after_start_days")
MAX_STRATA = 20


class QueryError(AuditActionError):
    """A tool call the records cannot answer (unknown field, bad value); the message says why."""


def _comparable(value: Any, example: Any) -> Any:
    """Coerce a filter value to the field's type so `"40"` compares like `40`."""
    if isinstance(example, bool) or example is None or value is None:
        return value
    if isinstance(example, int | float) and isinstance(value, str):
        try:
            return float(value)
        except ValueError as exc:
            raise QueryError(f"value {value!r} is not a number") from exc
    if isinstance(example, str) and not isinstance(value, str):
        return str(value)
    return value


class RecordTable:
    """The episode's records (column-wise) plus derived fields, answering the read-only tools."""

    def __init__(self, columns: Columns) -> None:
        self.columns: dict[str, list[Any]] = {name: list(v) for name, v in columns.items()}
        self.n = len(next(iter(self.columns.values()), []))
        if self.n:
            start = day_numbers(self.columns["treatment_start"])
            gaps = {
                "delay_days": start - day_numbers(self.columns["enrollment_date"]),
                "death_after_start_days": day_numbers(self.columns["death_date"]) - start,
            }
            for name, gap in gaps.items():
                self.columns[name] = [None if g != g else int(g) for g in gap.tolist()]
        self.fields: tuple[str, ...] = tuple(self.columns) if self.n else ()
        self.examples: dict[str, Any] = {
            name: next((v for v in self.columns[name] if v is not None), None)
            for name in self.fields
        }

    def check_field(self, name: str | None, role: str = "field") -> str:
        """The field name if it exists, else a QueryError listing the valid ones."""
        if not name or name not in self.fields:
            raise QueryError(f"unknown {role} {name!r}; valid: {', '.join(self.fields)}")
        return name

    @staticmethod
    def _matches(current: Any, condition: RecordFilter, value: Any) -> bool:
        op = condition.op
        if op == "is_null":
            return current is None
        if op == "not_null":
            return current is not None
        if op == "in":
            return current in value
        if op == "==":
            return bool(current == value)
        if op == "!=":
            return bool(current != value)
        if current is None or value is None:
            return False
        if op == "<":
            return bool(current < value)
        if op == "<=":
            return bool(current <= value)
        if op == ">":
            return bool(current > value)
        return bool(current >= value)

    def query(
        self,
        filters: Sequence[RecordFilter],
        fields: Sequence[str] | None,
        page: int,
        page_size: int,
    ) -> dict[str, Any]:
        """One page of the records matching every filter, with patient_id and the chosen fields."""
        prepared: list[tuple[RecordFilter, Any]] = []
        for condition in filters:
            self.check_field(condition.field, "filter field")
            example = self.examples[condition.field]
            if condition.op == "in":
                if not isinstance(condition.value, list):
                    raise QueryError(f"filter on {condition.field!r}: `in` needs a list value")
                value: Any = [_comparable(v, example) for v in condition.value]
            elif condition.op in ("is_null", "not_null"):
                value = None
            else:
                value = _comparable(condition.value, example)
            prepared.append((condition, value))
        chosen = [self.check_field(f) for f in fields] if fields else list(self.fields[:15])
        if "patient_id" not in chosen:
            chosen.insert(0, "patient_id")
        matched = list(range(self.n))
        try:
            for condition, value in prepared:
                column = self.columns[condition.field]
                matched = [i for i in matched if self._matches(column[i], condition, value)]
        except TypeError as exc:
            raise QueryError(f"a filter value cannot be compared with its field: {exc}") from exc
        start = (page - 1) * page_size
        rows = [{f: self.columns[f][i] for f in chosen} for i in matched[start : start + page_size]]
        pages = max(1, -(-len(matched) // page_size))
        return {"total_matches": len(matched), "page": page, "pages": pages, "rows": rows}

    def investigate(self, variable: str | None) -> dict[str, Any]:
        """A summary of one variable: range, quantiles and missing values, or top values."""
        name = self.check_field(variable, "variable")
        values = self.columns[name]
        present = [v for v in values if v is not None]
        summary: dict[str, Any] = {
            "variable": name,
            "n": len(values),
            "missing": len(values) - len(present),
        }
        if present and isinstance(present[0], int | float) and not isinstance(present[0], bool):
            arr = np.asarray(present, dtype=float)
            q = np.percentile(arr, [1, 5, 25, 50, 75, 95, 99])
            summary.update(
                kind="numeric",
                min=float(arr.min()),
                max=float(arr.max()),
                mean=round(float(arr.mean()), 2),
                quantiles=dict(
                    zip(
                        ("p1", "p5", "p25", "p50", "p75", "p95", "p99"),
                        q.round(2).tolist(),
                        strict=True,
                    )
                ),
            )
        elif name.endswith("_date") or name == "treatment_start":
            summary.update(
                kind="date", min=min(present, default=None), max=max(present, default=None)
            )
            related = {
                "enrollment_date": "delay_days",
                "treatment_start": "delay_days",
                "death_date": "death_after_start_days",
            }
            if name in related:
                summary["related"] = self.investigate(related[name])
        else:
            counts = Counter(str(v) for v in present).most_common(15)
            summary.update(
                kind="categorical", distinct=len(set(map(str, present))), top=dict(counts)
            )
        return summary

    def distribution(self, variable: str | None, stratify_by: str | None) -> dict[str, Any]:
        """The variable's distribution by arm, overall and (optionally) within each stratum."""
        name = self.check_field(variable, "variable")
        everyone = range(self.n)
        result: dict[str, Any] = {"variable": name, "overall": self._by_arm(everyone, name)}
        if stratify_by:
            stratum = self.check_field(stratify_by, "stratify_by field")
            strata = [str(v) for v in self.columns[stratum]]
            levels = sorted(set(strata))
            if len(levels) > MAX_STRATA:
                raise QueryError(
                    f"stratify_by {stratum!r} has {len(levels)} levels (max {MAX_STRATA})"
                )
            result["stratify_by"] = stratum
            result["strata"] = {
                level: self._by_arm([i for i in everyone if strata[i] == level], name)
                for level in levels
            }
        return result

    def _by_arm(self, indices: Sequence[int], name: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        group, column, death = self.columns["group"], self.columns[name], self.columns["death_date"]
        for arm in ("control", "treatment"):
            arm_rows = [i for i in indices if group[i] == arm]
            values = [column[i] for i in arm_rows]
            present = [v for v in values if v is not None]
            entry: dict[str, Any] = {"n": len(arm_rows)}
            if name == "outcome" or name == "death_date":
                deaths = sum(death[i] is not None for i in arm_rows)
                entry["mortality"] = round(deaths / len(arm_rows), 4) if arm_rows else None
            if present and isinstance(present[0], int | float) and not isinstance(present[0], bool):
                arr = np.asarray(present, dtype=float)
                entry.update(
                    mean=round(float(arr.mean()), 2),
                    median=float(np.median(arr)),
                    missing=len(values) - len(present),
                )
            elif name not in ("patient_id", "death_date") and not name.endswith("_date"):
                counts = Counter(str(v) for v in values).most_common(8)
                entry["shares"] = (
                    {k: round(c / len(values), 4) for k, c in counts} if values else {}
                )
            out[arm] = entry
        return out
