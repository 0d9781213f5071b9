"""ClinicalTrials.gov API v2 study objects written by the tests (the recorded-format shape)."""

from __future__ import annotations

from typing import Any


def make_study(
    nct_id: str,
    *,
    title: str = "A Study of Drug X in Adults With Type 2 Diabetes",
    status: str = "COMPLETED",
    why_stopped: str | None = None,
    phases: list[str] | None = None,
    enrollment: Any = 120,
    conditions: list[str] | None = None,
    first_submitted: str = "2019-03-14",
    summary: str = "This study tests whether drug X lowers HbA1c compared with placebo.",
    pmids: list[str] | None = None,
) -> dict[str, Any]:
    """One study in the API v2 shape, with every module the store reads."""
    conditions = ["Type 2 Diabetes Mellitus"] if conditions is None else conditions
    status_module: dict[str, Any] = {
        "overallStatus": status,
        "startDateStruct": {"date": "2019-05", "type": "ACTUAL"},
        "primaryCompletionDateStruct": {"date": "2021-01-30", "type": "ACTUAL"},
        "completionDateStruct": {"date": "2021-06", "type": "ACTUAL"},
        "studyFirstSubmitDate": first_submitted,
    }
    if why_stopped is not None:
        status_module["whyStopped"] = why_stopped
    return {
        "protocolSection": {
            "identificationModule": {
                "nctId": nct_id,
                "briefTitle": title,
                "officialTitle": f"{title}: a Randomized, Double-blind Trial",
            },
            "statusModule": status_module,
            "sponsorCollaboratorsModule": {
                "leadSponsor": {"name": "Example Pharma", "class": "INDUSTRY"}
            },
            "descriptionModule": {
                "briefSummary": summary,
                "detailedDescription": "Participants are randomized 1:1.",
            },
            "conditionsModule": {
                "conditions": conditions,
                "keywords": ["HbA1c", "glycemic control"],
            },
            "designModule": {
                "studyType": "INTERVENTIONAL",
                "phases": ["PHASE3"] if phases is None else phases,
                "designInfo": {
                    "allocation": "RANDOMIZED",
                    "interventionModel": "PARALLEL",
                    "primaryPurpose": "TREATMENT",
                    "maskingInfo": {"masking": "DOUBLE"},
                },
                "enrollmentInfo": {"count": enrollment, "type": "ACTUAL"},
            },
            "armsInterventionsModule": {
                "armGroups": [
                    {
                        "label": "Drug X",
                        "type": "EXPERIMENTAL",
                        "description": "Drug X 10 mg once daily",
                        "interventionNames": ["Drug: Drug X"],
                    },
                    {
                        "label": "Placebo",
                        "type": "PLACEBO_COMPARATOR",
                        "description": "Matching placebo",
                        "interventionNames": ["Drug: Placebo"],
                    },
                ],
                "interventions": [
                    {
                        "type": "DRUG",
                        "name": "Drug X",
                        "description": "10 mg tablet",
                        "armGroupLabels": ["Drug X"],
                    },
                    {"type": "DRUG", "name": "Placebo", "armGroupLabels": ["Placebo"]},
                ],
            },
            "outcomesModule": {
                "primaryOutcomes": [
                    {
                        "measure": "Change in HbA1c",
                        "description": "From baseline",
                        "timeFrame": "Week 26",
                    }
                ],
                "secondaryOutcomes": [
                    {"measure": "Change in body weight", "timeFrame": "Week 26"},
                    {"measure": "Hypoglycaemia events", "timeFrame": "Up to week 26"},
                ],
            },
            "eligibilityModule": {
                "eligibilityCriteria": "Inclusion Criteria:\n\n* Adults 18-75\n\n"
                "Exclusion Criteria:\n\n* Type 1 diabetes",
                "healthyVolunteers": False,
                "sex": "ALL",
                "minimumAge": "18 Years",
                "maximumAge": "75 Years",
            },
            "referencesModule": {
                "references": [
                    {"pmid": pmid, "type": "RESULT", "citation": f"Citation {pmid}"}
                    for pmid in (pmids or [])
                ]
            },
        },
        "derivedSection": {
            "conditionBrowseModule": {
                "meshes": [
                    {"id": "D003924", "term": "Diabetes Mellitus, Type 2"},
                    {"id": "D003920", "term": "Diabetes Mellitus"},
                ]
            }
        },
        "hasResults": False,
    }
