"""The subpackages' public names: each resolves to the object its module defines, lazily."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

PACKAGES = ("trialscope.tasks", "trialscope.models", "trialscope.baselines")


@pytest.mark.parametrize("package", PACKAGES)
def test_every_public_name_is_its_modules_object(package: str) -> None:
    module = importlib.import_module(package)
    assert module.__all__
    for name in module.__all__:
        source = importlib.import_module(module._SOURCES[name])
        assert getattr(module, name) is getattr(source, name), name
        assert name in dir(module)
    with pytest.raises(AttributeError, match="no attribute 'NoSuchName'"):
        _ = module.NoSuchName


def test_the_documented_imports_work() -> None:
    from trialscope.models import ChatModel, ProviderSpec, resolve_model  # noqa: F401
    from trialscope.tasks import AnswerKind, Task, get_task

    assert isinstance(get_task("arm_design"), Task)
    assert AnswerKind.CHOICE.value == "choice"


def test_importing_the_task_contract_loads_no_task_and_no_settings() -> None:
    code = "import sys, trialscope.tasks.base; print(sorted(sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = done.stdout
    assert "trialscope.tasks.base" in modules
    assert "trialscope.tasks.registry" not in modules
    assert "trialscope.settings" not in modules
