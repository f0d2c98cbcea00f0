//! Crash tests with real processes: a node that dies (a failpoint aborts it, as `kill -9`
//! would) between PREPARE TRANSACTION and COMMIT PREPARED leaves prepared transactions on
//! its shards; restarted, it resolves them — none of the transaction when the commit
//! decision was not recorded, all of it when it was — and no prepared transaction is left.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{free_port, start_servers};
use docfusion_test_support::TestPostgres;
use docfusiondb::shard_map::ShardMap;

const BIN: &str = env!("CARGO_BIN_EXE_docfusiondb");

/// A node config over `shards`, trusting loopback clients.
fn write_config(dir: &Path, shards: &[TestPostgres], pg_port: u16) -> String {
    let mut yaml = format!(
        "listen:\n  http: 127.0.0.1:{}\n  postgres: 127.0.0.1:{pg_port}\ndata_dir: {}\nauth:\n  method: trust\nshards:\n",
        free_port(),
        dir.join("data").display()
    );
    for s in shards {
        yaml.push_str(&format!("  - dsn: \"{}\"\n", s.dsn()));
    }
    let path = dir.join("node.yaml");
    std::fs::write(&path, yaml).unwrap();
    path.display().to_string()
}

fn spawn_node(config: &str, node_id: &str, failpoint: Option<&str>) -> Child {
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--config", config])
        .env("RUST_BACKTRACE", "0")
        .env("DOCFUSION_NODE_ID", node_id)
        .env_remove("DOCFUSION_FAILPOINT")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(f) = failpoint {
        cmd.env("DOCFUSION_FAILPOINT", f);
    }
    cmd.spawn().expect("spawn docfusiondb serve")
}

/// A client of the node on `port`, once it accepts connections.
async fn connect(child: &mut Child, port: u16) -> tokio_postgres::Client {
    let deadline = Instant::now() + Duration::from_secs(120);
    let dsn = format!("host=127.0.0.1 port={port} user=docfusion dbname=docfusion");
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("node exited early with {status}");
        }
        if let Ok((client, conn)) = tokio_postgres::connect(&dsn, tokio_postgres::NoTls).await {
            tokio::spawn(async move {
                let _ = conn.await;
            });
            return client;
        }
        assert!(Instant::now() < deadline, "node did not accept connections");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "node did not die at the failpoint"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn count(shard: &TestPostgres, sql: &str) -> i64 {
    shard
        .connect()
        .await
        .query_one(sql, &[])
        .await
        .unwrap()
        .get(0)
}

