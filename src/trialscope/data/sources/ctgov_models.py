"""The ClinicalTrials.gov API v2 study JSON as pydantic models: the parts the store keeps."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")
_PRECISIONS = ("year", "month", "day")


def parse_registry_date(text: str | None) -> dt.date | None:
    """Read `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (CT.gov truncates dates) as the first day it names."""
    if text is None or text == "":
        return None
    match = _PARTIAL_DATE.match(text.strip())
    if match is None:
        raise ValueError(f"expected a date as YYYY-MM-DD or YYYY-MM, got {text!r}")
    year, month, day = (int(part) if part else 1 for part in match.groups())
    return dt.date(year, month, day)


def registry_date_precision(text: str | None) -> str | None:
    """'day', 'month' or 'year': how much of a registry date was given."""
    if not text:
        return None
    match = _PARTIAL_DATE.match(text.strip())
    if match is None:
        return None
    return _PRECISIONS[sum(1 for part in match.groups() if part) - 1]


class _Module(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class DateStruct(_Module):
    date: str | None = None
    type: str | None = None

    @field_validator("date")
    @classmethod
    def _partial(cls, value: str | None) -> str | None:
        parse_registry_date(value)
        return value

    def parts(self) -> tuple[dt.date | None, str | None, str | None]:
        """(first day named, precision, ACTUAL/ESTIMATED)."""
        return parse_registry_date(self.date), registry_date_precision(self.date), self.type


class IdentificationModule(_Module):
    nct_id: str = Field(min_length=1)
    brief_title: str | None = None
    official_title: str | None = None


class StatusModule(_Module):
    overall_status: str | None = None
    why_stopped: str | None = None
    start_date_struct: DateStruct | None = None
    primary_completion_date_struct: DateStruct | None = None
    completion_date_struct: DateStruct | None = None
    study_first_submit_date: dt.date | None = None

    @field_validator("study_first_submit_date", mode="before")
    @classmethod
    def _partial(cls, value: Any) -> Any:
        return parse_registry_date(value) if isinstance(value, str) else value


class Sponsor(_Module):
    name: str | None = None
    # `class` is a Python keyword, hence the explicit alias.
    sponsor_class: str | None = Field(default=None, alias="class")


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
    count: int | None = Field(default=None, ge=0)
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
    pmid: str | None = None
    type: str | None = None
    citation: str | None = None

    @field_validator("pmid", mode="before")
    @classmethod
    def _pmid_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value


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


class CtgovStudy(_Module):
    """One study as the ClinicalTrials.gov API v2 returns it (the parts the store keeps)."""

    protocol_section: ProtocolSection
    derived_section: DerivedSection | None = None
    has_results: bool | None = None
    results_section: dict[str, Any] | None = None
