"""Small TrialPanorama-layout benchmark roots written into a test's temporary folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

README_NAMES = {
    "study_search": "study_search",
    "study_screening": "study_screening",
    "trial_completion": "trial_completion",
    "arm_design": "design_arms_qa",
    "eligibility_criteria_design": "design_criteria_qa",
    "endpoint_design": "design_outcome_qa",
    "evidence_summary": "evidence_summary_qa",
    "sample_size_estimation": "sample_size_estimation",
}
CODE_NAMES = {
    **README_NAMES,
    "trial_completion": "trial_completion_assessment",
    "arm_design": "arm_design",
    "eligibility_criteria_design": "eligibility_criteria_design",
    "endpoint_design": "endpoint_design",
    "evidence_summary": "evidence_summary",
}

REVIEW = {
    "background": "Type 2 diabetes is common and insulin therapy is often delayed.",
    "objectives": "To assess early insulin therapy in adults with type 2 diabetes.",
    "selection criteria": "Randomised controlled trials of basal insulin in adults.",
}


def search_record(index: int, labels: list[str], **metadata: Any) -> dict[str, Any]:
    return {
        "inputs": REVIEW,
        "labels": labels,
        "metadata": {"review_pmid": f"R{index}", **metadata},
    }


def candidate(pmid: str, title: str, abstract: str = "") -> dict[str, str]:
    return {"PMID": pmid, "title": title, "abstract": abstract}


def screening_record(index: int, studies: list[tuple[str, str, str]]) -> dict[str, Any]:
    """`studies`: (PMID, title, label) triples."""
    return {
        "inputs": REVIEW,
        "context": [candidate(pmid, title, f"Abstract of {title}.") for pmid, title, _ in studies],
        "labels": [{"PMID": pmid, "label": label} for pmid, _, label in studies],
        "metadata": {"PMID": f"S{index}"},
    }


def completion_record(nct: str, outcome: str, terminate_type: str | None = None) -> dict[str, Any]:
    return {
        "metadata": {"study_nctid": nct},
        "inputs": {
            "title": f"A phase 2 study {nct}",
            "allocation": "Randomized",
            "intervention_model": "Parallel Assignment",
            "observational_model": None,
            "primary_purpose": "Treatment",
            "time_perspective": None,
            "masking": "Double",
            "phase": "Phase 2",
            "number_of_arms": 2.0,
        },
        "context": [
            {
                "type": "eligibility_criteria",
                "criteria": (
                    "Inclusion Criteria:~Adults aged 18 or older~Exclusion Criteria:~Pregnancy"
                ),
                "gender": "All",
                "minimum_age": "18 Years",
                "maximum_age": None,
                "healthy_volunteers": "No",
            },
            {
                "type": "arm_design",
                "arms": [
                    {"title": "Drug", "group_type": "Experimental", "description": "Daily tablet"},
                    {
                        "title": "Placebo",
                        "group_type": "Placebo Comparator",
                        "description": "Match",
                    },
                ],
            },
        ],
        "labels": {
            "outcome": outcome,
            "terminate_type": terminate_type,
            "terminate_reason_desc": "slow accrual" if terminate_type else None,
        },
    }


def choice_record(index: int, answer: str = "B") -> dict[str, Any]:
    return {
        "id": f"q{index}",
        "question": f"Trial {index}: which arms does this trial of insulin have?",
        "options": {"A": "Insulin vs placebo", "B": "Insulin glargine vs NPH", "C": "Diet only"},
        "answer": answer,
    }


def sample_size_record(index: int, answer: int) -> dict[str, Any]:
    return {
        "id": f"ss{index}",
        "question": f"How many participants does trial {index} need?",
        "answer": answer,
        "answer_type": "total",
        "trial_id": f"NCT{index:08d}",
        "pmid": str(1000 + index),
        "explanation": "Enrolled count.",
    }


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def write_split(
    root: Path,
    task: str,
    split: str,
    records: list[dict[str, Any]],
    names: dict[str, str] = README_NAMES,
) -> Path:
    return write_jsonl(root / names[task] / f"{split}.jsonl", records)
