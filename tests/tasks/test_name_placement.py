"""One fact, one place: a built-in task's canonical name appears in src/ only in its own module
and the builder module that writes its folder, so no other layer keeps a list of tasks."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from trialscope.tasks.registry import BUILTIN_TASKS

SRC = Path(__file__).resolve().parents[2] / "src"

# The builder module that writes the task's data folder (the data layer stays apart from the
# task layer, so it names the folder itself).
BUILDERS: dict[str, str] = {
    "study_search": "trialscope/data/builders/reviews.py",
    "study_screening": "trialscope/data/builders/reviews.py",
    "evidence_summary": "trialscope/data/builders/reviews.py",
    "arm_design": "trialscope/data/builders/design_qa.py",
    "eligibility_criteria_design": "trialscope/data/builders/design_qa.py",
    "endpoint_design": "trialscope/data/builders/design_qa.py",
    "sample_size_estimation": "trialscope/data/builders/sample_size.py",
}

# Occurrences that are not the task's name as a fact about the task, each with its reason.
EXCEPTIONS: dict[str, set[str]] = {
    # The released data's `context[].type` value for a trial's arms: a field value of the
    # completion records that happens to equal the arm design task's name.
    "arm_design": {
        "trialscope/tasks/completion_record.py",
        "trialscope/data/builders/completion.py",
    },
}


def _text_files() -> dict[str, str]:
    files = {}
    for path in sorted((SRC / "trialscope").rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        try:
            files[path.relative_to(SRC).as_posix()] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
    return files


def _files_naming(name: str, files: dict[str, str]) -> set[str]:
    # The module's own import path (`trialscope.tasks.study_search`) names the module, not a fact.
    word = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
    module_path = re.compile(rf"trialscope\.tasks\.{re.escape(name)}(?!\w)")
    return {
        path for path, text in files.items() if word.search(module_path.sub("", text)) is not None
    }


def _own_module(cls: type) -> str:
    source = inspect.getsourcefile(cls)
    assert source is not None
    return Path(source).resolve().relative_to(SRC).as_posix()


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    found = _text_files()
    assert "trialscope/tasks/registry.py" in found  # the scan reads the source tree
    return found


@pytest.mark.parametrize("cls", BUILTIN_TASKS, ids=lambda cls: cls.name)
def test_canonical_name_lives_in_its_own_module_only(cls: type, files: dict[str, str]) -> None:
    allowed = {_own_module(cls), *EXCEPTIONS.get(cls.name, set())}
    if cls.name in BUILDERS:
        allowed.add(BUILDERS[cls.name])
    assert _own_module(cls) in _files_naming(cls.name, files)
    assert _files_naming(cls.name, files) <= allowed


def test_the_scan_finds_a_name_written_anywhere(tmp_path: Path) -> None:
    texts = {
        "a.py": 'X = {"study_search": 1}',
        "b.md": "see study_search.",
        "c.py": "from trialscope.tasks.study_search import StudySearchTask",
        "d.py": "study_search_x = 1",
        "e.py": "x.study_search",
    }
    assert _files_naming("study_search", texts) == {"a.py", "b.md", "e.py"}
