"""Deployment files: the Dockerfile runs the real serve command; openenv.yaml validates."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import typer.main
import yaml

from trialscope.cli.main import LazyCommand, load_command
from trialscope.cli.main import app as cli_app

ROOT = Path(__file__).resolve().parents[2]


def dockerfile_instruction(name: str) -> str:
    text = (ROOT / "Dockerfile").read_text()
    joined = re.sub(r"\\\n\s*", " ", text)
    lines = [line for line in joined.splitlines() if line.startswith(f"{name} ")]
    assert len(lines) == 1, f"expected one {name} in the Dockerfile, found {len(lines)}"
    return lines[0][len(name) + 1 :].strip()


def test_docker_cmd_is_the_real_serve_command() -> None:
    cmd = json.loads(dockerfile_instruction("CMD"))
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts[cmd[0]].startswith("trialscope.cli.main:")
    root = typer.main.get_command(cli_app)
    with root.make_context("trialscope", list(cmd[1:]), resilient_parsing=False) as ctx:
        audit = root.get_command(ctx, cmd[1])  # type: ignore[attr-defined]
        if isinstance(audit, LazyCommand):  # the listing's stand-in for a lazily loaded group
            audit = load_command(cmd[1])
        assert audit is not None
        with audit.make_context(cmd[1], list(cmd[2:])) as audit_ctx:
            serve = audit.get_command(audit_ctx, cmd[2])
            assert serve is not None and serve.callback is not None
            assert serve.callback.__module__ == "trialscope.cli.audit_serve"
            with serve.make_context(cmd[2], list(cmd[3:])) as serve_ctx:
                assert serve_ctx.params["host"] == "0.0.0.0"
                assert serve_ctx.params["port"] == 8000


def test_docker_health_check_calls_health() -> None:
    check = dockerfile_instruction("HEALTHCHECK")
    assert "/health" in check
    assert dockerfile_instruction("EXPOSE") == "8000"


def test_openenv_manifest_points_at_the_server_app_and_validates() -> None:
    manifest = yaml.safe_load((ROOT / "openenv.yaml").read_text())
    assert manifest["app"] == "trialscope.audit.server:app"
    assert manifest["port"] == 8000
    assert {"reward", "resources", "capabilities", "types"} <= set(manifest["validation"])
    openenv = Path(sys.executable).with_name("openenv")
    result = subprocess.run(
        [str(openenv), "validate", str(ROOT), "--level", "static"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASS  static.manifest" in result.stdout


def test_the_manifest_declares_exactly_the_tool_models() -> None:
    from trialscope.audit.tools import TOOLS

    manifest = yaml.safe_load((ROOT / "openenv.yaml").read_text())
    assert manifest["validation"]["capabilities"]["declared_tools"] == list(TOOLS)
