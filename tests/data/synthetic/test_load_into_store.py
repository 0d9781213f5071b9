"""`load_into_store` with worker processes: the worker count changes nothing; failures name the
chunk and keep the chunks before it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from trialscope.data.store import TrialStore
from trialscope.data.store_base import ALL_TABLES
from trialscope.data.store_literature import publication_tables
from trialscope.data.synthetic import SyntheticRegistry, load_into_store
from trialscope.data.synthetic import registry as registry_module
from trialscope.data.synthetic.chunk_source import SyntheticChunkSource
from trialscope.data.synthetic.output import ChunkFailed, ingest_chunk_sources

TRIALS = 750  # three chunks of 300, the last one short


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    # Chunks carry their own bounds, so workers need not see this.
    monkeypatch.setattr(registry_module, "CHUNK_TRIALS", 300)


def table_dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with TrialStore(path, read_only=True) as store:
        con = store._con
        return {
            table: con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
            for table in ALL_TABLES
        }


def test_one_and_two_workers_build_the_identical_store(tmp_path: Path) -> None:
    dumps = []
    for workers in (1, 2):
        path = tmp_path / f"w{workers}.duckdb"
        with TrialStore(path) as store:
            report = load_into_store(store, SyntheticRegistry(TRIALS, seed=13), workers=workers)
        assert (report.trials, report.failures) == (TRIALS, [])
        assert report.reviews > 0
        dumps.append(table_dump(path))
    assert len(dumps[0]["studies"]) == TRIALS
    assert dumps[0] == dumps[1]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_chunk_is_named_and_the_chunks_before_it_are_kept(
    tmp_path: Path, workers: int
) -> None:
    registry = SyntheticRegistry(TRIALS, seed=13)
    chunks = registry.chunks()
    # A negative seed makes numpy refuse the chunk's generator inside the worker.
    broken = dataclasses.replace(chunks[1], seed=-1)
    sources = [SyntheticChunkSource(c) for c in (chunks[0], broken, chunks[2])]
    path = tmp_path / "broken.duckdb"
    named = r"synthetic chunk 1 \(trials 300-599, seed -1\)"
    with TrialStore(path) as store, pytest.raises(ChunkFailed, match=named):
        ingest_chunk_sources(store, registry, sources, workers=workers)
    with TrialStore(path, read_only=True) as store:
        assert store.count("studies") == 300
        assert store.count("publications") > 0


def test_extras_before_the_records_are_read_is_an_error() -> None:
    source = SyntheticChunkSource(SyntheticRegistry(10, seed=1).chunks()[0])
    with pytest.raises(RuntimeError, match="records\\(\\) was not exhausted"):
        source.extras()


def test_loading_the_same_registry_again_replaces_its_papers_instead_of_adding_them(
    tmp_path: Path,
) -> None:
    # Papers are appended only while the store holds none of the registry's PMIDs.
    once, twice = tmp_path / "once.duckdb", tmp_path / "twice.duckdb"
    with TrialStore(once) as store:
        load_into_store(store, SyntheticRegistry(TRIALS, seed=13), workers=1)
    with TrialStore(twice) as store:
        first = load_into_store(store, SyntheticRegistry(TRIALS, seed=13), workers=1)
        again = load_into_store(store, SyntheticRegistry(TRIALS, seed=13), workers=1)
    assert again.publications == first.publications > 0
    assert again.failures == []
    assert table_dump(twice) == table_dump(once)


def test_appended_papers_are_stored_as_the_upsert_stores_them(tmp_path: Path) -> None:
    papers = [p for trial in SyntheticRegistry(400, seed=5).trials() for p in trial.publications]
    assert any(p["nct_id"] for p in papers) and any(p["nct_id"] is None for p in papers)
    tables = publication_tables(papers)
    assert tables is not None and tables.count == len(papers)
    dumps = []
    for name in ("upserted", "appended"):
        with TrialStore(tmp_path / f"{name}.duckdb") as store:
            if name == "upserted":
                store.upsert_publications(papers)
            else:
                assert store.numeric_pmids_between(0, 10**12) == 0
                assert store.append_publications([tables]) == len(papers)
                assert store.numeric_pmids_between(0, 10**12) == len(papers)
        dumps.append(table_dump(tmp_path / f"{name}.duckdb"))
    assert dumps[0] == dumps[1]


def test_a_paper_that_is_not_well_typed_is_left_to_the_upsert() -> None:
    # An integer PMID or a year written as text: pydantic coerces or refuses it, never the append.
    good = {"pmid": "1", "title": "t", "abstract": None, "year": 2020, "nct_id": None}
    assert publication_tables([good]) is not None
    assert publication_tables([good, {**good, "pmid": 2}]) is None
    assert publication_tables([good, {**good, "year": "2020"}]) is None
