"""The CLI entry point must not pay for openenv (and gradio) on every command."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_cli_does_not_import_openenv_or_gradio() -> None:
    probe = (
        "import sys, trialscope.cli.main\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('openenv', 'gradio'))\n"
        "print(','.join(heavy))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert completed.stdout.strip() == "", f"heavy modules imported: {completed.stdout[:300]}"
