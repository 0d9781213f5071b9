"""The ClinicalTrials.gov API v2 study JSON, validated and flattened into the store's rows.

Only the fields the store keeps are modelled; everything else in a study is ignored. Real and
synthetic trials both arrive in this shape and go through `flatten_study`, which runs the plain
checks of `ctgov_checks` first (id, field sizes, R-boxed scalars), then this structure.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from trialscope.data.sources.ctgov_checks import (
    boxed_scalar_reason,
    nct_id_reason,
    normal_mesh_id,
    oversized_text_reason,
)
from trialscope.data.sources.ctgov_models import (
    ArmsInterventionsModule,
    ConditionsModule,
    ContactsLocationsModule,
    CtgovStudy,
    DateStruct,
    DescriptionModule,
    DesignInfo,
    DesignModule,
    EnrollmentInfo,
    MeshTerm,
    OutcomesModule,
    ReferencesModule,
    Sponsor,
    SponsorModule,
    StatusModule,
    parse_registry_date,
    registry_date_precision,
)
from trialscope.data.sources.ctgov_results import ResultRows, ResultsInvalid, result_rows

STUDY_CHILD_TABLES = (
    "conditions",
    "interventions",
    "arm_groups",
    "eligibility",
    "outcomes",
    "study_references",
    "relations",
    "collaborators",
    "locations",
)
__all__ = [
    "StudyInvalid",
    "StudyRows",
    "flatten_study",
    "parse_registry_date",
    "registry_date_precision",
]

RESULT_TABLES = (
    "result_flow",
    "result_baseline",
    "result_outcomes",
    "result_analyses",
    "result_adverse_events",
)


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
    collaborators: list[tuple[Any, ...]] = field(default_factory=list)
    locations: list[tuple[Any, ...]] = field(default_factory=list)
    results: ResultRows = field(default_factory=ResultRows)

    def tables(self) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
        """(store table, rows) for every table this study has rows in."""
        yield "studies", [self.study]
        for table in STUDY_CHILD_TABLES:
            yield table, getattr(self, table)
        for table in RESULT_TABLES:
            yield table, getattr(self.results, table)


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


def flatten_study(payload: Mapping[str, Any], source: str, size: int | None = None) -> StudyRows:
    """Validate one study JSON object and turn it into store rows; raises `StudyInvalid`.

    `size`, when known, bounds the study's encoded size in bytes (see `oversized_text_reason`).
    """
    if not isinstance(payload, Mapping):
        raise StudyInvalid(None, f"expected a JSON object, got {type(payload).__name__}")
    boxed = boxed_scalar_reason(payload)
    if boxed is not None:
        nct = payload["protocolSection"]["identificationModule"]["nctId"]
        raise StudyInvalid(nct[0] if nct and isinstance(nct[0], str) else None, boxed)
    study_id = _study_id_of(payload)
    if study_id is not None:
        reason = nct_id_reason(study_id) or oversized_text_reason(payload, size=size)
        if reason is not None:
            raise StudyInvalid(study_id[:40], reason)
    try:
        study = CtgovStudy.model_validate(payload)
    except ValidationError as error:
        raise StudyInvalid(study_id, _describe(error)) from None
    try:
        return _rows(study, source)
    except ResultsInvalid as error:
        raise StudyInvalid(study_id, f"resultsSection: {error}") from None


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

    start, primary_completion, completion = (
        (struct or DateStruct()).parts()
        for struct in (
            status.start_date_struct,
            status.primary_completion_date_struct,
            status.completion_date_struct,
        )
    )

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
            start[0],
            primary_completion[0],
            completion[0],
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
            *start[1:],
            *primary_completion[1:],
            *completion[1:],
        ),
    )
    meshes: list[MeshTerm] = []
    ancestors: list[MeshTerm] = []
    if study.derived_section and study.derived_section.condition_browse_module:
        meshes = study.derived_section.condition_browse_module.meshes
        ancestors = study.derived_section.condition_browse_module.ancestors
    mesh_by_term = {m.term.casefold(): normal_mesh_id(m.id) for m in meshes if m.term}
    matched: set[str] = set()
    for position, name in enumerate(conditions.conditions):
        mesh_id = mesh_by_term.get(name.casefold())
        if mesh_id is not None:
            matched.add(name.casefold())
        rows.conditions.append((study_id, position, name, mesh_id, "reported"))
    offset = len(conditions.conditions)
    derived = [("mesh", m) for m in meshes if (m.term or "").casefold() not in matched]
    derived += [("mesh_ancestor", m) for m in ancestors]
    for position, (origin, mesh) in enumerate(derived):
        rows.conditions.append(
            (study_id, offset + position, mesh.term, normal_mesh_id(mesh.id), origin)
        )

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
                list(item.other_names),
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
                elig.study_population,
                elig.sampling_method,
            )
        )
    outcomes = protocol.outcomes_module or OutcomesModule()
    for kind, items in (
        ("primary", outcomes.primary_outcomes),
        ("secondary", outcomes.secondary_outcomes),
        ("other", outcomes.other_outcomes),
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
    collaborators = (protocol.sponsor_collaborators_module or SponsorModule()).collaborators
    for position, collaborator in enumerate(collaborators):
        rows.collaborators.append(
            (study_id, position, collaborator.name, collaborator.sponsor_class)
        )
    locations = (protocol.contacts_locations_module or ContactsLocationsModule()).locations
    for position, place in enumerate(locations):
        rows.locations.append(
            (
                study_id,
                position,
                place.facility,
                place.city,
                place.state,
                place.zip,
                place.country,
                place.status,
            )
        )
    if study.results_section:
        rows.results = result_rows(study_id, study.results_section)
    return rows
