#!/usr/bin/env bash
# The one check command: install, lint, format check, types, import contracts, tests
# (unit + integration on SQLite and PostgreSQL + end to end). Extra args go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export PATH="$PWD/.venv/bin:$PATH"

step() { printf '\n== %s\n' "$*"; }
step "ruff lint";        ruff check src tests bench
step "ruff format";      ruff format --check src tests bench
step "mypy";             mypy
step "import contracts"; lint-imports
step "alembic drift";    python -m postbridge.migrations.check

step "postgresql"
POSTBRIDGE_TEST_POSTGRES_URL=$(bash scripts/postgres.sh)
export POSTBRIDGE_TEST_POSTGRES_URL
# In the test command PostgreSQL is required: a skipped PostgreSQL tier would hide breakage.
export POSTBRIDGE_REQUIRE_POSTGRES=1
echo "tests use $POSTBRIDGE_TEST_POSTGRES_URL (a fresh database per run, dropped after)"

if [ -x /usr/bin/chromium ]; then export POSTBRIDGE_REQUIRE_BROWSER=1; fi
# ZPL labels are rendered by a JavaScript ZPL renderer (npm, pinned by package-lock.json) so
# the tests can decode their barcodes; without node the ZPL tier keeps its structural checks.
if command -v npm >/dev/null && command -v node >/dev/null; then
  if [ ! -d tools/zpl-renderer/node_modules/zpl-renderer-js ]; then
    (cd tools/zpl-renderer && npm ci --silent --no-audit --no-fund) || echo "zpl renderer: npm ci failed" >&2
  fi
  [ -d tools/zpl-renderer/node_modules/zpl-renderer-js ] && export POSTBRIDGE_ZPL_RENDERER_DIR="$PWD/tools/zpl-renderer"
fi

step "pytest"
set +e
pytest -n 2 -p no:cacheprovider "$@"
status=$?
set -e
if [ "$status" = 5 ]; then
  echo "pytest collected no tests: that is a failure" >&2
  exit 1
fi
exit "$status"
