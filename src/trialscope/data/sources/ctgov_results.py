"""The results section of a CT.gov v2 study as store rows, from the typed `ResultsSection`.

Kept: participant flow counts, baseline participant counts, outcome measures (with their group
denominators and statistical analyses) and the adverse-events summary per group. CT.gov writes
counts as numbers or as numeric strings depending on the export; both are read, and anything
else is a `ResultsInvalid` naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trialscope.data.sources.ctgov_models import (
    MAX_INTEGER,
    Count,
    ResultGroup,
    ResultsSection,
    Text,
)


class ResultsInvalid(ValueError):
    """A results field that is not what CT.gov's schema says; the message names it."""


@dataclass
class ResultRows:
    """The results section's rows, per store table (tuples in schema column order)."""

    result_flow: list[tuple[Any, ...]] = field(default_factory=list)
    result_baseline: list[tuple[Any, ...]] = field(default_factory=list)
    result_outcomes: list[tuple[Any, ...]] = field(default_factory=list)
    result_analyses: list[tuple[Any, ...]] = field(default_factory=list)
    result_adverse_events: list[tuple[Any, ...]] = field(default_factory=list)


def _text(value: Text) -> str | None:
    return value if value is None or isinstance(value, str) else str(value)


def _count(value: Count, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, int) and -MAX_INTEGER <= value <= MAX_INTEGER:
        return value
    raise ResultsInvalid(f"{where}: expected a count, got {value!r}")


def _group_titles(groups: list[ResultGroup] | None) -> dict[str, str | None]:
    titles: dict[str, str | None] = {}
    for group in groups or ():
        if group.id is not None:
            titles[_text(group.id) or ""] = _text(group.title)
    return titles


def result_rows(study_id: str, section: ResultsSection) -> ResultRows:
    """Rows of the results section of one study (empty when it has none)."""
    rows = ResultRows()
    _flow(study_id, section, rows)
    _baseline(study_id, section, rows)
    _outcomes(study_id, section, rows)
    _adverse_events(study_id, section, rows)
    return rows


def _flow(study_id: str, section: ResultsSection, rows: ResultRows) -> None:
    module = section.participant_flow_module
    if module is None:
        return
    where = "participantFlowModule.periods"
    titles = _group_titles(module.groups)
    for p, period in enumerate(module.periods or ()):
        for m, milestone in enumerate(period.milestones or ()):
            for a, achieved in enumerate(milestone.achievements or ()):
                group_id = _text(achieved.group_id)
                rows.result_flow.append(
                    (
                        study_id,
                        _text(period.title),
                        _text(milestone.type),
                        group_id,
                        titles.get(group_id or ""),
                        _count(
                            achieved.num_subjects,
                            f"{where}[{p}].milestones[{m}].achievements[{a}].numSubjects",
                        ),
                    )
                )


def _baseline(study_id: str, section: ResultsSection, rows: ResultRows) -> None:
    module = section.baseline_characteristics_module
    if module is None:
        return
    titles = _group_titles(module.groups)
    for d, denom in enumerate(module.denoms or ()):
        for c, count in enumerate(denom.counts or ()):
            group_id = _text(count.group_id)
            rows.result_baseline.append(
                (
                    study_id,
                    group_id,
                    titles.get(group_id or ""),
                    _text(denom.units),
                    _count(
                        count.value,
                        f"baselineCharacteristicsModule.denoms[{d}].counts[{c}].value",
                    ),
                )
            )


def _outcomes(study_id: str, section: ResultsSection, rows: ResultRows) -> None:
    module = section.outcome_measures_module
    if module is None:
        return
    where = "outcomeMeasuresModule.outcomeMeasures"
    for position, measure in enumerate(module.outcome_measures or ()):
        titles = _group_titles(measure.groups)
        participants: dict[str, int | None] = {}
        for d, denom in enumerate(measure.denoms or ()):
            for c, count in enumerate(denom.counts or ()):
                at = f"{where}[{position}].denoms[{d}].counts[{c}].value"
                participants[_text(count.group_id) or ""] = _count(count.value, at)
        rows.result_outcomes.append(
            (
                study_id,
                position,
                _text(measure.type),
                _text(measure.title),
                _text(measure.description),
                _text(measure.population_description),
                _text(measure.time_frame),
                _text(measure.param_type),
                _text(measure.dispersion_type),
                _text(measure.unit_of_measure),
                list(titles.values()),
                [participants.get(group_id) for group_id in titles],
            )
        )
        for n, analysis in enumerate(measure.analyses or ()):
            rows.result_analyses.append(
                (
                    study_id,
                    position,
                    n,
                    [str(g) for g in analysis.group_ids or ()],
                    _text(analysis.non_inferiority_type),
                    _text(analysis.p_value),
                    _text(analysis.statistical_method),
                    _text(analysis.param_type),
                    _text(analysis.param_value),
                    _text(analysis.ci_pct_value),
                    _text(analysis.ci_lower_limit),
                    _text(analysis.ci_upper_limit),
                )
            )


def _adverse_events(study_id: str, section: ResultsSection, rows: ResultRows) -> None:
    module = section.adverse_events_module
    if module is None:
        return
    for g, group in enumerate(module.event_groups or ()):
        at = f"adverseEventsModule.eventGroups[{g}]"
        rows.result_adverse_events.append(
            (
                study_id,
                _text(group.id),
                _text(group.title),
                _count(group.deaths_num_affected, f"{at}.deathsNumAffected"),
                _count(group.deaths_num_at_risk, f"{at}.deathsNumAtRisk"),
                _count(group.serious_num_affected, f"{at}.seriousNumAffected"),
                _count(group.serious_num_at_risk, f"{at}.seriousNumAtRisk"),
                _count(group.other_num_affected, f"{at}.otherNumAffected"),
                _count(group.other_num_at_risk, f"{at}.otherNumAtRisk"),
            )
        )
