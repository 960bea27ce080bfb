#!/usr/bin/env bash
# Install everything, then run postbridge on its embedded default (SQLite under var/), with
# migrations applied and the demo merchant seeded, on http://127.0.0.1:8000. `serve` starts the
# worker (jobs, outbox relay, partner exchange, webhooks) and, with --sandbox, the partner
# sandbox on http://127.0.0.1:8001 as its children, so this one command runs everything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/postbridge serve --demo --sandbox "$@"
