"""Write a latent trial design as a ClinicalTrials.gov API v2 study record."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from trialscope.data.synthetic.design import TrialDesign
from trialscope.data.synthetic.dice import Dice
from trialscope.data.synthetic.phrases import (
    GENERIC_EXCLUSION,
    GENERIC_INCLUSION,
    OBSERVATIONAL_OUTCOMES,
    SAFETY_OUTCOMES,
    TIME_FRAMES,
    WHY_STOPPED,
)

_PHASE_TITLE = {
    "EARLY_PHASE1": "Early Phase 1",
    "PHASE1": "Phase 1",
    "PHASE1/PHASE2": "Phase 1/2",
    "PHASE2": "Phase 2",
    "PHASE3": "Phase 3",
    "PHASE4": "Phase 4",
    "NA": "",
}
_AGES = {
    "adults": ("18 Years", "75 Years"),
    "children": ("6 Years", "17 Years"),
    "older adults": ("65 Years", None),
}
_SEX = {"Osteoporosis": "FEMALE", "Prostate Cancer": "MALE"}
_ONGOING = {"RECRUITING", "NOT_YET_RECRUITING", "ACTIVE_NOT_RECRUITING", "ENROLLING_BY_INVITATION"}


def upper_first(text: str) -> str:
    """Capitalise the first letter only ('SGLT2 inhibitor' stays as written)."""
    return text[:1].upper() + text[1:]


@cache
def lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word is an acronym ('HbA1c', 'PASI 75')."""
    first = text.split(" ", 1)[0]
    return text if sum(c.isupper() for c in first) > 1 else text[:1].lower() + text[1:]


@cache
def in_sentence(name: str) -> str:
    """A condition name for mid-sentence use: lower-case words, acronyms kept ('COVID-19')."""
    return " ".join(lower_first(word) for word in name.split(" "))


def population_phrase(design: TrialDesign) -> str:
    """'adults', 'children' or 'older adults' with the condition, as written in titles."""
    return f"{design.population} with {in_sentence(design.condition.name)}"


def comparator_name(design: TrialDesign) -> str:
    """What the control arm receives, in words."""
    if design.comparator == "placebo":
        return "placebo"
    if design.comparator == "active":
        return "standard active treatment"
    if design.comparator == "usual care":
        return "usual care"
    return ""


def titles(design: TrialDesign) -> tuple[str, str]:
    """Brief and official titles."""
    cond = design.condition.name
    agent = upper_first(design.agent)
    who = design.population.title() if design.population != "adults" else "Adults"
    if not design.interventional:
        return (
            f"Outcomes of {agent} in {cond}",
            f"A Prospective Observational Cohort Study of {agent} in {who} With {cond}",
        )
    parts = [_PHASE_TITLE[design.phase]] if design.phase != "NA" else []
    if design.randomized:
        parts.append("Randomized")
        if design.masking in ("DOUBLE", "TRIPLE", "QUADRUPLE"):
            parts.append("Double-Blind")
        if design.comparator == "placebo":
            parts.append("Placebo-Controlled")
    else:
        parts.append("Open-Label, Single-Arm" if design.n_arms == 1 else "Open-Label")
    design_words = ", ".join(parts)
    brief = f"{agent} in {who} With {cond}"
    if design.phase in ("EARLY_PHASE1", "PHASE1"):
        brief = f"Safety and Pharmacokinetics of {agent} in {who} With {cond}"
    return brief, f"A {design_words} Study of {agent} in {who} With {cond}"


def _summary(design: TrialDesign) -> str:
    who = population_phrase(design)
    if not design.interventional:
        return (
            f"This prospective cohort study follows {who} treated with {design.agent} in routine "
            f"practice to describe treatment patterns and outcomes."
        )
    if design.phase in ("EARLY_PHASE1", "PHASE1"):
        aim = "safety, tolerability and pharmacokinetics"
    else:
        aim = "efficacy and safety"
    text = f"The purpose of this study is to evaluate the {aim} of {design.agent}"
    control = comparator_name(design)
    if control:
        text += f" compared with {control}"
    article = "an" if design.intervention.name[:1].lower() in "aeiou" else "a"
    return (
        text + f" in {who}. {upper_first(design.agent)} is {article} "
        f"{design.intervention.name} studied for {in_sentence(design.condition.name)}."
    )


