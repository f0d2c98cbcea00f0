//! The vector benchmark's core against real servers on a small data set: every exact answer
//! (DocFusionDB's and PostgreSQL's) is the full sort's top-k, the approximate plan uses the
//! index and finds most of the true neighbours. No time is asserted.

use std::time::Duration;

use docfusion_benches::vectors::{self, Options};
use docfusion_test_support::TestPostgres;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exact_answers_are_the_full_sort_and_approximate_ones_use_the_index() {
    let mut servers = TestPostgres::start_many(3).await;
    let shards = servers.split_off(1);
    let baseline = servers[0].connect().await;
    let node_dir = tempfile::tempdir().unwrap();
    let shard_dsns: Vec<String> = shards.iter().map(TestPostgres::dsn).collect();
    let options = Options {
        rows: 1_500,
        dims: 16,
        k: 10,
        queries: 20,
        warm_up: 2,
        baseline_queries: 3,
        clusters: 10,
        seed: 3,
        approximate: true,
        ef_search: vec![32, 200],
        ready_timeout: Duration::from_secs(120),
        explain: true,
    };

    let report = vectors::run(&baseline, &shard_dsns, node_dir.path(), &options)
        .await
        .unwrap();

    assert!(!report.has_failures(), "{report:#?}");
    assert_eq!(report.approximate_plan_uses_index, Some(true));
    let kinds: Vec<&str> = report.series.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "exact",
            "exact, filtered",
            "approximate (ef_search 32)",
            "approximate, filtered (ef_search 32)",
            "approximate (ef_search 200)",
            "approximate, filtered (ef_search 200)"
        ]
    );
    for (kind, ours, theirs) in &report.series {
        assert_eq!(ours.latency.map(|l| l.count), Some(20), "{kind}");
        if kind.starts_with("exact") {
            assert_eq!((ours.inexact, ours.recall), (0, 1.0), "{kind}");
            let theirs = theirs.as_ref().unwrap();
            assert_eq!(theirs.latency.map(|l| l.count), Some(3), "{kind}");
            assert_eq!(theirs.inexact, 0, "{kind}");
        } else {
            assert!(ours.recall >= 0.9, "{kind}: recall {}", ours.recall);
        }
    }
    assert!(report.replica_bytes >= report.raw_vector_bytes);
    assert!(report.baseline_table_bytes > 0);
    let table = vectors::table(&report, "test");
    assert!(table.contains("| exact | "), "{table}");
}
