#!/usr/bin/env bash
# Installs what the real-client scenarios need (see README.md). Idempotent: a second run
# only checks stamps and exits in about a second.
#
#   e2e/clients/setup.sh            # installs into <repo>/target/clients
#   DOCFUSION_CLIENTS_DIR=/x setup.sh
#
# Python drivers go into a venv, node-postgres into a local node_modules, pgjdbc and the
# Go toolchain + pgx v4 come from Debian's packages (apt-get, as root), and the Go
# scenario is built offline from Debian's Go sources (GOPATH mode, no module proxy).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
clients_dir="${DOCFUSION_CLIENTS_DIR:-$repo/target/clients}"
python="${PYTHON:-python3}"
jdbc_jar=/usr/share/java/postgresql.jar
gocode=/usr/share/gocode
pgx_src="$gocode/src/github.com/jackc/pgx/v4"

die() { echo "setup.sh: $*" >&2; exit 1; }

apt_updated=0
apt_install() {
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || die "need root (or sudo) to apt-get install $*"
        sudo=(sudo)
    fi
    if [ "$apt_updated" -eq 0 ]; then
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
            || die "apt-get update failed (needed for: $*)"
        apt_updated=1
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
        || die "apt-get install $* failed"
}

mkdir -p "$clients_dir/bin"
# One installer at a time (tests may start several).
exec 9>"$clients_dir/.setup.lock"
flock 9

# --- psql ---------------------------------------------------------------------------
if ! command -v psql >/dev/null; then
    apt_install postgresql-client
fi
echo "ready: psql ($(psql --version))"

# --- Python: psycopg, asyncpg, SQLAlchemy ---------------------------------------------
venv="$clients_dir/venv"
requirements="$here/python/requirements.txt"
if ! cmp -s "$requirements" "$venv/.installed-requirements.txt"; then
    command -v "$python" >/dev/null || die "no $python (set PYTHON=...)"
    rm -rf "$venv"
    "$python" -m venv "$venv" || die "$python -m venv $venv failed"
    "$venv/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: -r "$requirements" \
        || die "pip install -r $requirements failed"
    cp "$requirements" "$venv/.installed-requirements.txt"
fi
echo "ready: python venv $venv ($("$venv/bin/python" -c 'import psycopg, asyncpg, sqlalchemy; print(f"psycopg {psycopg.__version__}, asyncpg {asyncpg.__version__}, SQLAlchemy {sqlalchemy.__version__}")'))"

# --- Node: node-postgres --------------------------------------------------------------
node_dir="$clients_dir/node"
command -v node >/dev/null || die "no node on PATH (Node.js 20 expected)"
command -v npm >/dev/null || die "no npm on PATH"
if ! cmp -s "$here/node/package-lock.json" "$node_dir/.installed-package-lock.json" \
    || [ ! -d "$node_dir/node_modules/pg" ]; then
    mkdir -p "$node_dir"
    cp "$here/node/package.json" "$here/node/package-lock.json" "$node_dir/"
    (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) \
        || die "npm ci in $node_dir failed"
    cp "$here/node/package-lock.json" "$node_dir/.installed-package-lock.json"
fi
echo "ready: node-pg $(node -p "require('$node_dir/node_modules/pg/package.json').version") in $node_dir (node $(node --version))"

# --- Java: pgjdbc ---------------------------------------------------------------------
command -v java >/dev/null || die "no java on PATH (OpenJDK 17 expected)"
if [ ! -f "$jdbc_jar" ]; then
    apt_install libpostgresql-jdbc-java
    [ -f "$jdbc_jar" ] || die "libpostgresql-jdbc-java installed but $jdbc_jar is missing"
fi
echo "ready: pgjdbc $(dpkg-query -W -f='${Version}' libpostgresql-jdbc-java 2>/dev/null || echo '?') ($jdbc_jar)"

# --- Go: pgx v4, built offline ---------------------------------------------------------
if ! command -v go >/dev/null || [ ! -d "$pgx_src" ]; then
    apt_install golang-go golang-github-jackc-pgx-v4-dev
    [ -d "$pgx_src" ] || die "golang-github-jackc-pgx-v4-dev installed but $pgx_src is missing"
fi
go_bin="$clients_dir/bin/scenario-go"
if [ ! -x "$go_bin" ] || [ "$here/go/scenario.go" -nt "$go_bin" ]; then
    (
        cd "$here/go"
        GO111MODULE=off GOPATH="$gocode" GOPROXY=off GOFLAGS= GOCACHE="$clients_dir/go-cache" \
            go build -o "$go_bin.tmp" scenario.go
    ) || die "go build of $here/go/scenario.go failed"
    mv "$go_bin.tmp" "$go_bin"
fi
echo "ready: pgx $(dpkg-query -W -f='${Version}' golang-github-jackc-pgx-v4-dev 2>/dev/null || echo '?') scenario built at $go_bin ($(go version))"
