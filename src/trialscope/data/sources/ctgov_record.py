"""The ClinicalTrials.gov API v2 study JSON, validated and flattened into the store's rows.

Only the fields the store keeps are modelled; everything else in a study is ignored. Real and
synthetic trials both arrive in this shape and go through `flatten_study`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.alias_generators import to_camel

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")


def parse_registry_date(text: str | None) -> dt.date | None:
    """Read `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (CT.gov truncates dates) as the first day it names."""
    if text is None or text == "":
        return None
    match = _PARTIAL_DATE.match(text.strip())
    if match is None:
        raise ValueError(f"expected a date as YYYY-MM-DD or YYYY-MM, got {text!r}")
    year, month, day = (int(part) if part else 1 for part in match.groups())
    return dt.date(year, month, day)


class _Module(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class DateStruct(_Module):
    date: dt.date | None = None
    type: str | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _partial(cls, value: Any) -> Any:
        return parse_registry_date(value) if isinstance(value, str) else value


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


class EligibilityModule(_Module):
    eligibility_criteria: str | None = None
    healthy_volunteers: bool | None = None
    sex: str | None = None
    minimum_age: str | None = None
    maximum_age: str | None = None


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


class MeshTerm(_Module):
    id: str | None = None
    term: str | None = None


class ConditionBrowseModule(_Module):
    meshes: list[MeshTerm] = []


class DerivedSection(_Module):
    condition_browse_module: ConditionBrowseModule | None = None


class CtgovStudy(_Module):
    """One study as the ClinicalTrials.gov API v2 returns it (the parts the store keeps)."""

    protocol_section: ProtocolSection
    derived_section: DerivedSection | None = None
    has_results: bool | None = None


@dataclass
class StudyRows:
    """One study flattened into rows of the store's tables (tuples in schema column order)."""

    study_id: str
    study: tuple[Any, ...]
    conditions: list[tuple[Any, ...]] = field(default_factory=list)
    interventions: list[tuple[Any, ...]] = field(default_factory=list)
    arm_groups: list[tuple[Any, ...]] = field(default_factory=list)
    eligibility: list[tuple[Any, ...]] = field(default_factory=list)
    outcomes: list[tuple[Any, ...]] = field(default_factory=list)
    study_references: list[tuple[Any, ...]] = field(default_factory=list)
    relations: list[tuple[Any, ...]] = field(default_factory=list)


class StudyInvalid(ValueError):
    """A study that cannot enter the store; `study_id` is None when not even the id is readable."""

    def __init__(self, study_id: str | None, reason: str) -> None:
        super().__init__(reason)
        self.study_id = study_id
        self.reason = reason


def _study_id_of(payload: Mapping[str, Any]) -> str | None:
    try:
        value = payload["protocolSection"]["identificationModule"]["nctId"]
    except (KeyError, TypeError):
        return None
    return value if isinstance(value, str) and value else None


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:3]:
        where = ".".join(str(step) for step in item["loc"])
        parts.append(f"{where}: {item['msg']}")
    more = error.error_count() - 3
    return "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")


def flatten_study(payload: Mapping[str, Any], source: str) -> StudyRows:
    """Validate one study JSON object and turn it into store rows; raises `StudyInvalid`."""
    if not isinstance(payload, Mapping):
        raise StudyInvalid(None, f"expected a JSON object, got {type(payload).__name__}")
    try:
        study = CtgovStudy.model_validate(payload)
    except ValidationError as error:
        raise StudyInvalid(_study_id_of(payload), _describe(error)) from None
    return _rows(study, source)


def _rows(study: CtgovStudy, source: str) -> StudyRows:
    protocol = study.protocol_section
    ident = protocol.identification_module
    status = protocol.status_module or StatusModule()
    sponsor = (protocol.sponsor_collaborators_module or SponsorModule()).lead_sponsor or Sponsor()
    description = protocol.description_module or DescriptionModule()
    conditions = protocol.conditions_module or ConditionsModule()
    design = protocol.design_module or DesignModule()
    info = design.design_info or DesignInfo()
    enrollment = design.enrollment_info or EnrollmentInfo()
    study_id = ident.nct_id.strip()

    def date_of(struct: DateStruct | None) -> dt.date | None:
        return struct.date if struct is not None else None

    rows = StudyRows(
        study_id=study_id,
        study=(
            study_id,
            source,
            ident.brief_title,
            ident.official_title,
            description.brief_summary,
            description.detailed_description,
            design.study_type,
            "/".join(design.phases) if design.phases else None,
            list(design.phases),
            status.overall_status,
            status.why_stopped,
            date_of(status.start_date_struct),
            date_of(status.primary_completion_date_struct),
            date_of(status.completion_date_struct),
            status.study_first_submit_date,
            enrollment.count,
            enrollment.type,
            sponsor.name,
            sponsor.sponsor_class,
            info.allocation,
            info.intervention_model,
            info.primary_purpose,
            info.observational_model,
            info.time_perspective,
            info.masking_info.masking if info.masking_info else None,
            list(conditions.keywords),
            study.has_results,
        ),
    )
    meshes = []
    if study.derived_section and study.derived_section.condition_browse_module:
        meshes = study.derived_section.condition_browse_module.meshes
    mesh_by_term = {m.term.casefold(): m.id for m in meshes if m.term}
    matched: set[str] = set()
    for position, name in enumerate(conditions.conditions):
        mesh_id = mesh_by_term.get(name.casefold())
        if mesh_id is not None:
            matched.add(name.casefold())
        rows.conditions.append((study_id, position, name, mesh_id, "reported"))
    offset = len(conditions.conditions)
    for position, mesh in enumerate(m for m in meshes if (m.term or "").casefold() not in matched):
        rows.conditions.append((study_id, offset + position, mesh.term, mesh.id, "mesh"))

    arms = protocol.arms_interventions_module or ArmsInterventionsModule()
    for position, item in enumerate(arms.interventions):
        rows.interventions.append(
            (
                study_id,
                position,
                item.type,
                item.name,
                item.description,
                list(item.arm_group_labels),
                None,
            )
        )
    for position, arm in enumerate(arms.arm_groups):
        rows.arm_groups.append(
            (
                study_id,
                position,
                arm.label,
                arm.type,
                arm.description,
                list(arm.intervention_names),
            )
        )
    if protocol.eligibility_module is not None:
        elig = protocol.eligibility_module
        rows.eligibility.append(
            (
                study_id,
                elig.eligibility_criteria,
                elig.sex,
                elig.minimum_age,
                elig.maximum_age,
                elig.healthy_volunteers,
            )
        )
    outcomes = protocol.outcomes_module or OutcomesModule()
    for kind, items in (
        ("primary", outcomes.primary_outcomes),
        ("secondary", outcomes.secondary_outcomes),
    ):
        for position, outcome in enumerate(items):
            rows.outcomes.append(
                (study_id, kind, position, outcome.measure, outcome.description, outcome.time_frame)
            )
    references = (protocol.references_module or ReferencesModule()).references
    linked: set[tuple[str, str]] = set()
    for position, ref in enumerate(references):
        rows.study_references.append((study_id, position, ref.pmid, ref.type, ref.citation))
        label = (ref.type or "reference").lower()
        if ref.pmid and (ref.pmid, label) not in linked:
            linked.add((ref.pmid, label))
            rows.relations.append(("study", study_id, "publication", ref.pmid, label))
    return rows