def _arms(design: TrialDesign) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    kind = design.intervention.kind
    kind_label = kind.title()
    arms: list[dict[str, Any]] = []
    interventions: dict[str, dict[str, Any]] = {}
    agent_key = f"{kind_label}: {design.agent}"
    experimental_type = "EXPERIMENTAL" if design.interventional else None
    for dose in design.doses:
        label = f"{design.agent} {dose}" if len(design.doses) > 1 else design.agent
        if not design.interventional:
            label = f"{design.agent} users"
        arm: dict[str, Any] = {
            "label": label,
            "description": f"Participants receive {design.agent} {dose}.",
            "interventionNames": [agent_key],
        }
        if experimental_type:
            arm["type"] = experimental_type
        arms.append(arm)
    interventions[agent_key] = {
        "type": kind,
        "name": design.agent,
        "description": f"{design.agent} ({design.intervention.name})",
        "armGroupLabels": [a["label"] for a in arms],
    }
    if design.comparator == "placebo":
        arms.append(
            {
                "label": "Placebo",
                "type": "PLACEBO_COMPARATOR",
                "description": f"Participants receive placebo matching {design.agent}.",
                "interventionNames": ["Drug: Placebo"],
            }
        )
        interventions["Drug: Placebo"] = {
            "type": "DRUG",
            "name": "Placebo",
            "description": "Matching placebo",
            "armGroupLabels": ["Placebo"],
        }
    elif design.comparator in ("active", "usual care"):
        label = "Standard of care" if design.comparator == "active" else "Usual care"
        arms.append(
            {
                "label": label,
                "type": "ACTIVE_COMPARATOR",
                "description": f"Participants continue {label.lower()} for "
                f"{in_sentence(design.condition.name)}.",
                "interventionNames": [f"Other: {label}"],
            }
        )
        interventions[f"Other: {label}"] = {
            "type": "OTHER",
            "name": label,
            "description": label,
            "armGroupLabels": [label],
        }
    elif not design.interventional and design.n_arms == 2:
        arms.append(
            {
                "label": "Comparison cohort",
                "description": "Patients receiving other treatments for "
                f"{in_sentence(design.condition.name)}.",
                "interventionNames": [],
            }
        )
    return arms, list(interventions.values())


def _eligibility(design: TrialDesign, dice: Dice) -> dict[str, Any]:
    minimum, maximum = _AGES[design.population]
    age_line = (
        f"Aged {minimum.split()[0]} to {maximum.split()[0]} years"
        if maximum
        else (f"Aged {minimum.split()[0]} years or older")
    )
    cond = design.condition
    inclusion = [age_line, *dice.sample(cond.inclusion, 2), *dice.sample(GENERIC_INCLUSION, 2)]
    specific = dice.sample(cond.exclusion, min(3, len(cond.exclusion)))
    if design.interventional and dice.chance(0.6):
        specific.append(
            f"Prior treatment with {design.agent} or another {design.intervention.name}"
        )
    generic = dice.sample(GENERIC_EXCLUSION, max(0, design.n_exclusions - len(specific)))
    exclusion = (specific + generic)[: max(design.n_exclusions, 2)]
    text = (
        "Inclusion Criteria:\n\n"
        + "\n".join(f"* {line}" for line in inclusion)
        + "\n\nExclusion Criteria:\n\n"
        + "\n".join(f"* {line}" for line in exclusion)
    )
    result: dict[str, Any] = {
        "eligibilityCriteria": text,
        "healthyVolunteers": design.healthy_volunteers,
        "sex": _SEX.get(cond.name, "ALL"),
        "minimumAge": minimum,
    }
    if maximum:
        result["maximumAge"] = maximum
    return result


