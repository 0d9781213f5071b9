"""Read queries of the `TrialStore` used by the benchmark builders (a mixin of the store).

Queries return rows in a fixed order (by id) so a build is byte-for-byte repeatable; bulk reads
join the whole id list once, so a 1.6M-trial store is read without one query per study.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from trialscope.data.store_base import StoreBase


@dataclass(slots=True)
class StudyIndexRow:
    """The few columns the builders filter and split on, for every study."""

    study_id: str
    first_submitted: date | None
    status: str | None
    enrollment: int | None
    enrollment_type: str | None
    condition_key: str | None
    n_arms: int
    has_criteria: bool
    n_primary: int
    study_type: str | None = None
    phase: str | None = None
    mesh_ids: tuple[str, ...] = ()
    """The study's own MeSH condition ids (reported or derived), sorted."""
    mesh_tree: tuple[str, ...] = ()
    """The MeSH ancestors of its conditions (the tree above them), sorted."""


@dataclass(frozen=True)
class StudyColumns:
    """`StudyIndexRow`'s filter and split columns for every study, by study id, as arrays.

    Text columns hold '' where the store has NULL; `day` counts days since 1970-01-01 of the
    registration (or start) date, meaningful where `dated`.
    """

    study_id: np.ndarray[Any, np.dtype[np.object_]]
    day: np.ndarray[Any, np.dtype[np.int64]]
    dated: np.ndarray[Any, np.dtype[np.bool_]]
    status: np.ndarray[Any, np.dtype[np.object_]]
    enrollment: np.ndarray[Any, np.dtype[np.int64]]
    enrollment_type: np.ndarray[Any, np.dtype[np.object_]]
    n_arms: np.ndarray[Any, np.dtype[np.int64]]
    has_criteria: np.ndarray[Any, np.dtype[np.bool_]]
    n_primary: np.ndarray[Any, np.dtype[np.int64]]

    def where(self, predicate: Callable[[str], bool], column: str) -> np.ndarray[Any, Any]:
        """Mask of the studies whose text `column` satisfies `predicate` (asked once per value)."""
        values = getattr(self, column)
        verdicts: dict[str, bool] = {}
        for value in set(values.tolist()):
            verdicts[value] = predicate(value)
        return np.fromiter((verdicts[v] for v in values), dtype=bool, count=len(values))


@dataclass(slots=True)
class StudyDetail:
    """Everything a benchmark item may show about one study."""

    study_id: str
    title: str | None
    official_title: str | None
    summary: str | None
    study_type: str | None
    phase: str | None
    status: str | None
    why_stopped: str | None
    first_submitted: date | None
    enrollment: int | None
    enrollment_type: str | None
    allocation: str | None
    intervention_model: str | None
    primary_purpose: str | None
    observational_model: str | None
    time_perspective: str | None
    masking: str | None
    conditions: list[str] = field(default_factory=list)
    interventions: list[tuple[str | None, str | None]] = field(default_factory=list)
    arms: list[tuple[str | None, str | None, str | None]] = field(default_factory=list)
    criteria: str | None = None
    sex: str | None = None
    minimum_age: str | None = None
    maximum_age: str | None = None
    healthy_volunteers: bool | None = None
    primary_outcomes: list[tuple[str | None, str | None]] = field(default_factory=list)
    secondary_outcomes: list[tuple[str | None, str | None]] = field(default_factory=list)
    reference_pmids: list[str] = field(default_factory=list)

    @classmethod
    def bare(cls, study_id: str) -> StudyDetail:
        """A study with only its id: every column None, every list empty."""
        return cls(
            study_id, None, None, None, None, None, None, None, None, None, None, None, None,
            None, None, None, None,
        )  # fmt: skip


@dataclass(slots=True)
class ReviewRow:
    """A systematic review with its included and excluded publication ids (sorted)."""

    review_id: str
    pmid: str | None
    title: str | None
    background: str | None
    objectives: str | None
    selection_criteria: str | None
    search_date: date | None
    conclusion: str | None
    included: list[str]
    excluded: list[str]


@dataclass(slots=True)
class PublicationRow:
    """A publication as candidate studies and the search corpus show it."""

    pmid: str
    title: str | None
    abstract: str | None
    year: int | None
    nct_id: str | None


def _split(joined: str | None) -> tuple[str, ...]:
    return tuple(joined.split("|")) if joined else ()


