"""The ClinicalTrials.gov API v2 study JSON as msgspec structs: the parts the store keeps.

Raw JSON is decoded straight into these structs (`STUDY_DECODER`): fields the store does not
keep are skipped by msgspec's C decoder without building Python objects, which is what makes
ingest fast. Lax mode (`strict=False`) reads numbers written as strings ("120"), as CT.gov's
exports do. The results section is typed too (`ResultsSection`).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Annotated, Any

import msgspec

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")
_PRECISIONS = ("year", "month", "day")
MAX_INTEGER = 2**31 - 1
"""The largest value of the store's INTEGER columns."""


@functools.lru_cache(maxsize=65536)
def parse_registry_date(text: str | None) -> dt.date | None:
    """Read `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (CT.gov truncates dates) as the first day it names."""
    if text is None or text == "":
        return None
    match = _PARTIAL_DATE.match(text.strip())
    if match is None:
        raise ValueError(f"expected a date as YYYY-MM-DD or YYYY-MM, got {text!r}")
    year, month, day = (int(part) if part else 1 for part in match.groups())
    return dt.date(year, month, day)


@functools.lru_cache(maxsize=65536)
def registry_date_precision(text: str | None) -> str | None:
    """'day', 'month' or 'year': how much of a registry date was given."""
    if not text:
        return None
    match = _PARTIAL_DATE.match(text.strip())
    if match is None:
        return None
    return _PRECISIONS[sum(1 for part in match.groups() if part) - 1]


class _Module(msgspec.Struct, rename="camel", gc=False):
    """A JSON object of the study; unknown fields are ignored."""


Text = str | int | float | None
"""A results field CT.gov writes as text or as a number; stored as text."""
Count = int | str | None
"""A results count: a number, or a numeric string in some exports."""


class DateStruct(_Module):
    date: str | None = None
    type: str | None = None


class IdentificationModule(_Module):
    nct_id: Annotated[str, msgspec.Meta(min_length=1)]
    brief_title: str | None = None
    official_title: str | None = None


class StatusModule(_Module):
    overall_status: str | None = None
    why_stopped: str | None = None
    start_date_struct: DateStruct | None = None
    primary_completion_date_struct: DateStruct | None = None
    completion_date_struct: DateStruct | None = None
    study_first_submit_date: str | None = None


class Sponsor(_Module):
    name: str | None = None
    # `class` is a Python keyword, hence the explicit name.
    sponsor_class: str | None = msgspec.field(default=None, name="class")


class SponsorModule(_Module):
    lead_sponsor: Sponsor | None = None
    collaborators: list[Sponsor] = []


class DescriptionModule(_Module):
    brief_summary: str | None = None
    detailed_description: str | None = None


class ConditionsModule(_Module):
    conditions: list[str] = []
    keywords: list[str] = []


class MaskingInfo(_Module):
    masking: str | None = None


class DesignInfo(_Module):
    allocation: str | None = None
    intervention_model: str | None = None
    primary_purpose: str | None = None
    observational_model: str | None = None
    time_perspective: str | None = None
    masking_info: MaskingInfo | None = None


class EnrollmentInfo(_Module):
    # The store keeps it as a 32-bit INTEGER: a larger count is a bad record, not a crash.
    count: Annotated[int, msgspec.Meta(ge=0, le=MAX_INTEGER)] | None = None
    type: str | None = None


class DesignModule(_Module):
    study_type: str | None = None
    phases: list[str] = []
    design_info: DesignInfo | None = None
    enrollment_info: EnrollmentInfo | None = None


class ArmGroup(_Module):
    label: str | None = None
    type: str | None = None
    description: str | None = None
    intervention_names: list[str] = []


class Intervention(_Module):
    type: str | None = None
    name: str | None = None
    description: str | None = None
    arm_group_labels: list[str] = []
    other_names: list[str] = []


class ArmsInterventionsModule(_Module):
    arm_groups: list[ArmGroup] = []
    interventions: list[Intervention] = []


class Outcome(_Module):
    measure: str | None = None
    description: str | None = None
    time_frame: str | None = None


class OutcomesModule(_Module):
    primary_outcomes: list[Outcome] = []
    secondary_outcomes: list[Outcome] = []
    other_outcomes: list[Outcome] = []