def _outcomes(design: TrialDesign, dice: Dice) -> dict[str, Any]:
    cond = design.condition
    if not design.interventional:
        primary = [dice.pick(OBSERVATIONAL_OUTCOMES)]
    elif design.phase in ("EARLY_PHASE1", "PHASE1"):
        primary = dice.sample(SAFETY_OUTCOMES, 2)
    elif design.phase in ("PHASE2", "PHASE1/PHASE2") and dice.chance(0.55):
        primary = [design.intervention.class_outcome]
    else:
        primary = [
            dice.pick(cond.efficacy_outcomes)
            if dice.chance(0.75)
            else design.intervention.class_outcome
        ]
    secondary = [
        m for m in dice.sample(cond.secondary_outcomes, dice.integer(1, 3)) if m not in primary
    ]
    if design.interventional and design.phase not in ("EARLY_PHASE1", "PHASE1"):
        secondary.append(SAFETY_OUTCOMES[0])

    def entries(measures: list[str]) -> list[dict[str, str]]:
        out = []
        for measure in measures:
            frame = dice.pick(TIME_FRAMES)
            out.append(
                {
                    "measure": measure,
                    "description": f"{measure}, assessed up to {frame}.",
                    "timeFrame": frame,
                }
            )
        return out

    return {"primaryOutcomes": entries(primary), "secondaryOutcomes": entries(secondary)}


def _design_module(design: TrialDesign) -> dict[str, Any]:
    if not design.interventional:
        info: dict[str, Any] = {"observationalModel": "COHORT", "timePerspective": "PROSPECTIVE"}
        return {"studyType": "OBSERVATIONAL", "designInfo": info}
    info = {
        "allocation": "RANDOMIZED" if design.randomized else "NA",
        "interventionModel": "PARALLEL" if design.n_arms > 1 else "SINGLE_GROUP",
        "primaryPurpose": "TREATMENT",
        "maskingInfo": {"masking": design.masking},
    }
    return {"studyType": "INTERVENTIONAL", "phases": design.phase.split("/"), "designInfo": info}


def _date_struct(value: date, actual: bool) -> dict[str, str]:
    return {"date": value.isoformat(), "type": "ACTUAL" if actual else "ESTIMATED"}


def study_record(
    design: TrialDesign, dice: Dice, references: list[dict[str, str]]
) -> dict[str, Any]:
    """The CT.gov v2 JSON for one trial; `references` are its linked publications."""
    brief, official = titles(design)
    ongoing = design.status in _ONGOING or design.status == "SUSPENDED"
    status: dict[str, Any] = {
        "overallStatus": design.status,
        "startDateStruct": _date_struct(design.start, design.status != "NOT_YET_RECRUITING"),
        "primaryCompletionDateStruct": _date_struct(design.completion, not ongoing),
        "completionDateStruct": _date_struct(design.completion, not ongoing),
        "studyFirstSubmitDate": design.first_submitted.isoformat(),
    }
    if design.status in ("TERMINATED", "WITHDRAWN", "SUSPENDED"):
        status["whyStopped"] = dice.pick(WHY_STOPPED[design.stop_category])
    module = _design_module(design)
    actual = design.actual_enrollment is not None
    module["enrollmentInfo"] = {
        "count": design.actual_enrollment if actual else design.target_enrollment,
        "type": "ACTUAL" if actual else "ESTIMATED",
    }
    arms, interventions = _arms(design)
    protocol: dict[str, Any] = {
        "identificationModule": {
            "nctId": design.nct_id,
            "briefTitle": brief,
            "officialTitle": official,
        },
        "statusModule": status,
        "sponsorCollaboratorsModule": {
            "leadSponsor": {"name": design.sponsor, "class": design.sponsor_class}
        },
        "descriptionModule": {"briefSummary": _summary(design)},
        "conditionsModule": {
            "conditions": [design.condition.name],
            "keywords": [design.intervention.name, design.agent],
        },
        "designModule": module,
        "armsInterventionsModule": {"armGroups": arms, "interventions": interventions},
        "outcomesModule": _outcomes(design, dice),
        "eligibilityModule": _eligibility(design, dice),
    }
    if references:
        protocol["referencesModule"] = {"references": references}
    return {
        "protocolSection": protocol,
        "derivedSection": {
            "conditionBrowseModule": {
                "meshes": [{"id": design.condition.mesh_id, "term": design.condition.mesh_term}]
            }
        },
        "hasResults": design.status == "COMPLETED" and bool(references),
    }
