//! The prepared point-read fast path over real shards: which statements take it (and the
//! SQL each shard prepares), and that its answers — rows, column names and types — are
//! those of the general path and of a plain Postgres holding the same documents.

mod common;

use common::*;
use datafusion::scalar::ScalarValue;
use docfusiondb::render::batches_to_pg_text;
use docfusiondb::session::{Outcome, Session};

/// (statement with `$1` = the id, the SQL the owning shard prepares).
const FAST: &[(&str, &str)] = &[
    (
        "SELECT doc FROM listings WHERE id = $1",
        "SELECT \"doc\" FROM \"listings\" WHERE \"id\" = $1::text",
    ),
    (
        "SELECT id, doc FROM listings WHERE $1 = id",
        "SELECT \"id\", \"doc\" FROM \"listings\" WHERE \"id\" = $1::text",
    ),
    (
        "SELECT * FROM listings WHERE id = $1 LIMIT 1",
        "SELECT \"id\", \"doc\", \"version\" FROM \"listings\" WHERE \"id\" = $1::text LIMIT 1",
    ),
    (
        "SELECT doc->>'name' AS name, (doc->>'price')::float8 AS price FROM listings WHERE id = $1",
        "SELECT ((\"doc\" ->> 'name'::text)), (((\"doc\" ->> 'price'::text))::float8)::float8 FROM \"listings\" WHERE \"id\" = $1::text",
    ),
    (
        "SELECT doc FROM listings WHERE id = $1 AND doc @> '{\"room_type\": \"Private room\"}'",
        "SELECT \"doc\" FROM \"listings\" WHERE \"id\" = $1::text AND (\"doc\" @> '{\"room_type\": \"Private room\"}'::text::jsonb)",
    ),
];

/// Statements that must run the general way.
const GENERAL: &[&str] = &[
    "SELECT doc FROM listings WHERE id = $1 OR id = 'lst-000001'",
    "SELECT count(*) FROM listings WHERE id = $1",
    "SELECT doc FROM listings WHERE doc->>'name' = $1",
    "SELECT id FROM listings WHERE id = $1 ORDER BY doc->>'name'",
    "SELECT upper(id) FROM listings WHERE id = $1",
    "SELECT doc FROM listings WHERE id = $1 LIMIT 1 OFFSET 1",
    // `$1 <> 'lst-000002'` would fold away if `$1` were a constant.
    "SELECT doc FROM listings WHERE id = $1 AND $1 <> 'lst-000002'",
];

/// Point reads the fast path answered so far, on either shard.
fn fast_reads() -> u64 {
    let counter = &docfusiondb::metrics::metrics().point_reads_total;
    ["shard-0", "shard-1"]
        .iter()
        .map(|s| counter.with_label_values(&[*s]).get())
        .sum()
}

fn text(id: Option<&str>) -> Vec<ScalarValue> {
    vec![ScalarValue::Utf8(id.map(str::to_string))]
}

fn with_literal(sql: &str, id: Option<&str>) -> String {
    let literal = id.map_or("NULL".to_string(), |id| format!("'{id}'"));
    sql.replace("$1", &literal)
}

