"""The ClinicalTrials.gov API v2 study JSON, validated and flattened into the store's rows.

Only the fields the store keeps are modelled; everything else in a study is ignored. Real and
synthetic trials both arrive in this shape and go through `flatten_study`, which runs the plain
checks of `ctgov_checks` first (id, field sizes, R-boxed scalars), then this structure.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec

from trialscope.data.sources.ctgov_checks import (
    MAX_TEXT_CHARS,
    boxed_scalar_reason,
    nct_id_reason,
    normal_mesh_id,
    oversized_text_reason,
    text_length_bound,
)
from trialscope.data.sources.ctgov_models import (
    STUDY_DECODER,
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
    study_from_dict,
)
from trialscope.data.sources.ctgov_results import ResultRows, ResultsInvalid, result_rows
from trialscope.data.sources.json_lines import UNPARSED, fast_json

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


def describe_validation_error(error: msgspec.ValidationError) -> str:
    """msgspec's "Expected `int`, got `str` - at `$.a.b`" as "a.b: expected `int`, got `str`"."""
    message, _, where = str(error).partition(" - at `$")
    path = where.rstrip("`").lstrip(".")
    missing = message.removeprefix("Object missing required field `")
    if missing != message:
        field_name = missing.rstrip("`")
        return (
            f"{path}.{field_name}: required field missing"
            if path
            else (f"{field_name}: required field missing")
        )
    message = message[:1].lower() + message[1:]
    return f"{path}: {message}" if path else message


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
        study = study_from_dict(payload)
    except msgspec.ValidationError as error:
        raise StudyInvalid(study_id, describe_validation_error(error)) from None
    return _checked_rows(study, source)


def decode_typed(data: bytes) -> CtgovStudy | None:
    """One study's JSON bytes decoded straight into the typed structs, in C.

    None when the record needs the checks on a generic parse instead: the typed decoder
    refuses it (bad JSON, a wrong type, R-boxed scalars...) or it is large enough to hold an
    oversized text field. An ordinary record pays for none of those checks.
    """
    if len(data) > MAX_TEXT_CHARS and text_length_bound(data) > MAX_TEXT_CHARS:
        return None
    try:
        return STUDY_DECODER.decode(data)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None


def typed_rows(study: CtgovStudy, source: str) -> StudyRows:
    """Rows of a typed study, after the id check; raises `StudyInvalid`."""
    nct_id = study.protocol_section.identification_module.nct_id
    reason = nct_id_reason(nct_id)
    if reason is not None:
        raise StudyInvalid(nct_id[:40], reason)
    return _checked_rows(study, source)


def flatten_study_json(data: bytes, source: str) -> StudyRows:
    """Decode one study's JSON bytes into the typed structs and flatten it.

    A record the fast path leaves (see `decode_typed`) is parsed generically and goes through
    `flatten_study`, so its failure reads exactly as it would from a parsed object. Raises
    `StudyInvalid`, or `UnparsableJson` for bytes that are not JSON at all.
    """
    study = decode_typed(data)
    if study is None:
        return flatten_study(_generic(data), source, len(data))
    return typed_rows(study, source)


class UnparsableJson(ValueError):
    """Bytes that are not one JSON object; the message says why (as the file readers do)."""


def _generic(data: bytes) -> Any:
    parsed = fast_json(data)
    if parsed is UNPARSED:
        try:
            parsed = json.loads(data)
        except UnicodeDecodeError as error:
            bad = data[error.start : error.start + 1].hex()
            raise UnparsableJson(f"not UTF-8: byte 0x{bad} at offset {error.start}") from None
        except json.JSONDecodeError as error:
            raise UnparsableJson(f"invalid JSON: {error}") from None
    return parsed


def _checked_rows(study: CtgovStudy, source: str) -> StudyRows:
    study_id = study.protocol_section.identification_module.nct_id
    try:
        return _rows(study, source)
    except ResultsInvalid as error:
        raise StudyInvalid(study_id, f"resultsSection.{error}") from None
    except _DateInvalid as error:
        raise StudyInvalid(study_id, str(error)) from None


class _DateInvalid(ValueError):
    pass


def _date_parts(struct: DateStruct | None, where: str) -> tuple[Any, str | None, str | None]:
    if struct is None or struct.date is None:
        return None, None, None if struct is None else struct.type
    try:
        day = parse_registry_date(struct.date)
    except ValueError as error:
        raise _DateInvalid(f"protocolSection.statusModule.{where}.date: {error}") from None
    return day, registry_date_precision(struct.date), struct.type


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

    start = _date_parts(status.start_date_struct, "startDateStruct")
    primary_completion = _date_parts(
        status.primary_completion_date_struct, "primaryCompletionDateStruct"
    )
    completion = _date_parts(status.completion_date_struct, "completionDateStruct")
    try:
        first_submitted = parse_registry_date(status.study_first_submit_date)
    except ValueError as error:
        raise _DateInvalid(f"protocolSection.statusModule.studyFirstSubmitDate: {error}") from None

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
            first_submitted,
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
        pmid = ref.pmid if ref.pmid is None or isinstance(ref.pmid, str) else str(ref.pmid)
        rows.study_references.append((study_id, position, pmid, ref.type, ref.citation))
        label = (ref.type or "reference").lower()
        if pmid and (pmid, label) not in linked:
            linked.add((pmid, label))
            rows.relations.append(("study", study_id, "publication", pmid, label))
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
    if study.results_section is not None:
        rows.results = result_rows(study_id, study.results_section)
    return rows