class EligibilityModule(_Module):
    eligibility_criteria: str | None = None
    healthy_volunteers: bool | None = None
    sex: str | None = None
    minimum_age: str | None = None
    maximum_age: str | None = None
    study_population: str | None = None
    sampling_method: str | None = None


class Reference(_Module):
    pmid: str | int | None = None
    type: str | None = None
    citation: str | None = None


class ReferencesModule(_Module):
    references: list[Reference] = []


class Location(_Module):
    facility: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    status: str | None = None


class ContactsLocationsModule(_Module):
    locations: list[Location] = []


class ProtocolSection(_Module):
    identification_module: IdentificationModule
    status_module: StatusModule | None = None
    sponsor_collaborators_module: SponsorModule | None = None
    description_module: DescriptionModule | None = None
    conditions_module: ConditionsModule | None = None
    design_module: DesignModule | None = None
    arms_interventions_module: ArmsInterventionsModule | None = None
    outcomes_module: OutcomesModule | None = None
    eligibility_module: EligibilityModule | None = None
    references_module: ReferencesModule | None = None
    contacts_locations_module: ContactsLocationsModule | None = None


class MeshTerm(_Module):
    id: str | None = None
    term: str | None = None


class ConditionBrowseModule(_Module):
    meshes: list[MeshTerm] = []
    ancestors: list[MeshTerm] = []


class DerivedSection(_Module):
    condition_browse_module: ConditionBrowseModule | None = None


# --- the results section (null anywhere in it reads as absent) ---


class ResultGroup(_Module):
    id: Text = None
    title: Text = None


class Achievement(_Module):
    group_id: Text = None
    num_subjects: Count = None


class Milestone(_Module):
    type: Text = None
    achievements: list[Achievement] | None = None


class FlowPeriod(_Module):
    title: Text = None
    milestones: list[Milestone] | None = None


class FlowModule(_Module):
    groups: list[ResultGroup] | None = None
    periods: list[FlowPeriod] | None = None


class DenomCount(_Module):
    group_id: Text = None
    value: Count = None


class Denom(_Module):
    units: Text = None
    counts: list[DenomCount] | None = None


class BaselineModule(_Module):
    groups: list[ResultGroup] | None = None
    denoms: list[Denom] | None = None


class Analysis(_Module):
    group_ids: list[Any] | None = None
    non_inferiority_type: Text = None
    p_value: Text = None
    statistical_method: Text = None
    param_type: Text = None
    param_value: Text = None
    ci_pct_value: Text = None
    ci_lower_limit: Text = None
    ci_upper_limit: Text = None


class OutcomeMeasure(_Module):
    type: Text = None
    title: Text = None
    description: Text = None
    population_description: Text = None
    time_frame: Text = None
    param_type: Text = None
    dispersion_type: Text = None
    unit_of_measure: Text = None
    groups: list[ResultGroup] | None = None
    denoms: list[Denom] | None = None
    analyses: list[Analysis] | None = None


class OutcomeMeasuresModule(_Module):
    outcome_measures: list[OutcomeMeasure] | None = None


class EventGroup(_Module):
    id: Text = None
    title: Text = None
    deaths_num_affected: Count = None
    deaths_num_at_risk: Count = None
    serious_num_affected: Count = None
    serious_num_at_risk: Count = None
    other_num_affected: Count = None
    other_num_at_risk: Count = None


class AdverseEventsModule(_Module):
    event_groups: list[EventGroup] | None = None


class ResultsSection(_Module):
    participant_flow_module: FlowModule | None = None
    baseline_characteristics_module: BaselineModule | None = None
    outcome_measures_module: OutcomeMeasuresModule | None = None
    adverse_events_module: AdverseEventsModule | None = None


class CtgovStudy(_Module):
    """One study as the ClinicalTrials.gov API v2 returns it (the parts the store keeps)."""

    protocol_section: ProtocolSection
    derived_section: DerivedSection | None = None
    has_results: bool | None = None
    results_section: ResultsSection | None = None


STUDY_DECODER = msgspec.json.Decoder(CtgovStudy, strict=False)
"""Raw study JSON bytes -> `CtgovStudy`, in C."""


def study_from_dict(payload: Any) -> CtgovStudy:
    """An already-parsed study object -> `CtgovStudy` (raises `msgspec.ValidationError`)."""
    return msgspec.convert(payload, CtgovStudy, strict=False)