#[tokio::test]
async fn point_reads_take_the_fast_path_and_answer_like_postgres() {
    let shards = start_servers(2).await;
    let reference = start_servers(1).await;
    let engine = engine_for(&shards).await;
    let docs = sample_docs(300);
    load(&engine, "listings", &docs).await;
    let pg = reference_client(&reference[0]).await;
    load_reference(&pg, "listings", &docs).await;

    let mut session = Session::new(&engine, "test");
    // Ids on both shards, one missing, and NULL.
    let ids = [
        Some("lst-000001"),
        Some("lst-000002"),
        Some("lst-000150"),
        Some("lst-000299"),
        Some("no-such-id"),
        None,
    ];
    let fast_before = fast_reads();
    let mut fast_runs = 0;
    for (sql, shard_sql) in FAST {
        let statement = engine.parse(sql).unwrap().remove(0);
        let prepared = engine.prepare(&session, statement, &[]).await.unwrap();
        let read = prepared
            .point_read()
            .unwrap_or_else(|| panic!("{sql} should be a point read"));
        assert_eq!(read.shard_sql(), *shard_sql, "{sql}");
        for id in ids {
            let Outcome::Rows { output, verb } = engine
                .run(&mut session, &prepared, &text(id))
                .await
                .unwrap_or_else(|e| panic!("{sql} with {id:?}: {e:?}"))
            else {
                panic!("{sql}: no rows outcome");
            };
            assert_eq!(verb, "SELECT");
            if id.is_some() {
                fast_runs += 1;
            }
            let literal = with_literal(sql, id);
            // The reference table has no `version` column; loaded documents are at version 1.
            let reference = literal.replace("SELECT *", "SELECT *, 1::int8 AS version");
            let expected = pg_rows(&pg, &reference).await.unwrap();
            assert_eq!(batches_to_pg_text(&output.batches), expected, "{literal}");
            // The general path gives the same columns (names, types, tags).
            let general = engine.query(&literal).await.unwrap();
            assert_eq!(output.schema.fields(), general.schema.fields(), "{literal}");
            assert_eq!(output.schema.fields(), prepared.schema.fields(), "{sql}");
        }
    }
    let fast_after = fast_reads();
    assert!(
        fast_after - fast_before >= fast_runs,
        "{fast_runs} fast reads, counter moved by {}",
        fast_after - fast_before
    );

    for sql in GENERAL {
        let statement = engine.parse(sql).unwrap().remove(0);
        let prepared = engine.prepare(&session, statement, &[]).await.unwrap();
        assert!(
            prepared.point_read().is_none(),
            "{sql} must not be a point read"
        );
        let Outcome::Rows { output, .. } = engine
            .run(&mut session, &prepared, &text(Some("lst-000002")))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
        else {
            panic!("{sql}: no rows outcome");
        };
        let literal = with_literal(sql, Some("lst-000002"));
        // Without ORDER BY, rows come in any order: compare them sorted.
        let mut expected = pg_rows(&pg, &literal).await.unwrap();
        let mut got = batches_to_pg_text(&output.batches);
        expected.sort();
        got.sort();
        assert_eq!(got, expected, "{literal}");
    }
}

#[tokio::test]
async fn a_point_read_of_a_shard_that_is_down_names_the_shard() {
    let mut shards = start_servers(2).await;
    let engine = engine_for(&shards).await;
    load(&engine, "listings", &sample_docs(50)).await;
    engine.shards().close();
    let engine = engine_for(&shards).await; // fresh pools, then the second shard goes away
    let mut session = Session::new(&engine, "test");
    let statement = engine
        .parse("SELECT doc FROM listings WHERE id = $1")
        .unwrap()
        .remove(0);
    let prepared = engine.prepare(&session, statement, &[]).await.unwrap();
    assert!(prepared.point_read().is_some());
    let owner_of = |id: &str| engine.shards().map().shard_for(id);
    let on = |shard: usize| {
        (1..=50)
            .map(|i| format!("lst-{i:06}"))
            .find(|id| owner_of(id) == shard)
            .unwrap()
    };
    let (up, down_id) = (on(0), on(1));
    let down = shards.pop().unwrap();
    tokio::task::spawn_blocking(move || drop(down))
        .await
        .unwrap();
    let outcome = tokio::time::timeout(
        std::time::Duration::from_secs(120),
        engine.run(&mut session, &prepared, &text(Some(&down_id))),
    )
    .await;
    let err = outcome
        .expect("a point read on a dead shard must end, not hang")
        .expect_err("shard-1 is down");
    assert!(err.code.starts_with("08"), "{err:?}");
    assert!(err.message.contains("shard-1"), "{err:?}");
    // Reads owned by the shard that is up still work.
    let Outcome::Rows { output, .. } = engine
        .run(&mut session, &prepared, &text(Some(&up)))
        .await
        .unwrap()
    else {
        panic!("no rows outcome");
    };
    assert_eq!(output.row_count(), 1);
}

