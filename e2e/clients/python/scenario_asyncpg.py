"""Real-client scenario for asyncpg (see ../README.md).

asyncpg treats json/jsonb as text unless a codec is set, and setting one runs a pg_type
introspection query, so json values travel as strings and are parsed here. asyncpg uses
named prepared statements and binary results for everything else.
"""

import asyncio
import json

import asyncpg

from scenario_common import (
    CONTAINS_QUERY, DBNAME, HOST, JSON_PARAM_TEXT, JSON_QUERY, JSON_QUERY_ROWS, JSON_TEXT,
    JSON_TEXT_QUERY, JSONB_TEXT, JSONB_TEXT_QUERY, LONG_QUERY, PASSWORD, PORT, TYPES, USER,
    Runner, StepFailed, expect, expect_sqlstate, types_sql,
)


async def connect(password=PASSWORD):
    return await asyncpg.connect(host=HOST, port=PORT, user=USER, password=password,
                                 database=DBNAME, ssl=False, timeout=10)


class connection:
    """async with connection() as conn: ... (closed at the end)."""

    async def __aenter__(self):
        self.conn = await connect()
        return self.conn

    async def __aexit__(self, *exc):
        await self.conn.close(timeout=5)


async def error_of(conn, sql, timeout=30):
    """The PostgresError `sql` raises on `conn`, or None if it succeeds."""
    try:
        await conn.fetch(sql, timeout=timeout)
    except asyncpg.PostgresError as e:
        return e
    return None


async def wrong_password():
    try:
        conn = await connect(PASSWORD + "-wrong")
    except asyncpg.PostgresError as e:
        expect_sqlstate("connecting with a wrong password", e, "28P01")
        return
    await conn.close()
    raise StepFailed("connected with a wrong password")


async def connect_step():
    async with connection() as conn:
        expect("SELECT 1", await conn.fetchval("SELECT 1"), 1)


async def json_query():
    async with connection() as conn:
        rows = await conn.fetch(JSON_QUERY.format(p="$1"), "Lisbon")
        got = [(r["id"], r["name"], r["price"], json.loads(r["tags"])) for r in rows]
        expect("rows for city Lisbon", got, JSON_QUERY_ROWS)
        rows = await conn.fetch(CONTAINS_QUERY.format(p="$1"), json.dumps({"city": "Porto"}))
        expect("ids for @> city Porto", [r["id"] for r in rows], ["b2"])


async def jsonb_text():
    async with connection() as conn:
        expect("jsonb::text", await conn.fetchval(JSONB_TEXT_QUERY), JSONB_TEXT)
        expect("json::text", await conn.fetchval(JSON_TEXT_QUERY), JSON_TEXT)


async def types():
    params = []
    for _, sql_type, value in TYPES:
        if sql_type == "jsonb":
            value = json.dumps(value)
        elif sql_type == "json":
            value = JSON_PARAM_TEXT
        params.append(value)
    async with connection() as conn:
        row = await conn.fetchrow(types_sql(lambda n, name, typ: f"${n}::{typ}"), *params)
        for name, sql_type, sent in TYPES:
            got = row[name]
            if sql_type in ("json", "jsonb"):
                got = json.loads(got)
            expect(f"{name} ({sql_type})", got, sent)


async def errors():
    async with connection() as conn:
        for sql, code in [("SELECT * FROM no_such_table", "42P01"), ("SELEC 1", "42601"),
                          ("SELECT 1/0", "22012")]:
            expect_sqlstate(sql, await error_of(conn, sql), code)
            expect(f"SELECT 1 after {sql!r}", await conn.fetchval("SELECT 1"), 1)


async def cancel():
    # asyncpg's cancel mechanism is task cancellation (here: a 0.5 s timeout): it sends a
    # CancelRequest and waits for the server to end the statement before the connection
    # runs anything else. It raises TimeoutError and keeps the server's 57014 to itself,
    # so the check is that SELECT 1 on the same connection answers within 5 s.
    async with connection() as conn:
        try:
            await conn.fetchval(LONG_QUERY, timeout=0.5)
        except asyncio.TimeoutError:
            pass
        else:
            raise StepFailed("the long query finished before it could be cancelled")
        try:
            got = await asyncio.wait_for(conn.fetchval("SELECT 1"), 5)
        except asyncio.TimeoutError:
            conn.terminate()
            raise StepFailed("SELECT 1 after the cancel did not answer within 5 s "
                             "(the server did not end the cancelled statement)")
        expect("SELECT 1 after the cancel", got, 1)


async def transaction():
    async with connection() as conn:
        async with conn.transaction():
            expect("count(*) in a transaction", await conn.fetchval("SELECT count(*) FROM scenario"), 3)
        tr = conn.transaction()
        await tr.start()
        expect_sqlstate("SELECT 1/0 in a transaction", await error_of(conn, "SELECT 1/0"), "22012")
        expect_sqlstate("SELECT 1 after the error", await error_of(conn, "SELECT 1"), "25P02")
        await tr.rollback()
        expect("SELECT 1 after ROLLBACK", await conn.fetchval("SELECT 1"), 1)


async def session_settings():
    async with connection() as conn, connection() as other:
        await conn.execute("SET statement_timeout = '250ms'")
        try:
            exc = await error_of(conn, LONG_QUERY, timeout=10)
        except asyncio.TimeoutError:
            raise StepFailed("the long query was still running after 10 s")
        expect_sqlstate("the long query under statement_timeout", exc, "57014")
        expect("SHOW statement_timeout", await conn.fetchval("SHOW statement_timeout"), "250ms")
        expect("SHOW statement_timeout on a second connection",
               await other.fetchval("SHOW statement_timeout"), "0")
        await conn.execute("SET application_name = 'scenario-asyncpg'")
        expect("SHOW application_name", await conn.fetchval("SHOW application_name"), "scenario-asyncpg")


async def cursor_prefetch():
    # A cursor inside a transaction fetches through a portal, `prefetch` rows per Execute.
    async with connection() as conn:
        async with conn.transaction():
            ids = [r["id"] async for r in conn.cursor("SELECT id FROM scenario ORDER BY id", prefetch=1)]
        expect("ids from a cursor fetched one by one", ids, ["a1", "b2", "c3"])


async def main():
    runner = Runner("asyncpg")
    for name, fn in [("wrong_password", wrong_password), ("connect", connect_step),
                     ("json_query", json_query), ("jsonb_text", jsonb_text), ("types", types),
                     ("errors", errors), ("cancel", cancel), ("transaction", transaction),
                     ("session_settings", session_settings), ("cursor_prefetch", cursor_prefetch)]:
        await runner.astep(name, fn)
    runner.exit()


if __name__ == "__main__":
    asyncio.run(main())
