"""Real-client scenario for SQLAlchemy 2 Core over psycopg 3 (see ../README.md).

Statements are text() with :name bound parameters. Casts are written CAST(:p AS type):
text() would read `:p::type` as a parameter named differently. SQLAlchemy runs every
statement in a transaction it begins implicitly, so settings are committed before use.
"""

import json
import os
import re
import socket
import threading

from sqlalchemy import URL, bindparam, create_engine, exc, text
from sqlalchemy.dialects.postgresql import JSON, JSONB

from scenario_common import (
    DBNAME, HOST, JSON_QUERY_ROWS, JSON_TEXT, JSON_TEXT_QUERY, JSONB_TEXT, JSONB_TEXT_QUERY,
    LONG_QUERY, PASSWORD, PORT, TYPES, USER, Runner, StepFailed, expect, expect_sqlstate,
)


def make_engine(password=PASSWORD):
    url = URL.create("postgresql+psycopg", username=USER, password=password, host=HOST,
                     port=PORT, database=DBNAME, query={"sslmode": "disable", "connect_timeout": "10"})
    return create_engine(url)


ENGINE = make_engine()


def one(conn, sql, **params):
    return conn.execute(text(sql), params).scalar_one()


def error_of(conn, sql, **params):
    """The DBAPIError `sql` raises on `conn`, or None if it succeeds."""
    try:
        conn.execute(text(sql), params).all()
    except exc.DBAPIError as e:
        return e
    return None


def wrong_password():
    engine = make_engine(PASSWORD + "-wrong")
    try:
        with engine.connect():
            pass
    except exc.OperationalError as e:
        # psycopg (libpq) reports connection failures without a SQLSTATE: check the message.
        if "password authentication failed" not in str(e.orig):
            raise StepFailed(f"expected 'password authentication failed', got: {e.orig}")
        return
    finally:
        engine.dispose()
    raise StepFailed("connected with a wrong password")


def connect_step():
    with ENGINE.connect() as conn:
        expect("SELECT 1", one(conn, "SELECT 1"), 1)


def json_query():
    with ENGINE.connect() as conn:
        rows = conn.execute(
            text("SELECT id, doc->>'name' AS name, (doc->>'price')::float8 AS price, doc->'tags' AS tags "
                 "FROM scenario WHERE doc->>'city' = :city ORDER BY id"),
            {"city": "Lisbon"}).all()
        expect("rows for city Lisbon", [tuple(r) for r in rows], JSON_QUERY_ROWS)
        ids = conn.execute(text("SELECT id FROM scenario WHERE doc @> CAST(:doc AS jsonb) ORDER BY id"),
                           {"doc": json.dumps({"city": "Porto"})}).scalars().all()
        expect("ids for @> city Porto", ids, ["b2"])


def jsonb_text():
    # The single colons inside the JSON literals are escaped, else text() takes `:2` for a
    # parameter.
    def literal(sql):
        return re.sub(r"(?<!:):(?!:)", r"\\:", sql)

    with ENGINE.connect() as conn:
        expect("jsonb::text", one(conn, literal(JSONB_TEXT_QUERY)), JSONB_TEXT)
        expect("json::text", one(conn, literal(JSON_TEXT_QUERY)), JSON_TEXT)


def types():
    stmt = text("SELECT " + ", ".join(f"CAST(:{name} AS {typ}) AS {name}" for name, typ, _ in TYPES))
    stmt = stmt.bindparams(bindparam("jb", type_=JSONB), bindparam("js", type_=JSON))
    with ENGINE.connect() as conn:
        row = conn.execute(stmt, {name: value for name, _, value in TYPES}).one()
        for name, sql_type, sent in TYPES:
            expect(f"{name} ({sql_type})", row._mapping[name], sent)