#[tokio::test]
async fn concurrent_point_reads_are_batched_into_one_shard_query_and_answered_by_id() {
    let shards = start_servers(2).await;
    let reference = start_servers(1).await;
    let mut config = config_for(&shards);
    config.limits.point_read_concurrency = 1;
    // Names of its own, so that reads of other tests in this process move other counters.
    for (i, shard) in config.shards.iter_mut().enumerate() {
        shard.name = Some(format!("batching-{i}"));
    }
    let dsns: Vec<String> = shards.iter().map(|s| s.dsn()).collect();
    let engine = docfusiondb::Engine::start(config, &dsns).await.unwrap();
    let docs = sample_docs(200);
    load(&engine, "listings", &docs).await;
    let pg = reference_client(&reference[0]).await;
    load_reference(&pg, "listings", &docs).await;

    // A filter that some of the documents fail: batched answers must apply it per id.
    let sql = "SELECT doc->>'name' AS name FROM listings \
               WHERE id = $1 AND doc @> '{\"room_type\": \"Private room\"}'";
    let session = Session::new(&engine, "test");
    let statement = engine.parse(sql).unwrap().remove(0);
    let prepared = engine.prepare(&session, statement, &[]).await.unwrap();
    let read = prepared.point_read().expect("a point read").clone();
    assert_eq!(
        read.batched_shard_sql(3).as_deref(),
        Some(
            "SELECT ((\"doc\" ->> 'name'::text)), \"id\" FROM \"listings\" WHERE \"id\" IN ($1, $2, $3, $4) \
             AND (\"doc\" @> '{\"room_type\": \"Private room\"}'::text::jsonb)"
        )
    );

    // Ids owned by shard 0: stored ones and two that do not exist.
    let owner = |id: &str| engine.shards().map().shard_for(id);
    let mut ids: Vec<String> = (1..=200)
        .map(|i| format!("lst-{i:06}"))
        .filter(|id| owner(id) == 0)
        .take(10)
        .collect();
    ids.extend(
        (0..)
            .map(|i| format!("missing-{i}"))
            .filter(|id| owner(id) == 0)
            .take(2),
    );
    // Reads of one id that share a batch each get its row (the shard returns it once).
    ids.push(ids[1].clone());
    ids.push(ids[1].clone());

    // Hold every read of shard 0 behind a table lock, so that the first read occupies the
    // lane's one running slot while the others queue.
    let locker = shards[0].connect().await;
    locker
        .batch_execute("BEGIN; LOCK TABLE listings IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let queries = || {
        docfusiondb::metrics::metrics()
            .point_read_shard_queries_total
            .with_label_values(&["batching-0"])
            .get()
    };
    let before = queries();
    let spawn_read = |id: String| {
        let read = read.clone();
        tokio::spawn(async move {
            let params = vec![ScalarValue::Utf8(Some(id.clone()))];
            (id, read.run(&params).await)
        })
    };
    let mut tasks = vec![spawn_read(ids[0].clone())];
    let blocked = shards[0].connect().await;
    wait_until("the first read waits for the lock on shard 0", || async {
        let row = blocked
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'",
                &[],
            )
            .await
            .unwrap();
        row.get::<_, i64>(0) >= 1
    })
    .await;
    tasks.extend(ids[1..].iter().cloned().map(spawn_read));
    wait_until("the other reads queue behind it", || async {
        read.queued_reads() == ids.len() - 1
    })
    .await;
    locker.batch_execute("COMMIT").await.unwrap();

    for task in tasks {
        let (id, result) = task.await.unwrap();
        let output = result.unwrap_or_else(|e| panic!("read of {id}: {e:?}"));
        let expected = pg_rows(&pg, &with_literal(sql, Some(&id))).await.unwrap();
        assert_eq!(batches_to_pg_text(&output.batches), expected, "{id}");
    }
    // One query for the read that held the slot, one for the batch of all the others.
    assert_eq!(queries() - before, 2);
    assert_eq!(read.queued_reads(), 0);
}

