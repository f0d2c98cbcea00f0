#!/usr/bin/env bash
# Proves the client scenarios against a throwaway PostgreSQL 15 (the reference for every
# expected value): initdb in a temp dir, SCRAM-SHA-256 on 127.0.0.1, role and database
# `docfusion`, fixture.sql loaded, setup.sh, then run.sh for each client. The server is
# stopped and the temp dir removed at the end, whatever happens.
#
#   e2e/clients/pg15-selftest.sh                 # all seven clients
#   e2e/clients/pg15-selftest.sh psql pgx        # some of them
#   PG_BIN=/usr/lib/postgresql/15/bin PG_PORT=55433 e2e/clients/pg15-selftest.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pg_bin="${PG_BIN:-/usr/lib/postgresql/15/bin}"
port="${PG_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
password="scenario-pw-$$"
if [ "$#" -gt 0 ]; then clients=("$@"); else clients=(psql psycopg asyncpg sqlalchemy node-pg pgjdbc pgx); fi

[ -x "$pg_bin/initdb" ] || { echo "pg15-selftest.sh: no initdb in $pg_bin (set PG_BIN)" >&2; exit 1; }

bash "$here/setup.sh"

tmp="$(mktemp -d /tmp/dfdb-pg15.XXXXXX)"
as_pg=()
if [ "$(id -u)" -eq 0 ]; then # PostgreSQL refuses to run as root
    chown postgres: "$tmp"
    as_pg=(runuser -u postgres --)
fi
cleanup() {
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT

printf '%s\n' "$password" >"$tmp/pw"
chmod 644 "$tmp/pw"
"${as_pg[@]}" "$pg_bin/initdb" -D "$tmp/data" -U postgres --pwfile="$tmp/pw" -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >"$tmp/initdb.log" \
    || { cat "$tmp/initdb.log" >&2; exit 1; }
cat >>"$tmp/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$tmp'
password_encryption = 'scram-sha-256'
fsync = off
EOF
cat >"$tmp/data/pg_hba.conf" <<EOF
local all all trust
host all all 127.0.0.1/32 scram-sha-256
EOF
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w start >/dev/null \
    || { cat "$tmp/server.log" >&2; exit 1; }

admin=(psql -X -q -v ON_ERROR_STOP=1 -h "$tmp" -p "$port" -U postgres)
"${admin[@]}" -d postgres -c "CREATE ROLE docfusion LOGIN PASSWORD '$password'" -c "CREATE DATABASE docfusion OWNER docfusion"
PGPASSWORD="$password" psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U docfusion -d docfusion \
    -f "$here/fixture.sql" 2>/dev/null
echo "PostgreSQL $("${admin[@]}" -d postgres -Atc 'SHOW server_version') on 127.0.0.1:$port, SCRAM-SHA-256"

export DFDB_HOST=127.0.0.1 DFDB_PORT="$port" DFDB_USER=docfusion DFDB_PASSWORD="$password" DFDB_DBNAME=docfusion
passed=0
failed=()
for client in "${clients[@]}"; do
    echo "== $client"
    if bash "$here/run.sh" "$client"; then passed=$((passed + 1)); else failed+=("$client"); fi
done
[ "${#failed[@]}" -eq 0 ] || echo "failed clients: ${failed[*]}"
echo "pg15-selftest: $passed passed, ${#failed[@]} failed"
[ "${#failed[@]}" -eq 0 ]
