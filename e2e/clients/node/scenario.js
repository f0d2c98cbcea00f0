'use strict';
// Real-client scenario for node-postgres (pg), see ../README.md.
// node-pg sends every parameter as text and parses text results: int8 and numeric come back
// as strings (JavaScript numbers cannot hold them exactly), json/jsonb as parsed values.
// Date/time values are read as raw text here, since a JavaScript Date has no microseconds.

const net = require('net');
const { isDeepStrictEqual, inspect } = require('util');
const { Client, types: pgTypes } = require('pg');

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const HOST = env('DFDB_HOST');
const PORT = Number(env('DFDB_PORT'));
const USER = env('DFDB_USER');
const PASSWORD = env('DFDB_PASSWORD');
const DBNAME = env('DFDB_DBNAME');
const LONG_QUERY = 'SELECT count(*) FROM generate_series(1,100000) a(x), generate_series(1,100000) b(y) WHERE x + y > 0';

class StepFailed extends Error {}
const INSPECT = { breakLength: Infinity, depth: 10 };

function expect(label, got, expected) {
  if (!isDeepStrictEqual(got, expected)) {
    throw new StepFailed(`${label}: expected ${inspect(expected, INSPECT)}, got ${inspect(got, INSPECT)}`);
  }
}

function expectCode(label, err, code) {
  if (!err) throw new StepFailed(`${label}: expected SQLSTATE ${code}, but it succeeded`);
  if (err.code !== code) {
    throw new StepFailed(`${label}: expected SQLSTATE ${code}, got ${inspect(err.code)} (${err.message})`);
  }
}

// Resolves with the promise's value, or rejects with StepFailed after `ms`.
function within(ms, promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new StepFailed(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function config(password = PASSWORD) {
  return { host: HOST, port: PORT, user: USER, password, database: DBNAME, ssl: false,
           connectionTimeoutMillis: 10000 };
}

// Runs fn(client) on a fresh connection, closed afterwards (or destroyed if it is stuck).
async function withClient(fn) {
  const client = new Client(config());
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await within(5000, client.end(), 'closing the connection').catch(() => client.connection.stream.destroy());
  }
}

async function one(client, text, values) {
  const res = await within(30000, client.query({ text, values, rowMode: 'array' }), text);
  return res.rows[0][0];
}

async function errorOf(client, text, values, ms = 30000) {
  try {
    await within(ms, client.query(text, values), text);
  } catch (err) {
    if (err instanceof StepFailed) throw err;
    return err;
  }
  return null;
}

// The protocol's CancelRequest, on a new socket, with the key from BackendKeyData.
function sendCancelRequest(client) {
  if (client.processID == null || client.secretKey == null) {
    throw new StepFailed('the server sent no BackendKeyData (processID/secretKey unset)');
  }
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: HOST, port: PORT }, () => {
      const msg = Buffer.alloc(16);
      msg.writeInt32BE(16, 0);
      msg.writeInt32BE(80877102, 4); // the cancel request code
      msg.writeInt32BE(client.processID, 8);
      msg.writeInt32BE(client.secretKey, 12);
      socket.end(msg);
    });
    socket.on('close', resolve);
    socket.on('error', reject);
  });
}

// Microseconds since the epoch of a timestamptz in PostgreSQL's ISO text output.
function instantMicros(text) {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?$/.exec(text);
  if (!m) return `unparsable ${text}`;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  const offset = (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 3600 + Number(m[10] || 0) * 60 + Number(m[11] || 0));
  const seconds = Date.UTC(y, mo - 1, d, h, mi, s) / 1000 - offset;
  return BigInt(seconds) * 1000000n + BigInt((m[7] || '').padEnd(6, '0'));
}

