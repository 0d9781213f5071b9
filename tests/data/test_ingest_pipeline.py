"""The parallel ingest: hostile inputs inside worker chunks, and 1 vs 2 workers giving one store."""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tests.data.sources.study_json import make_study

from trialscope.data.ingest_chunks import ChunkFailed, RawStudy, RecordsChunk
from trialscope.data.ingest_pipeline import TABLES, InFlightWindow, ordered_results
from trialscope.data.ingest_report import IngestReport
from trialscope.data.sources.ctgov_chunks import JsonLinesSlice, ZipMembers, file_chunks
from trialscope.data.store import TrialStore


def _line(study: dict[str, Any]) -> str:
    return json.dumps(study, ensure_ascii=False)


def _dump(store: TrialStore) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted: the store's whole content."""
    return {
        table: sorted(store._con.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
        for table in store.stats().tables
    }


def _ingest(tmp_path: Path, name: str, paths: list[Path], workers: int) -> IngestReport:
    with TrialStore(tmp_path / f"{name}.duckdb") as store:
        return store.ingest_ctgov_chunks(file_chunks(paths), workers=workers)


@pytest.fixture
def hostile_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A JSON-lines file cut into several chunks, with every kind of bad line among good ones."""
    monkeypatch.setattr("trialscope.data.sources.ctgov_chunks.CHUNK_BYTES", 6000)
    boxed = make_study("NCT00000009")
    boxed["protocolSection"]["identificationModule"]["nctId"] = ["NCT00000009"]
    oversized = make_study("NCT00000010")
    oversized["protocolSection"]["descriptionModule"]["briefSummary"] = 'a "b" ' * 20_000
    lines = [_line(make_study(f"NCT{i:08d}")) for i in range(1, 8)] + [
        "{broken",
        _line(boxed),
        "",
        _line(oversized),
        _line(make_study("NCT00000011", enrollment="lots")),
        _line(make_study("NCT00000003", title="Later version of 3")),
        *[_line(make_study(f"NCT{i:08d}")) for i in range(12, 20)],
        _line(make_study("NCT00000012", title="Later version of 12")),
    ]
    path = tmp_path / "studies.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_bad_lines_in_worker_chunks_are_reported_by_file_and_line(
    tmp_path: Path, hostile_lines: Path
) -> None:
    assert len(list(file_chunks([hostile_lines]))) > 3
    report = _ingest(tmp_path, "two", [hostile_lines], workers=2)
    where = {f.origin: (f.record_id, f.reason) for f in report.failures}
    path = str(hostile_lines)
    assert set(where) == {f"{path}:8", f"{path}:9", f"{path}:11", f"{path}:12"}
    assert where[f"{path}:8"][1].startswith("invalid JSON")
    assert where[f"{path}:8"][0] == f"{path}:8"
    assert where[f"{path}:9"][0] == "NCT00000009" and "auto_unbox" in where[f"{path}:9"][1]
    assert where[f"{path}:11"] == (
        "NCT00000010",
        "protocolSection.descriptionModule.briefSummary: 120,000 characters, "
        "more than the 100,000 accepted",
    )
    assert where[f"{path}:12"][0] == "NCT00000011"
    assert "protocolSection.designModule.enrollmentInfo.count" in where[f"{path}:12"][1]
    assert (report.seen, report.failed) == (21, 4)
    assert (report.inserted, report.updated) == (15, 2)
    with TrialStore(tmp_path / "two.duckdb", read_only=True) as store:
        assert store.count("studies") == 15
        for study_id in ("NCT00000003", "NCT00000012"):
            record = store.get_study(study_id)
            assert record is not None and record["title"].startswith("Later version")


def test_one_and_two_workers_give_the_identical_store(tmp_path: Path, hostile_lines: Path) -> None:
    one = _ingest(tmp_path, "one", [hostile_lines], workers=1)
    two = _ingest(tmp_path, "two", [hostile_lines], workers=2)
    assert one == two
    with (
        TrialStore(tmp_path / "one.duckdb", read_only=True) as first,
        TrialStore(tmp_path / "two.duckdb", read_only=True) as second,
    ):
        assert _dump(first) == _dump(second)
        assert first.count("conditions") > 0


def test_the_parallel_path_stores_what_the_sequential_reader_stores(
    tmp_path: Path, hostile_lines: Path
) -> None:
    from trialscope.data.sources.ctgov import iter_ctgov_files

    with TrialStore(tmp_path / "seq.duckdb") as store:
        sequential = store.ingest_ctgov_studies(iter_ctgov_files([hostile_lines]))
    parallel = _ingest(tmp_path, "par", [hostile_lines], workers=2)
    assert sequential == parallel
    with (
        TrialStore(tmp_path / "seq.duckdb", read_only=True) as first,
        TrialStore(tmp_path / "par.duckdb", read_only=True) as second,
    ):
        assert _dump(first) == _dump(second)


@pytest.mark.parametrize(
    ("skip", "fill"),
    [(10, 0x00), (0, 0xFF)],  # zeros mid-stream: a bad CRC or inflate; 0xFF: a reserved block type
)
def test_a_corrupt_zip_member_fails_alone(tmp_path: Path, skip: int, fill: int) -> None:
    path = tmp_path / "AllAPIJSON.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(1, 4):
            archive.writestr(f"NCT{i:08d}.json", _line(make_study(f"NCT{i:08d}")) * 1)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("NCT00000002.json")
    # Corrupt the compressed bytes of the middle member: its CRC or inflate fails.
    start = info.header_offset + 30 + len(info.filename) + skip
    data[start : start + 40] = bytes([fill]) * 40
    path.write_bytes(bytes(data))
    report = _ingest(tmp_path, "zip", [path], workers=2)
    assert report.inserted == 2 and report.failed == 1
    failure = report.failures[0]
    assert failure.origin == f"{path}!NCT00000002.json"
    assert failure.reason.startswith("unreadable zip member")


@pytest.mark.parametrize("stated", [10, 0x7FFFFFFF])  # too small; 2 GB (the buffer is capped)
def test_a_member_whose_directory_lies_about_its_size_fails_alone(
    tmp_path: Path, stated: int
) -> None:
    path = tmp_path / "AllAPIJSON.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(1, 4):
            archive.writestr(f"NCT{i:08d}.json", _line(make_study(f"NCT{i:08d}")))
    data = bytearray(path.read_bytes())
    # The name's last copy is in the central directory, right after its 46-byte entry header.
    entry = data.rindex(b"NCT00000002.json") - 46
    assert data[entry : entry + 4] == b"PK\x01\x02"
    data[entry + 24 : entry + 28] = stated.to_bytes(4, "little")  # the uncompressed size
    path.write_bytes(bytes(data))
    report = _ingest(tmp_path, "zip", [path], workers=1)
    assert (report.inserted, report.failed) == (2, 1)
    assert report.failures[0].origin == f"{path}!NCT00000002.json"
    assert report.failures[0].reason.startswith("unreadable zip member")


def test_a_repeated_id_across_chunks_keeps_the_latest_version(tmp_path: Path) -> None:
    chunks = [
        RecordsChunk((make_study("NCT00000001"), make_study("NCT00000002"))),
        RecordsChunk((RawStudy("x.json", _line(make_study("NCT00000001", title="v2")).encode()),)),
        RecordsChunk((make_study("NCT00000001", title="v3"),)),
    ]
    for workers in (1, 2):
        with TrialStore(tmp_path / f"r{workers}.duckdb") as store:
            report = store.ingest_ctgov_chunks(chunks, workers=workers)
            record = store.get_study("NCT00000001")
            assert record is not None and record["title"] == "v3"
            assert store.count("studies") == 2 and store.count("arm_groups") == 4
        assert (report.inserted, report.updated, report.failed) == (2, 2, 0)


def test_a_zip_and_a_jsonl_of_the_same_studies_give_the_same_store(tmp_path: Path) -> None:
    studies = [make_study(f"NCT{i:08d}", pmids=[str(i)]) for i in range(1, 30)]
    lines = tmp_path / "s.jsonl"
    lines.write_text("".join(_line(s) + "\n" for s in studies), encoding="utf-8")
    bulk = tmp_path / "s.zip"
    with zipfile.ZipFile(bulk, "w") as archive:
        for study in studies:
            nct = study["protocolSection"]["identificationModule"]["nctId"]
            archive.writestr(f"{nct}.json", _line(study))
    _ingest(tmp_path, "lines", [lines], workers=2)
    _ingest(tmp_path, "bulk", [bulk], workers=2)
    with (
        TrialStore(tmp_path / "lines.duckdb", read_only=True) as first,
        TrialStore(tmp_path / "bulk.duckdb", read_only=True) as second,
    ):
        assert _dump(first) == _dump(second)
        assert first.count("relations") == 29


def test_a_slice_of_lines_numbers_from_its_start(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_bytes(b'{"a": 1}\n\n{"b": 2}')
    chunk = JsonLinesSlice(str(path), 0, path.stat().st_size)
    assert [(r.line, r.data) for r in chunk.records() if isinstance(r, RawStudy)] == [
        (1, b'{"a": 1}'),
        (3, b'{"b": 2}'),
    ]
    assert chunk.lines_read() == 3


def test_zip_chunks_name_each_member(tmp_path: Path) -> None:
    path = tmp_path / "z.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.json", json.dumps({"studies": [make_study("NCT00000001"), 7]}))
    (chunk,) = file_chunks([path])
    assert isinstance(chunk, ZipMembers)
    records = list(chunk.records())
    assert [getattr(r, "origin", None) for r in records] == [
        f"{path}!a.json[0]",
        f"{path}!a.json[1]",
    ]


@pytest.mark.parametrize(
    "document",
    [
        _line(make_study("NCT00000001")),
        json.dumps({"studies": [make_study("NCT00000001"), make_study("NCT00000002")]}),
        '{"\\u0073tudies": [' + _line(make_study("NCT00000003")) + "]}",
        "[" + _line(make_study("NCT00000004")) + ", 7]",
        '{"studies": 3}',
        "42",
        "{not json",
        '{"protocolSection": {"identificationModule": {"nctId": "NCT00000005"}}, "x": NaN}',
    ],
)
def test_documents_split_into_the_studies_the_generic_reader_finds(document: str) -> None:
    from trialscope.data.sources.ctgov import studies_in_document
    from trialscope.data.sources.ctgov_chunks import split_document
    from trialscope.data.sources.ctgov_record import flatten_study_json

    def outcome(item: Any) -> Any:
        if isinstance(item, RawStudy):
            try:
                return item.origin, flatten_study_json(item.data, "ctgov")
            except Exception as error:  # the reason is what is compared
                return item.origin, str(error)
        if hasattr(item, "payload"):
            from trialscope.data.sources.ctgov_record import flatten_study

            try:
                return item.origin, flatten_study(item.payload, "ctgov")
            except Exception as error:
                return item.origin, str(error)
        return item.origin, item.reason

    data = document.encode()
    assert [outcome(i) for i in split_document(data, "d.json")] == [
        outcome(i) for i in studies_in_document(data, "d.json")
    ]


def test_counts_beyond_the_stores_integers_fail_the_record_not_the_ingest(tmp_path: Path) -> None:
    huge = make_study("NCT00000002", enrollment=3_000_000_000)
    results = make_study("NCT00000003")
    results["resultsSection"] = {
        "adverseEventsModule": {"eventGroups": [{"id": "EG000", "seriousNumAtRisk": "99999999999"}]}
    }
    lines = tmp_path / "s.jsonl"
    lines.write_text(
        "".join(_line(s) + "\n" for s in (make_study("NCT00000001"), huge, results)), "utf-8"
    )
    report = _ingest(tmp_path, "big", [lines], workers=1)
    assert report.inserted == 1
    reasons = {f.record_id: f.reason for f in report.failures}
    assert "protocolSection.designModule.enrollmentInfo.count" in reasons["NCT00000002"]
    assert reasons["NCT00000003"] == (
        "resultsSection.adverseEventsModule.eventGroups[0].seriousNumAtRisk: "
        "expected a count, got 99999999999"
    )


@pytest.mark.parametrize(
    ("setting", "configured", "while_ingesting"),
    [
        ("memory_limit", None, "244.1 MiB"),  # 256 MB
        ("memory_limit", "1GiB", "244.1 MiB"),  # 256 MB
        ("threads", None, "1"),
        ("threads", "3", "1"),
    ],
)
def test_the_ingest_settings_are_put_back(
    tmp_path: Path, setting: str, configured: str | None, while_ingesting: str
) -> None:
    with TrialStore(tmp_path / "m.duckdb") as store:
        if configured:
            store._con.execute(f"SET {setting} = '{configured}'")
        query = f"SELECT current_setting('{setting}')"
        before = (store._con.execute(query).fetchone() or ("",))[0]
        seen: list[object] = []
        store.ingest_ctgov_studies(
            [make_study("NCT00000001")],
            on_progress=lambda _: seen.append(
                str((store._con.execute(query).fetchone() or ("",))[0])
            ),
        )
        assert seen == [while_ingesting]
        assert (store._con.execute(query).fetchone() or ("",))[0] == before


def test_zip_members_read_directly_equal_zipfiles_reading(tmp_path: Path) -> None:
    path = tmp_path / "mixed.zip"
    members = {
        f"NCT0000000{i}.json": _line(make_study(f"NCT0000000{i}", title="é" * i))
        for i in range(1, 4)
    }
    with zipfile.ZipFile(path, "w") as archive:
        for (name, text), kind in zip(
            members.items(),
            (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2),
            strict=True,
        ):
            archive.writestr(name, text, compress_type=kind)
    records = [r for chunk in file_chunks([path]) for r in chunk.records()]
    assert [r.data.decode() for r in records if isinstance(r, RawStudy)] == list(members.values())


@dataclass(frozen=True)
class _FailingChunk:
    """A chunk whose reading breaks (a disk error, a killed worker): the ingest must stop."""

    def records(self) -> Iterator[Any]:
        raise OSError("the disk went away")
        yield


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("batch_size", [3, 1000])
def test_an_ingest_that_dies_keeps_every_committed_batch(
    tmp_path: Path, workers: int, batch_size: int
) -> None:
    chunks: list[Any] = [
        RecordsChunk(tuple(make_study(f"NCT{i:08d}") for i in range(first, first + 3)))
        for first in (0, 3)
    ]
    chunks += [_FailingChunk(), RecordsChunk((make_study("NCT00000099"),))]
    stored: list[Any] = []
    with TrialStore(tmp_path / "k.duckdb") as store:
        # Named by the chunk's str, with the worker's error; the chunks before it (still
        # uncommitted when the batch is larger than they are) are committed.
        named = r"^_FailingChunk\(\) failed: OSError: the disk went away; the chunks before"
        with pytest.raises(ChunkFailed, match=named) as raised:
            store.ingest_ctgov_chunks(
                chunks,
                workers=workers,
                batch_size=batch_size,
                on_chunk=lambda chunk, extras: stored.append(chunk),
            )
        assert isinstance(raised.value.__cause__, OSError)
        assert store.count("studies") == 6
        assert store.get_study("NCT00000099") is None
    assert stored == chunks[:2]


@dataclass(frozen=True)
class _ChunkWithExtras:
    """A chunk whose extras depend on what its records() and publications() did in the worker."""

    first: int

    def records(self) -> Iterator[Any]:
        for i in range(self.first, self.first + 2):
            yield make_study(f"NCT{i:08d}")

    def publications(self) -> list[dict[str, Any]]:
        return [{"pmid": str(1000 + self.first), "title": f"Paper {self.first}"}]

    def extras(self) -> tuple[int, int]:
        return (self.first, os.getpid())


@pytest.mark.parametrize("workers", [1, 2])
def test_extras_come_back_in_chunk_order_after_each_commit(tmp_path: Path, workers: int) -> None:
    chunks = [_ChunkWithExtras(first) for first in range(0, 40, 2)]
    seen: list[tuple[Any, int, int, int]] = []
    with TrialStore(tmp_path / "e.duckdb") as store:

        def on_chunk(chunk: Any, extras: tuple[int, int]) -> None:
            # Called after the chunk's studies and publications are committed.
            stored = store.get_study(f"NCT{chunk.first + 1:08d}") is not None
            papers = store.count("publications")
            seen.append((chunk, extras[0], int(stored), papers))

        store.ingest_ctgov_chunks(chunks, workers=workers, batch_size=4, on_chunk=on_chunk)
    assert [(chunk, first, stored) for chunk, first, stored, _ in seen] == [
        (chunk, chunk.first, 1) for chunk in chunks
    ]
    assert all(papers >= position + 1 for position, (*_, papers) in enumerate(seen))


def test_a_file_listed_twice_numbers_its_lines_from_one_each_time(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text(_line(make_study("NCT00000001")) + "\n{bad\n", encoding="utf-8")
    report = _ingest(tmp_path, "twice", [path, path], workers=1)
    assert [f.origin for f in report.failures] == [f"{path}:2", f"{path}:2"]


def test_the_window_covers_one_write_at_the_chunk_size_seen() -> None:
    window = InFlightWindow(4, batch_studies=24_000)
    assert window.chunks == 4  # nothing seen yet: two per worker
    window.saw(500)
    window.saw(300)  # 400 studies a chunk on average: 60 chunks make a write
    assert window.chunks == 4 + 60
    assert InFlightWindow(4, batch_studies=0).chunks == 4


def test_workers_keep_decoding_while_a_write_is_gathered(tmp_path: Path) -> None:
    # Chunks of 2 studies, writes of 20 studies, 2 workers: once the first result is in, the
    # pipeline keeps 2 per worker plus a write's worth (10 chunks) submitted, not just 4, so the
    # workers have work while the caller writes.
    chunks = [_ChunkWithExtras(first) for first in range(0, 80, 2)]
    pulled = 0

    def counted() -> Iterator[Any]:
        nonlocal pulled
        for chunk in chunks:
            pulled += 1
            yield chunk

    with TrialStore(tmp_path / "w.duckdb") as store:
        schema = {table: tuple(store._column_types[table]) for table in TABLES}
        results = ordered_results(counted(), "test", schema, workers=2, batch_studies=20)
        ahead = []
        for position, (chunk, result) in enumerate(results):
            assert chunk == chunks[position] and result.seen == 2
            ahead.append(pulled - position)
    # "ahead": chunks pulled but not yet handed back, counting the one being handed back
    assert ahead == [4] + [4 + 10] * 26 + list(range(13, 0, -1))


def _blocks(store: TrialStore, table: str) -> set[int]:
    """The storage blocks holding a table's rows."""
    rows = store._con.execute(
        f"SELECT block_id FROM pragma_storage_info('{table}') WHERE block_id >= 0"
    ).fetchall()
    return {int(block) for (block,) in rows}


def _ingest_in_checkpointed_batches(store: TrialStore, first: int, count: int) -> None:
    chunks = [RecordsChunk((make_study(f"NCT{i:08d}"),)) for i in range(first, first + count)]
    store.ingest_ctgov_chunks(chunks, workers=1, batch_size=1)


def test_stored_rows_are_written_once_not_rewritten_by_later_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DuckDB merges a table's small row groups at each checkpoint ("vacuum"), rewriting the
    # rows already stored: at 300K real studies one checkpoint rewrote the whole studies table
    # (11 CPU-s for 24K new studies), and after an ingest the next small write did it again.
    path = tmp_path / "w.duckdb"
    with TrialStore(path) as store:
        store._con.execute("SET checkpoint_threshold = '1KB'")
        _ingest_in_checkpointed_batches(store, 1, 3)  # a checkpoint per study: 3 row groups
        first = _blocks(store, "studies")
        _ingest_in_checkpointed_batches(store, 4, 3)
        assert first <= _blocks(store, "studies")
    with TrialStore(path) as store:
        store.upsert_publications([{"pmid": "1", "title": "A later, small write"}])
    with TrialStore(path, read_only=True) as store:
        assert first <= _blocks(store, "studies")
        assert store.count("studies") == 6


def test_zip_chunks_cover_every_json_member_in_name_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("trialscope.data.sources.ctgov_chunks.CHUNK_MEMBERS", 3)
    names = [f"{word}.json" for word in ("zeta", "caf\u00e9", "a/b", "\u00e9t\u00e9", "", "Z")]
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name in [*names, "readme.txt"]:
            archive.writestr(name, "{}")
    chunks = [chunk for chunk in file_chunks([path]) if isinstance(chunk, ZipMembers)]
    assert [member[0] for chunk in chunks for member in chunk.members] == sorted(names)
    assert [len(chunk.members) for chunk in chunks] == [3, 3]


def test_reingesting_the_same_studies_does_not_grow_the_store(tmp_path: Path) -> None:
    # Row groups are never merged, so replaced rows must still be dropped with their row group.
    def row_groups(store: TrialStore) -> int:
        query = "SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('studies')"
        return int((store._con.execute(query).fetchone() or (0,))[0])

    counts = []
    with TrialStore(tmp_path / "r.duckdb") as store:
        store._con.execute("SET checkpoint_threshold = '1KB'")
        for _ in range(3):
            _ingest_in_checkpointed_batches(store, 1, 3)
            counts.append((row_groups(store), store.count("studies")))
    assert counts == [(3, 3)] * 3
