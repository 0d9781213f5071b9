"""Each tool is one model plus one handler; everything else is derived from the models."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from trialscope.audit.models import AuditAction
from trialscope.audit.server.app import tool_listing
from trialscope.audit.server.dispatch import HANDLERS
from trialscope.audit.tools import TOOLS, tool_schema, tool_specs


def test_every_tool_model_has_exactly_one_handler() -> None:
    assert set(HANDLERS) == set(TOOLS.values())


def test_schemas_and_listings_come_from_the_models() -> None:
    for spec, listed, (name, model) in zip(
        tool_specs(), tool_listing(), TOOLS.items(), strict=True
    ):
        assert spec["name"] == listed["name"] == name
        assert spec["parameters"] == listed["inputSchema"] == tool_schema(model)
        assert set(spec["parameters"]["properties"]) == set(model.model_fields)
    schema = AuditAction.model_json_schema()
    assert schema["properties"]["tool"]["enum"] == list(TOOLS)
    assert [branch["properties"]["tool"]["const"] for branch in schema["oneOf"]] == list(TOOLS)


@pytest.mark.parametrize(
    "data",
    [
        {"tool": "query_records", "filters": [{"field": "age", "op": "<", "value": [1]}]},
        {"tool": "query_records", "filters": [{"field": "age", "op": "in", "value": 3}]},
        {"tool": "investigate_pattern"},
        {"tool": "investigate_pattern", "variable": "age", "stratify_by": "stage"},
        {"tool": "flag_error", "error_type": "invalid_age", "confidence": 2},
        {"tool": "propose_fix", "patient_id": "P0001", "proposed_value": ""},
        {"tool": "submit_report", "report": ["not", "text"]},
        {"tool": "no_such_tool"},
    ],
)
def test_the_tool_model_checks_each_action(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        AuditAction.model_validate(data)
