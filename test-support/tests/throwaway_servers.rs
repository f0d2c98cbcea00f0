//! The harness itself: servers start, answer, are distinct, and leave nothing behind.

use std::collections::BTreeSet;
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use docfusion_test_support::{TestCluster, TestPostgres};

fn accepts_tcp(addr: SocketAddr) -> bool {
    TcpStream::connect_timeout(&addr, Duration::from_millis(250)).is_ok()
}

fn wait_until(timeout: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

#[tokio::test]
async fn a_cluster_of_three_distinct_servers_answers_and_cleans_up() {
    let cluster = tokio::task::spawn_blocking(|| TestCluster::start(3))
        .await
        .expect("start cluster");
    assert_eq!(cluster.servers().len(), 3);
    let dsns = cluster.dsns();
    assert_eq!(dsns.len(), 3);

    let mut identifiers = BTreeSet::new();
    let mut ports = BTreeSet::new();
    for (server, dsn) in cluster.servers().iter().zip(&dsns) {
        assert!(dsn.contains(&format!("port={}", server.port())), "{dsn}");
        let client = server.connect().await;
        let one: i32 = client
            .query_one("select 1", &[])
            .await
            .expect("select 1")
            .get(0);
        assert_eq!(one, 1);
        let id: i64 = client
            .query_one("select system_identifier from pg_control_system()", &[])
            .await
            .expect("system identifier")
            .get(0);
        identifiers.insert(id);
        ports.insert(server.port());
    }
    assert_eq!(identifiers.len(), 3, "three separate initdb runs");
    assert_eq!(ports.len(), 3);

    let dirs: Vec<PathBuf> = cluster
        .servers()
        .iter()
        .map(|s| s.temp_dir().to_path_buf())
        .collect();
    let addrs: Vec<SocketAddr> = cluster
        .servers()
        .iter()
        .map(|s| format!("{}:{}", s.host(), s.port()).parse().expect("addr"))
        .collect();
    for dir in &dirs {
        assert!(dir.join("data").join("PG_VERSION").is_file());
    }
    tokio::task::spawn_blocking(move || drop(cluster))
        .await
        .expect("drop cluster");
    for dir in &dirs {
        assert!(!dir.exists(), "{} still exists", dir.display());
    }
    for addr in addrs {
        assert!(
            wait_until(Duration::from_secs(10), || !accepts_tcp(addr)),
            "{addr} still open"
        );
    }
}

#[tokio::test]
async fn psql_and_tokio_postgres_see_the_same_server() {
    let server = tokio::task::spawn_blocking(TestPostgres::start)
        .await
        .expect("start");
    let client = server.connect().await;
    client
        .batch_execute("create table t (n int); insert into t select generate_series(1, 10)")
        .await
        .expect("create");
    let sum: i64 = client
        .query_one("select sum(n) from t", &[])
        .await
        .expect("sum")
        .get(0);
    assert_eq!(sum, 55);
    assert_eq!(server.psql("select sum(n) from t"), "55");
    assert_eq!(
        server.psql("select n from t where n <= 3 order by n"),
        "1\n2\n3"
    );
    assert_eq!(server.psql("show wal_level"), "logical");
    assert_eq!(server.psql("show fsync"), "off");
    assert_eq!(server.psql("show max_prepared_transactions"), "64");
    // Tests create their own databases.
    server.psql("create database scratch");
    let scratch = server.connect_to_database("scratch").await;
    let name: String = scratch
        .query_one("select current_database()", &[])
        .await
        .expect("db")
        .get(0);
    assert_eq!(name, "scratch");
    tokio::task::spawn_blocking(move || drop(server))
        .await
        .expect("drop");
}

#[test]
fn psql_failures_panic_with_the_error() {
    let server = TestPostgres::start();
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        server.psql("select * from no_such_table")
    }))
    .expect_err("a failing statement panics");
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("no_such_table"), "{message}");
    // The server is unaffected.
    assert_eq!(server.psql("select 'ok'"), "ok");
    let data_dir = server.data_dir().to_path_buf();
    drop(server);
    assert!(!data_dir.exists());
}
