//! The change feed against a real PostgreSQL: commit order (not begin order), exactly-once
//! delivery, updates and deletes, two-phase commit, and the clean-up of dead nodes' slots.

mod common;

use common::*;
use docfusiondb::feed::{Datum, FeedOptions, RowChange, ShardFeed, Transaction};
use docfusiondb::write::twopc::Identity;

fn me(node: &str, incarnation: u64) -> Identity {
    Identity {
        node: node.into(),
        incarnation,
    }
}

/// Each change as `op:table:id`, read from the change itself.
fn describe(txn: &Transaction) -> Vec<String> {
    let id_of = |relation: &docfusiondb::feed::Relation, row: &[Datum]| -> String {
        let i = relation
            .columns
            .iter()
            .position(|c| c.name == "id")
            .expect("id column");
        row[i].as_text().unwrap_or("?").to_string()
    };
    txn.changes
        .iter()
        .map(|c| match c {
            RowChange::Insert { relation, new } => {
                format!("insert:{}:{}", relation.name, id_of(relation, new))
            }
            RowChange::Update { relation, new, .. } => {
                format!("update:{}:{}", relation.name, id_of(relation, new))
            }
            RowChange::Delete { relation, old } => {
                format!("delete:{}:{}", relation.name, id_of(relation, old))
            }
            RowChange::Truncate { relations } => format!("truncate:{}", relations[0].name),
        })
        .collect()
}

async fn drain(feed: &mut ShardFeed) -> Vec<Transaction> {
    let mut seen = Vec::new();
    feed.drain(&mut |t: &Transaction| seen.push(t.clone()))
        .await
        .expect("drain");
    seen
}

/// Drains until the feed covers the shard's current position (what a `strong` read does).
async fn catch_up(feed: &mut ShardFeed) -> Vec<Transaction> {
    let target = feed.current_position().await.expect("position");
    let seen = drain(feed).await;
    assert!(
        feed.covered() >= target,
        "covered {} < target {target}",
        feed.covered()
    );
    seen
}

/// One shard with collection `c` (created through the node) and a feed of node `node`.
async fn feed_on_collection_c(
    node: &str,
    options: FeedOptions,
) -> (
    Vec<docfusion_test_support::TestPostgres>,
    std::sync::Arc<docfusiondb::Engine>,
    ShardFeed,
) {
    let servers = start_servers(1).await;
    let engine = engine_for(&servers).await;
    docfusiondb::load::create_collection(engine.shards(), "c")
        .await
        .expect("create");
    let shard = engine.shards().shard(0).clone();
    let feed = ShardFeed::create(shard, &me(node, 1), options)
        .await
        .expect("feed");
    (servers, engine, feed)
}

#[tokio::test]
async fn feed_delivers_whole_transactions_in_commit_order_exactly_once() {
    let (servers, _engine, mut feed) =
        feed_on_collection_c("feedtest", FeedOptions::default()).await;
    assert!(
        catch_up(&mut feed).await.is_empty(),
        "nothing committed yet"
    );

    // A begins first and writes x; B writes y and commits first.
    let a = servers[0].connect().await;
    let b = servers[0].connect().await;
    a.batch_execute("BEGIN; INSERT INTO c (id, doc) VALUES ('x', '{\"v\":1}')")
        .await
        .unwrap();
    b.batch_execute("BEGIN; INSERT INTO c (id, doc) VALUES ('y', '{\"v\":2}')")
        .await
        .unwrap();
    // A transaction still open is not delivered.
    assert!(catch_up(&mut feed).await.is_empty());
    b.batch_execute("COMMIT").await.unwrap();
    a.batch_execute("COMMIT").await.unwrap();
    let txns = catch_up(&mut feed).await;
    let seen: Vec<Vec<String>> = txns.iter().map(describe).collect();
    assert_eq!(
        seen,
        vec![
            vec!["insert:c:y".to_string()],
            vec!["insert:c:x".to_string()]
        ]
    );
    assert!(txns[0].commit_lsn < txns[1].commit_lsn);
    // Exactly once: nothing is handed over again.
    assert!(catch_up(&mut feed).await.is_empty());

    // An update and a delete in one transaction, and the values they carry.
    a.batch_execute(
        "BEGIN; UPDATE c SET doc = '{\"v\": 3}', version = version + 1 WHERE id = 'x'; \
         DELETE FROM c WHERE id = 'y'; COMMIT",
    )
    .await
    .unwrap();
    let txns = catch_up(&mut feed).await;
    assert_eq!(txns.len(), 1);
    assert_eq!(describe(&txns[0]), vec!["update:c:x", "delete:c:y"]);
    let RowChange::Update { relation, new, .. } = &txns[0].changes[0] else {
        panic!("not an update")
    };
    let col = |name: &str| {
        relation
            .columns
            .iter()
            .position(|c| c.name == name)
            .unwrap()
    };
    // Postgres' own text of the stored values.
    assert_eq!(new[col("doc")].as_text(), Some("{\"v\": 3}"));
    assert_eq!(new[col("version")].as_text(), Some("2"));

    // Two-phase commit: nothing at PREPARE, everything at COMMIT PREPARED.
    b.batch_execute(
        "BEGIN; INSERT INTO c (id, doc) VALUES ('z', '{}'); \
         UPDATE c SET doc = '{\"v\": 4}' WHERE id = 'x'; PREPARE TRANSACTION 'feed_p1'",
    )
    .await
    .unwrap();
    assert!(
        catch_up(&mut feed).await.is_empty(),
        "prepared, not committed"
    );
    b.batch_execute("COMMIT PREPARED 'feed_p1'").await.unwrap();
    let txns = catch_up(&mut feed).await;
    assert_eq!(txns.len(), 1);
    assert_eq!(describe(&txns[0]), vec!["insert:c:z", "update:c:x"]);

    // A prepared transaction rolled back never appears.
    b.batch_execute(
        "BEGIN; INSERT INTO c (id, doc) VALUES ('w', '{}'); PREPARE TRANSACTION 'feed_p2'",
    )
    .await
    .unwrap();
    b.batch_execute("ROLLBACK PREPARED 'feed_p2'")
        .await
        .unwrap();
    a.batch_execute("TRUNCATE c").await.unwrap();
    let txns = catch_up(&mut feed).await;
    let seen: Vec<Vec<String>> = txns.iter().map(describe).collect();
    assert_eq!(seen, vec![vec!["truncate:c".to_string()]]);
}

