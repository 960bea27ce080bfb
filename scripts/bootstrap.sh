#!/usr/bin/env bash
# Create .venv at the repo root and install the locked dependencies into it.
# Idempotent: a second run only checks that .venv matches uv.lock.
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.8
PYTHON=${PYTHON:-python3}
if [ ! -x .tools/bin/uv ] || ! .tools/bin/uv --version 2>/dev/null | grep -q "$UV_VERSION"; then
  echo "bootstrap: installing uv $UV_VERSION into .tools/" >&2
  PYTHONPATH= "$PYTHON" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target .tools "uv==$UV_VERSION" 2>&1 | grep -v "is ignored: it is neither a file nor a directory" >&2 || true
  [ -x .tools/bin/uv ] || { echo "bootstrap: could not install uv $UV_VERSION with pip" >&2; exit 1; }
fi
export UV_PROJECT_ENVIRONMENT="$PWD/.venv"
export UV_PYTHON_DOWNLOADS=never
PYTHONPATH="$PWD/.tools" .tools/bin/uv sync --frozen --all-groups --python "$PYTHON" --quiet --compile-bytecode
