//! Shared setup of the query node's integration tests: real Postgres shards, a reference
//! Postgres holding the same data, and helpers that return rows as Postgres text.

#![allow(dead_code)]

use std::sync::Arc;

use docfusion_test_support::TestPostgres;
use docfusion_types::{NodeConfig, ShardConfig};
use docfusiondb::render::batches_to_pg_text;
use docfusiondb::{Engine, SqlError};

/// Rows as Postgres text (`None` = SQL NULL).
pub type Rows = Vec<Vec<Option<String>>>;

/// A free loopback TCP port (for a node's listen addresses).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `n` throwaway Postgres servers, started in parallel.
pub async fn start_servers(n: usize) -> Vec<TestPostgres> {
    TestPostgres::start_many(n).await
}

/// A node configuration over `servers`.
pub fn config_for(servers: &[TestPostgres]) -> NodeConfig {
    NodeConfig {
        shards: servers
            .iter()
            .map(|s| ShardConfig {
                name: None,
                dsn: s.dsn(),
            })
            .collect(),
        ..NodeConfig::default()
    }
}

/// An engine over `servers`.
pub async fn engine_for(servers: &[TestPostgres]) -> Arc<Engine> {
    let config = config_for(servers);
    let dsns: Vec<String> = servers.iter().map(|s| s.dsn()).collect();
    Engine::start(config, &dsns).await.expect("engine start")
}

/// Creates `collection` through the node and loads `docs` (NDJSON lines) into it.
pub async fn load(engine: &Engine, collection: &str, docs: &[String]) {
    docfusiondb::load::create_collection(engine.shards(), collection)
        .await
        .expect("create collection");
    docfusiondb::load::load_ndjson(engine, collection, &docs.join("\n"), "id", 1)
        .await
        .expect("load");
    engine.catalog().refresh().await.expect("refresh");
}

/// Creates the same collection in a plain Postgres and inserts the same documents, with
/// the ids the node's loader would use.
pub async fn load_reference(client: &tokio_postgres::Client, collection: &str, docs: &[String]) {
    client
        .batch_execute(&format!(
            "CREATE TABLE {collection} (id text PRIMARY KEY, doc jsonb NOT NULL);
             CREATE INDEX ON {collection} USING gin (doc jsonb_path_ops);"
        ))
        .await
        .expect("create reference table");
    for (i, line) in docs.iter().enumerate() {
        let prepared =
            docfusiondb::load::prepare_document(line, "id", i as u64 + 1).expect("valid doc");
        client
            .execute(
                &format!("INSERT INTO {collection} (id, doc) VALUES ($1, $2::text::jsonb)"),
                &[&prepared.id, &prepared.doc],
            )
            .await
            .expect("insert reference row");
    }
}

/// A client of a reference server with the session settings the node's shards use.
pub async fn reference_client(server: &TestPostgres) -> tokio_postgres::Client {
    let client = server.connect().await;
    client
        .batch_execute("SET TimeZone = 'UTC'; SET extra_float_digits = 1; SET DateStyle = 'ISO';")
        .await
        .expect("session settings");
    client
}

/// Rows of `sql` on a real Postgres, as text; or its (SQLSTATE, message).
pub async fn pg_rows(client: &tokio_postgres::Client, sql: &str) -> Result<Rows, (String, String)> {
    match client.simple_query(sql).await {
        Ok(messages) => Ok(messages
            .into_iter()
            .filter_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(r) => {
                    Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect())
                }
                _ => None,
            })
            .collect()),
        Err(e) => {
            let db = e.as_db_error();
            Err((
                db.map(|d| d.code().code().to_string()).unwrap_or_default(),
                db.map(|d| d.message().to_string())
                    .unwrap_or_else(|| e.to_string()),
            ))
        }
    }
}

/// Rows of `sql` on the node, as Postgres text; or its error.
pub async fn node_rows(engine: &Engine, sql: &str) -> Result<Rows, SqlError> {
    engine
        .query(sql)
        .await
        .map(|out| batches_to_pg_text(&out.batches))
}

/// The plan text of `EXPLAIN sql` on the node.
pub async fn explain(engine: &Engine, sql: &str) -> String {
    let rows = node_rows(engine, &format!("EXPLAIN {sql}"))
        .await
        .unwrap_or_else(|e| panic!("EXPLAIN {sql}: {e:?}"));
    rows.into_iter()
        .map(|r| r.into_iter().flatten().collect::<Vec<_>>().join(": "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `count` sample listings as NDJSON lines.
pub fn sample_docs(count: usize) -> Vec<String> {
    docfusion_sample::listings(7, count)
        .map(|d| d.to_string())
        .collect()
}

/// An engine over `servers` with the columnar replica enabled (polled every 20 ms).
pub async fn replica_engine_for(servers: &[TestPostgres]) -> Arc<Engine> {
    replica_engine_with(servers, |_| {}).await
}

/// Like [`replica_engine_for`], with the replica's configuration changed by `configure`.
pub async fn replica_engine_with(
    servers: &[TestPostgres],
    configure: impl FnOnce(&mut docfusion_types::ReplicaConfig),
) -> Arc<Engine> {
    let mut config = config_for(servers);
    config.replica.enabled = true;
    config.replica.poll_interval_ms = 20;
    configure(&mut config.replica);
    let dsns: Vec<String> = servers.iter().map(|s| s.dsn()).collect();
    Engine::start(config, &dsns).await.expect("engine start")
}

/// Polls `condition` every 20 ms until it holds, failing with `what` after a minute.
pub async fn wait_until<F, Fut>(what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !condition().await {
        assert!(std::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Waits (up to a minute) until the engine's replica serves every shard.
pub async fn wait_replica_ready(engine: &Engine) {
    let replica = engine.replica().expect("replica enabled");
    wait_until("the replica serves every shard", || async {
        replica.is_ready()
    })
    .await;
}