_COUNTS = """
    arms AS (SELECT study_id, count(*) AS n FROM arm_groups {where} GROUP BY study_id),
    prim AS (SELECT study_id, count(*) AS n FROM outcomes WHERE kind = 'primary' {and_where}
             GROUP BY study_id),
    -- Criteria with a printable ASCII character are not blank: trim() copies every (long) text,
    -- so it is only asked about the rest (its idea of blank includes Unicode spaces).
    elig AS (SELECT study_id,
                    bool_or(CASE WHEN regexp_matches(criteria, '[!-~]') THEN true
                                 ELSE coalesce(length(trim(criteria)), 0) > 0 END) AS has
             FROM eligibility {where} GROUP BY study_id)
"""
"""Per-study counts the index filters on (`where` limits the studies read)."""
_IN_CORPUS = "title IS NOT NULL AND length(trim(title)) > 0"
"""Which publications the search corpus holds."""
_STUDY_COLUMNS = (
    "study_id, title, official_title, summary, study_type, phase, status, why_stopped, "
    "first_submitted, enrollment, enrollment_type, allocation, intervention_model, "
    "primary_purpose, observational_model, time_perspective, masking"
)


DETAIL_PARTS = (
    "study", "conditions", "interventions", "arms", "eligibility", "outcomes", "references",
)  # fmt: skip
"""What `builder_study_details` can read: the study's own columns and each child table."""


