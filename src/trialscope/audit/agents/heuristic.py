"""The heuristic auditor: reads the episode's protocol and applies its rules through the tools."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from trialscope.audit.agents.base import AuditAgent, protocol_from_observation
from trialscope.audit.difficulty import BIAS_DISTRIBUTIONS
from trialscope.audit.error_types import ErrorType
from trialscope.audit.models import AuditAction, AuditObservation, RecordFilter
from trialscope.audit.protocol import Protocol
from trialscope.audit.rules import (
    BIAS_TARGET,
    STAGES,
    is_invalid_age,
    is_temporal_inconsistency,
    is_window_violation,
)

RULE_FIELDS = [
    "age",
    "enrollment_date",
    "treatment_start",
    "death_date",
    "stage",
    "comorbidity_index",
]
PAGE_SIZE = 50


@dataclass
class _Query:
    error_type: str
    filters: list[RecordFilter]
    page: int = 1


@dataclass
class _Findings:
    flags: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    distributions: dict[str, dict[str, Any]] = field(default_factory=dict)
    bias: bool | None = None
    adjusted_gap: float | None = None


def candidate_queries(protocol: Protocol) -> list[_Query]:
    """Filters that narrow the records to those a rule could break (the rules then decide)."""
    f = RecordFilter
    queries = [
        _Query("invalid_age", [f(field="age", op="is_null")]),
        _Query("invalid_age", [f(field="age", op="<", value=protocol.age_min)]),
        _Query("invalid_age", [f(field="age", op=">", value=protocol.age_max)]),
    ]
    if "temporal_inconsistency" in protocol.error_types:
        queries.append(
            _Query("temporal_inconsistency", [f(field="death_after_start_days", op="<", value=0)])
        )
    if "protocol_window_violation" in protocol.error_types:
        # Every window is at least the standard one, so this superset is checked record by record.
        queries.append(
            _Query(
                "protocol_window_violation",
                [f(field="delay_days", op=">", value=protocol.window_days)],
            )
        )
    return queries


class HeuristicAgent(AuditAgent):
    """Investigate, query candidates, verify each with the protocol's rules, flag, report."""

    name = "heuristic"

    def __init__(self) -> None:
        self._plan: deque[AuditAction] = deque()
        self._queries: deque[_Query] = deque()
        self._current: _Query | None = None
        self._pending: str | None = None
        self._protocol: Protocol | None = None
        self._findings = _Findings()
        self._budget = 0
        self._reported = False

    def reset(self, observation: AuditObservation) -> None:
        """Plan the episode from the protocol in the first observation."""
        result = observation.result or {}
        self._protocol = protocol_from_observation(observation)
        self._findings = _Findings()
        self._reported = False
        self._pending = None
        self._current = None
        self._plan = deque(
            AuditAction(tool="investigate_pattern", variable=v) for v in result["key_variables"]
        )
        if ErrorType.SELECTION_BIAS in self._protocol.error_types:
            for variable in BIAS_DISTRIBUTIONS:
                self._plan.append(AuditAction(tool="compute_distribution", variable=variable))
            self._plan.append(
                AuditAction(tool="compute_distribution", variable="outcome", stratify_by="stage")
            )
        self._queries = deque(candidate_queries(self._protocol))

    async def act(self, observation: AuditObservation) -> AuditAction | None:
        """Next action of the plan; query results turn into flags."""
        if observation.done:
            return None
        self._absorb(observation)
        if observation.steps_remaining <= 1 and not self._reported:
            return self._report()
        if self._plan:
            return self._issue(self._plan.popleft())
        if self._queries or (self._current is not None):
            if self._current is None:
                self._current = self._queries.popleft()
            return self._issue(
                AuditAction(
                    tool="query_records",
                    filters=self._current.filters,
                    fields=RULE_FIELDS,
                    page=self._current.page,
                    page_size=PAGE_SIZE,
                )
            )
        flag = self._next_flag()
        if flag is not None:
            return flag
        if not self._reported:
            return self._report()
        return None

    def _issue(self, action: AuditAction) -> AuditAction:
        arguments = action.arguments()
        self._pending = action.tool + (
            f":{arguments['variable']}:{arguments.get('stratify_by')}"
            if arguments.get("variable")
            else ""
        )
        return action

    def _absorb(self, observation: AuditObservation) -> None:
        result = observation.result or {}
        assert self._protocol is not None
        if (
            self._pending
            and self._pending.startswith("compute_distribution")
            and "variable" in result
        ):
            key = result["variable"] + (
                f" by {result['stratify_by']}" if "stratify_by" in result else ""
            )
            self._findings.distributions[key] = result
        if self._pending == "query_records" and self._current is not None:
            for row in result.get("rows", []):
                if self._breaks(self._current.error_type, row):
                    self._findings.flags.setdefault(
                        row["patient_id"], (self._current.error_type, row)
                    )
            if result.get("page", 1) < result.get("pages", 1):
                self._current.page += 1
            else:
                self._current = None
        self._pending = None

    def _breaks(self, error_type: str, row: dict[str, Any]) -> bool:
        assert self._protocol is not None
        if error_type == "invalid_age":
            return is_invalid_age(row, self._protocol)
        if error_type == "temporal_inconsistency":
            return is_temporal_inconsistency(row)
        return is_window_violation(row, self._protocol)

    def _decide_bias(self) -> bool:
        assert self._protocol is not None
        dists = self._findings.distributions
        try:
            eth = dists["ethnicity"]["overall"]["control"]["shares"]
            sex = dists["gender"]["overall"]["control"]["shares"]
            strata = dists["outcome by stage"]["strata"]
        except KeyError:
            return False
        weighted, total = 0.0, 0.0
        for stage in STAGES:
            arms = strata.get(stage)
            if not arms or not arms["control"]["n"] or not arms["treatment"]["n"]:
                continue
            weight = arms["control"]["n"] + arms["treatment"]["n"]
            weighted += weight * (arms["control"]["mortality"] - arms["treatment"]["mortality"])
            total += weight
        gap = weighted / total if total else 0.0
        self._findings.adjusted_gap = gap
        p = self._protocol
        return (
            max(eth.values(), default=0.0) > (p.ethnicity_dominance_threshold or 1.0)
            and sex.get("Male", 0.0) > (p.male_share_threshold or 1.0)
            and gap > (p.mortality_gap_threshold or 1.0)
        )

    def _next_flag(self) -> AuditAction | None:
        assert self._protocol is not None
        if ErrorType.SELECTION_BIAS in self._protocol.error_types and self._findings.bias is None:
            self._findings.bias = self._decide_bias()
            if self._findings.bias:
                return AuditAction(
                    tool="flag_error",
                    error_type=ErrorType.SELECTION_BIAS,
                    reason="control-arm skew and stage-adjusted mortality gap above thresholds",
                    confidence=1.0,
                )
        for pid, (etype, _row) in self._findings.flags.items():
            if not _row.get("_flagged"):
                _row["_flagged"] = True
                return AuditAction(
                    tool="flag_error",
                    patient_id=pid,
                    error_type=etype,
                    reason=f"breaks the {etype} rule of the protocol",
                    confidence=1.0,
                )
        return None

    def _report(self) -> AuditAction:
        assert self._protocol is not None
        self._reported = True
        p = self._protocol
        lines = [f"Audit of {p.title}: age range {p.age_min}-{p.age_max}."]
        if "protocol_window_violation" in p.error_types:
            lines.append(
                f"Window {p.window_days} days, "
                f"Stage IV {p.window_days + p.stage_iv_extension_days} days"
                + (
                    f", revoked above comorbidity {p.comorbidity_threshold}."
                    if p.comorbidity_threshold
                    else "."
                )
            )
        for pid, (etype, row) in self._findings.flags.items():
            if row.get("_flagged"):
                lines.append(f"{pid}: {etype} ({_explain(etype, row, p)}).")
        if ErrorType.SELECTION_BIAS in p.error_types and self._findings.adjusted_gap is not None:
            gap = self._findings.adjusted_gap
            if self._findings.bias:
                lines.append(f"Selection bias present: stage-stratified mortality gap {gap:.3f}.")
            else:
                lines.append(f"No selection bias: stage-stratified mortality gap is {gap:.3f}.")
        return AuditAction(tool="submit_report", report="\n".join(lines))


def _explain(error_type: str, row: dict[str, Any], protocol: Protocol) -> str:
    if error_type == "invalid_age":
        return f"age {row.get('age')} outside {protocol.age_min}-{protocol.age_max}"
    if error_type == "temporal_inconsistency":
        return f"death {row.get('death_date')} before treatment {row.get('treatment_start')}"
    start, stage = row.get("treatment_start"), row.get("stage")
    return f"treatment start {start} after the allowed window, stage {stage}"


__all__ = ["BIAS_TARGET", "HeuristicAgent"]