def errors():
    with ENGINE.connect() as conn:
        for sql, code in [("SELECT * FROM no_such_table", "42P01"), ("SELEC 1", "42601"),
                          ("SELECT 1/0", "22012")]:
            expect_sqlstate(sql, error_of(conn, sql), code)
            conn.rollback()
            expect(f"SELECT 1 after {sql!r}", one(conn, "SELECT 1"), 1)


def run_bounded(conn, sql, timeout):
    """Runs sql on conn in a thread; returns its DBAPIError (or None). If it is still
    running after `timeout` s, shuts the socket down so nothing blocks, and fails."""
    out = {}
    thread = threading.Thread(target=lambda: out.update(exc=error_of(conn, sql)), daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        fileno = conn.connection.driver_connection.fileno()
        with socket.socket(fileno=os.dup(fileno)) as sock:
            sock.shutdown(socket.SHUT_RDWR)
        thread.join(5)
        conn.invalidate()
        raise StepFailed(f"{sql!r} was still running after {timeout} s")
    return out["exc"]


def cancel():
    # SQLAlchemy has no cancel API: the psycopg connection underneath sends the CancelRequest.
    with ENGINE.connect() as conn:
        psycopg_conn = conn.connection.driver_connection
        timer = threading.Timer(0.5, lambda: psycopg_conn.cancel_safe(timeout=5))
        timer.start()
        err = run_bounded(conn, LONG_QUERY, 5.5)
        timer.join()
        expect_sqlstate("the cancelled query", err, "57014")
        conn.rollback()
        expect("SELECT 1 after the cancel", one(conn, "SELECT 1"), 1)


def transaction():
    with ENGINE.begin() as conn:
        expect("count(*) in a transaction", one(conn, "SELECT count(*) FROM scenario"), 3)
    with ENGINE.connect() as conn:
        conn.begin()
        expect_sqlstate("SELECT 1/0 in a transaction", error_of(conn, "SELECT 1/0"), "22012")
        expect_sqlstate("SELECT 1 after the error", error_of(conn, "SELECT 1"), "25P02")
        conn.rollback()
        expect("SELECT 1 after ROLLBACK", one(conn, "SELECT 1"), 1)


def session_settings():
    with ENGINE.connect() as conn, ENGINE.connect() as other:
        conn.execute(text("SET statement_timeout = '250ms'"))
        conn.commit()  # SET in a transaction that rolls back would be undone
        err = run_bounded(conn, LONG_QUERY, 10)
        expect_sqlstate("the long query under statement_timeout", err, "57014")
        conn.rollback()
        expect("SHOW statement_timeout", one(conn, "SHOW statement_timeout"), "250ms")
        expect("SHOW statement_timeout on a second connection",
               one(other, "SHOW statement_timeout"), "0")
        conn.execute(text("SET application_name = 'scenario-sqlalchemy'"))
        conn.commit()
        expect("SHOW application_name", one(conn, "SHOW application_name"), "scenario-sqlalchemy")
        conn.invalidate()  # not back into the pool with these settings


def bound_parameter():
    # A text() query with a bound parameter, run twice with different values on one connection.
    with ENGINE.connect() as conn:
        stmt = text("SELECT doc->>'name' FROM scenario WHERE id = :id")
        expect("name of a1", conn.execute(stmt, {"id": "a1"}).scalar_one(), "Alpha")
        expect("name of c3", conn.execute(stmt, {"id": "c3"}).scalar_one(), "Gamma")
        expect("no row for zz", conn.execute(stmt, {"id": "zz"}).first(), None)


if __name__ == "__main__":
    runner = Runner("sqlalchemy")
    runner.step("wrong_password", wrong_password)
    runner.step("connect", connect_step)
    runner.step("json_query", json_query)
    runner.step("jsonb_text", jsonb_text)
    runner.step("types", types)
    runner.step("errors", errors)
    runner.step("cancel", cancel)
    runner.step("transaction", transaction)
    runner.step("session_settings", session_settings)
    runner.step("bound_parameter", bound_parameter)
    ENGINE.dispose()
    runner.exit()
