"""Field by field: every real CT.gov study in the store says what its source JSON says.

The expected values are read straight from the JSON here, independently of the ingest code.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from trialscope.data.store import TrialStore


def _get(obj: Any, *path: str) -> Any:
    for step in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(step)
    return obj


def _date(text: str | None) -> tuple[dt.date | None, str | None]:
    if not text:
        return None, None
    parts = [int(p) for p in text.split("-")]
    precision = {1: "year", 2: "month", 3: "day"}[len(parts)]
    return dt.date(*(parts + [1] * (3 - len(parts)))), precision


def _mesh(value: str) -> str:
    return value[0] + value[1:].lstrip("0").zfill(6)


def _count(value: Any) -> int | None:
    return None if value is None else int(value)


@pytest.fixture(scope="module")
def rows(real_store: Path) -> Iterator[TrialStore]:
    with TrialStore(real_store, read_only=True) as store:
        yield store


def _table(store: TrialStore, table: str, study_id: str, order: str) -> list[dict[str, Any]]:
    return store._dicts(
        f"SELECT * EXCLUDE (study_id) FROM {table} WHERE study_id = ? ORDER BY {order}",
        [study_id],
    )


def test_every_real_study_is_stored(real_studies: list[dict[str, Any]], rows: TrialStore) -> None:
    ids = {s["protocolSection"]["identificationModule"]["nctId"] for s in real_studies}
    assert len(real_studies) >= 239
    assert rows.count("studies") == len(ids)


def test_study_fields(real_studies: list[dict[str, Any]], rows: TrialStore) -> None:
    month_dates = 0
    for source in real_studies:
        p = source["protocolSection"]
        nct = p["identificationModule"]["nctId"]
        got = rows._dicts("SELECT * FROM studies WHERE study_id = ?", [nct])[0]
        status, design = p.get("statusModule", {}), p.get("designModule", {})
        info = design.get("designInfo", {})
        expected = {
            "title": _get(p, "identificationModule", "briefTitle"),
            "official_title": _get(p, "identificationModule", "officialTitle"),
            "summary": _get(p, "descriptionModule", "briefSummary"),
            "detailed_description": _get(p, "descriptionModule", "detailedDescription"),
            "study_type": design.get("studyType"),
            "phases": design.get("phases", []),
            "status": status.get("overallStatus"),
            "why_stopped": status.get("whyStopped"),
            "first_submitted": _date(status.get("studyFirstSubmitDate"))[0],
            "enrollment": _get(design, "enrollmentInfo", "count"),
            "enrollment_type": _get(design, "enrollmentInfo", "type"),
            "sponsor": _get(p, "sponsorCollaboratorsModule", "leadSponsor", "name"),
            "sponsor_class": _get(p, "sponsorCollaboratorsModule", "leadSponsor", "class"),
            "allocation": info.get("allocation"),
            "intervention_model": info.get("interventionModel"),
            "primary_purpose": info.get("primaryPurpose"),
            "observational_model": info.get("observationalModel"),
            "time_perspective": info.get("timePerspective"),
            "masking": _get(info, "maskingInfo", "masking"),
            "keywords": _get(p, "conditionsModule", "keywords") or [],
            "has_results": source.get("hasResults"),
        }
        for name in ("start_date", "primary_completion_date", "completion_date"):
            struct = status.get(_camel(name) + "Struct") or {}
            day, precision = _date(struct.get("date"))
            month_dates += precision == "month"
            expected[name] = day
            expected[f"{name}_precision"] = precision
            expected[f"{name}_type"] = struct.get("type")
        assert {k: got[k] for k in expected} == expected, nct
    assert month_dates > 100  # the real set has hundreds of year-month dates


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


def test_conditions_and_normalised_mesh_ids(
    real_studies: list[dict[str, Any]], rows: TrialStore
) -> None:
    long_ids = 0
    for source in real_studies:
        nct = source["protocolSection"]["identificationModule"]["nctId"]
        got = _table(rows, "conditions", nct, "position")
        reported = _get(source, "protocolSection", "conditionsModule", "conditions") or []
        assert [r["name"] for r in got if r["origin"] == "reported"] == reported, nct
        browse = _get(source, "derivedSection", "conditionBrowseModule") or {}
        meshes = {_mesh(m["id"]) for m in browse.get("meshes", [])}
        long_ids += sum(len(m["id"]) > 7 for m in browse.get("meshes", []))
        stored = {r["mesh_id"] for r in got if r["mesh_id"] and r["origin"] != "mesh_ancestor"}
        assert stored == meshes, nct
        ancestors = {_mesh(m["id"]) for m in browse.get("ancestors", [])}
        assert {r["mesh_id"] for r in got if r["origin"] == "mesh_ancestor"} == ancestors, nct
        assert all(re.fullmatch(r"D\d{6,}", r["mesh_id"] or "D000000") for r in got), nct
    assert long_ids > 0  # both spellings occur in the real set


def test_design_sections(real_studies: list[dict[str, Any]], rows: TrialStore) -> None:
    other_names = population = other_outcomes = 0
    for source in real_studies:
        p = source["protocolSection"]
        nct = p["identificationModule"]["nctId"]
        arms = p.get("armsInterventionsModule", {})
        got = _table(rows, "interventions", nct, "position")
        expected = [
            (i.get("type"), i.get("name"), i.get("description"),
             i.get("armGroupLabels", []), i.get("otherNames", []))
            for i in arms.get("interventions", [])
        ]  # fmt: skip
        assert [
            (r["type"], r["name"], r["description"], r["arm_group_labels"], r["other_names"])
            for r in got
        ] == expected, nct
        other_names += sum(bool(e[4]) for e in expected)
        got = _table(rows, "arm_groups", nct, "position")
        assert [
            (r["label"], r["type"], r["description"], r["intervention_names"]) for r in got
        ] == [
            (a.get("label"), a.get("type"), a.get("description"), a.get("interventionNames", []))
            for a in arms.get("armGroups", [])
        ], nct
        elig = p.get("eligibilityModule")
        got = _table(rows, "eligibility", nct, "study_id")
        if elig is None:
            assert got == [], nct
        else:
            assert got == [
                {
                    "criteria": elig.get("eligibilityCriteria"),
                    "sex": elig.get("sex"),
                    "minimum_age": elig.get("minimumAge"),
                    "maximum_age": elig.get("maximumAge"),
                    "healthy_volunteers": elig.get("healthyVolunteers"),
                    "study_population": elig.get("studyPopulation"),
                    "sampling_method": elig.get("samplingMethod"),
                }
            ], nct
            population += bool(elig.get("studyPopulation"))
        outcomes = p.get("outcomesModule", {})
        got = _table(rows, "outcomes", nct, "kind, position")
        expected_outcomes = sorted(
            (kind, n, o.get("measure"), o.get("description"), o.get("timeFrame"))
            for kind in ("primary", "secondary", "other")
            for n, o in enumerate(outcomes.get(f"{kind}Outcomes", []))
        )
        other_outcomes += bool(outcomes.get("otherOutcomes"))
        assert [
            (r["kind"], r["position"], r["measure"], r["description"], r["time_frame"]) for r in got
        ] == expected_outcomes, nct
    assert other_names > 0 and population > 0 and other_outcomes > 0


def test_collaborators_and_locations(real_studies: list[dict[str, Any]], rows: TrialStore) -> None:
    located = 0
    for source in real_studies:
        p = source["protocolSection"]
        nct = p["identificationModule"]["nctId"]
        got = _table(rows, "collaborators", nct, "position")
        assert [(r["name"], r["class"]) for r in got] == [
            (c.get("name"), c.get("class"))
            for c in _get(p, "sponsorCollaboratorsModule", "collaborators") or []
        ], nct
        places = _get(p, "contactsLocationsModule", "locations") or []
        got = _table(rows, "locations", nct, "position")
        assert [(r["facility"], r["city"], r["state"], r["country"], r["status"]) for r in got] == [
            (x.get("facility"), x.get("city"), x.get("state"), x.get("country"), x.get("status"))
            for x in places
        ], nct
        located += bool(places)
    assert located > 100


def test_results_section(real_studies: list[dict[str, Any]], rows: TrialStore) -> None:
    with_results = [s for s in real_studies if "resultsSection" in s]
    assert len(with_results) >= 5
    for source in with_results:
        nct = source["protocolSection"]["identificationModule"]["nctId"]
        results = source["resultsSection"]
        flow = results.get("participantFlowModule", {})
        expected_flow = sorted(
            (period.get("title"), milestone.get("type"), a.get("groupId"),
             _count(a.get("numSubjects")))
            for period in flow.get("periods", [])
            for milestone in period.get("milestones", [])
            for a in milestone.get("achievements", [])
        )  # fmt: skip
        got = _table(rows, "result_flow", nct, "period, milestone, group_id")
        assert (
            sorted((r["period"], r["milestone"], r["group_id"], r["participants"]) for r in got)
            == expected_flow
        ), nct
        baseline = results.get("baselineCharacteristicsModule", {})
        got = _table(rows, "result_baseline", nct, "group_id")
        assert sorted((r["group_id"], r["participants"]) for r in got) == sorted(
            (c.get("groupId"), _count(c.get("value")))
            for d in baseline.get("denoms", [])
            for c in d.get("counts", [])
        ), nct
        measures = _get(results, "outcomeMeasuresModule", "outcomeMeasures") or []
        got = _table(rows, "result_outcomes", nct, "position")
        assert [(r["type"], r["title"], r["time_frame"], r["unit"]) for r in got] == [
            (m.get("type"), m.get("title"), m.get("timeFrame"), m.get("unitOfMeasure"))
            for m in measures
        ], nct
        got = _table(rows, "result_analyses", nct, "outcome_position, position")
        assert [(r["outcome_position"], r["p_value"], r["statistical_method"]) for r in got] == [
            (n, a.get("pValue"), a.get("statisticalMethod"))
            for n, m in enumerate(measures)
            for a in m.get("analyses", [])
        ], nct
        groups = _get(results, "adverseEventsModule", "eventGroups") or []
        got = _table(rows, "result_adverse_events", nct, "group_id")
        assert sorted(
            (r["group_id"], r["serious_affected"], r["serious_at_risk"], r["other_affected"])
            for r in got
        ) == sorted(
            (g.get("id"), _count(g.get("seriousNumAffected")), _count(g.get("seriousNumAtRisk")),
             _count(g.get("otherNumAffected")))
            for g in groups
        ), nct  # fmt: skip
