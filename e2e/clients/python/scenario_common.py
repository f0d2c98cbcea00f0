"""Shared pieces of the Python client scenarios (see ../README.md)."""

import datetime
import os
import sys
import traceback
import uuid
from decimal import Decimal

HOST = os.environ["DFDB_HOST"]
PORT = int(os.environ["DFDB_PORT"])
USER = os.environ["DFDB_USER"]
PASSWORD = os.environ["DFDB_PASSWORD"]
DBNAME = os.environ["DFDB_DBNAME"]

LONG_QUERY = "SELECT count(*) FROM generate_series(1,100000) a(x), generate_series(1,100000) b(y) WHERE x + y > 0"
JSON_QUERY = (
    "SELECT id, doc->>'name' AS name, (doc->>'price')::float8 AS price, doc->'tags' AS tags "
    "FROM scenario WHERE doc->>'city' = {p} ORDER BY id"
)
CONTAINS_QUERY = "SELECT id FROM scenario WHERE doc @> {p}::jsonb ORDER BY id"
JSON_QUERY_ROWS = [("a1", "Alpha", 80.0, ["sea", "wifi"]), ("c3", "Gamma", 95.0, ["wifi"])]
JSONB_TEXT_QUERY = """SELECT '{"b":2,"a":[1,2.50,"x"]}'::jsonb::text AS t"""
JSONB_TEXT = '{"a": [1, 2.50, "x"], "b": 2}'
JSON_TEXT_QUERY = """SELECT '{"b":1,  "a":2}'::json::text"""
JSON_TEXT = '{"b":1,  "a":2}'

# The `types` step: (column name, SQL type, value sent and expected back). Each driver
# wraps json/jsonb values its own way; types_sql() renders the statement.
TYPES = [
    ("i2", "int2", 12),
    ("i4", "int4", 123456),
    ("i8", "int8", 9007199254740993),
    ("f4", "float4", 1.5),
    ("f8", "float8", 2.25),
    ("n", "numeric", Decimal("12.34")),
    ("b", "bool", True),
    ("t", "text", 'héllo "w"'),
    ("tz", "timestamptz", datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=datetime.timezone.utc)),
    ("ts", "timestamp", datetime.datetime(2024, 5, 6, 7, 8, 9)),
    ("d", "date", datetime.date(2024, 5, 6)),
    ("u", "uuid", uuid.UUID("0190b7c2-4c1e-7cc3-8b6a-3f1d2e4a5b6c")),
    ("by", "bytea", b"\x00\x01\xfe\xff"),
    ("jb", "jsonb", {"k": [1, "x", None]}),
    ("js", "json", {"b": 1, "a": 2}),  # sent as the text '{"b":1,"a":2}'
    ("ai", "int8[]", [1, 2, 3]),
    ("at", "text[]", ["a", "b c"]),
    ("nul", "text", None),
]
JSON_PARAM_TEXT = '{"b":1,"a":2}'


def types_sql(placeholder):
    """The `types` statement; placeholder(n, name, sql_type) renders one cast parameter."""
    cols = [f"{placeholder(i, name, typ)} AS {name}" for i, (name, typ, _) in enumerate(TYPES, 1)]
    return "SELECT " + ", ".join(cols)


class StepFailed(Exception):
    pass


def expect(label, got, expected):
    """got must equal expected and be of its type (a subclass counts; int, float and Decimal
    count as one numeric type, bool does not)."""
    same_type = isinstance(got, type(expected)) or (_is_number(got) and _is_number(expected))
    if got != expected or not same_type or isinstance(got, bool) != isinstance(expected, bool):
        raise StepFailed(f"{label}: expected {expected!r}, got {got!r}")


def _is_number(x):
    return isinstance(x, (int, float, Decimal)) and not isinstance(x, bool)


def expect_sqlstate(label, exc, expected):
    """exc: the exception the driver raised (or None if the statement succeeded)."""
    if exc is None:
        raise StepFailed(f"{label}: expected SQLSTATE {expected}, but it succeeded")
    got = sqlstate_of(exc)
    if got != expected:
        raise StepFailed(f"{label}: expected SQLSTATE {expected}, got {got!r} ({type(exc).__name__}: {exc})")


def sqlstate_of(exc):
    """The SQLSTATE of a psycopg, asyncpg or SQLAlchemy-wrapped error, else None."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        for attr in ("sqlstate", "pgcode"):
            code = getattr(exc, attr, None)
            if isinstance(code, str) and code:
                return code
        exc = getattr(exc, "orig", None) or exc.__cause__
    return None


class Runner:
    """Runs steps in order, printing PASS/FAIL lines; exit() ends with status 1 on any failure."""

    def __init__(self, client):
        self.client = client
        self.passed = 0
        self.failed = 0

    def step(self, name, fn):
        try:
            fn()
        except StepFailed as e:
            self._fail(name, str(e))
        except Exception as e:  # an unexpected driver error is a failure too, with its trace
            self._fail(name, f"unexpected {type(e).__name__}: {e}")
            traceback.print_exc(file=sys.stderr)
        else:
            print(f"PASS {name}", flush=True)
            self.passed += 1

    async def astep(self, name, coro_fn):
        try:
            await coro_fn()
        except StepFailed as e:
            self._fail(name, str(e))
        except Exception as e:
            self._fail(name, f"unexpected {type(e).__name__}: {e}")
            traceback.print_exc(file=sys.stderr)
        else:
            print(f"PASS {name}", flush=True)
            self.passed += 1

    def _fail(self, name, reason):
        reason = " ".join(reason.split())  # one line, whatever the driver's message looks like
        print(f"FAIL {name}: {reason}", flush=True)
        self.failed += 1

    def exit(self):
        print(f"{self.client}: {self.passed} passed, {self.failed} failed", flush=True)
        sys.exit(1 if self.failed else 0)