#[tokio::test]
async fn the_running_reads_of_a_lane_share_one_pipelined_shard_connection() {
    let shards = start_servers(1).await;
    let mut config = config_for(&shards);
    config.limits.point_read_concurrency = 2;
    let (_engine, docs, read) = name_reader(config, 20).await;
    assert_eq!(read.held_shard_connections(), 0);
    assert_eq!(read.shard_connections(), (0, 0), "connections open lazily");

    let locker = shards[0].connect().await;
    locker
        .batch_execute("BEGIN; LOCK TABLE listings IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let spawn_read = |id: &str| {
        let read = read.clone();
        let id = id.to_string();
        tokio::spawn(async move {
            let params = vec![ScalarValue::Utf8(Some(id.clone()))];
            (id, read.run(&params).await)
        })
    };
    let observer = shards[0].connect().await;
    let waiting_backends = || async {
        observer
            .query_one(
                "SELECT count(*) FROM pg_stat_activity \
                 WHERE application_name = 'docfusiondb' AND wait_event_type = 'Lock'",
                &[],
            )
            .await
            .unwrap()
            .get::<_, i64>(0)
    };
    let mut tasks = vec![spawn_read("lst-000001")];
    wait_until("the first read waits for the lock", || async {
        waiting_backends().await == 1
    })
    .await;
    // The second read takes the lane's second running slot: it is sent at once, on the
    // same connection, behind the first. A third finds both slots taken and queues.
    tasks.push(spawn_read("lst-000002"));
    tasks.push(spawn_read("lst-000003"));
    wait_until("the third read queues", || async {
        read.queued_reads() == 1
    })
    .await;
    assert_eq!(read.held_shard_connections(), 1);
    assert_eq!(waiting_backends().await, 1, "one backend serves the lane");
    locker.batch_execute("COMMIT").await.unwrap();

    for task in tasks {
        let (id, result) = task.await.unwrap();
        let output = result.unwrap_or_else(|e| panic!("read of {id}: {e:?}"));
        assert_eq!(
            batches_to_pg_text(&output.batches),
            vec![vec![Some(name_of(&docs, &id))]]
        );
    }
    // With nothing running, the lane gives its connection back to the pool, which keeps
    // it open for the next reads.
    assert_eq!(read.held_shard_connections(), 0);
    assert_eq!(read.shard_connections(), (1, 0));
}

/// The prepared point read `sql` on `engine`.
async fn point_read_of(
    engine: &docfusiondb::Engine,
    sql: &str,
) -> docfusiondb::scan::point_read::PointRead {
    let session = Session::new(engine, "test");
    let statement = engine.parse(sql).unwrap().remove(0);
    let prepared = engine.prepare(&session, statement, &[]).await.unwrap();
    prepared.point_read().expect("a point read").clone()
}

/// A node over the shards of `config` holding `count` sample listings, and the prepared
/// point read `sql`.
async fn point_reader(
    config: docfusion_types::NodeConfig,
    count: usize,
    sql: &str,
) -> (
    std::sync::Arc<docfusiondb::Engine>,
    Vec<String>,
    docfusiondb::scan::point_read::PointRead,
) {
    let dsns: Vec<String> = config.shards.iter().map(|s| s.dsn.clone()).collect();
    let engine = docfusiondb::Engine::start(config, &dsns).await.unwrap();
    let docs = sample_docs(count);
    load(&engine, "listings", &docs).await;
    let read = point_read_of(&engine, sql).await;
    (engine, docs, read)
}

/// [`point_reader`] of a listing's name by id.
async fn name_reader(
    config: docfusion_types::NodeConfig,
    count: usize,
) -> (
    std::sync::Arc<docfusiondb::Engine>,
    Vec<String>,
    docfusiondb::scan::point_read::PointRead,
) {
    point_reader(config, count, NAME_BY_ID).await
}

const NAME_BY_ID: &str = "SELECT doc->>'name' AS name FROM listings WHERE id = $1";

/// The `name` of the sample document `id`.
fn name_of(docs: &[String], id: &str) -> String {
    docs.iter()
        .map(|d| serde_json::from_str::<serde_json::Value>(d).unwrap())
        .find(|d| d["id"] == id)
        .and_then(|d| d["name"].as_str().map(str::to_string))
        .unwrap_or_else(|| panic!("no sample document {id}"))
}

/// Runs the prepared point read `read` for `id` and returns its rows as text.
async fn read_rows(
    read: &docfusiondb::scan::point_read::PointRead,
    id: &str,
) -> Result<Rows, docfusiondb::SqlError> {
    let output = read.run(&text(Some(id))).await?;
    Ok(batches_to_pg_text(&output.batches))
}