#[tokio::test]
async fn many_small_batches_still_deliver_everything_once_in_order() {
    let options = FeedOptions {
        batch_changes: 3,
        ..FeedOptions::default()
    };
    let (servers, _engine, mut feed) = feed_on_collection_c("batches", options).await;
    let client = servers[0].connect().await;
    for i in 0..20 {
        client
            .execute(
                "INSERT INTO c (id, doc) VALUES ($1, '{}')",
                &[&format!("d{i:02}")],
            )
            .await
            .unwrap();
    }
    let txns = catch_up(&mut feed).await;
    let ids: Vec<String> = txns.iter().flat_map(describe).collect();
    let expected: Vec<String> = (0..20).map(|i| format!("insert:c:d{i:02}")).collect();
    assert_eq!(ids, expected);
    assert!(catch_up(&mut feed).await.is_empty());
}

#[tokio::test]
async fn slots_of_dead_nodes_are_dropped() {
    let servers = start_servers(1).await;
    let engine = engine_for(&servers).await;
    let shard = engine.shards().shard(0).clone();
    let client = servers[0].connect().await;
    let slots = || async {
        let rows = client
            .query(
                "SELECT slot_name::text FROM pg_replication_slots ORDER BY 1",
                &[],
            )
            .await
            .unwrap();
        rows.iter()
            .map(|r| r.get::<_, String>(0))
            .collect::<Vec<_>>()
    };
    let old_self = ShardFeed::create(shard.clone(), &me("n1", 100), FeedOptions::default())
        .await
        .unwrap();
    let other = ShardFeed::create(shard.clone(), &me("n2", 100), FeedOptions::default())
        .await
        .unwrap();
    let (old_self_slot, other_slot) = (old_self.slot().to_string(), other.slot().to_string());
    assert_eq!(slots().await.len(), 2);

    // A restart of n1 drops its earlier slot; n2 has not fallen behind, so it stays.
    let restarted = ShardFeed::create(shard.clone(), &me("n1", 200), FeedOptions::default())
        .await
        .unwrap();
    let now = slots().await;
    assert!(!now.contains(&old_self_slot), "{now:?}");
    assert!(now.contains(&other_slot) && now.contains(&restarted.slot().to_string()));

    // Once n2 lags by more than the bound (it confirms nothing while WAL grows), a node
    // starting with that bound drops it.
    client
        .batch_execute(
            "CREATE TABLE filler (x int); INSERT INTO filler SELECT generate_series(1, 1000)",
        )
        .await
        .unwrap();
    let strict = FeedOptions {
        slot_max_lag_bytes: 1024,
        ..FeedOptions::default()
    };
    let mut live = ShardFeed::create(shard.clone(), &me("n3", 100), strict)
        .await
        .unwrap();
    let now = slots().await;
    assert!(!now.contains(&other_slot), "{now:?}");
    // n1's restarted slot never confirmed beyond its start either: also dropped.
    assert!(!now.contains(&restarted.slot().to_string()), "{now:?}");
    assert_eq!(now, vec![live.slot().to_string()]);
    // The live feed keeps confirming, so its own lag stays under the bound.
    client
        .batch_execute("INSERT INTO filler SELECT generate_series(1, 1000)")
        .await
        .unwrap();
    catch_up(&mut live).await;
    let lag: i64 = client
        .query_one(
            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::int8 \
             FROM pg_replication_slots WHERE slot_name = $1",
            &[&live.slot()],
        )
        .await
        .unwrap()
        .get(0);
    assert!(lag < 1024, "lag {lag}");
}
