"""The oversized-field check: a cheap size gate in front of the walk, with the same verdicts."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from tests.data.sources.study_json import make_study

from trialscope.data.sources.ctgov_checks import encoded_size, oversized_text_reason
from trialscope.data.sources.ctgov_record import StudyInvalid, flatten_study
from trialscope.data.sources.json_lines import SourcedRecord, iter_json_lines
from trialscope.data.store import TrialStore


def test_a_large_record_of_small_fields_passes() -> None:
    study = make_study("NCT00000001")
    study["protocolSection"]["conditionsModule"]["keywords"] = ["k" * 90] * 50
    assert (encoded_size(study) or 0) > 1000
    assert oversized_text_reason(study, limit=100) is None


@pytest.mark.parametrize("char", ["x", "é", "😀"])
def test_the_limit_counts_characters_not_bytes(char: str) -> None:
    at_limit = {"a": {"b": [char * 100]}}
    assert oversized_text_reason(at_limit, limit=100) is None
    over = {"a": {"b": ["ok", char * 101]}}
    assert oversized_text_reason(over, limit=100) == (
        "a.b[1]: 101 characters, more than the 100 accepted"
    )


def test_a_record_json_cannot_encode_is_still_walked() -> None:
    # orjson refuses integers beyond 64 bits and non-string keys: the walk still runs.
    payload = {"huge": 2**70, 7: "y", "text": "x" * 101}
    assert encoded_size(payload) is None
    assert oversized_text_reason(payload, limit=100) == (
        "text: 101 characters, more than the 100 accepted"
    )


def test_a_size_hint_over_the_limit_is_measured_again() -> None:
    # A hint larger than the limit is re-measured, never taken as proof of an oversized field.
    study = make_study("NCT00000001")
    assert oversized_text_reason(study, limit=10_000, size=10**9) is None


def test_lines_carry_their_size_and_an_oversized_line_is_rejected(tmp_path: Path) -> None:
    big = make_study("NCT00000002")
    big["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = "é" * 100_001
    lines = [orjson.dumps(make_study("NCT00000001")), orjson.dumps(big)]
    path = tmp_path / "s.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    items = list(iter_json_lines(path))
    assert [item.size for item in items if isinstance(item, SourcedRecord)] == [
        len(lines[0]) + 1,
        len(lines[1]) + 1,
    ]
    with pytest.raises(StudyInvalid, match=r"eligibilityCriteria: 100,001 characters"):
        flatten_study(big, "ctgov")
    with TrialStore(tmp_path / "s.duckdb") as store:
        report = store.ingest_ctgov_studies(items)
    assert report.inserted == 1
    assert [f.reason for f in report.failures] == [
        "protocolSection.eligibilityModule.eligibilityCriteria: 100,001 characters, "
        "more than the 100,000 accepted"
    ]