const steps = {
  async wrong_password() {
    const client = new Client(config(PASSWORD + '-wrong'));
    let err = null;
    try {
      await client.connect();
    } catch (e) {
      err = e;
    }
    if (!err) {
      await client.end();
      throw new StepFailed('connected with a wrong password');
    }
    expectCode('connecting with a wrong password', err, '28P01');
  },

  async connect() {
    await withClient(async (c) => expect('SELECT 1', await one(c, 'SELECT 1'), 1));
  },

  async json_query() {
    await withClient(async (c) => {
      const res = await c.query({
        text: "SELECT id, doc->>'name' AS name, (doc->>'price')::float8 AS price, doc->'tags' AS tags " +
              "FROM scenario WHERE doc->>'city' = $1 ORDER BY id",
        values: ['Lisbon'],
        rowMode: 'array',
      });
      expect('rows for city Lisbon', res.rows, [['a1', 'Alpha', 80, ['sea', 'wifi']], ['c3', 'Gamma', 95, ['wifi']]]);
      const ids = await c.query({ text: 'SELECT id FROM scenario WHERE doc @> $1::jsonb ORDER BY id',
                                  values: [JSON.stringify({ city: 'Porto' })], rowMode: 'array' });
      expect('ids for @> city Porto', ids.rows.map((r) => r[0]), ['b2']);
    });
  },

  async jsonb_text() {
    await withClient(async (c) => {
      expect('jsonb::text', await one(c, `SELECT '{"b":2,"a":[1,2.50,"x"]}'::jsonb::text AS t`),
             '{"a": [1, 2.50, "x"], "b": 2}');
      expect('json::text', await one(c, `SELECT '{"b":1,  "a":2}'::json::text`), '{"b":1,  "a":2}');
    });
  },

  async types() {
    // [name, SQL type, value sent, value expected back]
    const cases = [
      ['i2', 'int2', 12, 12],
      ['i4', 'int4', 123456, 123456],
      ['i8', 'int8', '9007199254740993', '9007199254740993'],
      ['f4', 'float4', 1.5, 1.5],
      ['f8', 'float8', 2.25, 2.25],
      ['n', 'numeric', '12.34', '12.34'],
      ['b', 'bool', true, true],
      ['t', 'text', 'héllo "w"', 'héllo "w"'],
      ['tz', 'timestamptz', '2024-05-06T07:08:09.123456Z', instantMicros('2024-05-06 07:08:09.123456+00')],
      ['ts', 'timestamp', '2024-05-06 07:08:09', '2024-05-06 07:08:09'],
      ['d', 'date', '2024-05-06', '2024-05-06'],
      ['u', 'uuid', '0190b7c2-4c1e-7cc3-8b6a-3f1d2e4a5b6c', '0190b7c2-4c1e-7cc3-8b6a-3f1d2e4a5b6c'],
      ['by', 'bytea', Buffer.from([0x00, 0x01, 0xfe, 0xff]), Buffer.from([0x00, 0x01, 0xfe, 0xff])],
      ['jb', 'jsonb', { k: [1, 'x', null] }, { k: [1, 'x', null] }],
      ['js', 'json', '{"b":1,"a":2}', { b: 1, a: 2 }],
      ['ai', 'int8[]', [1, 2, 3], ['1', '2', '3']],
      ['at', 'text[]', ['a', 'b c'], ['a', 'b c']],
      ['nul', 'text', null, null],
    ];
    const rawText = new Set([1082, 1114, 1184]); // date, timestamp, timestamptz
    const parsers = { getTypeParser: (oid, format) => (rawText.has(oid) ? (v) => v : pgTypes.getTypeParser(oid, format)) };
    await withClient(async (c) => {
      const res = await c.query({
        text: 'SELECT ' + cases.map(([name, type], i) => `$${i + 1}::${type} AS ${name}`).join(', '),
        values: cases.map((x) => x[2]),
        types: parsers,
      });
      const row = res.rows[0];
      for (const [name, type, , expected] of cases) {
        const got = type === 'timestamptz' ? instantMicros(row[name]) : row[name];
        expect(`${name} (${type})${type === 'timestamptz' ? ` as microseconds, text ${row[name]}` : ''}`, got, expected);
      }
    });
  },

  async errors() {
    await withClient(async (c) => {
      for (const [sql, code] of [['SELECT * FROM no_such_table', '42P01'], ['SELEC 1', '42601'], ['SELECT 1/0', '22012']]) {
        expectCode(sql, await errorOf(c, sql), code);
        expect(`SELECT 1 after ${sql}`, await one(c, 'SELECT 1'), 1);
      }
    });
  },

  async cancel() {
    await withClient(async (c) => {
      const running = errorOf(c, LONG_QUERY, undefined, 5500);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await sendCancelRequest(c);
      let err;
      try {
        err = await running;
      } catch (e) {
        c.connection.stream.destroy();
        throw new StepFailed(`the query was still running 5 s after the CancelRequest (${e.message})`);
      }
      expectCode('the cancelled query', err, '57014');
      expect('SELECT 1 after the cancel', await one(c, 'SELECT 1'), 1);
    });
  },

  async transaction() {
    await withClient(async (c) => {
      await c.query('BEGIN');
      expect('count(*) in a transaction', await one(c, 'SELECT count(*) FROM scenario'), '3');
      await c.query('COMMIT');
      await c.query('BEGIN');
      expectCode('SELECT 1/0 in a transaction', await errorOf(c, 'SELECT 1/0'), '22012');
      expectCode('SELECT 1 after the error', await errorOf(c, 'SELECT 1'), '25P02');
      await c.query('ROLLBACK');
      expect('SELECT 1 after ROLLBACK', await one(c, 'SELECT 1'), 1);
    });
  },

  async session_settings() {
    await withClient(async (c) => {
      await c.query("SET statement_timeout = '250ms'");
      let err;
      try {
        err = await errorOf(c, LONG_QUERY, undefined, 10000);
      } catch (e) {
        c.connection.stream.destroy();
        throw e;
      }
      expectCode('the long query under statement_timeout', err, '57014');
      expect('SHOW statement_timeout', await one(c, 'SHOW statement_timeout'), '250ms');
      await withClient(async (other) =>
        expect('SHOW statement_timeout on a second connection', await one(other, 'SHOW statement_timeout'), '0'));
      await c.query("SET application_name = 'scenario-node-pg'");
      expect('SHOW application_name', await one(c, 'SHOW application_name'), 'scenario-node-pg');
    });
  },

  async named_statement() {
    // A named query is parsed once per connection and then only bound and executed.
    await withClient(async (c) => {
      const byCity = (city) => c.query({ name: 'ids-by-city', text: "SELECT id FROM scenario WHERE doc->>'city' = $1 ORDER BY id",
                                         values: [city], rowMode: 'array' });
      expect('ids for Lisbon', (await byCity('Lisbon')).rows.map((r) => r[0]), ['a1', 'c3']);
      expect('ids for Porto', (await byCity('Porto')).rows.map((r) => r[0]), ['b2']);
      expect('ids for Faro', (await byCity('Faro')).rows, []);
    });
  },
};

(async () => {
  let passed = 0;
  let failed = 0;
  for (const [name, fn] of Object.entries(steps)) {
    try {
      await fn();
      console.log(`PASS ${name}`);
      passed++;
    } catch (e) {
      const reason = e instanceof StepFailed ? e.message : `unexpected ${e.name}: ${e.message}`;
      console.log(`FAIL ${name}: ${reason.replace(/\n/g, ' ')}`);
      if (!(e instanceof StepFailed)) console.error(e.stack);
      failed++;
    }
  }
  console.log(`node-pg: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
})();
