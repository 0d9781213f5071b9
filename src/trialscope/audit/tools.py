"""The agent's tools: name, description and JSON-schema parameters of each."""

from __future__ import annotations

from typing import Any

FILTER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "field": {"type": "string", "description": "record or derived field"},
        "op": {
            "type": "string",
            "enum": ["==", "!=", "<", "<=", ">", ">=", "in", "is_null", "not_null"],
        },
        "value": {"description": "number, ISO date, string, or a list for `in`"},
    },
    "required": ["field", "op"],
}

TOOL_SPECS: list[dict[str, Any]] = [
    {
        "name": "query_records",
        "description": (
            "Page through patient records matching all filters (AND). Derived fields "
            "delay_days (treatment_start - enrollment_date) and death_after_start_days "
            "(death_date - treatment_start) can be filtered and returned. Returns at most "
            "page_size rows with patient_id plus the chosen fields."
        ),
        "parameters": {
            "type": "object",
            "properties": {
                "filters": {"type": "array", "items": FILTER_SCHEMA, "maxItems": 8},
                "fields": {"type": "array", "items": {"type": "string"}},
                "page": {"type": "integer", "minimum": 1, "default": 1},
                "page_size": {"type": "integer", "minimum": 1, "maximum": 50, "default": 20},
            },
        },
    },
    {
        "name": "investigate_pattern",
        "description": (
            "Summarise one variable over all patients (range, quantiles, missing values, "
            "top values). Investigating the task's key variables unlocks flagging."
        ),
        "parameters": {
            "type": "object",
            "properties": {"variable": {"type": "string"}},
            "required": ["variable"],
        },
    },
    {
        "name": "compute_distribution",
        "description": (
            "Distribution of a variable by treatment arm, optionally stratified by another "
            "variable (e.g. stage or treatment_site). For outcome it reports mortality rates."
        ),
        "parameters": {
            "type": "object",
            "properties": {
                "variable": {"type": "string"},
                "stratify_by": {"type": "string"},
            },
            "required": ["variable"],
        },
    },
    {
        "name": "flag_error",
        "description": (
            "Flag one patient's error (invalid_age, temporal_inconsistency, "
            "protocol_window_violation), or the trial's selection_bias without a patient_id. "
            "Each patient can be flagged once; confidence in [0, 1]."
        ),
        "parameters": {
            "type": "object",
            "properties": {
                "patient_id": {"type": "string"},
                "error_type": {"type": "string"},
                "reason": {"type": "string"},
                "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            },
            "required": ["error_type"],
        },
    },
    {
        "name": "propose_fix",
        "description": "Propose a corrected value for a flagged patient's erroneous field.",
        "parameters": {
            "type": "object",
            "properties": {
                "patient_id": {"type": "string"},
                "proposed_value": {"type": "string"},
            },
            "required": ["patient_id", "proposed_value"],
        },
    },
    {
        "name": "submit_report",
        "description": (
            "Submit the final audit report and end the episode. Cite each finding as a "
            "patient id with its error type and the rule it breaks; for bias, state the "
            "stage-stratified evidence and your conclusion."
        ),
        "parameters": {
            "type": "object",
            "properties": {"report": {"type": "string"}},
            "required": ["report"],
        },
    },
]

TOOL_NAMES: tuple[str, ...] = tuple(spec["name"] for spec in TOOL_SPECS)
