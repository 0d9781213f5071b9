"""Loading benchmark roots: both folder conventions, hf://, and errors that name file/line/field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trialscope.tasks import loading
from trialscope.tasks.loading import BenchmarkDataError, load_samples, resolve_benchmark_root
from trialscope.tasks.registry import get_task, task_names

from .benchmark_files import (
    CODE_NAMES,
    README_NAMES,
    choice_record,
    completion_record,
    sample_size_record,
    screening_record,
    search_record,
    write_jsonl,
    write_split,
)


def _records(task: str) -> list[dict]:
    if task == "study_search":
        return [search_record(i, ["1", "2"]) for i in range(3)]
    if task == "study_screening":
        return [screening_record(i, [("1", "Insulin", "included")]) for i in range(3)]
    if task == "trial_completion":
        return [completion_record(f"NCT{i:08d}", "complete") for i in range(3)]
    if task == "sample_size_estimation":
        return [sample_size_record(i, 100 + i) for i in range(3)]
    return [choice_record(i) for i in range(3)]


@pytest.mark.parametrize("names", [README_NAMES, CODE_NAMES], ids=["readme", "code"])
def test_every_task_loads_in_both_conventions(tmp_path: Path, names: dict[str, str]) -> None:
    for task in task_names():
        write_split(tmp_path, task, "test", _records(task), names)
        write_split(tmp_path, task, "train", _records(task)[:1], names)
    root = resolve_benchmark_root(str(tmp_path))
    for task_name in task_names():
        loader = get_task(task_name)
        loaded = load_samples(loader, root, "test")
        assert len(loaded.samples) == 3
        assert loaded.files == [root / names[task_name] / "test.jsonl"]
        assert len({s.sample_id for s in loaded.samples}) == 3
        assert len(load_samples(loader, root, "train").samples) == 1


def test_sample_ids_come_from_the_records(tmp_path: Path) -> None:
    write_split(tmp_path, "trial_completion", "test", _records("trial_completion"))
    write_split(tmp_path, "arm_design", "test", _records("arm_design"))
    completion = load_samples(get_task("trial_completion"), tmp_path)
    choice = load_samples(get_task("arm_design"), tmp_path)
    assert [s.sample_id for s in completion.samples][:1] == ["NCT00000000"]
    assert [s.sample_id for s in choice.samples] == ["q0", "q1", "q2"]
    assert choice.samples[0].raw == choice_record(0)


def test_limit_takes_the_first_records(tmp_path: Path) -> None:
    write_split(tmp_path, "arm_design", "test", [choice_record(i) for i in range(10)])
    loaded = load_samples(get_task("arm_design"), tmp_path, limit=4)
    assert [s.sample_id for s in loaded.samples] == ["q0", "q1", "q2", "q3"]


def test_repeated_ids_are_made_unique(tmp_path: Path) -> None:
    write_split(tmp_path, "arm_design", "test", [choice_record(1), choice_record(1)])
    loaded = load_samples(get_task("arm_design"), tmp_path)
    assert [s.sample_id for s in loaded.samples] == ["q1", "q1~2"]


def test_missing_folder_names_the_path_and_layout(tmp_path: Path) -> None:
    write_split(tmp_path, "arm_design", "test", [choice_record(0)])
    with pytest.raises(BenchmarkDataError) as error:
        load_samples(get_task("trial_completion"), tmp_path)
    message = str(error.value)
    assert str(tmp_path / "trial_completion") in message
    assert "trial_completion_assessment" in message
    assert "train,test}.jsonl" in message


def test_missing_root_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(BenchmarkDataError, match="does not exist"):
        resolve_benchmark_root(str(tmp_path / "nowhere"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(BenchmarkDataError, match="no task folders"):
        resolve_benchmark_root(str(tmp_path / "empty"))


def test_malformed_json_names_file_and_line(tmp_path: Path) -> None:
    path = write_split(tmp_path, "arm_design", "test", [choice_record(0)])
    with path.open("a") as handle:
        handle.write("\n{not json\n")
    with pytest.raises(BenchmarkDataError) as error:
        load_samples(get_task("arm_design"), tmp_path)
    assert f"{path}:3: invalid JSON" in str(error.value)


def test_bad_record_names_file_line_and_field(tmp_path: Path) -> None:
    bad = screening_record(1, [("1", "Insulin", "maybe")])
    path = write_split(tmp_path, "study_screening", "test", [screening_record(0, []), bad])
    with pytest.raises(BenchmarkDataError) as error:
        load_samples(get_task("study_screening"), tmp_path)
    message = str(error.value)
    assert f"{path}:2:" in message
    assert "labels[0].label" in message
    assert "'maybe'" in message


def test_answer_must_be_an_option(tmp_path: Path) -> None:
    write_split(tmp_path, "arm_design", "test", [choice_record(0, answer="Q")])
    with pytest.raises(BenchmarkDataError, match="answer 'Q' is not one of the options"):
        load_samples(get_task("arm_design"), tmp_path)


def test_skip_invalid_counts_and_describes(tmp_path: Path) -> None:
    records = [
        sample_size_record(0, 100),
        {"question": "q", "answer": -3},
        sample_size_record(2, 50),
    ]
    path = write_split(tmp_path, "sample_size_estimation", "test", records)
    with path.open("a") as handle:
        handle.write("[1, 2]\n")
    loaded = load_samples(get_task("sample_size_estimation"), tmp_path, skip_invalid=True)
    assert [s.sample_id for s in loaded.samples] == ["ss0", "ss2"]
    assert len(loaded.skipped) == 2
    assert f"{path}:2: field 'answer'" in loaded.skipped[0]
    assert f"{path}:4: expected a JSON object" in loaded.skipped[1]


def test_none_uses_the_embedded_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import trialscope.data.default as default

    monkeypatch.setattr(default, "default_benchmark_root", lambda: tmp_path)
    assert resolve_benchmark_root(None) == tmp_path


def test_hf_dataset_is_downloaded_and_located(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    hub = pytest.importorskip("huggingface_hub")
    snapshot = tmp_path / "snapshot"
    write_split(snapshot / "benchmark", "arm_design", "test", [choice_record(0)], CODE_NAMES)
    calls: list[dict] = []

    def fake_snapshot_download(**kwargs: object) -> str:
        calls.append(kwargs)
        return str(snapshot)

    monkeypatch.setattr(hub, "snapshot_download", fake_snapshot_download)
    root = resolve_benchmark_root("hf://zifeng-ai/TrialPanorama-benchmark@v1")
    assert root == snapshot / "benchmark"
    assert calls[0]["repo_id"] == "zifeng-ai/TrialPanorama-benchmark"
    assert calls[0]["repo_type"] == "dataset"
    assert calls[0]["revision"] == "v1"
    assert len(load_samples(get_task("arm_design"), root).samples) == 1


def test_hf_download_failure_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    hub = pytest.importorskip("huggingface_hub")

    def offline(**kwargs: object) -> str:
        raise OSError("offline")

    monkeypatch.setattr(hub, "snapshot_download", offline)
    with pytest.raises(BenchmarkDataError, match="could not download hf://a/b: offline"):
        resolve_benchmark_root("hf://a/b")
    with pytest.raises(BenchmarkDataError, match="expected hf://<owner>/<dataset>"):
        resolve_benchmark_root("hf://just-a-name")


def test_missing_hub_client_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_hub(name: str, *args: object, **kwargs: object) -> object:
        if name == "huggingface_hub":
            raise ImportError("no module")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_hub)
    with pytest.raises(BenchmarkDataError, match="needs the huggingface_hub package"):
        loading.download_from_hub("a/b")


def test_records_stream_line_by_line(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "x.jsonl", [{"a": 1}, {"a": 2}])
    stream = loading.iter_jsonl(path)
    assert next(stream) == (1, {"a": 1})
    assert json.dumps(next(stream)[1]) == '{"a": 2}'
