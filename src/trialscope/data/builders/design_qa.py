"""Design QA items (arms, eligibility criteria, endpoints): which option belongs to this trial?

Distractors are the same section of other trials chosen by `distractors`: same study type,
nearest in condition and phase, and as close to the question's words as the answer, so options
differ in design rather than in topic or vocabulary.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from trialscope.data.builders.describe import (
    arms_text,
    criteria_text,
    masked,
    masked_section,
    outcomes_text,
    trial_description,
)
from trialscope.data.builders.distractors import DistractorPools, most_alike
from trialscope.data.builders.options import BuildOptions
from trialscope.data.builders.split import balanced_letters, split_positions
from trialscope.data.store_queries import (
    BuilderQueries,
    StudyColumns,
    StudyDetail,
    StudyIndexRow,
)


@dataclass(frozen=True)
class DesignKind:
    """One design QA task: which studies qualify, what the option text is, what is asked."""

    task: str
    qualifies: Callable[[StudyColumns], np.ndarray[Any, np.dtype[np.bool_]]]
    option_text: Callable[[StudyDetail], str]
    ask: str
    show_interventions: bool
    sections: tuple[str, ...]
    """The `StudyDetail` fields `option_text` reads."""
    parts: tuple[str, ...]
    """The store detail parts holding those fields (see `builder_study_details`)."""


_KINDS = (
    DesignKind(
        "arm_design",
        lambda index: index.n_arms > 0,
        arms_text,
        "Which of the following options lists the arms (groups and their interventions) of "
        "this clinical trial?",
        False,
        ("arms",),
        ("arms",),
    ),
    DesignKind(
        "eligibility_criteria_design",
        lambda index: index.has_criteria,
        criteria_text,
        "Which of the following options holds the eligibility criteria of this clinical trial?",
        True,
        ("criteria",),
        ("eligibility",),
    ),
    DesignKind(
        "endpoint_design",
        lambda index: index.n_primary > 0,
        outcomes_text,
        "Which of the following options lists the outcome measures of this clinical trial?",
        True,
        ("primary_outcomes", "secondary_outcomes"),
        ("outcomes",),
    ),
)
DESIGN_KINDS: dict[str, DesignKind] = {kind.task: kind for kind in _KINDS}
"""The design QA task folders these builders write (named as in the released data)."""


POPULATION = 100_000
"""At most this many eligible trials (a seeded sample, the same for every design kind that has the
same eligible trials) are distractor candidates: a larger store gives no better distractors, only
more texts to read and score."""


def build_design_qa(
    kind: DesignKind,
    store: BuilderQueries,
    index: StudyColumns,
    options: BuildOptions,
    rng: np.random.Generator,
    sizes: tuple[int, int],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(train, test) multiple-choice items for one design kind."""
    eligible = np.flatnonzero(kind.qualifies(index))
    train, test = split_positions(index.day[eligible], index.dated[eligible], options, sizes, rng)
    train_ids, test_ids = (index.study_id[eligible[part]].tolist() for part in (train, test))
    population = _population(eligible, options.seed)
    pools, rows = _pools(store, index, population, train_ids + test_ids)
    candidates = {
        study_id: pools.candidates(rows[study_id], rng) for study_id in train_ids + test_ids
    }
    details = store.builder_study_details(train_ids + test_ids)
    # Distractors show one section each: read only that part of their (many) studies, and
    # render each study's option once, however many items it is a candidate for.
    others = {other for chosen in candidates.values() for other, _ in chosen}
    sections = store.builder_study_details(sorted(others - details.keys()), kind.parts)
    sections.update((sid, details[sid]) for sid in others & details.keys())
    texts = {
        sid: kind.option_text(masked_section(detail, kind.sections)).strip()
        for sid, detail in sections.items()
    }
    del sections
    splits = []
    for ids in (train_ids, test_ids):
        letters = balanced_letters(len(ids), options.n_options, rng)
        items = [
            _item(kind, details, texts, study_id, candidates[study_id], letter, options, rng)
            for study_id, letter in zip(ids, letters, strict=True)
        ]
        splits.append([item for item in items if item is not None])
    return splits[0], splits[1]


Positions = np.ndarray[Any, np.dtype[np.intp]]


def _population(eligible: Positions, seed: int) -> Positions:
    """The eligible trials distractors are drawn from: all, or a seeded sample of `POPULATION`."""
    if len(eligible) <= POPULATION:
        return eligible
    # Its own stream (not the task's), so a store below the bound draws exactly as before.
    chosen = np.random.default_rng([seed, 1 << 20]).choice(len(eligible), POPULATION, False)
    return eligible[np.sort(chosen)]


_LAST_POOLS: list[tuple[StudyColumns, bytes, DistractorPools, dict[str, StudyIndexRow]]] = []


def _pools(
    store: BuilderQueries, index: StudyColumns, population: Positions, item_ids: list[str]
) -> tuple[DistractorPools, dict[str, StudyIndexRow]]:
    """Pools over the population, and the index rows of the population and the items.

    Reused by the next design kind of the same build when its population is the same (building
    them reads the conditions of every trial in it). The same positions in another build's index
    are other trials: the index itself is part of the key, and the cache holds it alive.
    """
    key = population.tobytes()
    if _LAST_POOLS and _LAST_POOLS[0][0] is index and _LAST_POOLS[0][1] == key:
        _, _, pools, rows = _LAST_POOLS[0]
    else:
        members = store.builder_index_rows(index.study_id[population].tolist())
        pools = DistractorPools.of(members)
        rows = {row.study_id: row for row in members}
        _LAST_POOLS[:] = [(index, key, pools, rows)]
    missing = [sid for sid in item_ids if sid not in rows]
    if missing:
        rows = {**rows, **{row.study_id: row for row in store.builder_index_rows(missing)}}
    return pools, rows


def release_pools() -> None:
    """Drop the reused pools (and the index they hold on to) once the design tasks are built."""
    _LAST_POOLS.clear()


def _item(
    kind: DesignKind,
    details: dict[str, StudyDetail],
    texts: dict[str, str],
    study_id: str,
    candidates: list[tuple[str, int]],
    letter: str,
    options: BuildOptions,
    rng: np.random.Generator,
) -> dict[str, Any] | None:
    n_options = options.n_options
    detail = masked(details[study_id])
    correct = kind.option_text(detail).strip()
    if not correct:
        return None
    question = (
        f"{trial_description(detail, with_interventions=kind.show_interventions)}\n\n{kind.ask}"
    )
    others = [(texts[other], tier) for other, tier in candidates if other in texts]
    distractors = most_alike(question, correct, others, n_options - 1, rng)
    if len(distractors) < n_options - 1:
        return None
    letters = [chr(ord("A") + i) for i in range(n_options)]
    answer_at = letters.index(letter)
    ordered = [*distractors[:answer_at], correct, *distractors[answer_at:]]
    return {
        "id": study_id,
        "question": question,
        "options": dict(zip(letters, ordered, strict=True)),
        "answer": letter,
    }
