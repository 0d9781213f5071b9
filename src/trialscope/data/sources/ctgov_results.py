"""The results section of a CT.gov v2 study as store rows: plain functions over the parsed dict.

Kept: participant flow counts, baseline participant counts, outcome measures (with their group
denominators and statistical analyses) and the adverse-events summary per group. CT.gov writes
counts as numbers or as numeric strings depending on the export; both are read, and anything
else is a `ResultsInvalid` naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


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


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ResultsInvalid(f"{where}: expected an object, got {type(value).__name__}")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ResultsInvalid(f"{where}: expected a list, got {type(value).__name__}")
    return value


def _text(obj: Mapping[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise ResultsInvalid(f"{where}.{key}: expected text, got {type(value).__name__}")


def _count(obj: Mapping[str, Any], key: str, where: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise ResultsInvalid(f"{where}.{key}: expected a count, got {value!r}")


def _group_titles(groups: list[Any], where: str) -> dict[str, str | None]:
    titles: dict[str, str | None] = {}
    for i, group in enumerate(groups):
        group = _object(group, f"{where}[{i}]")
        group_id = _text(group, "id", f"{where}[{i}]")
        if group_id is not None:
            titles[group_id] = _text(group, "title", f"{where}[{i}]")
    return titles


def result_rows(study_id: str, section: Any) -> ResultRows:
    """Rows of the results section of one study (empty when it has none)."""
    rows = ResultRows()
    section = _object(section, "resultsSection")
    _flow(study_id, _object(section.get("participantFlowModule"), "participantFlowModule"), rows)
    _baseline(
        study_id,
        _object(section.get("baselineCharacteristicsModule"), "baselineCharacteristicsModule"),
        rows,
    )
    _outcomes(
        study_id, _object(section.get("outcomeMeasuresModule"), "outcomeMeasuresModule"), rows
    )
    _adverse_events(
        study_id, _object(section.get("adverseEventsModule"), "adverseEventsModule"), rows
    )
    return rows


def _flow(study_id: str, module: Mapping[str, Any], rows: ResultRows) -> None:
    where = "participantFlowModule"
    titles = _group_titles(_list(module.get("groups"), f"{where}.groups"), f"{where}.groups")
    for p, period in enumerate(_list(module.get("periods"), f"{where}.periods")):
        at = f"{where}.periods[{p}]"
        period = _object(period, at)
        for m, milestone in enumerate(_list(period.get("milestones"), f"{at}.milestones")):
            mat = f"{at}.milestones[{m}]"
            milestone = _object(milestone, mat)
            for a, achieved in enumerate(_list(milestone.get("achievements"), mat)):
                aat = f"{mat}.achievements[{a}]"
                achieved = _object(achieved, aat)
                group_id = _text(achieved, "groupId", aat)
                rows.result_flow.append(
                    (
                        study_id,
                        _text(period, "title", at),
                        _text(milestone, "type", mat),
                        group_id,
                        titles.get(group_id or ""),
                        _count(achieved, "numSubjects", aat),
                    )
                )


def _baseline(study_id: str, module: Mapping[str, Any], rows: ResultRows) -> None:
    where = "baselineCharacteristicsModule"
    titles = _group_titles(_list(module.get("groups"), f"{where}.groups"), f"{where}.groups")
    for d, denom in enumerate(_list(module.get("denoms"), f"{where}.denoms")):
        at = f"{where}.denoms[{d}]"
        denom = _object(denom, at)
        for c, count in enumerate(_list(denom.get("counts"), f"{at}.counts")):
            cat = f"{at}.counts[{c}]"
            count = _object(count, cat)
            group_id = _text(count, "groupId", cat)
            rows.result_baseline.append(
                (
                    study_id,
                    group_id,
                    titles.get(group_id or ""),
                    _text(denom, "units", at),
                    _count(count, "value", cat),
                )
            )


def _outcomes(study_id: str, module: Mapping[str, Any], rows: ResultRows) -> None:
    where = "outcomeMeasuresModule.outcomeMeasures"
    for position, measure in enumerate(_list(module.get("outcomeMeasures"), where)):
        at = f"{where}[{position}]"
        measure = _object(measure, at)
        titles = _group_titles(_list(measure.get("groups"), f"{at}.groups"), f"{at}.groups")
        participants: dict[str, int | None] = {}
        for d, denom in enumerate(_list(measure.get("denoms"), f"{at}.denoms")):
            dat = f"{at}.denoms[{d}]"
            for c, count in enumerate(_list(_object(denom, dat).get("counts"), f"{dat}.counts")):
                cat = f"{dat}.counts[{c}]"
                count = _object(count, cat)
                participants[_text(count, "groupId", cat) or ""] = _count(count, "value", cat)
        rows.result_outcomes.append(
            (
                study_id,
                position,
                _text(measure, "type", at),
                _text(measure, "title", at),
                _text(measure, "description", at),
                _text(measure, "populationDescription", at),
                _text(measure, "timeFrame", at),
                _text(measure, "paramType", at),
                _text(measure, "dispersionType", at),
                _text(measure, "unitOfMeasure", at),
                list(titles.values()),
                [participants.get(group_id) for group_id in titles],
            )
        )
        for n, analysis in enumerate(_list(measure.get("analyses"), f"{at}.analyses")):
            nat = f"{at}.analyses[{n}]"
            analysis = _object(analysis, nat)
            group_ids = _list(analysis.get("groupIds"), f"{nat}.groupIds")
            rows.result_analyses.append(
                (
                    study_id,
                    position,
                    n,
                    [str(g) for g in group_ids],
                    _text(analysis, "nonInferiorityType", nat),
                    _text(analysis, "pValue", nat),
                    _text(analysis, "statisticalMethod", nat),
                    _text(analysis, "paramType", nat),
                    _text(analysis, "paramValue", nat),
                    _text(analysis, "ciPctValue", nat),
                    _text(analysis, "ciLowerLimit", nat),
                    _text(analysis, "ciUpperLimit", nat),
                )
            )


def _adverse_events(study_id: str, module: Mapping[str, Any], rows: ResultRows) -> None:
    where = "adverseEventsModule.eventGroups"
    for g, group in enumerate(_list(module.get("eventGroups"), where)):
        at = f"{where}[{g}]"
        group = _object(group, at)
        rows.result_adverse_events.append(
            (
                study_id,
                _text(group, "id", at),
                _text(group, "title", at),
                _count(group, "deathsNumAffected", at),
                _count(group, "deathsNumAtRisk", at),
                _count(group, "seriousNumAffected", at),
                _count(group, "seriousNumAtRisk", at),
                _count(group, "otherNumAffected", at),
                _count(group, "otherNumAtRisk", at),
            )
        )
