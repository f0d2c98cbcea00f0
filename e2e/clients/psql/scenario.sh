#!/usr/bin/env bash
# Real-client scenario for the psql binary (see ../README.md for the steps and the contract).
# psql has no bind parameters before version 16, so values are literals; SQLSTATEs are read
# from psql's SQLSTATE variable; output is unaligned, tuples only, '|'-separated.
set -uo pipefail

: "${DFDB_HOST:?}" "${DFDB_PORT:?}" "${DFDB_USER:?}" "${DFDB_PASSWORD:?}" "${DFDB_DBNAME:?}"
export PGHOST="$DFDB_HOST" PGPORT="$DFDB_PORT" PGUSER="$DFDB_USER" PGDATABASE="$DFDB_DBNAME"
export PGPASSWORD="$DFDB_PASSWORD" PGSSLMODE=disable PGCONNECT_TIMEOUT=10 PGPASSFILE=/dev/null
unset PGOPTIONS PGSERVICE PGSERVICEFILE PGTZ PGAPPNAME
LONG_QUERY="SELECT count(*) FROM generate_series(1,100000) a(x), generate_series(1,100000) b(y) WHERE x + y > 0"
PSQL=(psql -X -A -t -F'|' -v ON_ERROR_STOP=0)
STEP_TIMEOUT=60 # seconds; a psql that hangs longer is killed and its step fails

msg=""
passed=0
failed=0
now_ms() { date +%s%3N; }

# q ARGS...: runs psql (stdout only; stderr goes to $err_file), bounded by STEP_TIMEOUT.
err_file="$(mktemp)"
trap 'rm -f "$err_file"' EXIT
q() { timeout "$STEP_TIMEOUT" "${PSQL[@]}" "$@" 2>"$err_file"; }

# check LABEL GOT EXPECTED: sets msg and fails when they differ.
check() {
    [ "$2" == "$3" ] && return 0
    msg="$1: expected $(printf '%q' "$3"), got $(printf '%q' "$2") (psql stderr: $(tr '\n' ' ' <"$err_file"))"
    return 1
}

step() {
    local name="$1"
    msg=""
    if "step_$name"; then
        echo "PASS $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name: $(printf '%s' "${msg:-failed}" | tr -s '\n\t' '  ')"
        failed=$((failed + 1))
    fi
}

step_wrong_password() {
    local out rc=0
    out="$(PGPASSWORD="$DFDB_PASSWORD-wrong" timeout "$STEP_TIMEOUT" "${PSQL[@]}" -c 'SELECT 1' 2>&1)" || rc=$?
    [ "$rc" -ne 0 ] || { msg="psql connected with a wrong password (output: $out)"; return 1; }
    [[ "$out" == *"password authentication failed"* ]] \
        || { msg="expected 'password authentication failed', got (rc $rc): $out"; return 1; }
}

step_connect() {
    check "SELECT 1" "$(q -c 'SELECT 1')" "1"
}

step_json_query() {
    check "rows for city Lisbon" \
        "$(q -c "SELECT id, doc->>'name' AS name, (doc->>'price')::float8 AS price, doc->'tags' AS tags FROM scenario WHERE doc->>'city' = 'Lisbon' ORDER BY id")" \
        $'a1|Alpha|80|["sea", "wifi"]\nc3|Gamma|95|["wifi"]' || return 1
    check "ids for @> city Porto" \
        "$(q -c "SELECT id FROM scenario WHERE doc @> '{\"city\": \"Porto\"}'::jsonb ORDER BY id")" "b2"
}

step_jsonb_text() {
    check "jsonb::text" "$(q -c "SELECT '{\"b\":2,\"a\":[1,2.50,\"x\"]}'::jsonb::text AS t")" \
        '{"a": [1, 2.50, "x"], "b": 2}' || return 1
    check "json::text" "$(q -c "SELECT '{\"b\":1,  \"a\":2}'::json::text")" '{"b":1,  "a":2}'
}

step_types() {
    local sql="SELECT '12'::int2 AS i2, '123456'::int4 AS i4, '9007199254740993'::int8 AS i8,
        '1.5'::float4 AS f4, '2.25'::float8 AS f8, '12.34'::numeric AS n, 'true'::bool AS b,
        'héllo \"w\"'::text AS t, '2024-05-06T07:08:09.123456Z'::timestamptz AS tz,
        '2024-05-06 07:08:09'::timestamp AS ts, '2024-05-06'::date AS d,
        '0190b7c2-4c1e-7cc3-8b6a-3f1d2e4a5b6c'::uuid AS u, '\\x0001feff'::bytea AS by,
        '{\"k\": [1, \"x\", null]}'::jsonb AS jb, '{\"b\":1,\"a\":2}'::json AS js,
        '{1,2,3}'::int8[] AS ai, '{a,\"b c\"}'::text[] AS at, NULL::text AS nul"
    check "the row of typed literals" "$(q -q -c "SET TimeZone='UTC'" -c "$sql")" \
        '12|123456|9007199254740993|1.5|2.25|12.34|t|héllo "w"|2024-05-06 07:08:09.123456+00|2024-05-06 07:08:09|2024-05-06|0190b7c2-4c1e-7cc3-8b6a-3f1d2e4a5b6c|\x0001feff|{"k": [1, "x", null]}|{"b":1,"a":2}|{1,2,3}|{a,"b c"}|'
}

