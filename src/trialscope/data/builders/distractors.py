"""Distractor trials for a multiple-choice item: alike in topic and design, alike on the surface.

Candidates are drawn from ever wider pools of trials of the same study type: the same phase and
MeSH condition, then any shared branch of the MeSH tree, then the same condition name, and only
when those run short any trial of that type. Of those, the most alike the question's words and
one less alike than the answer are kept (adversarial filtering in both directions), so the
answer cannot be picked by matching words between question and options; it takes reading the
design. A distractor is always of the answer's study type, so no option is the only one of its
type.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from trialscope.data.builders.likeness import likeness
from trialscope.data.store_queries import StudyIndexRow

_TIERS = {"mesh": 0, "tree": 1, "condition": 2, "type": 3}
MIN_CHOICE = 40
"""Distractors come from the closest tiers that offer at least this many distinct texts."""
CANDIDATES_PER_ITEM = 96
"""How many same-type trials are read per item before the most alike are kept."""


def pool_keys(row: StudyIndexRow) -> list[tuple[str, ...]]:
    """The pools a trial belongs to, closest first."""
    kind = row.study_type or ""
    keys: list[tuple[str, ...]] = [("mesh", kind, row.phase or "", m) for m in row.mesh_ids]
    keys += [("tree", kind, m) for m in row.mesh_tree]
    if row.condition_key:
        keys.append(("condition", kind, row.condition_key))
    keys.append(("type", kind))
    return keys


@dataclass
class DistractorPools:
    """Trials grouped by the keys distractors are drawn by, widest last."""

    pools: dict[tuple[str, ...], list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: Iterable[StudyIndexRow]) -> DistractorPools:
        """Pools over the given (eligible) trials."""
        made = cls()
        pools = made.pools
        for row in rows:
            study_id = row.study_id
            for key in pool_keys(row):
                members = pools.get(key)
                if members is None:
                    pools[key] = [study_id]
                else:
                    members.append(study_id)
        return made

    def candidates(self, row: StudyIndexRow, rng: np.random.Generator) -> list[tuple[str, int]]:
        """Up to `CANDIDATES_PER_ITEM` (trial, tier) of the same type, the closest pools first.

        The tier numbers the kind of pool a trial came from (0: same MeSH condition and phase,
        1: shared MeSH branch, 2: same condition name, 3: same study type only).
        """
        study_id = row.study_id
        chosen: dict[str, int] = {}
        for key in pool_keys(row):
            # A sampled population may lack a pool of the item's own keys.
            pool = self.pools.get(key)
            if not pool:
                continue
            need = CANDIDATES_PER_ITEM - len(chosen)
            if need <= 0:
                break
            # Sampling positions with replacement, then dropping repeats, keeps this O(need).
            picks = rng.integers(0, len(pool), size=min(len(pool), need * 2))
            for i in dict.fromkeys(int(p) for p in picks):
                full = len(chosen) >= CANDIDATES_PER_ITEM
                if pool[i] != study_id and pool[i] not in chosen and not full:
                    chosen[pool[i]] = _TIERS[key[0]]
        return list(chosen.items())


def most_alike(
    question: str,
    answer: str,
    options: list[tuple[str, int]],
    count: int,
    rng: np.random.Generator,
) -> list[str]:
    """`count` distinct option texts of the closest tiers, placed around the answer in likeness.

    `options` holds (text, tier). Only the closest tiers that together offer `MIN_CHOICE`
    distinct texts are considered. Two lexical views (word overlap, TF-IDF cosine) measure each
    text's likeness to the question. Kept first: the most alike under each view (a random one or
    two of them), so "pick the most alike" does not find the answer; then the nearest text less
    alike than the answer, so "pick the least alike" does not either; then the nearest.
    """
    tier_of: dict[str, int] = {}
    for text, tier in options:
        if text and text != answer:
            tier_of[text] = min(tier, tier_of.get(text, tier))
    distinct: list[str] = []
    for tier in sorted(set(tier_of.values())):
        # Trials sharing only the study type are a last resort, whatever the lexical choice.
        enough = MIN_CHOICE if tier < _TIERS["type"] else count
        if len(distinct) >= max(enough, count):
            break
        distinct += [text for text, t in tier_of.items() if t == tier]
    above_wanted = int(rng.integers(1, count + 1))
    if len(distinct) <= count:
        return distinct
    cosine, overlap = likeness([question, answer, *distinct])
    # Log-ratios to the answer, summed over the two views: > 0 looks more alike than the answer.
    score = np.log(cosine + 1e-3) + np.log(overlap + 1e-3)
    gap = score[1:] - score[0]
    above = sorted((i for i in range(len(distinct)) if gap[i] > 0), key=lambda i: (gap[i], i))
    below = sorted((i for i in range(len(distinct)) if gap[i] <= 0), key=lambda i: (-gap[i], i))
    # The most alike under each view (so neither "pick the most alike" finds the answer), then
    # the nearest below the answer (so "pick the least alike" does not either), then the nearest.
    firsts = [int(np.argmax(overlap[1:])), int(np.argmax(cosine[1:]))][:above_wanted]
    nearest = sorted(range(len(distinct)), key=lambda i: (abs(gap[i]), i))
    chosen = list(dict.fromkeys([*firsts, *below[:1], *above, *nearest]))[:count]
    return [distinct[i] for i in sorted(chosen)]
