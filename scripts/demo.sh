#!/usr/bin/env bash
# The main job on the embedded default: no API key, no internet.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/trialscope demo "$@"
