//! The columnar replica against real PostgreSQL shards: built from a snapshot of existing
//! data, kept current by the change feed, read-your-writes under `strong`, and no lost,
//! duplicated or reordered change under concurrent writers.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use docfusion_test_support::TestPostgres;
use docfusiondb::Engine;

/// Every row of collection `c` as (id, doc text, version), read from the shards themselves.
async fn rows_on_shards(servers: &[TestPostgres], collection: &str) -> Rows {
    let mut rows = Vec::new();
    for s in servers {
        let client = reference_client(s).await;
        let sql = format!("SELECT id, doc::text, version::text FROM {collection}");
        rows.extend(pg_rows(&client, &sql).await.expect("shard rows"));
    }
    rows.sort();
    rows
}

async fn rows_on_node(engine: &Engine, collection: &str) -> Rows {
    let sql = format!("SELECT id, doc, version FROM {collection} ORDER BY id");
    node_rows(engine, &sql).await.expect("node rows")
}

#[tokio::test]
async fn replica_is_built_from_a_snapshot_and_follows_the_feed() {
    let servers = start_servers(2).await;
    // Data that exists before the replica's node starts.
    let writer = engine_for(&servers).await;
    load(&writer, "listings", &sample_docs(500)).await;
    writer
        .query("UPDATE listings SET doc = doc || '{\"touched\": true}' WHERE id < 'lst-000010'")
        .await
        .expect("update");

    let engine = replica_engine_for(&servers).await;
    wait_replica_ready(&engine).await;
    let expected = rows_on_shards(&servers, "listings").await;
    assert_eq!(expected.len(), 500);
    assert_eq!(rows_on_node(&engine, "listings").await, expected);
    let plan = explain(&engine, "SELECT count(*) FROM listings").await;
    assert!(plan.contains("ReplicaScanExec"), "{plan}");

    // Changes made through another node: visible to the next (strong) read.
    writer
        .query("DELETE FROM listings WHERE id IN ('lst-000002', 'lst-000003')")
        .await
        .expect("delete");
    writer
        .query("INSERT INTO listings (id, doc) VALUES ('new-1', '{\"city\": \"Oslo\"}')")
        .await
        .expect("insert");
    let expected = rows_on_shards(&servers, "listings").await;
    assert_eq!(expected.len(), 499);
    assert_eq!(rows_on_node(&engine, "listings").await, expected);

    // And through this node, read on another session.
    engine
        .query("UPDATE listings SET doc = '{\"city\": \"Bergen\"}' WHERE id = 'new-1'")
        .await
        .expect("update");
    let got = node_rows(
        &engine,
        "SELECT doc->>'city', version FROM listings WHERE id = 'new-1'",
    )
    .await
    .unwrap();
    assert_eq!(got, vec![vec![Some("Bergen".into()), Some("2".into())]]);

    // A collection created after the replica started is served too.
    load(&writer, "later", &sample_docs(20)).await;
    engine.catalog().refresh().await.unwrap();
    assert_eq!(
        rows_on_node(&engine, "later").await,
        rows_on_shards(&servers, "later").await
    );
    let plan = explain(&engine, "SELECT count(*) FROM later").await;
    assert!(plan.contains("ReplicaScanExec: collection=later"), "{plan}");

    let metrics = docfusiondb::metrics::metrics().render();
    assert!(metrics.contains("docfusion_replica_rows_loaded{shard=\"shard-0\"}"));
    assert!(metrics.contains("docfusion_replica_ready{shard=\"shard-1\"} 1"));
}

