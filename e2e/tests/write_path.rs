//! The write path over the Postgres protocol: DDL through the node, INSERT/UPDATE/DELETE
//! routed to their shards with RETURNING and parameters, transaction blocks across shards
//! (read-your-writes, rollback, savepoints, a dropped connection), errors, concurrent
//! writers, and a differential run of the same statements against one plain PostgreSQL.

mod harness;

use std::collections::BTreeSet;

use docfusion_test_support::TestPostgres;
use harness::{PgHarness, message, sqlstate};
use serde_json::{Value, json};
use tokio_postgres::Client;
use tokio_postgres::types::ToSql;

/// `id → doc` of every document of `collection`, read through `client`.
async fn contents(client: &Client, collection: &str) -> Vec<(String, Value)> {
    client
        .query(
            &format!("SELECT id, doc FROM {collection} ORDER BY id"),
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

/// A node over two shards with collection `name` created through it, and a client.
async fn node_with(name: &str) -> (PgHarness, Client) {
    let h = PgHarness::start().await;
    let c = h.connect().await;
    c.batch_execute(&format!(
        "CREATE TABLE {name} (id text primary key, doc jsonb)"
    ))
    .await
    .unwrap();
    (h, c)
}

/// Statement parameters of several types.
type Params = Vec<Box<dyn ToSql + Sync + Send>>;

fn refs(params: &Params) -> Vec<&(dyn ToSql + Sync)> {
    params
        .iter()
        .map(|p| p.as_ref() as &(dyn ToSql + Sync))
        .collect()
}

/// The prepared transactions left on a shard.
async fn prepared_on(shard: &TestPostgres) -> i64 {
    shard
        .connect()
        .await
        .query_one("SELECT count(*) FROM pg_prepared_xacts", &[])
        .await
        .unwrap()
        .get(0)
}

/// Two ids, one owned by each of two shards.
fn ids_on_two_shards() -> (String, String) {
    let map = docfusiondb::shard_map::ShardMap::uniform(2);
    let a = (0..)
        .map(|i| format!("k{i}"))
        .find(|id| map.shard_for(id) == 0)
        .unwrap();
    let b = (0..)
        .map(|i| format!("k{i}"))
        .find(|id| map.shard_for(id) == 1)
        .unwrap();
    (a, b)
}

#[tokio::test(flavor = "multi_thread")]
async fn ddl_creates_collections_on_every_shard_and_dml_reaches_their_shards() {
    let (h, c) = node_with("notes").await;

    // IF NOT EXISTS is honoured; without it, the table exists already.
    c.batch_execute("CREATE TABLE IF NOT EXISTS notes (id text primary key, doc jsonb)")
        .await
        .unwrap();
    let e = c
        .batch_execute("CREATE TABLE notes (id text primary key, doc jsonb)")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42P07", "{}", message(&e));
    // Every shard has the collection, with its GIN index and version column.
    for shard in &h.shards {
        let s = shard.connect().await;
        let row = s
            .query_one(
                "SELECT (SELECT count(*) FROM pg_indexes WHERE tablename = 'notes' AND indexdef LIKE '%gin%jsonb_path_ops%'),
                        (SELECT count(*) FROM information_schema.columns WHERE table_name = 'notes' AND column_name = 'version')",
                &[],
            )
            .await
            .unwrap();
        assert_eq!((row.get::<_, i64>(0), row.get::<_, i64>(1)), (1, 1));
    }
    let (a, b) = ids_on_two_shards();
    // Multi-row INSERT with parameters and RETURNING: rows come back typed.
    let rows = c
        .query(
            "INSERT INTO notes (id, doc) VALUES ($1, $2), ($3, '{\"n\": 2}') RETURNING id, doc, version",
            &[&a, &json!({"n": 1}), &b],
        )
        .await
        .unwrap();
    let mut got: Vec<(String, Value, i64)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    got.sort_by(|x, y| x.0.cmp(&y.0));
    let mut want = vec![
        (a.clone(), json!({"n": 1}), 1),
        (b.clone(), json!({"n": 2}), 1),
    ];
    want.sort_by(|x, y| x.0.cmp(&y.0));
    assert_eq!(got, want);
    // Each document is on the shard that owns its id, and only there.
    let ids_on = |i: usize| {
        let shard = &h.shards[i];
        async move {
            let rows = shard
                .connect()
                .await
                .query("SELECT id FROM notes", &[])
                .await;
            rows.unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect::<Vec<String>>()
        }
    };
    assert_eq!(ids_on(0).await, vec![a.clone()]);
    assert_eq!(ids_on(1).await, vec![b.clone()]);
    // Pinned UPDATE: one row, version bumped; jsonb operators evaluated by Postgres.
    let n = c
        .execute(
            "UPDATE notes SET doc = jsonb_set(doc, '{n}', to_jsonb((doc->>'n')::int + 10)) WHERE id = $1",
            &[&a],
        )
        .await
        .unwrap();
    assert_eq!(n, 1);
    let row = c
        .query_one(
            "UPDATE notes SET doc = doc || '{\"t\": true}' WHERE id = $1 RETURNING doc, version",
            &[&a],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, Value>(0), json!({"n": 11, "t": true}));
    assert_eq!(row.get::<_, i64>(1), 3);
    // Unpinned UPDATE and DELETE reach every shard.
    assert_eq!(
        c.execute("UPDATE notes SET doc = doc - 't'", &[])
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        contents(&c, "notes")
            .await
            .into_iter()
            .map(|(_, d)| d.to_string())
            .collect::<BTreeSet<_>>(),
        [json!({"n": 11}).to_string(), json!({"n": 2}).to_string()]
            .into_iter()
            .collect()
    );
    assert_eq!(
        c.execute("DELETE FROM notes WHERE (doc->>'n')::int > 5", &[])
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        contents(&c, "notes").await,
        vec![(b.clone(), json!({"n": 2}))]
    );
    // A missing id becomes a UUIDv7, written into the document as well.
    let row = c
        .query_one(
            "INSERT INTO notes (doc) VALUES ('{\"x\": 1}') RETURNING id, doc",
            &[],
        )
        .await
        .unwrap();
    let id: String = row.get(0);
    assert_eq!(uuid_version(&id), 7);
    assert_eq!(row.get::<_, Value>(1), json!({"x": 1, "id": id}));
    // A document's own id field is its id.
    c.execute("INSERT INTO notes (doc) VALUES ('{\"id\": \"own\"}')", &[])
        .await
        .unwrap();
    assert_eq!(
        c.query_one("SELECT doc FROM notes WHERE id = 'own'", &[])
            .await
            .unwrap()
            .get::<_, Value>(0),
        json!({"id": "own"})
    );
    // CREATE INDEX on a JSON expression reaches every shard; DROP TABLE removes it everywhere.
    c.batch_execute("CREATE INDEX notes_n ON notes ((doc->>'n'))")
        .await
        .unwrap();
    for shard in &h.shards {
        let n: i64 = shard
            .connect()
            .await
            .query_one(
                "SELECT count(*) FROM pg_indexes WHERE indexname = 'notes_n'",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(n, 1);
    }
    c.batch_execute("DROP TABLE notes").await.unwrap();
    let e = c.query("SELECT * FROM notes", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "42P01");
    c.batch_execute("DROP TABLE IF EXISTS notes").await.unwrap();
}

fn uuid_version(id: &str) -> usize {
    id.chars().nth(14).and_then(|c| c.to_digit(16)).unwrap_or(0) as usize
}

#[tokio::test(flavor = "multi_thread")]
async fn command_tags_are_postgres_tags() {
    let h = PgHarness::start().await;
    let (ok, out, err) = h.psql(
        &[],
        &[
            "-c",
            "CREATE TABLE t1 (id text primary key, doc jsonb)",
            "-c",
            "INSERT INTO t1 VALUES ('a', '{}'), ('b', '{}'), ('c', '{}')",
            "-c",
            "UPDATE t1 SET doc = '{\"u\": 1}' WHERE id IN ('a', 'b')",
            "-c",
            "DELETE FROM t1 WHERE id = 'c'",
            "-c",
            "CREATE TABLE countries (code text primary key, name text)",
            "-c",
            "INSERT INTO countries VALUES ('pt', 'Portugal')",
        ],
    );
    assert!(ok, "{err}");
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        vec![
            "CREATE TABLE",
            "INSERT 0 3",
            "UPDATE 2",
            "DELETE 1",
            "CREATE TABLE",
            "INSERT 0 1"
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn reference_tables_are_written_to_every_shard_and_join_documents() {
    let h = PgHarness::start().await;
    let c = h.connect().await;
    c.batch_execute(
        "CREATE TABLE cities (name text primary key, country text not null);
         INSERT INTO cities VALUES ('Lisbon', 'PT'), ('Porto', 'PT');
         UPDATE cities SET country = 'Portugal' WHERE country = 'PT';",
    )
    .await
    .unwrap();
    for shard in &h.shards {
        let rows: Vec<(String, String)> = shard
            .connect()
            .await
            .query("SELECT name, country FROM cities ORDER BY name", &[])
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        assert_eq!(
            rows,
            vec![
                ("Lisbon".into(), "Portugal".into()),
                ("Porto".into(), "Portugal".into())
            ]
        );
    }
    let n: i64 = c
        .query_one(
            "SELECT count(*) FROM scenario s JOIN cities c ON s.doc->>'city' = c.name",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_block_reads_its_writes_and_commits_on_every_shard_or_none() {
    let (h, c) = node_with("acct").await;
    let other = h.connect().await;

    let (a, b) = ids_on_two_shards();

    c.batch_execute("BEGIN").await.unwrap();
    c.execute(
        "INSERT INTO acct VALUES ($1, '{\"bal\": 10}'), ($2, '{\"bal\": 20}')",
        &[&a, &b],
    )
    .await
    .unwrap();
    // Read-your-writes inside the block, invisible outside it.
    let n: i64 = c
        .query_one("SELECT count(*) FROM acct", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 2);
    let sum: f64 = c
        .query_one("SELECT sum((doc->>'bal')::float8) FROM acct", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(sum, 30.0);
    assert_eq!(contents(&other, "acct").await, vec![]);
    c.execute(
        "UPDATE acct SET doc = jsonb_set(doc, '{bal}', '5') WHERE id = $1",
        &[&a],
    )
    .await
    .unwrap();
    assert_eq!(
        c.query_one("SELECT doc FROM acct WHERE id = $1", &[&a])
            .await
            .unwrap()
            .get::<_, Value>(0),
        json!({"bal": 5})
    );
    c.batch_execute("COMMIT").await.unwrap();
    let mut want = vec![
        (a.clone(), json!({"bal": 5})),
        (b.clone(), json!({"bal": 20})),
    ];
    want.sort_by(|x, y| x.0.cmp(&y.0));
    assert_eq!(contents(&other, "acct").await, want);
    for shard in &h.shards {
        assert_eq!(prepared_on(shard).await, 0);
    }

    // ROLLBACK undoes the writes on every shard.
    c.batch_execute("BEGIN").await.unwrap();
    c.execute("DELETE FROM acct", &[]).await.unwrap();
    assert_eq!(contents(&c, "acct").await, vec![]);
    c.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(contents(&other, "acct").await, want);

    // A savepoint undoes only what came after it, on every shard.
    c.batch_execute("BEGIN").await.unwrap();
    c.execute(
        "UPDATE acct SET doc = doc || '{\"s\": 1}' WHERE id = $1",
        &[&a],
    )
    .await
    .unwrap();
    c.batch_execute("SAVEPOINT sp").await.unwrap();
    c.execute("UPDATE acct SET doc = doc || '{\"s\": 2}'", &[])
        .await
        .unwrap();
    c.batch_execute("ROLLBACK TO SAVEPOINT sp").await.unwrap();
    c.batch_execute("COMMIT").await.unwrap();
    let docs: Vec<Value> = contents(&other, "acct")
        .await
        .into_iter()
        .map(|(_, d)| d)
        .collect();
    let mut expected = vec![json!({"bal": 5, "s": 1}), json!({"bal": 20})];
    if a > b {
        expected.reverse();
    }
    assert_eq!(docs, expected);

    // A block that read first writes at the snapshot it read: a document committed by
    // another client meanwhile is neither seen nor updated by it.
    c.batch_execute("BEGIN").await.unwrap();
    assert_eq!(contents(&c, "acct").await.len(), 2);
    other
        .execute("INSERT INTO acct VALUES ('late', '{\"bal\": 1}')", &[])
        .await
        .unwrap();
    let updated = c
        .execute("UPDATE acct SET doc = doc || '{\"r\": 1}'", &[])
        .await
        .unwrap();
    assert_eq!(updated, 2);
    let seen: Vec<String> = contents(&c, "acct")
        .await
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert!(!seen.contains(&"late".to_string()), "{seen:?}");
    c.batch_execute("COMMIT").await.unwrap();
    let late = other
        .query_one("SELECT doc FROM acct WHERE id = 'late'", &[])
        .await
        .unwrap();
    assert_eq!(late.get::<_, Value>(0), json!({"bal": 1}));
    other
        .execute("DELETE FROM acct WHERE id = 'late'", &[])
        .await
        .unwrap();
    c.execute("UPDATE acct SET doc = doc - 'r'", &[])
        .await
        .unwrap();

    // An error fails the block; COMMIT then rolls back everything.
    c.batch_execute("BEGIN").await.unwrap();
    c.execute("DELETE FROM acct WHERE id = $1", &[&b])
        .await
        .unwrap();
    let e = c
        .execute("INSERT INTO acct VALUES ($1, '{}')", &[&a])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "23505", "{}", message(&e));
    let e = c.query("SELECT 1", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "25P02");
    c.batch_execute("COMMIT").await.unwrap();
    assert_eq!(contents(&other, "acct").await.len(), 2);

    // A dropped connection aborts the block on every shard.
    {
        let gone = h.connect().await;
        gone.batch_execute("BEGIN").await.unwrap();
        gone.execute("DELETE FROM acct", &[]).await.unwrap();
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        // The shards end the dropped transactions; then nothing is locked or changed.
        let busy: i64 = h.shards[0]
            .connect()
            .await
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in transaction%' AND application_name = 'docfusiondb'",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        if busy == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the dropped block stayed open"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(contents(&other, "acct").await.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_writes_are_refused_with_postgres_codes_and_change_nothing() {
    let (_h, c) = node_with("docs").await;

    let (a, b) = ids_on_two_shards();
    c.execute("INSERT INTO docs VALUES ($1, '{}')", &[&a])
        .await
        .unwrap();
    let cases: Vec<(&str, Params, &str)> = vec![
        ("INSERT INTO nowhere VALUES ('x', '{}')", vec![], "42P01"),
        ("UPDATE nowhere SET doc = '{}'", vec![], "42P01"),
        ("INSERT INTO docs VALUES ('x', '{\"a\": ')", vec![], "22P02"),
        ("INSERT INTO docs VALUES ('x', '[1, 2]')", vec![], "22023"),
        (
            "INSERT INTO docs VALUES ($1, '{}')",
            vec![Box::new(a.clone())],
            "23505",
        ),
        // One duplicate among rows for two shards: nothing is written.
        (
            "INSERT INTO docs VALUES ($1, '{}'), ($2, '{}')",
            vec![Box::new(b.clone()), Box::new(a.clone())],
            "23505",
        ),
        ("UPDATE docs SET doc = '\"text\"'", vec![], "22023"),
        ("UPDATE docs SET id = 'other'", vec![], "0A000"),
        (
            "INSERT INTO docs SELECT id || '2', doc FROM scenario",
            vec![],
            "",
        ),
    ];
    for (sql, params, code) in cases {
        let refs = refs(&params);
        let r = c.execute(sql, &refs).await;
        if code.is_empty() {
            // (a cross-collection INSERT … SELECT is allowed: the SELECT runs on the node)
            assert_eq!(r.unwrap(), 3, "{sql}");
            c.execute("DELETE FROM docs WHERE id LIKE '%2'", &[])
                .await
                .unwrap();
            continue;
        }
        let e = r.unwrap_err();
        assert_eq!(sqlstate(&e), code, "{sql}: {}", message(&e));
        assert!(!message(&e).is_empty());
        assert_eq!(
            contents(&c, "docs").await,
            vec![(a.clone(), json!({}))],
            "{sql}"
        );
    }
    // A write may not read another collection on its shard only.
    let e = c
        .execute(
            "DELETE FROM docs WHERE id IN (SELECT id FROM scenario)",
            &[],
        )
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "0A000");
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_increments_are_never_lost() {
    let (h, c) = node_with("counters").await;

    let (a, b) = ids_on_two_shards();
    c.execute(
        "INSERT INTO counters VALUES ($1, '{\"n\": 0}'), ($2, '{\"n\": 0}')",
        &[&a, &b],
    )
    .await
    .unwrap();
    const CLIENTS: usize = 8;
    const ROUNDS: usize = 25;
    let mut tasks = Vec::new();
    for i in 0..CLIENTS {
        let client = h.connect().await;
        let (a, b) = (a.clone(), b.clone());
        tasks.push(tokio::spawn(async move {
            for r in 0..ROUNDS {
                let id = if (i + r) % 2 == 0 { &a } else { &b };
                client
                    .execute(
                        "UPDATE counters SET doc = doc || jsonb_build_object('n', (doc->>'n')::int + 1) WHERE id = $1",
                        &[id],
                    )
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let total: i64 = c
        .query_one("SELECT sum((doc->>'n')::bigint) FROM counters", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(total, (CLIENTS * ROUNDS) as i64);
    // Every update bumped the version once.
    let versions: i64 = c
        .query_one("SELECT sum(version) FROM counters", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(versions, (CLIENTS * ROUNDS) as i64 + 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shard_killed_mid_transaction_fails_it_everywhere() {
    let (mut h, c) = node_with("t").await;

    let (a, b) = ids_on_two_shards();
    c.batch_execute("BEGIN").await.unwrap();
    c.execute("INSERT INTO t VALUES ($1, '{}'), ($2, '{}')", &[&a, &b])
        .await
        .unwrap();
    // kill -9 shard 1: its postmaster and every backend (the node's among them).
    let mut pids: Vec<i32> = h.shards[1]
        .connect()
        .await
        .query(
            "SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend'",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    pids.push(h.shards[1].server().pid().unwrap() as i32);
    for pid in pids {
        // A backend may already be gone (the query's own connection ends first).
        let _ = std::process::Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status();
    }
    let e = c.batch_execute("COMMIT").await.unwrap_err();
    assert!(message(&e).contains("shard-1"), "{}", message(&e));
    // Shard 0 kept nothing, and has no prepared transaction left.
    let s0 = h.shards[0].connect().await;
    let n: i64 = s0
        .query_one("SELECT count(*) FROM t", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 0);
    assert_eq!(prepared_on(&h.shards[0]).await, 0);
    // The node keeps serving the live shard and names the dead one.
    let e = c
        .execute("INSERT INTO t VALUES ($1, '{}')", &[&b])
        .await
        .unwrap_err();
    assert!(message(&e).contains("shard-1"), "{}", message(&e));
    c.execute("INSERT INTO t VALUES ($1, '{}')", &[&a])
        .await
        .unwrap();
    h.shards.truncate(1);
}

/// The same statements, one after another, on the node and on one plain Postgres: same
/// results, same errors, same final table.
#[tokio::test(flavor = "multi_thread")]
async fn dml_matches_a_single_postgres() {
    let (_h, node) = node_with("d").await;
    let reference = TestPostgres::start_many(1).await.remove(0);
    let pg = reference.connect().await;
    pg.batch_execute("CREATE TABLE d (id text primary key, doc jsonb NOT NULL)")
        .await
        .unwrap();
    let steps: Vec<(&str, Params)> = vec![
        (
            "INSERT INTO d (id, doc) VALUES ('a', '{\"n\": 1, \"tags\": [\"x\"]}'), ('b', '{\"n\": 2}'), ('c', '{\"n\": 3, \"k\": \"v\"}'), ('d', '{}') RETURNING id, doc",
            vec![],
        ),
        (
            "INSERT INTO d VALUES ($1, $2::jsonb) RETURNING *",
            vec![Box::new("e"), Box::new(json!({"n": 5}))],
        ),
        (
            "INSERT INTO d VALUES ('a', '{}') ON CONFLICT (id) DO NOTHING RETURNING id",
            vec![],
        ),
        (
            "INSERT INTO d VALUES ('a', '{\"m\": 9}'), ('f', '{\"m\": 6}') ON CONFLICT (id) DO UPDATE SET doc = d.doc || EXCLUDED.doc RETURNING id, doc",
            vec![],
        ),
        (
            "UPDATE d SET doc = jsonb_set(doc, '{n}', '100') WHERE id = 'b' RETURNING doc",
            vec![],
        ),
        (
            "UPDATE d SET doc = doc || '{\"seen\": true}' WHERE (doc->>'n')::int >= 3 RETURNING id",
            vec![],
        ),
        (
            "UPDATE d SET doc = doc - 'k' WHERE id IN ('c', 'x') RETURNING id, doc",
            vec![],
        ),
        (
            "UPDATE d SET doc = doc #- '{tags,0}' WHERE id = $1 RETURNING doc",
            vec![Box::new("a")],
        ),
        (
            "DELETE FROM d WHERE doc ? 'seen' AND id <> 'c' RETURNING id",
            vec![],
        ),
        (
            "INSERT INTO d SELECT id || '-copy', doc FROM d WHERE id < 'c' RETURNING id",
            vec![],
        ),
        ("DELETE FROM d WHERE id = $1", vec![Box::new("zzz")]),
        ("INSERT INTO d VALUES ('b', '{}')", vec![]),
        ("INSERT INTO d VALUES ('q', 'not json')", vec![]),
        (
            "UPDATE d SET doc = doc || jsonb_build_object('len', length(id))",
            vec![],
        ),
    ];
    for (sql, params) in steps {
        let refs = refs(&params);
        let got = node.query(sql, &refs).await;
        let want = pg.query(sql, &refs).await;
        match (got, want) {
            (Ok(g), Ok(w)) => {
                let rows = |rows: &[tokio_postgres::Row]| {
                    let mut out: Vec<String> = rows
                        .iter()
                        .map(|r| {
                            (0..r.len())
                                .map(|i| match r.columns()[i].type_().name() {
                                    "jsonb" => r.get::<_, Value>(i).to_string(),
                                    _ => r.get::<_, String>(i),
                                })
                                .collect::<Vec<_>>()
                                .join("|")
                        })
                        .collect();
                    out.sort();
                    out
                };
                let names = |rows: &[tokio_postgres::Row]| {
                    rows.first().map(|r| {
                        r.columns()
                            .iter()
                            .map(|c| c.name().to_string())
                            .collect::<Vec<_>>()
                    })
                };
                // The node's collections carry a version column that plain Postgres lacks.
                if !sql.contains("RETURNING *") {
                    assert_eq!(rows(&g), rows(&w), "{sql}");
                    assert_eq!(names(&g), names(&w), "{sql}");
                } else {
                    assert_eq!(g.len(), w.len(), "{sql}");
                }
            }
            (Err(g), Err(w)) => assert_eq!(
                sqlstate(&g),
                sqlstate(&w),
                "{sql}: {} / {}",
                message(&g),
                message(&w)
            ),
            (g, w) => panic!("{sql}: node {g:?}, postgres {w:?}"),
        }
        assert_eq!(
            contents(&node, "d").await,
            contents(&pg, "d").await,
            "after {sql}"
        );
    }
}
