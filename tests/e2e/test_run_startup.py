"""A fast start: `--version` and `--help` import no command module and no heavy library."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("numpy", "httpx", "pydantic", "duckdb", "sklearn", "openai", "yaml", "rich.markdown")
ENTRY = (
    "import atexit, json, sys\n"
    "atexit.register(lambda: sys.stderr.write(json.dumps(sorted(sys.modules)) + '\\n'))\n"
    "from trialscope.cli.main import entry_point\n"
    "entry_point()"
)
COMMAND_LAYERS = ("trialscope.engine", "trialscope.data", "trialscope.report", "trialscope.audit")


def imported_by(*args: str) -> set[str]:
    """The modules loaded when the console script exits after `args`."""
    done = subprocess.run(
        [sys.executable, "-c", ENTRY, *args], capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stderr.splitlines()[-1]))


@pytest.mark.parametrize("args", [("--version",), ("--help",)])
def test_version_and_help_import_nothing_heavy(args: tuple[str, ...]) -> None:
    modules = imported_by(*args)
    assert "trialscope.cli.main" in modules
    loaded = sorted(
        name
        for name in modules
        if name.split(".")[0] in {h.split(".")[0] for h in HEAVY if "." not in h}
        or name in HEAVY
        or name.startswith(COMMAND_LAYERS)
        or (name.startswith("trialscope.cli.") and name != "trialscope.cli.main")
    )
    assert loaded == []


def test_run_help_loads_only_its_own_command() -> None:
    modules = imported_by("run", "--help")
    assert "trialscope.cli.run" in modules
    assert not [m for m in modules if m.startswith(("trialscope.cli.data", "trialscope.audit"))]
    assert not [m for m in modules if m.startswith(("trialscope.engine", "trialscope.report"))]