/// A read whose task is dropped while its shard query runs (a cancelled statement) leaves
/// its connection out of step, with the answer still to come: that connection must never
/// carry another read, or that read would get the dropped one's row.
#[tokio::test]
async fn a_point_read_dropped_mid_query_does_not_hand_its_answer_to_the_next_read() {
    let shards = start_servers(1).await;
    let (_engine, docs, read) = name_reader(config_for(&shards), 20).await;
    // One read first, so that the pool holds a connection with the statement prepared.
    assert_eq!(
        read_rows(&read, "lst-000004").await.unwrap(),
        vec![vec![Some(name_of(&docs, "lst-000004"))]]
    );

    let locker = shards[0].connect().await;
    locker
        .batch_execute("BEGIN; LOCK TABLE listings IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let dropped = {
        let read = read.clone();
        tokio::spawn(async move { read.run(&text(Some("lst-000001"))).await })
    };
    wait_until("the read waits for the lock", || async {
        read.shard_connections().1 == 1
    })
    .await;
    dropped.abort();
    assert!(dropped.await.unwrap_err().is_cancelled());
    locker.batch_execute("COMMIT").await.unwrap();

    for id in ["lst-000002", "lst-000003", "lst-000005"] {
        assert_eq!(
            read_rows(&read, id).await.unwrap(),
            vec![vec![Some(name_of(&docs, id))]],
            "read of {id}"
        );
    }
    assert_eq!(
        read.shard_connections(),
        (1, 0),
        "the dropped read's connection was closed, the next read opened another"
    );
}

/// A read dropped while another one is pipelined behind it on the same connection: the
/// one behind skips the dropped read's answer and gets its own, a queued read is answered
/// after them, and the connection stays in step (the pool takes it back).
#[tokio::test]
async fn the_read_behind_a_dropped_one_on_a_pipelined_connection_gets_its_own_answer() {
    let shards = start_servers(1).await;
    let mut config = config_for(&shards);
    config.limits.point_read_concurrency = 2;
    let (_engine, docs, read) = name_reader(config, 20).await;
    assert!(read_rows(&read, "lst-000009").await.is_ok());

    let locker = shards[0].connect().await;
    locker
        .batch_execute("BEGIN; LOCK TABLE listings IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let spawn_read = |id: &'static str| {
        let read = read.clone();
        tokio::spawn(async move { read_rows(&read, id).await })
    };
    let dropped = spawn_read("lst-000001");
    wait_until("the first read holds the lane's connection", || async {
        read.held_shard_connections() == 1
    })
    .await;
    let behind = spawn_read("lst-000002");
    let queued = spawn_read("lst-000003");
    wait_until("the third read queues", || async {
        read.queued_reads() == 1
    })
    .await;
    dropped.abort();
    assert!(dropped.await.unwrap_err().is_cancelled());
    locker.batch_execute("COMMIT").await.unwrap();

    for (id, task) in [("lst-000002", behind), ("lst-000003", queued)] {
        assert_eq!(
            task.await.unwrap().unwrap(),
            vec![vec![Some(name_of(&docs, id))]],
            "read of {id}"
        );
    }
    assert_eq!(
        read_rows(&read, "lst-000004").await.unwrap(),
        vec![vec![Some(name_of(&docs, "lst-000004"))]]
    );
    assert_eq!(
        read.shard_connections(),
        (1, 0),
        "the one connection stayed in step"
    );
}

/// An error the shard reports comes back with its SQLSTATE, and the connection that
/// carried it serves the next read.
#[tokio::test]
async fn a_shard_error_on_a_point_read_keeps_its_sqlstate_and_its_connection() {
    let shards = start_servers(1).await;
    // The shard computes the cast, and `name` is no number.
    let (engine, docs, failing) = point_reader(
        config_for(&shards),
        10,
        "SELECT (doc->>'name')::float8 AS n FROM listings WHERE id = $1",
    )
    .await;
    let err = read_rows(&failing, "lst-000001").await.unwrap_err();
    assert_eq!(err.code, "22P02", "{err:?}");
    assert!(
        err.message.contains("double precision"),
        "the shard's own message: {err:?}"
    );
    let fine = point_read_of(&engine, NAME_BY_ID).await;
    assert_eq!(
        read_rows(&fine, "lst-000001").await.unwrap(),
        vec![vec![Some(name_of(&docs, "lst-000001"))]]
    );
    assert_eq!(
        fine.shard_connections(),
        (1, 0),
        "one connection served both"
    );
}

/// A shard that closes the node's idle point-read connections (a restart, an idle
/// timeout, an administrator) costs the next read nothing: it is sent again on a new one.
#[tokio::test]
async fn point_reads_survive_the_shard_closing_their_idle_connections() {
    let shards = start_servers(1).await;
    let (_engine, docs, read) = name_reader(config_for(&shards), 10).await;
    assert!(read_rows(&read, "lst-000001").await.is_ok());
    assert_eq!(read.shard_connections(), (1, 0));

    let admin = shards[0].connect().await;
    terminate_node_backends(&admin).await;
    assert_eq!(
        read_rows(&read, "lst-000002").await.unwrap(),
        vec![vec![Some(name_of(&docs, "lst-000002"))]]
    );
}

