//! The JSONBench-shaped benchmark's core against real servers on a small data set: every
//! query gives Postgres' answer on both DocFusionDB paths (pushdown and replica), the
//! replica answers the replica phase, and under a short write load every acknowledged write
//! becomes visible and is counted by a strong read. No time is asserted.

use std::time::Duration;

use docfusion_benches::jsonbench::{self, ANALYTIC_QUERIES, JSONBENCH_QUERIES, Options};
use docfusion_test_support::TestPostgres;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_paths_answer_every_query_as_postgres_does() {
    let mut servers = TestPostgres::start_many(3).await;
    let shards = servers.split_off(1);
    let baseline = servers[0].connect().await;
    let node_dir = tempfile::tempdir().unwrap();
    let shard_dsns: Vec<String> = shards.iter().map(TestPostgres::dsn).collect();
    let options = Options {
        docs: 3_000,
        seed: 4,
        runs: 1,
        queries: JSONBENCH_QUERIES
            .iter()
            .chain(ANALYTIC_QUERIES)
            .copied()
            .collect(),
        write_rate: 40,
        write_duration: Duration::from_secs(2),
        writers: 2,
        poll_interval_ms: 50,
        memory_budget_mb: 1_024,
        ready_timeout: Duration::from_secs(120),
        explain: false,
    };

    let result = jsonbench::run_size(&baseline, &shard_dsns, node_dir.path(), &options)
        .await
        .unwrap();

    assert_eq!(result.docs, 3_000);
    assert!(result.replica_used, "the replica did not answer");
    assert_eq!(result.queries.len(), options.queries.len());
    for q in &result.queries {
        for (path, m) in [("pushdown", &q.pushdown), ("replica", &q.replica)] {
            assert_eq!(
                m.verdict,
                docfusion_benches::measure::Verdict::Same,
                "{} on the {path} path",
                m.query.name
            );
            assert!(m.rows.is_some_and(|n| n > 0), "{}: no rows", m.query.name);
        }
    }
    // The table's size is Postgres' own figure; the replica holds something.
    assert!(result.memory.replica_bytes > 0);
    assert!(result.memory.baseline_bytes > 0 && result.memory.shards_bytes > 0);

    let visibility = result.visibility.as_ref().unwrap();
    assert!(visibility.failures.is_empty(), "{:?}", visibility.failures);
    assert!(visibility.writes > 0);
    assert!(visibility.samples > 0 && visibility.visible.is_some());
    assert!(visibility.strong_reads > 0);
    assert!(!result.has_failures());

    let table = jsonbench::table(&result, 2, 1, 4);
    assert!(table.contains("| q1_top_event_types |"), "{table}");
    assert!(table.contains("Queries spelled differently"), "{table}");

    // The nodes are stopped and their feed slots dropped.
    for shard in &shards {
        let slots: i64 = shard
            .connect()
            .await
            .query_one("SELECT count(*) FROM pg_replication_slots", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(slots, 0);
    }
}
