"""Parsing LLM replies into actions: fences, prose, nested argument shapes, clear errors."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialscope.audit.agents.action_parsing import ActionParseError, json_objects, parse_action
from trialscope.audit.tools import TOOL_NAMES, TOOL_SPECS

ARGS = '{"patient_id": "P0001", "error_type": "invalid_age"}'


@pytest.mark.parametrize(
    "reply",
    [
        '{"tool": "flag_error", ' + ARGS[1:],
        'Thought: age 999.\nAction: {"action": "flag_error", "args": ' + ARGS + "}",
        '```json\n{"name": "flag_error", "arguments": ' + json.dumps(ARGS) + "}\n```",
        '{"function": {"name": "flag_error", "arguments": ' + ARGS[:-1] + ', "bogus": 1}}}',
        '{"note": "x"} then {"tool": "flag_error", ' + ARGS[1:],
    ],
)
def test_common_shapes_parse(reply: str) -> None:
    action = parse_action(reply)
    assert action.tool == "flag_error" and action.patient_id == "P0001"
    assert action.error_type == "invalid_age"


def test_filters_and_fields_are_normalised() -> None:
    action = parse_action(
        '{"tool": "query_records", "filters": {"field": "age", "op": "<", "value": 30}, '
        '"fields": "age, stage"}'
    )
    assert action.filters is not None and action.filters[0].field == "age"
    assert action.fields == ["age", "stage"]


def test_arguments_of_other_tools_are_dropped() -> None:
    # SmolLM2's first answer in the wild: the tool is right, the filters belong to another tool.
    reply = (
        '{"tool": "investigate_pattern", "variable": "age", "filters": [{"field": "age"}, '
        '{"op": ">= 18"}]}'
    )
    action = parse_action(reply)
    assert action.tool == "investigate_pattern" and action.variable == "age"
    assert action.arguments() == {"variable": "age"}


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ("no json here", "no JSON object"),
        ('{"tool": "dance"}', "unknown tool"),
        ('{"foo": 1}', "no tool name"),
        ('{"tool": "flag_error", "confidence": 7}', "bad arguments"),
    ],
)
def test_unusable_replies_say_why(reply: str, message: str) -> None:
    with pytest.raises(ActionParseError, match=message):
        parse_action(reply)


def test_tool_specs_cover_every_tool_with_a_json_schema() -> None:
    assert set(TOOL_NAMES) == {
        "query_records",
        "investigate_pattern",
        "compute_distribution",
        "flag_error",
        "propose_fix",
        "submit_report",
    }
    for spec in TOOL_SPECS:
        assert spec["description"] and spec["parameters"]["type"] == "object"
        json.dumps(spec)


@given(st.text(max_size=400))
def test_arbitrary_text_never_raises_anything_but_parse_errors(text: str) -> None:
    with contextlib.suppress(ActionParseError):
        parse_action(text)


@given(
    st.dictionaries(
        st.sampled_from(["tool", "patient_id", "variable", "page", "report"]),
        st.one_of(st.text(max_size=20), st.integers(), st.none()),
    )
)
def test_arbitrary_objects_parse_or_fail_cleanly(obj: dict[str, object]) -> None:
    text = "prefix " + json.dumps(obj) + " suffix"
    assert json_objects(text)[0] == obj
    try:
        action = parse_action(text)
    except ActionParseError:
        return
    assert action.tool in TOOL_NAMES
