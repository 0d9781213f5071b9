"""`trialscope.audit` re-exports what users import, lazily (the CLI stays light)."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import trialscope.audit as audit


def test_every_public_name_is_its_modules_object() -> None:
    assert audit.__all__
    for name in audit.__all__:
        source = importlib.import_module(audit._SOURCES[name])
        assert getattr(audit, name) is getattr(source, name), name
        assert name in dir(audit)
    with pytest.raises(AttributeError, match="no attribute 'NoSuchName'"):
        _ = audit.NoSuchName  # type: ignore[attr-defined]


def test_importing_the_package_loads_no_server() -> None:
    code = "import sys, trialscope.audit; print(sorted(sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "openenv" not in done.stdout and "trialscope.audit.server" not in done.stdout
