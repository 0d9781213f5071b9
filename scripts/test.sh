#!/usr/bin/env bash
# The test command: installs what the tests need, then lint and format (ruff), types (mypy) and the
# whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
.venv/bin/mypy
# pytest exits 5 when it collects nothing; set -e makes that (and any failure) fail this script.
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