/// Runs a two-shard transaction on a node that dies at `failpoint`, restarts it, and
/// returns how many of the transaction's rows each shard ends with.
async fn crash_at(failpoint: &str) -> Vec<i64> {
    let shards = start_servers(2).await;
    let ddl = docfusiondb::write::ddl::collection_ddl("t", true, &[]);
    for s in &shards {
        s.connect().await.batch_execute(&ddl).await.unwrap();
    }
    let map = ShardMap::uniform(2);
    let on = |shard: usize| {
        (0..)
            .map(|i| format!("doc-{i}"))
            .find(|id| map.shard_for(id) == shard)
            .unwrap()
    };
    let (a, b) = (on(0), on(1));
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = write_config(dir.path(), &shards, port);
    let node_id = format!("crash-{failpoint}-{port}");

    let mut node = spawn_node(&config, &node_id, Some(failpoint));
    let client = connect(&mut node, port).await;
    client.batch_execute("BEGIN").await.unwrap();
    client
        .execute(
            "INSERT INTO t (id, doc) VALUES ($1, '{\"v\": 1}'), ($2, '{\"v\": 2}')",
            &[&a, &b],
        )
        .await
        .unwrap();
    let commit = client.batch_execute("COMMIT").await;
    assert!(commit.is_err(), "the node should have died in COMMIT");
    let status = wait_exit(&mut node).await;
    assert!(!status.success(), "{status}");
    // It died between PREPARE and COMMIT PREPARED: each shard holds the prepared transaction.
    for s in &shards {
        assert_eq!(count(s, "SELECT count(*) FROM pg_prepared_xacts").await, 1);
        assert_eq!(count(s, "SELECT count(*) FROM t").await, 0);
    }

    // Restarted, the node resolves its earlier life's transactions before serving.
    let mut node = spawn_node(&config, &node_id, None);
    let client = connect(&mut node, port).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    for s in &shards {
        while count(s, "SELECT count(*) FROM pg_prepared_xacts").await > 0 {
            assert!(Instant::now() < deadline, "prepared transactions left");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let mut rows = Vec::new();
    for s in &shards {
        rows.push(count(s, "SELECT count(*) FROM t").await);
    }
    // The node answers with the same outcome.
    let through_node: i64 = client
        .query_one("SELECT count(*) FROM t", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(through_node, rows.iter().sum::<i64>());
    let _ = node.kill();
    let _ = node.wait();
    rows
}

#[tokio::test(flavor = "multi_thread")]
async fn a_node_dying_after_prepare_aborts_everywhere_on_restart() {
    // No decision was recorded: presumed abort.
    assert_eq!(crash_at("after-prepare").await, vec![0, 0]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_node_dying_after_the_decision_commits_everywhere_on_restart() {
    // The decision was recorded: the transaction is committed on every shard.
    assert_eq!(crash_at("after-decision").await, vec![1, 1]);
}

/// Another node's in-doubt transactions: left alone while young, then resolved from the
/// decision records (commit when recorded, abort otherwise); foreign ones never touched.
#[tokio::test(flavor = "multi_thread")]
async fn recovery_follows_the_decision_records_and_spares_foreign_transactions() {
    let shards = start_servers(2).await;
    let engine = common::engine_for(&shards).await;
    let ddl = docfusiondb::write::ddl::collection_ddl("t", true, &[]);
    for s in &shards {
        s.connect().await.batch_execute(&ddl).await.unwrap();
    }
    // Three transactions prepared on both shards: one with a commit decision, one without,
    // one with a gid of another tool.
    let gids = ["dfx:other:1:1", "dfx:other:1:2", "not-ours-7"];
    for s in &shards {
        let c = s.connect().await;
        for (i, gid) in gids.iter().enumerate() {
            c.batch_execute(&format!(
                "BEGIN; INSERT INTO t (id, doc) VALUES ('g{i}', '{{}}'); PREPARE TRANSACTION '{gid}'"
            ))
            .await
            .unwrap();
        }
    }
    shards[0]
        .connect()
        .await
        .execute(
            "INSERT INTO _docfusion_txn_decisions (gid, outcome) VALUES ($1, 'commit')",
            &[&gids[0]],
        )
        .await
        .unwrap();
    let coordinator = engine.coordinator();
    // Young and not this node's: left for their coordinator.
    let report = coordinator
        .recover(docfusiondb::write::twopc::IN_DOUBT_AFTER)
        .await
        .unwrap();
    assert_eq!(
        (report.committed, report.rolled_back, report.left),
        (0, 0, 4)
    );
    // Old enough: resolved.
    let report = coordinator.recover(Duration::ZERO).await.unwrap();
    assert_eq!((report.committed, report.rolled_back), (2, 2));
    for s in &shards {
        let c = s.connect().await;
        let left: Vec<String> = c
            .query("SELECT gid FROM pg_prepared_xacts", &[])
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(left, vec!["not-ours-7".to_string()]);
        let ids: Vec<String> = c
            .query("SELECT id FROM t", &[])
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(ids, vec!["g0".to_string()]);
        c.batch_execute("ROLLBACK PREPARED 'not-ours-7'")
            .await
            .unwrap();
    }
    // The abort is recorded, so that a late coordinator cannot commit it any more; the
    // finished commit's record is deleted by the next pass.
    coordinator.recover(Duration::ZERO).await.unwrap();
    let records: Vec<(String, String)> = shards[0]
        .connect()
        .await
        .query(
            "SELECT gid, outcome FROM _docfusion_txn_decisions ORDER BY gid",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        records,
        vec![("dfx:other:1:2".to_string(), "abort".to_string())]
    );
}
