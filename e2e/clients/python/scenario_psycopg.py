"""Real-client scenario for psycopg 3 (see ../README.md)."""

import json
import os
import socket
import threading
import time

import psycopg
from psycopg.types.json import Json, Jsonb

from scenario_common import (
    CONTAINS_QUERY, DBNAME, HOST, JSON_PARAM_TEXT, JSON_QUERY, JSON_QUERY_ROWS, JSON_TEXT,
    JSON_TEXT_QUERY, JSONB_TEXT, JSONB_TEXT_QUERY, LONG_QUERY, PASSWORD, PORT, TYPES, USER,
    Runner, StepFailed, expect, expect_sqlstate, types_sql,
)


def connect(password=PASSWORD, autocommit=True):
    return psycopg.connect(host=HOST, port=PORT, user=USER, password=password, dbname=DBNAME,
                           sslmode="disable", connect_timeout=10, autocommit=autocommit)


def one(conn, sql, params=None):
    return conn.execute(sql, params).fetchone()[0]


def error_of(conn, sql, params=None):
    """The error `sql` raises on `conn`, or None if it succeeds."""
    try:
        conn.execute(sql, params).fetchall()
    except psycopg.Error as e:
        return e
    return None


def in_thread(conn, fn, timeout):
    """Runs fn() (a statement on conn) in a thread; returns (result, exception). If it is
    still running after `timeout` seconds, shuts the connection's socket down (so the thread
    and conn.close() do not block forever) and raises StepFailed."""
    out = {}

    def run():
        try:
            out["result"] = fn()
        except Exception as e:
            out["exc"] = e

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        with socket.socket(fileno=os.dup(conn.fileno())) as sock:
            sock.shutdown(socket.SHUT_RDWR)
        thread.join(5)
        raise StepFailed(f"the statement was still running after {timeout} s")
    return out.get("result"), out.get("exc")


def wrong_password():
    try:
        connect(PASSWORD + "-wrong").close()
    except psycopg.OperationalError as e:
        # libpq reports connection failures without a SQLSTATE, so the message is checked.
        if "password authentication failed" not in str(e):
            raise StepFailed(f"expected 'password authentication failed', got: {e}")
        return
    raise StepFailed("connected with a wrong password")


def connect_step():
    with connect() as conn:
        expect("SELECT 1", one(conn, "SELECT 1"), 1)


def json_query():
    with connect() as conn:
        rows = conn.execute(JSON_QUERY.format(p="%s"), ["Lisbon"]).fetchall()
        expect("rows for city Lisbon", rows, JSON_QUERY_ROWS)
        rows = conn.execute(CONTAINS_QUERY.format(p="%s"), [json.dumps({"city": "Porto"})]).fetchall()
        expect("ids for @> city Porto", [r[0] for r in rows], ["b2"])


def jsonb_text():
    with connect() as conn:
        expect("jsonb::text", one(conn, JSONB_TEXT_QUERY), JSONB_TEXT)
        expect("json::text", one(conn, JSON_TEXT_QUERY), JSON_TEXT)


def types():
    params = []
    for _, sql_type, value in TYPES:
        if sql_type == "jsonb":
            value = Jsonb(value)
        elif sql_type == "json":
            value = Json(value, dumps=lambda _: JSON_PARAM_TEXT)
        params.append(value)
    with connect() as conn:
        cur = conn.execute(types_sql(lambda n, name, typ: f"%s::{typ}"), params)
        row = cur.fetchone()
        for (name, sql_type, sent), got in zip(TYPES, row):
            expect(f"{name} ({sql_type})", got, sent)


def errors():
    with connect() as conn:
        for sql, code in [("SELECT * FROM no_such_table", "42P01"), ("SELEC 1", "42601"),
                          ("SELECT 1/0", "22012")]:
            expect_sqlstate(sql, error_of(conn, sql), code)
            expect(f"SELECT 1 after {sql!r}", one(conn, "SELECT 1"), 1)


def cancel():
    with connect() as conn:
        # The CancelRequest goes from a timer thread while this thread waits for the query.
        timer = threading.Timer(0.5, lambda: conn.cancel_safe(timeout=5))
        timer.start()
        _, exc = in_thread(conn, lambda: conn.execute(LONG_QUERY).fetchall(), 5.5)
        timer.join()
        expect_sqlstate("the cancelled query", exc, "57014")
        expect("SELECT 1 after the cancel", one(conn, "SELECT 1"), 1)


def transaction():
    with connect() as conn:
        with conn.transaction():
            expect("count(*) in a transaction", one(conn, "SELECT count(*) FROM scenario"), 3)
    # A non-autocommit connection: psycopg sends BEGIN before the first statement.
    with connect(autocommit=False) as conn:
        expect_sqlstate("SELECT 1/0 in a transaction", error_of(conn, "SELECT 1/0"), "22012")
        expect_sqlstate("SELECT 1 after the error", error_of(conn, "SELECT 1"), "25P02")
        conn.rollback()
        expect("SELECT 1 after ROLLBACK", one(conn, "SELECT 1"), 1)


def session_settings():
    with connect() as conn, connect() as other:
        conn.execute("SET statement_timeout = '250ms'")
        _, exc = in_thread(conn, lambda: conn.execute(LONG_QUERY).fetchall(), 10)
        expect_sqlstate("the long query under statement_timeout", exc, "57014")
        expect("SHOW statement_timeout", one(conn, "SHOW statement_timeout"), "250ms")
        expect("SHOW statement_timeout on a second connection",
               one(other, "SHOW statement_timeout"), "0")
        conn.execute("SET application_name = 'scenario-psycopg'")
        expect("SHOW application_name", one(conn, "SHOW application_name"), "scenario-psycopg")


def server_side_cursor():
    with connect(autocommit=False) as conn:
        with conn.cursor(name="scenario_cursor") as cur:
            cur.itersize = 1
            cur.execute("SELECT id FROM scenario ORDER BY id")
            expect("ids from a named cursor fetched one by one", [r[0] for r in cur], ["a1", "b2", "c3"])
        conn.commit()


if __name__ == "__main__":
    runner = Runner("psycopg")
    runner.step("wrong_password", wrong_password)
    runner.step("connect", connect_step)
    runner.step("json_query", json_query)
    runner.step("jsonb_text", jsonb_text)
    runner.step("types", types)
    runner.step("errors", errors)
    runner.step("cancel", cancel)
    runner.step("transaction", transaction)
    runner.step("session_settings", session_settings)
    runner.step("server_side_cursor", server_side_cursor)
    runner.exit()
