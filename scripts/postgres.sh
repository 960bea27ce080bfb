#!/usr/bin/env bash
# Print a PostgreSQL URL for the tests. Uses the server on 127.0.0.1:5432 when it answers;
# otherwise starts a throwaway cluster of Debian's postgresql binaries as a non-root user
# (PostgreSQL refuses to run as root) on port 55432, installing the binaries if needed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=.venv/bin/python

answers() {
  "$PYTHON" - "$1" <<'PY' >/dev/null 2>&1
import sys, psycopg
psycopg.connect(sys.argv[1], connect_timeout=3).close()
PY
}

for url in "${POSTBRIDGE_TEST_POSTGRES_URL:-}" "${POSTBRIDGE_PG_SERVER_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"; do
  if [ -n "$url" ] && answers "$url"; then echo "$url"; exit 0; fi
done

echo "postgres.sh: no PostgreSQL answers on 127.0.0.1:5432; starting a throwaway cluster" >&2
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  else
    echo "postgres.sh: PostgreSQL binaries missing; install Debian's 'postgresql' package" >&2
    exit 1
  fi
fi
datadir=${POSTBRIDGE_PG_DATADIR:-/tmp/postbridge-pg}
port=55432
run_as=()
if [ "$(id -u)" = 0 ]; then
  id postbridge-pg >/dev/null 2>&1 || useradd --system --no-create-home postbridge-pg
  run_as=(runuser -u postbridge-pg --)
fi
if [ ! -f "$datadir/PG_VERSION" ]; then
  rm -rf "$datadir"; mkdir -p "$datadir"
  [ "$(id -u)" = 0 ] && chown postbridge-pg "$datadir"
  "${run_as[@]}" "$bindir/initdb" -D "$datadir" -U postgres --auth=trust -E UTF8 >/dev/null
fi
if ! "${run_as[@]}" "$bindir/pg_ctl" -D "$datadir" status >/dev/null 2>&1; then
  "${run_as[@]}" "$bindir/pg_ctl" -D "$datadir" -l "$datadir/server.log" -w \
    -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
fi
url="postgresql://postgres@127.0.0.1:$port/postgres"
answers "$url" || { echo "postgres.sh: throwaway cluster did not answer" >&2; exit 1; }
echo "$url"
