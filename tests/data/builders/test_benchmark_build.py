"""`build_benchmark` on a real store: formats, determinism, leakage, time split, distractors."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from trialscope.data.builders import TASK_FOLDERS, BuildOptions, build_benchmark
from trialscope.data.builders.describe import masked, outcomes_text
from trialscope.data.store import TrialStore

OPTIONS = BuildOptions(
    seed=3, train_size=120, test_size=60, review_train_size=40, review_test_size=20
)
MC_TASKS = ("arm_design", "eligibility_criteria_design", "endpoint_design", "evidence_summary")


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


@pytest.fixture(scope="module")
def built(synthetic_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench")
    with TrialStore(synthetic_store, read_only=True) as store:
        report = build_benchmark(store, out, OPTIONS)
    assert set(report.tasks) == set(TASK_FOLDERS)
    return out


def test_every_task_folder_has_both_splits(built: Path) -> None:
    for task in TASK_FOLDERS:
        assert len(read(built / task / "test.jsonl")) > 0, task
        assert len(read(built / task / "train.jsonl")) > 0, task
    assert len(read(built / "trial_completion_assessment" / "test.jsonl")) == 60


def test_same_store_and_options_give_identical_bytes(
    synthetic_store: Path, built: Path, tmp_path: Path
) -> None:
    with TrialStore(synthetic_store, read_only=True) as store:
        build_benchmark(store, tmp_path, OPTIONS)
    for file in sorted(built.rglob("*.jsonl")):
        assert (tmp_path / file.relative_to(built)).read_bytes() == file.read_bytes(), file


def test_completion_records_match_the_spec(built: Path) -> None:
    records = read(built / "trial_completion_assessment" / "test.jsonl")
    outcomes = Counter(r["labels"]["outcome"] for r in records)
    assert set(outcomes) == {"complete", "terminate"}
    for record in records:
        assert set(record) == {"metadata", "inputs", "context", "labels"}
        assert record["metadata"]["study_nctid"].startswith("NCT")
        assert set(record["inputs"]) == {
            "title", "allocation", "intervention_model", "observational_model",
            "primary_purpose", "time_perspective", "masking", "phase", "number_of_arms",
        }  # fmt: skip
        kinds = [item["type"] for item in record["context"]]
        assert kinds == ["eligibility_criteria", "arm_design"]
        assert "\n" not in record["context"][0]["criteria"]
        labels = record["labels"]
        if labels["outcome"] == "terminate":
            assert labels["terminate_reason_desc"]
        else:
            assert labels["terminate_type"] is None


def _completion_truth(store_path: Path, ids: list[str]) -> dict[str, Any]:
    with TrialStore(store_path, read_only=True) as store:
        return store.builder_study_details(ids)


def test_predictive_inputs_never_show_status_reason_or_enrollment(
    built: Path, synthetic_store: Path
) -> None:
    completion = read(built / "trial_completion_assessment" / "test.jsonl")
    completion += read(built / "trial_completion_assessment" / "train.jsonl")
    truth = _completion_truth(synthetic_store, [r["metadata"]["study_nctid"] for r in completion])
    for record in completion:
        shown = json.dumps([record["inputs"], record["context"]]).lower()
        detail = truth[record["metadata"]["study_nctid"]]
        for word in ("terminated", "withdrawn", "suspended", "completed", "why_stopped"):
            assert word not in shown
        # One-word reasons ("Other", "NA") also occur as ordinary words; longer ones must not.
        if detail.why_stopped and len(detail.why_stopped.split()) >= 3:
            assert detail.why_stopped.lower() not in shown
    for task in ("sample_size_estimation", "arm_design", "eligibility_criteria_design"):
        for record in read(built / task / "test.jsonl"):
            text = record["question"].lower()
            assert "terminated" not in text and "why stopped" not in text
            assert "enrollment" not in text.replace("enroll?", "")
    for record in read(built / "sample_size_estimation" / "test.jsonl"):
        count = record["answer"]
        pattern = rf"\b{count}\s*(participants|patients|subjects|enrolled)"
        assert not re.search(pattern, record["question"]), record["question"]


def test_multiple_choice_items_are_well_formed_and_letters_balanced(built: Path) -> None:
    for task in MC_TASKS:
        records = read(built / task / "train.jsonl")
        for record in records:
            assert set(record) == {"id", "question", "options", "answer"}
            assert list(record["options"]) == ["A", "B", "C", "D"]
            assert len(set(record["options"].values())) == 4
            assert record["answer"] in record["options"]
        letters = Counter(r["answer"] for r in records)
        assert max(letters.values()) - min(letters.values()) <= 2, (task, letters)


def test_design_distractors_come_from_trials_of_the_same_condition(
    built: Path, synthetic_store: Path
) -> None:
    with TrialStore(synthetic_store, read_only=True) as store:
        index = store.builder_study_index()
        details = store.builder_study_details([row.study_id for row in index])
    conditions_of_text: dict[str, set[str]] = {}
    for detail in details.values():
        text = outcomes_text(masked(detail)).strip()
        conditions_of_text.setdefault(text, set()).update(detail.conditions)
    records = read(built / "endpoint_design" / "test.jsonl")
    for record in records:
        own = set(details[record["id"]].conditions)
        distractors = [t for k, t in record["options"].items() if k != record["answer"]]
        assert all(conditions_of_text[t] & own for t in distractors), record["id"]


def test_sample_size_answers_are_positive_actual_enrollments(built: Path) -> None:
    for record in read(built / "sample_size_estimation" / "test.jsonl"):
        assert isinstance(record["answer"], int) and record["answer"] > 0
        assert record["answer_type"] == "actual_enrollment"
        assert record["trial_id"] == record["id"]


def test_review_tasks_and_corpus(built: Path) -> None:
    corpus = {row["PMID"] for row in read(built / "study_search" / "corpus.jsonl")}
    for record in read(built / "study_search" / "test.jsonl"):
        assert set(record["inputs"]) == {"background", "objectives", "selection criteria"}
        assert record["labels"] and set(record["labels"]) <= corpus
        assert record["metadata"]["review_pmid"]
    for record in read(built / "study_screening" / "test.jsonl"):
        labels = {item["label"] for item in record["labels"]}
        assert labels == {"included", "excluded"}
        assert [c["PMID"] for c in record["context"]] == [x["PMID"] for x in record["labels"]]
        assert len(record["context"]) <= OPTIONS.screening_max_candidates


def test_time_split_tests_on_later_trials_and_trains_on_earlier(
    synthetic_store: Path, tmp_path: Path
) -> None:
    after = date(2021, 1, 1)
    options = BuildOptions(
        seed=1, train_size=80, test_size=40, review_train_size=10, review_test_size=10,
        registered_after=after,
    )  # fmt: skip
    with TrialStore(synthetic_store, read_only=True) as store:
        build_benchmark(store, tmp_path, options)
        for task, key in (
            ("trial_completion_assessment", lambda r: r["metadata"]["study_nctid"]),
            ("sample_size_estimation", lambda r: r["trial_id"]),
            ("endpoint_design", lambda r: r["id"]),
        ):
            test_ids = [key(r) for r in read(tmp_path / task / "test.jsonl")]
            train_ids = [key(r) for r in read(tmp_path / task / "train.jsonl")]
            details = store.builder_study_details(test_ids + train_ids)
            assert test_ids and train_ids
            assert all(details[i].first_submitted >= after for i in test_ids)
            assert all(details[i].first_submitted < after for i in train_ids)
        reviews = {r.pmid: r for r in store.builder_reviews()}
    for record in read(tmp_path / "study_search" / "test.jsonl"):
        searched = reviews[record["metadata"]["review_pmid"]].search_date
        assert searched is not None and searched >= after