/// Writers insert, update and delete on both shards while a reader reads with `strong`
/// consistency: each document's counter never goes backwards between reads (no reordered
/// change), and at the end the replica equals the shards (none lost or duplicated).
#[tokio::test]
async fn concurrent_writers_lose_duplicate_and_reorder_nothing() {
    let servers = start_servers(2).await;
    let engine = replica_engine_for(&servers).await;
    wait_replica_ready(&engine).await;
    engine
        .query("CREATE TABLE events (id text PRIMARY KEY, doc jsonb)")
        .await
        .expect("create");
    engine.catalog().refresh().await.unwrap();

    let writers: Vec<_> = (0..3)
        .map(|w| {
            let engine = Arc::clone(&engine);
            tokio::spawn(async move {
                for i in 0..40 {
                    let id = format!("w{w}-{}", i % 8);
                    let sql = match i % 5 {
                        4 => format!("DELETE FROM events WHERE id = '{id}'"),
                        _ => format!(
                            "INSERT INTO events (id, doc) VALUES ('{id}', '{{\"n\": {i}}}') \
                             ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc"
                        ),
                    };
                    engine
                        .query(&sql)
                        .await
                        .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
                }
            })
        })
        .collect();

    let mut last_seen: BTreeMap<String, i64> = BTreeMap::new();
    let mut reads = 0;
    while !writers.iter().all(|w| w.is_finished()) || reads < 3 {
        let rows = node_rows(&engine, "SELECT id, (doc->>'n')::int8 FROM events")
            .await
            .expect("read");
        let mut ids: Vec<&str> = rows.iter().filter_map(|r| r[0].as_deref()).collect();
        let total = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), total, "an id appears twice: {rows:?}");
        for r in &rows {
            let (Some(id), Some(n)) = (&r[0], &r[1]) else {
                continue;
            };
            let n: i64 = n.parse().unwrap();
            // Each id is written with increasing n (deletes aside): a smaller n than seen
            // before would be an older change applied after a newer one.
            if let Some(prev) = last_seen.get(id) {
                assert!(n >= *prev, "{id}: n went back from {prev} to {n}");
            }
            last_seen.insert(id.clone(), n);
        }
        reads += 1;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    for w in writers {
        w.await.expect("writer");
    }
    let expected = rows_on_shards(&servers, "events").await;
    assert!(!expected.is_empty());
    assert_eq!(rows_on_node(&engine, "events").await, expected);
}

/// A path read from its shredded column turns mixed-type through another node: the next
/// strong read no longer has a typed column on that shard, reads the documents, and answers
/// as Postgres does (hand-computed here).
#[tokio::test]
async fn a_path_turning_mixed_type_falls_back_to_the_documents() {
    let servers = start_servers(2).await;
    let writer = engine_for(&servers).await;
    let engine = replica_engine_for(&servers).await;
    wait_replica_ready(&engine).await;
    let docs: Vec<String> = (0..40)
        .map(|i| {
            format!(
                r#"{{"id":"k{i:02}","kind":"{}","n":{i}}}"#,
                ["a", "b"][i % 2]
            )
        })
        .collect();
    load(&writer, "events", &docs).await;
    engine.catalog().refresh().await.expect("refresh");
    let group = "SELECT doc->>'kind', count(*), sum((doc->>'n')::bigint) FROM events \
                 WHERE (doc->>'n')::bigint >= 10 GROUP BY 1 ORDER BY 1";
    let plan = explain(&engine, group).await;
    assert!(
        plan.contains("kind:Utf8 exact(2/2 shards)") && plan.contains("n:Int64(2/2 shards)"),
        "{plan}"
    );
    // n = 10..39: even ones are kind a (10+12+..+38 = 360), odd ones b (11+..+39 = 375).
    let row = |k: &str, c: &str, s: &str| vec![Some(k.into()), Some(c.into()), Some(s.into())];
    assert_eq!(
        node_rows(&engine, group).await.unwrap(),
        vec![row("a", "15", "360"), row("b", "15", "375")]
    );

    writer
        .query(r#"UPDATE events SET doc = '{"kind": 5, "n": "7"}' WHERE id = 'k03'"#)
        .await
        .expect("update");
    // kind is now text in 39 documents and a number in one, n a string there: the shard
    // holding k03 reads both from the documents. k03 (n 3) stays below the filter.
    // (Whether the plan was made before or after the replica took the update in, only one
    // shard answers from its columns.)
    let plan = explain(&engine, group).await;
    for path in ["kind:", "n:"] {
        assert!(
            shredded_entry(&plan, path).is_some_and(|e| e.ends_with("(1/2 shards)")),
            "{path} in {plan}"
        );
    }
    assert_eq!(
        node_rows(&engine, group).await.unwrap(),
        vec![row("a", "15", "360"), row("b", "15", "375")]
    );
    let all = "SELECT doc->>'kind', count(*) FROM events GROUP BY 1 ORDER BY 1";
    assert_eq!(
        node_rows(&engine, all).await.unwrap(),
        vec![
            vec![Some("5".into()), Some("1".into())],
            vec![Some("a".into()), Some("20".into())],
            vec![Some("b".into()), Some("19".into())],
        ]
    );
    // A value that fails the cast is now reached: Postgres' error, not a wrong answer.
    let err = node_rows(
        &engine,
        r#"UPDATE events SET doc = '{"kind": "a", "n": "x"}' WHERE id = 'k04'"#,
    )
    .await;
    assert!(err.is_ok(), "{err:?}");
    let err = node_rows(&engine, "SELECT sum((doc->>'n')::bigint) FROM events")
        .await
        .unwrap_err();
    assert_eq!(err.code, "22P02", "{err:?}");
}

/// The `shredded=[…]` entry of `EXPLAIN` for `path` (`"kind:"`), e.g.
/// `kind:Utf8 exact(1/2 shards)`.
fn shredded_entry<'a>(plan: &'a str, path: &str) -> Option<&'a str> {
    let list = plan.split("shredded=[").nth(1)?;
    let list = &list[..list.find(']')?];
    list.split(", ").find(|e| e.starts_with(path))
}

