"""Tool dispatch: a map from each tool to its handler over the episode's records and progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from trialscope.audit.difficulty import Difficulty
from trialscope.audit.generator import Episode
from trialscope.audit.queries import QueryError, RecordTable
from trialscope.audit.report_rubric import grade_report
from trialscope.audit.rules import (
    PATIENT_RULES,
    TRIAL_RULES,
    bias_evidence_of_columns,
    trial_rules_of,
)
from trialscope.audit.scoring import FlagOutcome
from trialscope.audit.server.phase_gate import missing_for_flag
from trialscope.audit.server.progress import Progress
from trialscope.audit.tools import (
    ComputeDistribution,
    FlagError,
    InvestigatePattern,
    ProposeFix,
    QueryRecords,
    SubmitReport,
    ToolCall,
)

Outcome = tuple[str, dict[str, Any] | None, bool]
"""A handler's answer: the observation text, its structured result, whether the step was useful."""


class FlagLocked(QueryError):
    """A flag refused by the phase gate."""


@dataclass
class EpisodeContext:
    """Everything a handler may read or change in the current episode."""

    episode: Episode
    difficulty: Difficulty
    table: RecordTable
    progress: Progress = field(default_factory=Progress)
    ids: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.ids = {str(pid) for pid in self.episode.columns["patient_id"]}


def _query(ctx: EpisodeContext, call: ToolCall) -> Outcome:
    assert isinstance(call, QueryRecords)
    result = ctx.table.query(call.filters, call.fields, call.page, call.page_size)
    return (
        f"{result['total_matches']} records match; page {result['page']}/{result['pages']}.",
        result,
        True,
    )


def _investigate(ctx: EpisodeContext, call: ToolCall) -> Outcome:
    assert isinstance(call, InvestigatePattern)
    result = ctx.table.investigate(call.variable)
    name = result["variable"]
    if name not in ctx.progress.investigated:
        ctx.progress.investigated.append(name)
    return f"Summary of {name}.", result, True


def _distribution(ctx: EpisodeContext, call: ToolCall) -> Outcome:
    assert isinstance(call, ComputeDistribution)
    result = ctx.table.distribution(call.variable, call.stratify_by)
    label = result["variable"] + (f" by {result['stratify_by']}" if "stratify_by" in result else "")
    for name in (result["variable"], label):
        if name not in ctx.progress.distributions:
            ctx.progress.distributions.append(name)
    return f"Distribution of {label} by treatment arm.", result, True


def _flag(ctx: EpisodeContext, call: ToolCall) -> Outcome:
    assert isinstance(call, FlagError)
    etype, difficulty = call.error_type, ctx.difficulty
    if etype not in difficulty.error_types:
        problem = (
            f"error_type {etype!r} is not audited in the {difficulty.name} task"
            if etype in PATIENT_RULES or etype in TRIAL_RULES
            else f"unknown error_type {etype!r}"
        )
        raise QueryError(f"{problem}; expected one of {', '.join(difficulty.error_types)}")
    rule = TRIAL_RULES.get(etype)
    if rule is not None:
        target = rule.target
    else:
        target = (call.patient_id or "").strip().upper()
        if target not in ctx.ids:
            raise QueryError(f"unknown patient_id {call.patient_id!r}; ids look like P0001")
    missing = missing_for_flag(ctx.progress, difficulty, etype)
    if missing:
        ctx.progress.blocked_flags += 1
        raise FlagLocked(f"flagging is locked: first investigate/compute {', '.join(missing)}")
    if any(f.target == target for f in ctx.progress.flags):
        raise QueryError(f"{target} is already flagged; each patient can be flagged once")
    correct = ctx.episode.labels.get(target) == etype
    ctx.progress.flags.append(FlagOutcome(target, etype, float(call.confidence), correct))
    who = "the trial" if rule is not None else target
    return f"Flag recorded: {who} {etype} (confidence {call.confidence:.2f}).", None, True


def _fix(ctx: EpisodeContext, call: ToolCall) -> Outcome:
    assert isinstance(call, ProposeFix)
    target = call.patient_id.strip().upper()
    flag = next((f for f in ctx.progress.flags if f.target == target), None)
    if flag is None:
        raise QueryError(f"propose_fix needs a flagged patient; {call.patient_id!r} is not flagged")
    useful = target not in ctx.progress.fixes and flag.correct
    ctx.progress.fixes[target] = call.proposed_value
    return f"Fix proposed for {target}.", None, useful


def _submit(ctx: EpisodeContext, call: ToolCall) -> Outcome:
    assert isinstance(call, SubmitReport)
    episode = ctx.episode
    has_trial_rules = bool(trial_rules_of(episode.protocol.error_types))
    evidence = bias_evidence_of_columns(episode.columns) if has_trial_rules else None
    ctx.progress.report = call.report
    ctx.progress.report_grade = grade_report(
        call.report, episode.labels, episode.protocol, evidence
    )
    ctx.progress.finished_by = "report"
    return "Report submitted; the episode is finished.", None, bool(call.report.strip())


HANDLERS: dict[type[ToolCall], Callable[[EpisodeContext, ToolCall], Outcome]] = {
    QueryRecords: _query,
    InvestigatePattern: _investigate,
    ComputeDistribution: _distribution,
    FlagError: _flag,
    ProposeFix: _fix,
    SubmitReport: _submit,
}
"""One handler per tool model (a test checks every tool in `TOOLS` has one)."""


def dispatch(ctx: EpisodeContext, call: ToolCall, key: str) -> Outcome:
    """Run one call; a repeat of an earlier identical call is not a useful step."""
    repeated = key in ctx.progress.seen_actions
    ctx.progress.seen_actions.add(key)
    text, result, useful = HANDLERS[type(call)](ctx, call)
    return text, result, useful and not repeated
