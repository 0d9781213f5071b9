"""The registry in chunks: any chunk order or process gives the same registry as one stream."""

from __future__ import annotations

import json
import pickle
from typing import Any

import pytest

from trialscope.data.synthetic import SyntheticRegistry
from trialscope.data.synthetic import registry as registry_module
from trialscope.data.synthetic.literature import ReviewCandidates


def streamed(n: int, seed: int) -> tuple[list[Any], list[Any]]:
    registry = SyntheticRegistry(n, seed=seed)
    trials = [[t.study, t.publications] for t in registry.trials()]
    return trials, registry.reviews()


def test_chunks_generated_backwards_and_unpickled_give_the_streamed_registry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(registry_module, "CHUNK_TRIALS", 70)
    expected = streamed(400, 9)
    registry = SyntheticRegistry(400, seed=9)
    chunks = registry.chunks()
    assert [c.stop - c.start for c in chunks] == [70] * 5 + [50]
    by_index: dict[int, tuple[list[Any], ReviewCandidates]] = {}
    for chunk in reversed(chunks):
        copy = pickle.loads(pickle.dumps(chunk))
        collector = copy.collector()
        trials = [[t.study, t.publications] for t in copy.trials(collector)]
        by_index[chunk.index] = (trials, pickle.loads(pickle.dumps(collector.candidates)))
    trials = []
    for chunk in chunks:
        trials.extend(by_index[chunk.index][0])
        registry.merge_candidates(chunk, by_index[chunk.index][1])
    assert json.dumps([trials, registry.reviews()]) == json.dumps(expected)


def test_a_chunk_depends_only_on_the_seed_and_its_index() -> None:
    # The same chunk of a registry of 2,500 and of 25,000 trials (two review sets):
    # the shorter one's trials are a prefix of the longer one's.
    small, large = SyntheticRegistry(2500, seed=4), SyntheticRegistry(25_000, seed=4)
    short, full = small.chunks()[1], large.chunks()[1]
    assert (short.start, short.stop, full.stop) == (2000, 2500, 4000)
    one = [t.study for t in short.trials(short.collector())]
    assert one == [t.study for t in full.trials(full.collector())][:500]


def test_chunks_merged_out_of_order_are_refused() -> None:
    registry = SyntheticRegistry(5000, seed=1)
    chunks = registry.chunks()
    with pytest.raises(ValueError, match="chunk 1 merged out of order"):
        registry.merge_candidates(chunks[1], ReviewCandidates())


def test_publication_ids_are_unique_and_below_the_review_ids() -> None:
    trials, reviews = streamed(3000, 2)
    pmids = [p["pmid"] for _, papers in trials for p in papers]
    assert len(set(pmids)) == len(pmids)
    assert max(map(int, pmids)) < min(int(r["pmid"]) for r in reviews)
    with pytest.raises(ValueError, match="n_trials must be <="):
        SyntheticRegistry(registry_module.MAX_TRIALS + 1)
