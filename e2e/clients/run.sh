#!/usr/bin/env bash
# Runs one client's scenario against the server named by DFDB_HOST, DFDB_PORT, DFDB_USER,
# DFDB_PASSWORD and DFDB_DBNAME (run setup.sh first). Exits 0 only if every step passed.
#
#   e2e/clients/run.sh psql|psycopg|asyncpg|sqlalchemy|node-pg|pgjdbc|pgx
#
# DFDB_SCENARIO_TIMEOUT (seconds, default 300) bounds the whole run, so a server that
# hangs fails the run instead of blocking it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
clients_dir="${DOCFUSION_CLIENTS_DIR:-$repo/target/clients}"
limit="${DFDB_SCENARIO_TIMEOUT:-300}"
clients="psql psycopg asyncpg sqlalchemy node-pg pgjdbc pgx"

case "${1:-}" in
    psql) cmd=(bash "$here/psql/scenario.sh") ;;
    psycopg | asyncpg | sqlalchemy) cmd=(env PYTHONDONTWRITEBYTECODE=1 "$clients_dir/venv/bin/python" "$here/python/scenario_$1.py") ;;
    node-pg) cmd=(env NODE_PATH="$clients_dir/node/node_modules" node "$here/node/scenario.js") ;;
    pgjdbc) cmd=(java -cp /usr/share/java/postgresql.jar "$here/java/Scenario.java") ;;
    pgx) cmd=("$clients_dir/bin/scenario-go") ;;
    *) echo "usage: run.sh <client>, one of: $clients" >&2; exit 2 ;;
esac

for v in DFDB_HOST DFDB_PORT DFDB_USER DFDB_PASSWORD DFDB_DBNAME; do
    [ -n "${!v:-}" ] || { echo "run.sh: $v is not set" >&2; exit 2; }
done

case "$1" in
    psycopg | asyncpg | sqlalchemy) installed="$clients_dir/venv/bin/python" ;;
    node-pg) installed="$clients_dir/node/node_modules/pg" ;;
    pgx) installed="$clients_dir/bin/scenario-go" ;;
    pgjdbc) installed=/usr/share/java/postgresql.jar ;;
    *) installed="" ;;
esac
if [ -n "$installed" ] && [ ! -e "$installed" ]; then
    echo "run.sh: $installed is missing: run $here/setup.sh first" >&2
    exit 2
fi

rc=0
timeout --kill-after=10 "$limit" "${cmd[@]}" || rc=$?
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "FAIL $1: the scenario did not finish within ${limit}s (DFDB_SCENARIO_TIMEOUT)"
fi
exit "$rc"