class BuilderQueries(StoreBase):
    """Queries the benchmark builders need; no SQL lives in the builders themselves."""

    def builder_read_only(self) -> bool:
        """Whether this connection is read-only (so other processes may open the file too)."""
        row = self._con.execute("SELECT current_setting('access_mode')").fetchone()
        return row is not None and row[0] == "read_only"

    def builder_quiet(self) -> None:
        """No DuckDB progress bars on stdout for this connection's (long) builder queries."""
        self._con.execute("SET enable_progress_bar = false")

    def builder_study_index(self) -> list[StudyIndexRow]:
        """One row per study, ordered by study id."""
        return self._index_rows("")

    def builder_index_rows(self, study_ids: Sequence[str]) -> list[StudyIndexRow]:
        """`builder_study_index` rows of the given studies only (missing ids left out)."""
        ids = np.empty(len(set(study_ids)), dtype=object)
        ids[:] = sorted(set(study_ids))
        self._con.register("_wanted_index", {"study_id": ids})
        try:
            return self._index_rows("WHERE study_id IN (SELECT study_id FROM _wanted_index)")
        finally:
            self._con.unregister("_wanted_index")

    def _index_rows(self, where: str) -> list[StudyIndexRow]:
        rows = self._con.execute(
            f"""
            WITH cond AS (
                SELECT study_id,
                       coalesce(min(mesh_id) FILTER (WHERE origin <> 'mesh_ancestor'),
                                min(lower(name)) FILTER (WHERE origin <> 'mesh_ancestor')) AS key,
                       -- Lists travel as '|'-joined text: converting DuckDB lists to Python
                       -- lists is a quarter of this query's cost over millions of studies.
                       array_to_string(list_sort(list_distinct(list(mesh_id) FILTER (
                           WHERE origin <> 'mesh_ancestor' AND mesh_id IS NOT NULL))), '|') AS own,
                       array_to_string(list_sort(list_distinct(list(mesh_id) FILTER (
                           WHERE origin = 'mesh_ancestor' AND mesh_id IS NOT NULL))), '|') AS tree
                FROM conditions {where} GROUP BY study_id),
            {_COUNTS.format(where=where, and_where=where.replace("WHERE", "AND"))}
            -- Without a registration date (TrialPanorama gives only a start year for some
            -- registries) the time split falls back to the start date.
            SELECT s.study_id, coalesce(s.first_submitted, s.start_date), s.status,
                   s.enrollment, s.enrollment_type,
                   cond.key, coalesce(arms.n, 0), coalesce(elig.has, false), coalesce(prim.n, 0),
                   s.study_type, s.phase, cond.own, cond.tree
            FROM (SELECT * FROM studies {where}) s
            LEFT JOIN cond USING (study_id) LEFT JOIN arms USING (study_id)
            LEFT JOIN prim USING (study_id) LEFT JOIN elig USING (study_id)
            ORDER BY s.study_id
            """
        ).fetchall()
        return [
            StudyIndexRow(
                str(r[0]), r[1], r[2], r[3], r[4], r[5], int(r[6]), bool(r[7]), int(r[8]),
                r[9], r[10], _split(r[11]), _split(r[12]),
            )
            for r in rows
        ]  # fmt: skip

    def builder_study_columns(self) -> StudyColumns:
        """The index's filter and split columns for every study, as arrays (no per-study
        objects: a 1.6M-trial store's index rows cost gigabytes)."""
        columns = self._con.execute(
            f"""
            WITH {_COUNTS.format(where="", and_where="")}
            SELECT s.study_id,
                   coalesce(date_diff('day', DATE '1970-01-01',
                                      coalesce(s.first_submitted, s.start_date)), 0) AS day,
                   coalesce(s.first_submitted, s.start_date) IS NOT NULL AS dated,
                   coalesce(s.status, '') AS status, coalesce(s.enrollment, 0) AS enrollment,
                   coalesce(s.enrollment_type, '') AS enrollment_type,
                   coalesce(arms.n, 0) AS n_arms, coalesce(elig.has, false) AS has_criteria,
                   coalesce(prim.n, 0) AS n_primary
            FROM studies s
            LEFT JOIN arms USING (study_id) LEFT JOIN prim USING (study_id)
            LEFT JOIN elig USING (study_id)
            ORDER BY s.study_id
            """
        ).fetchnumpy()
        return StudyColumns(**{name: np.asarray(values) for name, values in columns.items()})

    def builder_study_details(
        self, study_ids: Sequence[str], parts: Collection[str] = DETAIL_PARTS
    ) -> dict[str, StudyDetail]:
        """Details of the given studies (missing ids are left out), in study id order.

        `parts` limits what is read (see `DETAIL_PARTS`); without "study" every id given gets an
        entry whose own columns stay None.
        """
        unknown = set(parts) - set(DETAIL_PARTS)
        if unknown:
            raise ValueError(f"unknown detail parts {sorted(unknown)}; known: {DETAIL_PARTS}")
        details: dict[str, StudyDetail] = {}
        unique = sorted(set(study_ids))
        if not unique:
            return details
        ids = np.empty(len(unique), dtype=object)
        ids[:] = unique
        # One scan per table joined with the whole id list: an IN-list per slice of ids would
        # rescan every table once per slice.
        self._con.register("_wanted_studies", {"study_id": ids})
        try:
            if "study" in parts:
                for row in self._joined(f"SELECT {_STUDY_COLUMNS} FROM studies", ""):
                    details[str(row[0])] = StudyDetail(*row)
            else:
                for sid in unique:
                    details[sid] = StudyDetail.bare(sid)
            for part in parts:
                if part != "study":
                    _FILLERS[part](self, details)
        finally:
            self._con.unregister("_wanted_studies")
        return details

    def _joined(self, select: str, order: str) -> Iterator[Any]:
        """Rows of `select` whose study_id is in `_wanted_studies`, by id (read to the end)."""
        # On the connection itself: a registered object is not visible from its cursors.
        result = self._con.execute(
            f"{select} WHERE study_id IN (SELECT study_id FROM _wanted_studies) "
            f"ORDER BY study_id{', ' + order if order else ''}"
        )
        while rows := result.fetchmany(50_000):
            yield from rows

    def _fill_conditions(self, details: dict[str, StudyDetail]) -> None:
        for sid, name, origin in self._joined(
            "SELECT study_id, name, origin FROM conditions", "position"
        ):
            if name and origin not in ("mesh", "mesh_ancestor"):
                details[sid].conditions.append(name)

    def _fill_interventions(self, details: dict[str, StudyDetail]) -> None:
        for sid, kind, name in self._joined(
            "SELECT study_id, type, name FROM interventions", "position"
        ):
            details[sid].interventions.append((kind, name))

    def _fill_arms(self, details: dict[str, StudyDetail]) -> None:
        for sid, label, kind, description in self._joined(
            "SELECT study_id, label, type, description FROM arm_groups", "position"
        ):
            details[sid].arms.append((label, kind, description))

    def _fill_eligibility(self, details: dict[str, StudyDetail]) -> None:
        for sid, criteria, sex, low, high, healthy in self._joined(
            "SELECT study_id, criteria, sex, minimum_age, maximum_age, healthy_volunteers "
            "FROM eligibility",
            "",
        ):
            detail = details[sid]
            detail.criteria, detail.sex, detail.minimum_age = criteria, sex, low
            detail.maximum_age, detail.healthy_volunteers = high, healthy

    def _fill_outcomes(self, details: dict[str, StudyDetail]) -> None:
        for sid, kind, measure, frame in self._joined(
            "SELECT study_id, kind, measure, time_frame FROM outcomes", "kind, position"
        ):
            detail = details[sid]
            target = detail.primary_outcomes if kind == "primary" else detail.secondary_outcomes
            target.append((measure, frame))

    def _fill_references(self, details: dict[str, StudyDetail]) -> None:
        for sid, pmid in self._joined("SELECT study_id, pmid FROM study_references", "position"):
            if pmid:
                details[sid].reference_pmids.append(str(pmid))

    def builder_reviews(self) -> list[ReviewRow]:
        """Every review with its included / excluded publications, ordered by review id."""
        relations: dict[str, dict[str, list[str]]] = {}
        for review_id, pmid, label in self._con.execute(
            "SELECT subject_id, object_id, label FROM relations WHERE subject_type = 'review' "
            "AND object_type = 'publication' AND label IN ('included', 'excluded') "
            "ORDER BY subject_id, object_id"
        ).fetchall():
            relations.setdefault(review_id, {"included": [], "excluded": []})[label].append(pmid)
        rows = self._con.execute(
            "SELECT review_id, pmid, title, background, objectives, selection_criteria, "
            "search_date, conclusion FROM reviews ORDER BY review_id"
        ).fetchall()
        reviews = []
        for row in rows:
            linked = relations.get(row[0], {"included": [], "excluded": []})
            review_id, pmid, title, background, objectives, criteria, searched, conclusion = row
            reviews.append(
                ReviewRow(
                    review_id,
                    pmid,
                    title,
                    background,
                    objectives,
                    criteria,
                    searched,
                    conclusion,
                    linked["included"],
                    linked["excluded"],
                )
            )
        return reviews

    def builder_publications(self, pmids: Sequence[str]) -> dict[str, PublicationRow]:
        """The given publications by PMID (missing ones are left out)."""
        found: dict[str, PublicationRow] = {}
        unique = np.empty(len(set(pmids)), dtype=object)
        unique[:] = sorted(set(pmids))
        # One scan joined with the whole list: an IN-list per slice rescans the table each time.
        self._con.register("_wanted_publications", {"pmid": unique})
        try:
            rows = self._con.execute(
                "SELECT pmid, title, abstract, year, nct_id FROM publications "
                "WHERE pmid IN (SELECT pmid FROM _wanted_publications) ORDER BY pmid"
            ).fetchall()
        finally:
            self._con.unregister("_wanted_publications")
        for row in rows:
            found[str(row[0])] = PublicationRow(*row)
        return found

    def builder_corpus_batches(
        self, batch_size: int = 50_000
    ) -> Iterator[list[tuple[str, str, str]]]:
        """(pmid, title, abstract or '') of every publication with a title, by PMID, in batches."""
        cursor = self._con.cursor()
        try:
            cursor.execute(
                f"SELECT pmid, title, coalesce(abstract, '') FROM publications WHERE {_IN_CORPUS} "
                "ORDER BY pmid"
            )
            while rows := cursor.fetchmany(batch_size):
                yield rows
        finally:
            cursor.close()

    def builder_in_corpus(self, pmids: Sequence[str]) -> set[str]:
        """Those of `pmids` that the search corpus (`builder_corpus_batches`) holds."""
        unique = np.empty(len(set(pmids)), dtype=object)
        unique[:] = sorted(set(pmids))
        self._con.register("_wanted_pmids", {"pmid": unique})
        try:
            rows = self._con.execute(
                f"SELECT pmid FROM publications WHERE {_IN_CORPUS} "
                "AND pmid IN (SELECT pmid FROM _wanted_pmids)"
            ).fetchall()
        finally:
            self._con.unregister("_wanted_pmids")
        return {str(row[0]) for row in rows}


_FILLERS: dict[str, Callable[[BuilderQueries, dict[str, StudyDetail]], None]] = {
    "conditions": BuilderQueries._fill_conditions,
    "interventions": BuilderQueries._fill_interventions,
    "arms": BuilderQueries._fill_arms,
    "eligibility": BuilderQueries._fill_eligibility,
    "outcomes": BuilderQueries._fill_outcomes,
    "references": BuilderQueries._fill_references,
}
