"""Design QA items (arms, eligibility criteria, endpoints): which option belongs to this trial?

Distractors are the same section of other trials with the same condition (MeSH id, else the
condition name), so options differ in details rather than in topic; when a condition has too few
trials, the rest come from the whole store.
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
    outcomes_text,
    trial_description,
)
from trialscope.data.builders.options import BuildOptions
from trialscope.data.builders.split import balanced_letters, split_keys
from trialscope.data.store_queries import BuilderQueries, StudyDetail, StudyIndexRow

_SPARE_CANDIDATES = 6


@dataclass(frozen=True)
class DesignKind:
    """One design QA task: which studies qualify, what the option text is, what is asked."""

    task: str
    qualifies: Callable[[StudyIndexRow], bool]
    option_text: Callable[[StudyDetail], str]
    ask: str
    show_interventions: bool


_KINDS = (
    DesignKind(
        "arm_design",
        lambda row: row.n_arms > 0,
        arms_text,
        "Which of the following options lists the arms (groups and their interventions) of "
        "this clinical trial?",
        False,
    ),
    DesignKind(
        "eligibility_criteria_design",
        lambda row: row.has_criteria,
        criteria_text,
        "Which of the following options holds the eligibility criteria of this clinical trial?",
        True,
    ),
    DesignKind(
        "endpoint_design",
        lambda row: row.n_primary > 0,
        outcomes_text,
        "Which of the following options lists the outcome measures of this clinical trial?",
        True,
    ),
)
DESIGN_KINDS: dict[str, DesignKind] = {kind.task: kind for kind in _KINDS}
"""The design QA task folders these builders write (named as in the released data)."""


def build_design_qa(
    kind: DesignKind,
    store: BuilderQueries,
    index: list[StudyIndexRow],
    options: BuildOptions,
    rng: np.random.Generator,
    sizes: tuple[int, int],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(train, test) multiple-choice items for one design kind."""
    eligible = [row for row in index if kind.qualifies(row)]
    keyed = [(row.study_id, row.first_submitted) for row in eligible]
    train_ids, test_ids = split_keys(keyed, options, sizes, rng)
    by_condition: dict[str | None, list[str]] = {}
    condition_of: dict[str, str | None] = {}
    for row in eligible:
        by_condition.setdefault(row.condition_key, []).append(row.study_id)
        condition_of[row.study_id] = row.condition_key
    all_ids = [row.study_id for row in eligible]
    wanted = options.n_options - 1 + _SPARE_CANDIDATES
    candidates: dict[str, list[str]] = {}
    for study_id in train_ids + test_ids:
        pool = by_condition.get(condition_of[study_id], []) if condition_of[study_id] else []
        chosen = _draw(pool, wanted, study_id, rng)
        if len(chosen) < wanted:
            chosen += [c for c in _draw(all_ids, wanted, study_id, rng) if c not in chosen]
        candidates[study_id] = chosen[:wanted]
    needed = set(train_ids + test_ids)
    for chosen in candidates.values():
        needed.update(chosen)
    details = store.builder_study_details(sorted(needed))
    splits = []
    for ids in (train_ids, test_ids):
        letters = balanced_letters(len(ids), options.n_options, rng)
        items = [
            _item(kind, details, study_id, candidates[study_id], letter, options.n_options)
            for study_id, letter in zip(ids, letters, strict=True)
        ]
        splits.append([item for item in items if item is not None])
    return splits[0], splits[1]


def _draw(pool: list[str], count: int, exclude: str, rng: np.random.Generator) -> list[str]:
    if not pool:
        return []
    # Sampling positions with replacement, then dropping repeats, keeps this O(count).
    picks = rng.integers(0, len(pool), size=min(len(pool), count * 2))
    return [pool[i] for i in dict.fromkeys(int(p) for p in picks) if pool[i] != exclude][:count]


def _item(
    kind: DesignKind,
    details: dict[str, StudyDetail],
    study_id: str,
    candidates: list[str],
    letter: str,
    n_options: int,
) -> dict[str, Any] | None:
    detail = masked(details[study_id])
    correct = kind.option_text(detail).strip()
    if not correct:
        return None
    texts = [correct]
    for other in candidates:
        text = kind.option_text(masked(details[other])).strip() if other in details else ""
        if text and text not in texts:
            texts.append(text)
        if len(texts) == n_options:
            break
    if len(texts) < n_options:
        return None
    letters = [chr(ord("A") + i) for i in range(n_options)]
    answer_at = letters.index(letter)
    distractors = texts[1:]
    ordered = [*distractors[:answer_at], correct, *distractors[answer_at:]]
    question = (
        f"{trial_description(detail, with_interventions=kind.show_interventions)}\n\n{kind.ask}"
    )
    return {
        "id": study_id,
        "question": question,
        "options": dict(zip(letters, ordered, strict=True)),
        "answer": letter,
    }
