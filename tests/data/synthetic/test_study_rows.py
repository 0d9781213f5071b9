"""Synthetic studies flattened directly give exactly the rows of the store's JSON path."""

from __future__ import annotations

import copy

import orjson
import pytest

from trialscope.data.sources.ctgov_record import StudyInvalid, flatten_study_json
from trialscope.data.synthetic import SyntheticRegistry
from trialscope.data.synthetic.study_rows import study_rows


@pytest.mark.parametrize("seed", [0, 3])
def test_direct_rows_equal_the_rows_of_the_study_json(seed: int) -> None:
    shapes = set()
    for trial in SyntheticRegistry(2500, seed=seed).trials():
        direct = study_rows(trial.study, "synthetic")
        assert direct == flatten_study_json(orjson.dumps(trial.study), "synthetic")
        protocol = trial.study["protocolSection"]
        shapes.add(
            (
                protocol["designModule"]["studyType"],
                "whyStopped" in protocol["statusModule"],
                "referencesModule" in protocol,
                "maximumAge" in protocol["eligibilityModule"],
            )
        )
    # Every branch of the record's shape was compared, not only the common ones.
    assert len(shapes) >= 10


def test_a_bad_id_or_date_is_refused_as_the_store_refuses_it() -> None:
    study = next(iter(SyntheticRegistry(1, seed=0).trials())).study
    bad_id = copy.deepcopy(study)
    bad_id["protocolSection"]["identificationModule"]["nctId"] = "NCT123"
    bad_date = copy.deepcopy(study)
    bad_date["protocolSection"]["statusModule"]["startDateStruct"]["date"] = "2020-13-45"
    for record in (bad_id, bad_date):
        with pytest.raises(StudyInvalid) as expected:
            flatten_study_json(orjson.dumps(record), "synthetic")
        with pytest.raises(StudyInvalid) as direct:
            study_rows(record, "synthetic")
        assert (direct.value.study_id, direct.value.reason) == (
            expected.value.study_id,
            expected.value.reason,
        )
