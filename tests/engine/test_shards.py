"""Sharded runs (`--shard I/N`) against the loopback server, merged back into one run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.engine.letter_task import LetterTask, letter_data, letter_responder
from tests.support.openai_server import OpenAIServer

from trialscope.engine.run_merge import merge_shard_runs_async
from trialscope.engine.runner import RunOptions, run_benchmark_async
from trialscope.engine.shards import Shard, interleave
from trialscope.errors import UserError
from trialscope.settings import load_settings
from trialscope.tasks.base import Task

NONDETERMINISTIC = ("latency_s", "cached")
"""Per-sample fields that depend on the clock or on what the cache held, not on the answers."""


def options(tmp_path: Path, out: str, **overrides: Any) -> RunOptions:
    values: dict[str, Any] = {
        "output_path": str(tmp_path / out),
        "settings": load_settings(cache_path=tmp_path / "cache.sqlite"),
        "live_progress": False,
        "retry_base_delay_s": 0.01,
        "max_connections": 3,
        "use_cache": False,
        "seed": 11,
    }
    values.update(overrides)
    return RunOptions(**values)


def letters(name: str, task_options: dict[str, Any]) -> Task:
    return LetterTask(**task_options.get(name, {}))


def model(server: OpenAIServer) -> str:
    return f"openai-compatible/scripted@{server.base_url}"


def deterministic_results(folder: Path) -> list[dict[str, Any]]:
    rows = json.loads((folder / "results.json").read_text())["results"]
    return [{k: v for k, v in row.items() if k not in NONDETERMINISTIC} for row in rows]


def metric_bytes(folder: Path) -> str:
    document = json.loads((folder / "metrics.json").read_text())
    kept = {k: v for k, v in document.items() if k not in ("timestamp", "usage")}
    return json.dumps(kept, sort_keys=True)


async def run_shards(
    server: OpenAIServer, tmp_path: Path, data_file: Path, n: int, count: int, out: str
) -> list[Path]:
    folders = []
    for index in range(1, count + 1):
        [summary] = await run_benchmark_async(
            [letter_data(n, data_file)],
            [model(server)],
            options(tmp_path, out, shard=Shard(index, count)),
        )
        folders.append(summary.run_dir)
    return folders


def test_shard_parse_rejects_what_is_not_i_of_n() -> None:
    assert Shard.parse("2/4") == Shard(2, 4) and Shard.parse(" 1 / 1 ").label == "1/1"
    for text in ("0/4", "5/4", "2", "a/b", "2/0", "-1/3"):
        with pytest.raises(UserError, match="--shard"):
            Shard.parse(text)


@given(st.lists(st.integers(), max_size=60), st.integers(min_value=1, max_value=9))
def test_shards_partition_and_interleave_back(items: list[int], count: int) -> None:
    parts = [Shard(i, count).select(items) for i in range(1, count + 1)]
    assert sorted(len(p) for p in parts)[-1] - sorted(len(p) for p in parts)[0] <= 1
    assert interleave(parts) == items


async def test_merged_shards_equal_the_unsharded_run(tmp_path: Path) -> None:
    with OpenAIServer(letter_responder) as server:
        data_file = tmp_path / "letters.jsonl"
        [whole] = await run_benchmark_async(
            [letter_data(13, data_file)], [model(server)], options(tmp_path, "whole")
        )
        requests_whole = server.request_count
        shard_folders = await run_shards(server, tmp_path, data_file, 13, 3, "shards")
        assert server.request_count == 2 * requests_whole  # each sample asked once more, in all

    sizes = [len(deterministic_results(folder)) for folder in shard_folders]
    assert sizes == [5, 4, 4]
    manifest = json.loads((shard_folders[1] / "manifest.json").read_text())
    assert manifest["shard"]["index"] == 2 and manifest["shard"]["n_samples_total"] == 13
    assert shard_folders[1].name.endswith("-shard2of3")

    [merged] = await merge_shard_runs_async(
        shard_folders, tmp_path / "merged", task_factory=letters
    )
    folder = merged.summary.run_dir
    assert folder.parent.parent.parent == tmp_path / "merged"
    assert metric_bytes(folder) == metric_bytes(whole.run_dir)
    assert deterministic_results(folder) == deterministic_results(whole.run_dir)
    journal = [json.loads(line)["sample_id"] for line in (folder / "samples.jsonl").open()]
    assert journal == [str(i) for i in range(13)]
    merged_manifest = json.loads((folder / "manifest.json").read_text())
    assert "shard" not in merged_manifest
    assert [m["shard"] for m in merged_manifest["merged_from"]] == ["1/3", "2/3", "3/3"]


async def test_missing_duplicated_and_mismatched_shards_are_named(tmp_path: Path) -> None:
    with OpenAIServer(letter_responder) as server:
        data_file = tmp_path / "letters.jsonl"
        folders = await run_shards(server, tmp_path, data_file, 7, 3, "shards")
        [other_prompt] = await run_benchmark_async(
            [letter_data(7, data_file)],
            [model(server)],
            options(tmp_path, "other", shard=Shard(3, 3), system_prompt="Be brief."),
        )
        [other_data] = await run_benchmark_async(
            [letter_data(8, tmp_path / "eight.jsonl")],
            [model(server)],
            options(tmp_path, "eight", shard=Shard(3, 3)),
        )
        [two_shards] = await run_benchmark_async(
            [letter_data(7, data_file)],
            [model(server)],
            options(tmp_path, "two", shard=Shard(2, 2)),
        )

    with pytest.raises(UserError, match=r"shard 2/3 missing"):
        await merge_shard_runs_async(
            [folders[0], folders[2]], tmp_path / "m1", task_factory=letters
        )
    again = tmp_path / "again" / folders[0].name
    shutil.copytree(folders[0], again)  # shard 1/3 run a second time, elsewhere
    with pytest.raises(UserError, match=rf"shard 1/3 given twice: .*{again}"):
        await merge_shard_runs_async([*folders, again], tmp_path / "m2", task_factory=letters)
    with pytest.raises(UserError, match=r"shard 3/3 .*differs.* system_prompt"):
        await merge_shard_runs_async(
            [*folders[:2], other_prompt.run_dir], tmp_path / "m3", task_factory=letters
        )
    with pytest.raises(UserError, match=rf"shard 3/3 \({other_data.run_dir}\) was cut from"):
        await merge_shard_runs_async(
            [*folders[:2], other_data.run_dir], tmp_path / "m4", task_factory=letters
        )
    with pytest.raises(UserError, match=r"shard 2/2 .* one of 2 shards"):
        await merge_shard_runs_async(
            [*folders, two_shards.run_dir], tmp_path / "m5", task_factory=letters
        )
    # An unfinished shard (killed before its results were written) is named, with the fix.
    (folders[1] / "results.json").unlink()
    with pytest.raises(UserError, match=r"shard 2/3 .* has not finished.*--shard 2/3 --resume"):
        await merge_shard_runs_async(folders, tmp_path / "m6", task_factory=letters)
    assert not (tmp_path / "m6").exists()


async def test_resume_continues_the_same_shard(tmp_path: Path) -> None:
    with OpenAIServer(letter_responder) as server:
        data_file = tmp_path / "letters.jsonl"
        first = await run_shards(server, tmp_path, data_file, 9, 2, "out")
        [plain] = await run_benchmark_async(
            [letter_data(9, data_file)], [model(server)], options(tmp_path, "out")
        )
        before = server.request_count
        for index, folder in ((1, first[0]), (2, first[1])):
            [again] = await run_benchmark_async(
                [letter_data(9, data_file)],
                [model(server)],
                options(tmp_path, "out", shard=Shard(index, 2), resume=True),
            )
            assert again.run_dir == folder
        [plain_again] = await run_benchmark_async(
            [letter_data(9, data_file)], [model(server)], options(tmp_path, "out", resume=True)
        )
        assert plain_again.run_dir == plain.run_dir
        assert server.request_count == before  # nothing re-asked: every sample was finished

    # A results root holding shards and other runs: the shards are found, the rest skipped.
    [merged] = await merge_shard_runs_async([tmp_path / "out"], tmp_path / "m", letters)
    assert merged.shards == first and merged.summary.n_samples == 9
    with pytest.raises(UserError, match=r"not a shard of a run"):
        await merge_shard_runs_async([plain.run_dir], tmp_path / "m2", task_factory=letters)


async def test_data_identity_must_match_except_for_the_shards_own_samples(tmp_path: Path) -> None:
    with OpenAIServer(letter_responder) as server:
        folders = await run_shards(server, tmp_path, tmp_path / "letters.jsonl", 6, 2, "shards")

    def set_data(folder: Path, source: str) -> None:
        path = folder / "manifest.json"
        manifest = json.loads(path.read_text())
        ids = [r["sample_id"] for r in json.loads((folder / "results.json").read_text())["results"]]
        manifest["data"] = {"source": source, "n_samples": len(ids), "sample_set_sha256": ids[0]}
        path.write_text(json.dumps(manifest))

    set_data(folders[0], "/bench")
    set_data(folders[1], "/other-bench")
    with pytest.raises(UserError, match=r"shard 2/2 .* differs .* in data\.source"):
        await merge_shard_runs_async(folders, tmp_path / "m1", task_factory=letters)
    set_data(folders[1], "/bench")
    [merged] = await merge_shard_runs_async(folders, tmp_path / "m2", task_factory=letters)
    data = json.loads((merged.summary.run_dir / "manifest.json").read_text())["data"]
    assert data["source"] == "/bench" and data["n_samples"] == 6


async def test_more_shards_than_samples_leaves_an_empty_shard_that_still_merges(
    tmp_path: Path,
) -> None:
    with OpenAIServer(letter_responder) as server:
        data_file = tmp_path / "letters.jsonl"
        [whole] = await run_benchmark_async(
            [letter_data(2, data_file)], [model(server)], options(tmp_path, "whole")
        )
        folders = await run_shards(server, tmp_path, data_file, 2, 3, "shards")
    assert [len(deterministic_results(f)) for f in folders] == [1, 1, 0]
    [merged] = await merge_shard_runs_async(folders, tmp_path / "merged", task_factory=letters)
    assert metric_bytes(merged.summary.run_dir) == metric_bytes(whole.run_dir)
    assert deterministic_results(merged.summary.run_dir) == deterministic_results(whole.run_dir)