/// Planned while every shard's column answers a path for every row, a statement reads the
/// column alone, without the document; a write that turns the path mixed-type on one shard
/// and reaches the replica only when the statement's scan catches up makes that shard
/// compute the read from its documents, so the answer is still exactly the documents'.
#[tokio::test]
async fn a_path_turning_mixed_type_between_planning_and_scan_reads_the_documents() {
    let servers = start_servers(2).await;
    let writer = engine_for(&servers).await;
    // No feed polls of the node's own: only strong reads catch up.
    let engine = replica_engine_with(&servers, |r| r.poll_interval_ms = 3_600_000).await;
    wait_replica_ready(&engine).await;
    let docs: Vec<String> = (0..20)
        .map(|i| {
            format!(
                r#"{{"id":"m{i:02}","kind":"{}","tag":"x"}}"#,
                ["a", "b"][i % 2]
            )
        })
        .collect();
    load(&writer, "events", &docs).await;
    engine.catalog().refresh().await.expect("refresh");
    let all = "SELECT doc->>'kind', count(*) FROM events GROUP BY 1 ORDER BY 1";
    let row = |k: &str, c: &str| vec![Some(k.into()), Some(c.into())];
    assert_eq!(
        node_rows(&engine, all).await.unwrap(),
        vec![row("a", "10"), row("b", "10")]
    );
    let plan = explain(&engine, all).await;
    assert!(plan.contains("kind:Utf8 exact(2/2 shards)"), "{plan}");
    let physical = plan.split("physical_plan").nth(1).unwrap_or_default();
    assert!(!physical.contains("doc@"), "{plan}");

    writer
        .query(r#"UPDATE events SET doc = '{"kind": {"x": [1, 2.50]}}' WHERE id = 'm03'"#)
        .await
        .expect("update");
    // Planned before the update reached the replica (no poll since), so the plan reads
    // the column only; the scan's catch-up takes the update in, and the shard holding m03
    // computes the read from its documents (the object's text, as `->>` gives it).
    assert_eq!(
        node_rows(&engine, all).await.unwrap(),
        vec![
            row("a", "10"),
            row("b", "9"),
            row(r#"{"x": [1, 2.50]}"#, "1")
        ]
    );
    let plan = explain(&engine, all).await;
    assert!(
        shredded_entry(&plan, "kind:").is_some_and(|e| e.ends_with("(1/2 shards)")),
        "{plan}"
    );

    // The same for a containment answered as one column: planned while `tag` is a string
    // everywhere, scanned after m05's tag became a number on its shard, whose rows then
    // answer from their documents.
    let tagged = r#"SELECT count(*) FROM events WHERE doc @> '{"tag":"x"}'"#;
    let plan = explain(&engine, tagged).await;
    assert!(plan.contains("tag:contains(2/2 shards)"), "{plan}");
    writer
        .query(r#"UPDATE events SET doc = '{"kind": "b", "tag": 5}' WHERE id = 'm05'"#)
        .await
        .expect("update");
    assert_eq!(
        node_rows(&engine, tagged).await.unwrap(),
        vec![vec![Some("18".into())]]
    );
}

/// Total size of `table` on the shards (`pg_total_relation_size`, heap + TOAST + indexes).
async fn size_on_shards(servers: &[TestPostgres], table: &str) -> i64 {
    let mut total = 0;
    for s in servers {
        let client = reference_client(s).await;
        let row = client
            .query_one(
                "SELECT pg_total_relation_size($1::text::regclass)",
                &[&table],
            )
            .await
            .expect("relation size");
        total += row.get::<_, i64>(0);
    }
    total
}

/// A collection over its own memory budget is read from the shards (EXPLAIN says why) and
/// answers the same; the others are still served from the replica. Prints the replica's
/// size against the shards' `pg_total_relation_size`.
#[tokio::test]
async fn a_collection_over_its_budget_is_read_from_the_shards() {
    let servers = start_servers(2).await;
    let writer = engine_for(&servers).await;
    let pad = "x".repeat(500);
    let big: Vec<String> = (0..3000)
        .map(|i| format!(r#"{{"id":"b{i:04}","n":{i},"pad":"{pad}"}}"#))
        .collect();
    load(&writer, "big", &big).await;
    load(&writer, "listings", &sample_docs(5000)).await;
    let engine = replica_engine_with(&servers, |r| {
        r.collection_memory_budgets_mb.insert("big".into(), 1);
    })
    .await;
    wait_replica_ready(&engine).await;
    let replica = engine.replica().expect("replica enabled");
    for table in ["big", "listings"] {
        let bytes = replica.collection_memory_bytes(table);
        let pg = size_on_shards(&servers, table).await;
        println!(
            "replica memory of {table}: {bytes} bytes; pg_total_relation_size on the shards: \
             {pg} bytes (replica/postgres = {:.2})",
            bytes as f64 / pg as f64
        );
    }
    assert!(replica.collection_memory_bytes("big") > 1 << 20);

    let sum = "SELECT count(*), sum((doc->>'n')::bigint) FROM big";
    let plan = explain(&engine, sum).await;
    assert!(
        plan.contains(
            "ReplicaFallbackExec: collection=big, read from the shards: collection big takes"
        ) && plan.contains("over its memory budget (1 MB)"),
        "{plan}"
    );
    assert!(!plan.contains("ReplicaScanExec"), "{plan}");
    // 0 + 1 + ... + 2999 = 4498500.
    assert_eq!(
        node_rows(&engine, sum).await.unwrap(),
        vec![vec![Some("3000".into()), Some("4498500".into())]]
    );
    let plan = explain(&engine, "SELECT count(*) FROM listings").await;
    assert!(
        plan.contains("ReplicaScanExec: collection=listings"),
        "{plan}"
    );

    // The metric has the replica's size per shard and collection.
    wait_until("the memory metric reports collection big", || async {
        let text = docfusiondb::metrics::metrics().render();
        let reported: i64 = text
            .lines()
            .filter(|l| {
                l.starts_with("docfusion_replica_memory_bytes{") && l.contains("collection=\"big\"")
            })
            .filter_map(|l| l.rsplit(' ').next()?.parse::<i64>().ok())
            .sum();
        reported == replica.collection_memory_bytes("big") as i64
    })
    .await;
}
