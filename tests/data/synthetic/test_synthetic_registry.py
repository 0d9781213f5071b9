"""The synthetic registry: determinism, CT.gov v2 shape, linked literature and learnable signal."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from trialscope.data.sources.ctgov_record import flatten_study
from trialscope.data.synthetic import SyntheticRegistry
from trialscope.data.synthetic.phrases import WHY_STOPPED
from trialscope.data.termination import classify_why_stopped

STOPPED = {"TERMINATED", "WITHDRAWN", "SUSPENDED"}


def generate(n: int, seed: int) -> tuple[list[dict], list[dict], list[dict]]:
    registry = SyntheticRegistry(n, seed=seed)
    studies, papers = [], []
    for trial in registry.trials():
        studies.append(trial.study)
        papers.extend(trial.publications)
    return studies, papers, registry.reviews()


def test_same_seed_same_records_and_other_seed_differs() -> None:
    first = json.dumps(generate(300, 7), sort_keys=True)
    assert first == json.dumps(generate(300, 7), sort_keys=True)
    assert first != json.dumps(generate(300, 8), sort_keys=True)


def test_prefix_of_a_larger_run_is_the_smaller_run() -> None:
    small, _, _ = generate(50, 3)
    large, _, _ = generate(120, 3)
    assert large[:50] == small


def test_reviews_need_the_trials_consumed_and_trials_iterate_once() -> None:
    registry = SyntheticRegistry(5, seed=0)
    with pytest.raises(RuntimeError):
        registry.reviews()
    list(registry.trials())
    with pytest.raises(RuntimeError):
        list(registry.trials())


def test_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="n_trials"):
        SyntheticRegistry(-1)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 40))
def test_every_study_passes_the_store_validation(seed: int, n: int) -> None:
    studies, papers, reviews = generate(n, seed)
    ids = [flatten_study(study, "synthetic").study_id for study in studies]
    assert len(set(ids)) == len(ids)
    for study in studies:
        status = study["protocolSection"]["statusModule"]
        assert ("whyStopped" in status) == (status["overallStatus"] in STOPPED)
    pmids = {p["pmid"] for p in papers}
    assert {p["nct_id"] for p in papers} - {None} <= set(ids)
    for review in reviews:
        assert set(review["included_pmids"]) <= pmids
        assert set(review["excluded_pmids"]) <= pmids
        assert not set(review["included_pmids"]) & set(review["excluded_pmids"])


@pytest.fixture(scope="module")
def registry_3000() -> tuple[list[dict], list[dict], list[dict]]:
    return generate(3000, 11)


def test_statuses_and_stop_reasons_cover_every_category(registry_3000) -> None:
    studies, _, _ = registry_3000
    statuses = Counter(s["protocolSection"]["statusModule"]["overallStatus"] for s in studies)
    assert statuses["COMPLETED"] > statuses["TERMINATED"] > 0
    assert statuses["WITHDRAWN"] > 0 and statuses["RECRUITING"] > 0
    texts = [
        s["protocolSection"]["statusModule"]["whyStopped"]
        for s in studies
        if "whyStopped" in s["protocolSection"]["statusModule"]
    ]
    assert {classify_why_stopped(t) for t in texts} == {*WHY_STOPPED}


def test_curated_stop_texts_map_to_their_category() -> None:
    for category, texts in WHY_STOPPED.items():
        for text in texts:
            assert classify_why_stopped(text) == category, text


def _features(study: dict) -> list[float]:
    protocol = study["protocolSection"]
    design = protocol["designModule"]
    phases = design.get("phases", ["NA"])
    criteria = protocol["eligibilityModule"]["eligibilityCriteria"]
    return [
        float("PHASE1" in phases),
        float("PHASE2" in phases),
        float("PHASE3" in phases),
        float(protocol["sponsorCollaboratorsModule"]["leadSponsor"]["class"] == "OTHER"),
        float(criteria.split("Exclusion Criteria:")[1].count("\n* ")),
        float(protocol["eligibilityModule"]["minimumAge"] == "6 Years"),
    ]


def test_termination_is_learnable_but_not_perfect(registry_3000) -> None:
    studies, _, _ = registry_3000
    done = [
        s
        for s in studies
        if s["protocolSection"]["statusModule"]["overallStatus"] in {"COMPLETED", "TERMINATED"}
    ]
    x = np.array([_features(s) for s in done])
    y = np.array(
        [s["protocolSection"]["statusModule"]["overallStatus"] == "TERMINATED" for s in done]
    )
    half = len(done) // 2
    model = LogisticRegression(max_iter=500).fit(x[:half], y[:half])
    auc = roc_auc_score(y[half:], model.predict_proba(x[half:])[:, 1])
    assert 0.6 < auc < 0.95


def test_outcomes_follow_the_condition(registry_3000) -> None:
    studies, _, _ = registry_3000
    by_condition: dict[str, Counter] = {}
    for study in studies:
        protocol = study["protocolSection"]
        condition = protocol["conditionsModule"]["conditions"][0]
        measures = [o["measure"] for o in protocol["outcomesModule"]["primaryOutcomes"]]
        by_condition.setdefault(condition, Counter()).update(measures)
    diabetes = by_condition["Type 2 Diabetes Mellitus"]
    assert diabetes["Change from baseline in HbA1c"] > 0
    assert by_condition["Asthma"]["Change from baseline in HbA1c"] == 0


def test_review_inclusion_follows_the_selection_criteria(registry_3000) -> None:
    _studies, papers, reviews = registry_3000
    by_pmid = {p["pmid"]: p for p in papers}
    assert len(reviews) >= 60
    randomised_in = randomised_out = total_in = total_out = 0
    for review in reviews:
        for pmid in review["included_pmids"]:
            total_in += 1
            randomised_in += "randomised" in by_pmid[pmid]["title"]
        for pmid in review["excluded_pmids"]:
            total_out += 1
            randomised_out += "randomised" in by_pmid[pmid]["title"]
    # Included studies are (nearly) all randomised; excluded ones much less often.
    assert randomised_in / total_in > 0.85
    assert randomised_out / total_out < randomised_in / total_in - 0.2


def test_larger_registries_hold_more_reviews_with_disjoint_included_studies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from trialscope.data.synthetic import literature

    monkeypatch.setattr(literature, "TRIALS_PER_REVIEW_SET", 500)
    _, _, one_set = generate(499, 2)
    _, _, three_sets = generate(1500, 2)
    assert len(three_sets) > 2 * len(one_set)
    by_title: dict[str, list[set[str]]] = {}
    for review in three_sets:
        by_title.setdefault(review["title"], []).append(set(review["included_pmids"]))
    for copies in by_title.values():
        for i, first in enumerate(copies):
            for second in copies[i + 1 :]:
                assert not first & second
