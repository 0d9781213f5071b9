"""How each table of the TrialPanorama database release fills the store: table by table, column
by column.

The release has eleven tables (studies, conditions, drugs, endpoints, outcomes, disposition,
adverse_events, results, biomarkers, relations, drug_moa), large ones split over part files
(`studies.parquet`, `studies_part_2.parquet`). Each store column reads the first of several
candidate source columns that exists, and is NULL when none does. A table is loaded one of
three ways (`TableMapping.mode`):
- `replace`: its rows replace the rows of the same studies in a store table;
- `update`: it sets columns of studies already in the store (outcomes: status, why stopped);
- `copy`: the store keeps it whole as `panorama_<table>` (tables no builder reads yet).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Column:
    """A store column filled from the first existing source column, through `template`."""

    candidates: tuple[str, ...]
    template: str = "{}"
    default: str = "NULL"


def _text(*names: str) -> Column:
    return Column(names, "CAST({} AS VARCHAR)")


def _integer(*names: str) -> Column:
    return Column(names, "TRY_CAST({} AS INTEGER)")


def _date(*names: str) -> Column:
    return Column(names, "TRY_CAST(CAST({} AS VARCHAR) AS DATE)")


@dataclass(frozen=True)
class TableMapping:
    """How one TrialPanorama table fills one store table."""

    source: str
    target: str
    columns: dict[str, Column | str]  # a str is a fixed SQL expression
    mode: Literal["replace", "update", "copy"] = "replace"


_POSITION = "CAST(row_number() OVER (PARTITION BY study_id) - 1 AS INTEGER)"

TABLE_MAPPINGS: tuple[TableMapping, ...] = (
    TableMapping(
        "studies",
        "studies",
        {
            "study_id": _text("study_id", "nct_id", "nctid", "trial_id"),
            "source": Column(
                ("study_source", "source", "registry", "data_source"),
                "coalesce(CAST({} AS VARCHAR), 'panorama')",
                "'panorama'",
            ),
            "title": _text("brief_title", "title", "public_title", "official_title"),
            "official_title": _text("official_title", "scientific_title"),
            "summary": _text("brief_summary", "summary", "abstract", "description"),
            "detailed_description": _text("detailed_description"),
            "study_type": _text("study_type", "trial_type"),
            "phase": _text("phase", "phases"),
            "phases": Column(("phase", "phases"), "string_split(CAST({} AS VARCHAR), '/')"),
            "status": _text("recruitment_status", "overall_status", "status"),
            "why_stopped": _text("why_stopped", "termination_reason"),
            "start_date": Column(
                ("start_date", "start_year"),
                "coalesce(TRY_CAST(CAST({0} AS VARCHAR) AS DATE), "
                "make_date(TRY_CAST({0} AS INTEGER), 1, 1))",
            ),
            "primary_completion_date": _date("primary_completion_date"),
            "completion_date": _date("completion_date"),
            "first_submitted": _date(
                "study_first_submitted_date", "first_submitted", "registration_date"
            ),
            "enrollment": _integer("enrollment", "actual_accrual", "target_sample_size"),
            "enrollment_type": _text("enrollment_type"),
            "sponsor": _text("lead_sponsor", "sponsor", "sponsor_name"),
            "sponsor_class": _text("sponsor_type", "sponsor_class", "agency_class"),
            "allocation": _text("allocation"),
            "intervention_model": _text("intervention_model"),
            "primary_purpose": _text("primary_purpose"),
            "observational_model": _text("observational_model"),
            "time_perspective": _text("time_perspective"),
            "masking": _text("masking"),
            "has_results": Column(("has_results",), "TRY_CAST({} AS BOOLEAN)"),
        },
    ),
    TableMapping(
        "conditions",
        "conditions",
        {
            "study_id": _text("study_id", "nct_id"),
            "position": _POSITION,
            "name": _text("condition_name", "condition", "name"),
            "mesh_id": _text("condition_mesh_id", "mesh_id"),
            "origin": "'panorama'",
        },
    ),
    TableMapping(
        "drugs",
        "interventions",
        {
            "study_id": _text("study_id", "nct_id"),
            "position": _POSITION,
            "type": "'DRUG'",
            "name": _text("drug_name", "rx_normalized_name", "name"),
            "drugbank_id": _text("drugbank_id"),
        },
    ),
    TableMapping(
        "endpoints",
        "outcomes",
        {
            "study_id": _text("study_id", "nct_id"),
            "kind": Column(
                ("endpoint_type", "outcome_type", "type"),
                "CASE WHEN lower(CAST({} AS VARCHAR)) LIKE '%secondary%' "
                "THEN 'secondary' ELSE 'primary' END",
                "'primary'",
            ),
            "position": _POSITION,
            "measure": _text(
                "endpoint_name",
                "primary_endpoint",
                "measure",
                "endpoint",
                "outcome_measure",
                "title",
            ),
            "description": _text("description", "endpoint_description"),
            "time_frame": _text("time_frame"),
        },
    ),
    TableMapping(
        "outcomes",
        "studies",
        {
            "study_id": _text("study_id", "nct_id"),
            "status": _text("overall_status", "status", "recruitment_status"),
            "why_stopped": _text("why_terminated", "why_stopped", "termination_reason"),
        },
        mode="update",
    ),
    TableMapping(
        "disposition",
        "result_flow",
        {
            "study_id": _text("study_id", "nct_id"),
            "period": _text("period", "period_title"),
            "milestone": _text("milestone", "disposition", "status", "type", "reason"),
            "group_id": _text("group_id", "arm_id"),
            "group_title": _text("group_title", "group", "arm", "arm_group"),
            "participants": _integer("count", "participants", "num_subjects", "number"),
        },
    ),
    *(
        TableMapping(name, f"panorama_{name}", {}, mode="copy")
        for name in ("adverse_events", "results", "biomarkers", "relations", "drug_moa")
    ),
)