/// Closes every connection the node has open to the shard `admin` is connected to, and
/// waits until they are gone.
async fn terminate_node_backends(admin: &tokio_postgres::Client) {
    let terminated: i64 = admin
        .query_one(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = 'docfusiondb' AND pid <> pg_backend_pid()) t",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(terminated >= 1, "the node had connections to close");
    wait_until("the node's backends are gone", || async {
        admin
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'docfusiondb'",
                &[],
            )
            .await
            .unwrap()
            .get::<_, i64>(0)
            == 0
    })
    .await;
}

/// Shards that ask for a password (SCRAM-SHA-256, as the embedded default's do), reached
/// over their Unix-domain socket: point reads log in, and a password the shard refuses
/// fails the read with an error naming the shard, and changes nothing.
#[tokio::test]
async fn point_reads_log_in_by_scram_over_a_unix_socket_and_report_a_refused_password() {
    let server = tokio::task::spawn_blocking(|| {
        docfusion_test_support::TestPostgres::start_with_socket(docfusion_localpg::ServerOptions {
            password: Some("point-read secret".into()),
            ..docfusion_localpg::ServerOptions::for_tests()
        })
    })
    .await
    .unwrap();
    let dsn = server.local_dsn();
    assert!(dsn.contains("host=/"), "over the socket: {dsn}");
    let mut config = config_for(std::slice::from_ref(&server));
    config.shards[0].dsn = dsn;
    config.shards[0].name = Some("secret-0".into());
    let (_engine, docs, read) = name_reader(config, 10).await;
    let reads = docfusiondb::metrics::metrics()
        .point_reads_total
        .with_label_values(&["secret-0"]);
    assert_eq!(
        read_rows(&read, "lst-000003").await.unwrap(),
        vec![vec![Some(name_of(&docs, "lst-000003"))]]
    );
    assert_eq!(reads.get(), 1, "the fast path answered");

    // The shard's password changes under the node: new connections are refused.
    let admin = server.connect().await;
    admin
        .batch_execute("ALTER ROLE postgres PASSWORD 'another secret'")
        .await
        .unwrap();
    terminate_node_backends(&admin).await;
    let err = read_rows(&read, "lst-000004").await.unwrap_err();
    assert_eq!(err.code, "08001", "{err:?}");
    assert!(err.message.contains("secret-0"), "{err:?}");
    assert!(
        err.message.contains("password authentication failed"),
        "{err:?}"
    );
    admin
        .batch_execute("ALTER ROLE postgres PASSWORD 'point-read secret'")
        .await
        .unwrap();
    assert_eq!(
        read_rows(&read, "lst-000004").await.unwrap(),
        vec![vec![Some(name_of(&docs, "lst-000004"))]]
    );
}

/// Why a batch lists its ids as scalars: after a few executions the shard runs the batched
/// statement from its cached generic plan instead of planning it again each time (which it
/// does for an `= ANY($1)` array parameter).
#[tokio::test]
async fn the_shard_reuses_a_generic_plan_for_batched_point_reads() {
    let shards = start_servers(1).await;
    let (_engine, _docs, read) = point_reader(
        config_for(&shards),
        50,
        "SELECT doc FROM listings WHERE id = $1",
    )
    .await;
    let sql = read.batched_shard_sql(2).expect("batched");

    let shard = shards[0].connect().await;
    let batch = shard.prepare(&sql).await.unwrap();
    for i in 1..=10 {
        let (a, b) = (format!("lst-{i:06}"), format!("lst-{:06}", i + 20));
        let rows = shard.query(&batch, &[&a, &b]).await.unwrap();
        let mut ids: Vec<String> = rows.iter().map(|r| r.get::<_, String>(1)).collect();
        ids.sort();
        assert_eq!(ids, [a, b]);
    }
    let row = shard
        .query_one(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1",
            &[&sql],
        )
        .await
        .unwrap();
    let (generic, custom): (i64, i64) = (row.get(0), row.get(1));
    assert_eq!(generic + custom, 10);
    assert!(generic >= 5, "generic {generic}, custom {custom}");
}
