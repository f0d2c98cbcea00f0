//! The point-read and write loads against real servers on a tiny data set: every read of
//! both sides is answered with the listing asked for, both sides give the same documents,
//! and a read of an id that is not there is reported as a failure; every write lands, on
//! DocFusionDB's shards too. No time is asserted.

use std::sync::Arc;
use std::time::Duration;

use docfusion_benches::pointreads::{self, LoadShape};
use docfusion_benches::setup::{self, WireServer};
use docfusion_benches::{cpu, dataset};
use docfusion_test_support::TestPostgres;

const DOCS: u64 = 200;

/// A baseline server, and a node over two shard servers serving the Postgres protocol.
struct Sides {
    servers: Vec<TestPostgres>,
    shards: Vec<TestPostgres>,
    _node_dir: tempfile::TempDir,
    node: docfusiondb::node::Node,
    wire: WireServer,
}

async fn start_sides() -> Sides {
    let mut servers = TestPostgres::start_many(3).await;
    let shards = servers.split_off(1);
    let node_dir = tempfile::tempdir().unwrap();
    let config = setup::node_config(
        node_dir.path(),
        shards.iter().map(TestPostgres::dsn).collect(),
        true,
    );
    let node = setup::start_node(config.clone()).await.unwrap();
    let wire = WireServer::start(&config, node.engine().clone())
        .await
        .unwrap();
    Sides {
        servers,
        shards,
        _node_dir: node_dir,
        node,
        wire,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn point_reads_answer_every_id_on_both_sides() {
    let Sides {
        servers,
        shards,
        _node_dir,
        node,
        wire,
    } = start_sides().await;
    let baseline_dsn = servers[0].dsn();
    let baseline = servers[0].connect().await;

    let loaded = dataset::load_both(&baseline, node.engine(), 7, DOCS)
        .await
        .unwrap();
    dataset::vacuum_analyze(&baseline, node.engine())
        .await
        .unwrap();
    // The ids handed to the clients are the generated listings' ids, in order.
    let expected: Vec<String> = (1..=DOCS).map(|n| format!("lst-{n:06}")).collect();
    assert_eq!(loaded.ids, expected);
    let ids: Arc<[String]> = loaded.ids.into();

    let shape = LoadShape {
        clients: 2,
        warm_up: Duration::from_millis(200),
        measured: Duration::from_millis(800),
        seed: 3,
    };
    // The servers' CPU is accounted from their postmasters (and backends).
    let baseline_pid = cpu::postmaster_pid(servers[0].data_dir());
    let shard_pids: Vec<u32> = shards
        .iter()
        .filter_map(|s| cpu::postmaster_pid(s.data_dir()))
        .collect();
    assert!(baseline_pid.is_some());
    assert_eq!(shard_pids.len(), 2);
    let baseline_pids: Vec<u32> = baseline_pid.into_iter().collect();
    for (dsn, what, roots) in [
        (baseline_dsn.as_str(), "the baseline", &baseline_pids),
        (&wire.dsn(), "DocFusionDB", &shard_pids),
    ] {
        let result = pointreads::run_point_reads(dsn, what, ids.clone(), shape, roots)
            .await
            .unwrap();
        assert!(result.failures.is_empty(), "{what}: {:?}", result.failures);
        // Each client stops at its first wrong answer, so reads happened and all were right.
        assert!(result.checked_ops > 0, "{what}: no read was answered");
    }

    let comparison = pointreads::compare_docs(&baseline_dsn, &wire.dsn(), &ids, 50, 3)
        .await
        .unwrap();
    assert_eq!(comparison.checked, 50);
    assert!(
        comparison.differences.is_empty(),
        "{:?}",
        comparison.differences
    );

    // A missing id must be caught by the loop's answer check, on both sides.
    let missing: Arc<[String]> = vec!["lst-999999".to_string()].into();
    for (dsn, what) in [
        (baseline_dsn.as_str(), "the baseline"),
        (&wire.dsn(), "DocFusionDB"),
    ] {
        let result = pointreads::run_point_reads(dsn, what, missing.clone(), shape, &[])
            .await
            .unwrap();
        assert_eq!(result.failures.len(), 2, "{what}: {:?}", result.failures);
        assert!(
            result.failures[0].contains("lst-999999: 0 rows instead of 1"),
            "{what}: {:?}",
            result.failures
        );
        assert_eq!(result.checked_ops, 0);
    }

    wire.stop().await.unwrap();
    node.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_land_on_both_sides_and_are_counted() {
    use docfusion_benches::writes::{self, COLLECTION};
    let sides = start_sides().await;
    let shape = LoadShape {
        clients: 2,
        warm_up: Duration::from_millis(200),
        measured: Duration::from_millis(600),
        seed: 5,
    };
    sides.servers[0]
        .connect()
        .await
        .batch_execute(&docfusiondb::write::ddl::collection_ddl(
            COLLECTION,
            false,
            &[],
        ))
        .await
        .unwrap();
    setup::connect(&sides.wire.dsn(), "DocFusionDB")
        .await
        .unwrap()
        .batch_execute(&format!(
            "CREATE TABLE {COLLECTION} (id text primary key, doc jsonb)"
        ))
        .await
        .unwrap();
    for (dsn, what) in [
        (sides.servers[0].dsn(), "the baseline"),
        (sides.wire.dsn(), "DocFusionDB"),
    ] {
        let result = writes::run_writes(&dsn, what, shape, &[]).await.unwrap();
        assert!(
            result.inserts.failures.is_empty(),
            "{what}: {:?}",
            result.inserts.failures
        );
        assert!(
            result.updates.failures.is_empty(),
            "{what}: {:?}",
            result.updates.failures
        );
        assert!(result.inserts.checked_ops > 0 && result.updates.checked_ops > 0);
        assert_eq!(result.mismatch(), None, "{what}");
        if what == "DocFusionDB" {
            // The documents are on the shards themselves, spread over both.
            let mut on_shards = 0;
            for shard in &sides.shards {
                let n: i64 = shard
                    .connect()
                    .await
                    .query_one(&format!("SELECT count(*) FROM {COLLECTION}"), &[])
                    .await
                    .unwrap()
                    .get(0);
                assert!(n > 0);
                on_shards += n;
            }
            assert_eq!(on_shards, result.holds.0);
        }
    }
    sides.wire.stop().await.unwrap();
    sides.node.stop().await.unwrap();
}
