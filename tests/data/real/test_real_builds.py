"""Benchmark items cut from the real CT.gov studies: fair options, clean text, no give-aways."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from trialscope.cli.main import app
from trialscope.data.builders import TASK_FOLDERS, BuildOptions, build_benchmark
from trialscope.data.builders.completion import FOLDER as COMPLETION
from trialscope.data.builders.describe import masked
from trialscope.data.builders.design_qa import DESIGN_KINDS
from trialscope.data.builders.lexical_guessers import GUESSERS, hit_rate
from trialscope.data.builders.sample_size import FOLDER as SAMPLE_SIZE
from trialscope.data.store import TrialStore

MAX_LEXICAL_HIT_RATE = 0.40
TRIAL_TASKS = (COMPLETION, *DESIGN_KINDS, SAMPLE_SIZE)


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


@pytest.fixture(scope="module")
def built(real_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("real-bench")
    with TrialStore(real_store, read_only=True) as store:
        build_benchmark(store, out, BuildOptions(seed=0, train_size=0, test_size=400))
    return out


@pytest.fixture(scope="module")
def types_by_option(real_store: Path) -> dict[str, dict[str, set[str | None]]]:
    """For each design task: option text -> the study types of the trials it could come from."""
    with TrialStore(real_store, read_only=True) as store:
        index = store.builder_study_index()
        details = store.builder_study_details([row.study_id for row in index])
    found: dict[str, dict[str, set[str | None]]] = {}
    for task, kind in DESIGN_KINDS.items():
        texts = found.setdefault(task, {})
        for detail in details.values():
            texts.setdefault(kind.option_text(masked(detail)).strip(), set()).add(detail.study_type)
    return found


@pytest.mark.parametrize("task", list(DESIGN_KINDS))
def test_a_lexical_guesser_does_not_find_the_answer(built: Path, task: str) -> None:
    items = _read(built / task / "test.jsonl")
    assert len(items) >= 150
    for name, guesser in GUESSERS.items():
        rate = hit_rate(items, guesser)
        assert rate <= MAX_LEXICAL_HIT_RATE, f"{name} picks the answer in {rate:.0%}"


@pytest.mark.parametrize("task", list(DESIGN_KINDS))
def test_options_are_distinct_and_of_the_answers_study_type(
    built: Path, task: str, types_by_option: dict[str, dict[str, set[str | None]]]
) -> None:
    for item in _read(built / task / "test.jsonl"):
        texts = list(item["options"].values())
        assert len(set(texts)) == len(texts), item["id"]
        answer_types = types_by_option[task][item["options"][item["answer"]]]
        for text in texts:
            assert types_by_option[task][text] & answer_types, (item["id"], text[:80])


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def test_text_is_clean(built: Path, real_studies: list[dict[str, Any]]) -> None:
    escaped = re.compile(r"\\[^\w\s]")
    assert any(escaped.search(json.dumps(study)) for study in real_studies)  # the source has them
    for task in TRIAL_TASKS:
        for item in _read(built / task / "test.jsonl"):
            for text in _strings(item):
                assert not escaped.search(text), (task, text[:200])
                assert text != "Na" and "Phase: Na" not in text, (task, text[:200])
    completion = _read(built / COMPLETION / "test.jsonl")
    phases = Counter(item["inputs"]["phase"] for item in completion)
    assert phases["Not applicable"] > 0


def test_sample_size_questions_do_not_state_the_answer(built: Path) -> None:
    items = _read(built / SAMPLE_SIZE / "test.jsonl")
    assert len(items) >= 50
    for item in items:
        numbers = {int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", item["question"])}
        assert item["answer"] not in numbers, item["id"]


def test_a_time_split_build_yields_items_for_every_trial_task(
    real_store: Path, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        app,
        [
            "data", "build", "--store", str(real_store), "--out", str(tmp_path),
            "--registered-after", "2021-01-01", "--train-size", "100", "--test-size", "100",
        ],
        catch_exceptions=False,
    )  # fmt: skip
    assert set(TASK_FOLDERS) >= set(TRIAL_TASKS)
    for task in TRIAL_TASKS:
        test, train = _read(tmp_path / task / "test.jsonl"), _read(tmp_path / task / "train.jsonl")
        assert test and train, (task, result.output)