step_errors() {
    # After each failing statement: its SQLSTATE, then SELECT 1 on the same connection.
    local script=$'SELECT * FROM no_such_table;\n\\echo :SQLSTATE\nSELECT 1;\n'
    script+=$'SELEC 1;\n\\echo :SQLSTATE\nSELECT 1;\n'
    script+=$'SELECT 1/0;\n\\echo :SQLSTATE\nSELECT 1;\n'
    check "SQLSTATEs and SELECT 1 after each" "$(q -f - <<<"$script")" $'42P01\n1\n42601\n1\n22012\n1'
}

step_cancel() {
    # psql sends a CancelRequest when it gets SIGINT during a query. Output of later queries
    # is suppressed once cancel was pressed, so SELECT 1 is checked by SQLSTATE and ROW_COUNT.
    local out_file pid start elapsed rc=0
    out_file="$(mktemp)"
    "${PSQL[@]}" -c "$LONG_QUERY" -c '\echo :SQLSTATE' -c 'SELECT 1' -c '\echo :SQLSTATE :ROW_COUNT' \
        >"$out_file" 2>"$err_file" &
    pid=$!
    sleep 0.5
    start="$(now_ms)"
    kill -INT "$pid"
    while kill -0 "$pid" 2>/dev/null && [ $(($(now_ms) - start)) -lt 5000 ]; do sleep 0.05; done
    elapsed=$(($(now_ms) - start))
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        wait "$pid"
        rm -f "$out_file"
        msg="psql still running ${elapsed} ms after SIGINT (the query was not cancelled)"
        return 1
    fi
    wait "$pid" || rc=$?
    local out
    out="$(cat "$out_file")"
    rm -f "$out_file"
    check "SQLSTATE of the cancelled query, then SQLSTATE and ROW_COUNT of SELECT 1 (psql rc $rc, ${elapsed} ms)" \
        "$out" $'57014\n00000 1'
}

step_transaction() {
    local script=$'BEGIN;\nSELECT count(*) FROM scenario;\nCOMMIT;\n'
    script+=$'BEGIN;\nSELECT 1/0;\n\\echo :SQLSTATE\nSELECT 1;\n\\echo :SQLSTATE\nROLLBACK;\nSELECT 1;\n'
    check "command tags, results and SQLSTATEs" "$(q -f - <<<"$script")" \
        $'BEGIN\n3\nCOMMIT\nBEGIN\n22012\n25P02\nROLLBACK\n1'
}

step_session_settings() {
    check "statement_timeout on one connection" \
        "$(q -c "SET statement_timeout = '250ms'" -c "$LONG_QUERY" -c '\echo :SQLSTATE' -c 'SHOW statement_timeout')" \
        $'SET\n57014\n250ms' || return 1
    check "statement_timeout on a second connection" "$(q -c 'SHOW statement_timeout')" "0" || return 1
    check "application_name" \
        "$(q -c "SET application_name = 'scenario-psql'" -c 'SHOW application_name')" $'SET\nscenario-psql'
}

step_describe() {
    local out
    out="$(q -c '\d')" || { msg="\\d failed: $(cat "$err_file")"; return 1; }
    grep -q '^[^|]*|scenario|table|' <<<"$out" || { msg="\\d does not list table scenario: $out"; return 1; }
    out="$(q -c '\d scenario')" || { msg="\\d scenario failed: $(cat "$err_file")"; return 1; }
    grep -q '^id|text|' <<<"$out" && grep -q '^doc|jsonb|' <<<"$out" \
        || { msg="\\d scenario lacks 'id|text|' or 'doc|jsonb|': $(printf '%q' "$out")"; return 1; }
    q -c '\l' >/dev/null || { msg="\\l failed: $(cat "$err_file")"; return 1; }
    [ ! -s "$err_file" ] || { msg="\\l wrote to stderr: $(cat "$err_file")"; return 1; }
}

for s in wrong_password connect json_query jsonb_text types errors cancel transaction session_settings describe; do
    step "$s"
done
echo "psql: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
