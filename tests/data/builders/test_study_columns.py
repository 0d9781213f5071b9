"""The builders' columnar index, position splits, sampled distractor population, review likeness."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from trialscope.data.builders import BuildOptions, build_benchmark, design_qa
from trialscope.data.builders.reviews import _topic, _Topics
from trialscope.data.builders.split import split_keys, split_positions
from trialscope.data.store import TrialStore
from trialscope.data.store_queries import ReviewRow

# Blank to DuckDB's trim() (spaces, no-break and em spaces) or not (a newline, a tab, a letter).
HOSTILE_CRITERIA = ["   ", "\u00a0\u2003 ", "\n", "\t", " é ", "", None, " x"]


@pytest.fixture(scope="module")
def hostile_store(synthetic_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "trials.duckdb"
    shutil.copy(synthetic_store, path)
    with TrialStore(path) as store:
        sql = "SELECT study_id FROM eligibility ORDER BY 1"
        ids = [r[0] for r in store._con.execute(sql).fetchall()]
        for study_id, criteria in zip(ids, HOSTILE_CRITERIA, strict=False):
            store._con.execute(
                "UPDATE eligibility SET criteria = ? WHERE study_id = ?", [criteria, study_id]
            )
        store._con.execute("UPDATE studies SET status = NULL, first_submitted = NULL, "
                           "start_date = NULL WHERE study_id = ?", [ids[-1]])  # fmt: skip
    return path


def test_columns_hold_what_the_index_rows_hold(hostile_store: Path) -> None:
    with TrialStore(hostile_store, read_only=True) as store:
        rows = store.builder_study_index()
        columns = store.builder_study_columns()
        blank = dict(
            store._con.execute(
                "SELECT study_id, bool_or(coalesce(length(trim(criteria)), 0) > 0) "
                "FROM eligibility GROUP BY study_id"
            ).fetchall()
        )
        some = [row.study_id for row in rows[::7]]
        assert store.builder_index_rows(some) == [row for row in rows if row.study_id in some]
    assert columns.study_id.tolist() == [row.study_id for row in rows]
    assert columns.has_criteria.tolist() == [row.has_criteria for row in rows]
    assert columns.has_criteria.tolist() == [blank.get(row.study_id, False) for row in rows]
    assert columns.has_criteria[: len(HOSTILE_CRITERIA)].tolist() == [
        False, False, True, True, True, False, False, True,
    ]  # fmt: skip
    assert columns.n_arms.tolist() == [row.n_arms for row in rows]
    assert columns.n_primary.tolist() == [row.n_primary for row in rows]
    assert columns.status.tolist() == [row.status or "" for row in rows]
    assert columns.enrollment.tolist() == [row.enrollment or 0 for row in rows]
    epoch = date(1970, 1, 1)
    pairs = zip(columns.day, columns.dated, strict=True)
    days = [epoch + timedelta(int(d)) if ok else None for d, ok in pairs]
    assert days == [row.first_submitted for row in rows]
    assert not columns.dated.all()


@pytest.mark.parametrize(
    ("after", "before"),
    [(None, None), (date(2015, 1, 1), None), (None, date(2018, 1, 1)),
     (date(2012, 1, 1), date(2020, 6, 1))],
)  # fmt: skip
def test_position_splits_draw_what_key_splits_draw(after: date | None, before: date | None) -> None:
    rng = np.random.default_rng(7)
    days = [None if rng.random() < 0.1 else date(2005, 1, 1) + timedelta(int(rng.integers(0, 7000)))
            for _ in range(3000)]  # fmt: skip
    keyed = [(f"NCT{i:08d}", day) for i, day in enumerate(days)]
    options = BuildOptions(registered_after=after, registered_before=before)
    epoch = date(1970, 1, 1)
    day_numbers = np.array([(d - epoch).days if d else 0 for d in days], dtype=np.int64)
    dated = np.array([d is not None for d in days])
    want = split_keys(keyed, options, (700, 300), np.random.default_rng(1))
    train, test = split_positions(day_numbers, dated, options, (700, 300), np.random.default_rng(1))
    assert ([keyed[i][0] for i in train], [keyed[i][0] for i in test]) == want
    assert want[0] and want[1]


def test_a_sampled_distractor_population_gives_well_formed_repeatable_items(
    synthetic_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(design_qa, "POPULATION", 300)
    options = BuildOptions(seed=2, train_size=60, test_size=30, review_train_size=5,
                           review_test_size=5)  # fmt: skip
    for run in ("a", "b"):
        with TrialStore(synthetic_store, read_only=True) as store:
            build_benchmark(store, tmp_path / run, options, workers=1)
    monkeypatch.undo()
    with TrialStore(synthetic_store, read_only=True) as store:
        full = build_benchmark(store, tmp_path / "full", options, workers=1)
    for task in design_qa.DESIGN_KINDS:
        sampled = (tmp_path / "a" / task / "test.jsonl").read_bytes()
        assert sampled == (tmp_path / "b" / task / "test.jsonl").read_bytes()
        assert sampled != (tmp_path / "full" / task / "test.jsonl").read_bytes()
        records = [json.loads(line) for line in sampled.splitlines()]
        assert len(records) == full.tasks[task].test
        for record in records:
            assert len(set(record["options"].values())) == 4


def _review(review_id: str, title: str) -> ReviewRow:
    return ReviewRow(review_id, None, title, None, "", None, None, f"c {review_id}", [], [])


def test_evidence_distractors_rank_reviews_as_pairwise_jaccard_does() -> None:
    rng = np.random.default_rng(5)
    words = ["asthma", "insulin", "children", "statin", "placebo", "stroke", "2019", "dose"]
    pool = [_review(f"R{int(i):03d}", " ".join(rng.choice(words, 3)))
            for i in rng.permutation(120)]  # fmt: skip
    topics = _Topics(pool)
    for review in pool[:20]:
        own = _topic(review)
        want = sorted(
            ((-len(own & _topic(o)) / max(1, len(own | _topic(o))), o.review_id) for o in pool
             if o.review_id != review.review_id),
        )  # fmt: skip
        assert [o.review_id for o in topics.most_alike(review)] == [i for _, i in want]


def test_one_stores_pools_are_never_reused_for_another(
    synthetic_store: Path, tmp_path: Path
) -> None:
    # Another store with the same trials at the same positions but other conditions: the same
    # population positions must not bring back the first store's pools (a build that failed
    # before release_pools(), or two builds in one process, left them cached).
    other = tmp_path / "other.duckdb"
    shutil.copy(synthetic_store, other)
    with TrialStore(other) as store:
        store._con.execute(
            "UPDATE conditions SET mesh_id = NULL, name = 'c' || (hash(study_id) % 7)"
        )
    kind = design_qa.DESIGN_KINDS["arm_design"]
    options = BuildOptions(seed=3, train_size=30, test_size=20)

    def build(path: Path) -> object:
        with TrialStore(path, read_only=True) as store:
            index = store.builder_study_columns()
            rng = np.random.default_rng(0)
            return design_qa.build_design_qa(kind, store, index, options, rng, (30, 20))

    design_qa.release_pools()
    alone = build(other)
    design_qa.release_pools()
    first = build(synthetic_store)  # its pools stay cached
    assert first != alone  # the conditions choose the distractors
    assert build(other) == alone
    design_qa.release_pools()
