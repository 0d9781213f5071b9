"""Raw bytes decoded straight into the typed structs give what the parsed-object path gives."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from tests.data.real.conftest import real_study_files
from tests.data.real_data import real_data
from tests.data.sources.study_json import make_study

from trialscope.data.sources.ctgov_checks import MAX_TEXT_CHARS, text_length_bound
from trialscope.data.sources.ctgov_record import (
    StudyInvalid,
    StudyRows,
    UnparsableJson,
    flatten_study,
    flatten_study_json,
)


def _outcome(call: Any) -> StudyRows | tuple[str | None, str]:
    try:
        return call()
    except StudyInvalid as error:
        return error.study_id, error.reason


def _both(payload: Any) -> tuple[Any, Any]:
    data = json.dumps(payload, ensure_ascii=False).encode()
    return (
        _outcome(lambda: flatten_study(payload, "ctgov")),
        _outcome(lambda: flatten_study_json(data, "ctgov")),
    )


def test_every_real_study_flattens_to_the_same_rows_from_bytes() -> None:
    count = 0
    for path in real_study_files():
        document = json.loads(path.read_text("utf-8"))
        studies = (
            document["studies"]
            if isinstance(document, dict) and "studies" in document
            else (document if isinstance(document, list) else [document])
        )
        for study in studies:
            from_dict, from_bytes = _both(study)
            assert isinstance(from_bytes, StudyRows)
            assert from_bytes == from_dict
            count += 1
    assert count >= 239


def test_the_real_r_boxed_records_fail_alike_from_bytes() -> None:
    page = json.loads((real_data("ctgov") / "reserialised_by_r_10.json").read_text("utf-8"))
    studies = page["studies"] if isinstance(page, dict) else page
    for study in studies:
        from_dict, from_bytes = _both(study)
        assert isinstance(from_bytes, tuple) and from_bytes == from_dict
        assert "auto_unbox" in from_bytes[1]


def _with(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    study = make_study("NCT00000001")
    target = study
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return study


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("protocolSection", "designModule", "enrollmentInfo", "count"), "many",
         "protocolSection.designModule.enrollmentInfo.count: expected"),
        (("protocolSection", "designModule", "enrollmentInfo", "count"), -3,
         "protocolSection.designModule.enrollmentInfo.count: expected"),
        (("protocolSection", "designModule", "phases"), [1],
         "protocolSection.designModule.phases[0]: expected"),
        (("protocolSection", "statusModule", "startDateStruct", "date"), "March 2019",
         "protocolSection.statusModule.startDateStruct.date: expected a date as YYYY-MM-DD"),
        (("protocolSection", "statusModule", "studyFirstSubmitDate"), "soon",
         "protocolSection.statusModule.studyFirstSubmitDate: expected a date"),
        (("protocolSection", "identificationModule", "nctId"), "NCT1",
         "expected NCT and eight digits"),
        (("protocolSection", "identificationModule", "nctId"), ["NCT00000001"],
         "auto_unbox"),
        (("resultsSection",), {"adverseEventsModule": {"eventGroups": [
            {"id": "EG000", "seriousNumAffected": "a few"}]}},
         "resultsSection.adverseEventsModule.eventGroups[0].seriousNumAffected: expected a count"),
        (("resultsSection",), {"participantFlowModule": {"periods": [{"milestones": [
            {"achievements": [{"groupId": True}]}]}]}},
         "resultsSection.participantFlowModule.periods[0].milestones[0].achievements[0]"),
    ],
)  # fmt: skip
def test_a_bad_field_fails_alike_naming_it(
    path: tuple[str, ...], value: Any, expected: str
) -> None:
    from_dict, from_bytes = _both(_with(path, value))
    assert from_bytes == from_dict
    assert isinstance(from_bytes, tuple) and expected in from_bytes[1]


def test_a_missing_id_is_named() -> None:
    study = make_study("NCT00000001")
    del study["protocolSection"]["identificationModule"]["nctId"]
    from_dict, from_bytes = _both(study)
    assert (
        from_bytes
        == from_dict
        == (
            None,
            "protocolSection.identificationModule.nctId: required field missing",
        )
    )


@pytest.mark.parametrize("filler", ["x", 'say "x" ', "é\\"])
def test_an_oversized_field_is_found_in_raw_bytes_whatever_it_holds(filler: str) -> None:
    # Escaped quotes inside the long text must not hide it from the size gate.
    text = (filler * (MAX_TEXT_CHARS // len(filler) + 2))[: MAX_TEXT_CHARS + 1]
    study = _with(("protocolSection", "descriptionModule", "detailedDescription"), text)
    from_dict, from_bytes = _both(study)
    assert from_bytes == from_dict
    assert from_bytes == (
        "NCT00000001",
        "protocolSection.descriptionModule.detailedDescription: 100,001 characters, "
        "more than the 100,000 accepted",
    )
    data = orjson.dumps(study)
    assert text_length_bound(data) > MAX_TEXT_CHARS


def test_a_large_record_of_small_fields_takes_the_fast_path() -> None:
    study = _with(("protocolSection", "conditionsModule", "keywords"), ["k" * 900] * 200)
    data = orjson.dumps(study)
    assert len(data) > MAX_TEXT_CHARS and text_length_bound(data) < 1000
    assert isinstance(flatten_study_json(data, "ctgov"), StudyRows)


def test_an_unmodelled_oversized_field_is_still_rejected() -> None:
    study = make_study("NCT00000001")
    study["annotationSection"] = {"note": "n" * (MAX_TEXT_CHARS + 5)}
    from_dict, from_bytes = _both(study)
    assert from_bytes == from_dict
    assert from_bytes[1].startswith("annotationSection.note: 100,005 characters")


def test_json_the_standard_library_reads_is_still_accepted() -> None:
    # NaN and integers beyond 64 bits are refused by msgspec but read by the standard library.
    study = make_study("NCT00000001")
    study["annotationSection"] = {"score": float("nan"), "big": 2**70}
    data = json.dumps(study).encode()
    assert isinstance(flatten_study_json(data, "ctgov"), StudyRows)


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"{oops", "invalid JSON"), (b'{"a": "caf\xe9"}', "not UTF-8: byte 0xe9")],
)
def test_bytes_that_are_not_json_say_why(data: bytes, reason: str) -> None:
    with pytest.raises(UnparsableJson, match=reason):
        flatten_study_json(data, "ctgov")


def test_a_json_value_that_is_not_an_object_fails_as_a_study() -> None:
    with pytest.raises(StudyInvalid, match="expected a JSON object, got list"):
        flatten_study_json(b"[1, 2]", "ctgov")
