//! The point-read path's own shard client against a real server: pipelined queries on one
//! connection each get their own answer, errors keep the connection in step, and a
//! statement that cannot even be sent changes nothing.

use std::str::FromStr;
use std::sync::Arc;

use docfusion_test_support::TestPostgres;
use docfusiondb::shard_wire::{ShardConn, WireError};

async fn connect(server: &TestPostgres) -> ShardConn {
    let config = tokio_postgres::Config::from_str(&server.dsn()).unwrap();
    ShardConn::connect(&config).await.unwrap()
}

#[tokio::test]
async fn pipelined_queries_on_one_connection_each_get_their_own_answer() {
    let server = tokio::task::spawn_blocking(TestPostgres::start)
        .await
        .unwrap();
    let conn = Arc::new(connect(&server).await);
    let tasks: Vec<_> = (0..64)
        .map(|i| {
            let conn = conn.clone();
            tokio::spawn(async move {
                let value = i.to_string();
                // Every seventh query fails on the shard; the others echo their parameter.
                let sql = if i % 7 == 0 {
                    "SELECT ($1::text || 'x')::int::text"
                } else {
                    "SELECT $1::text"
                };
                (i, conn.query(sql, &[&value]).await)
            })
        })
        .collect();
    for task in tasks {
        let (i, answer) = task.await.unwrap();
        if i % 7 == 0 {
            match answer {
                Err(WireError::Db { code, .. }) => assert_eq!(code, "22P02", "query {i}"),
                other => panic!("query {i}: {other:?}"),
            }
        } else {
            let rows = answer.unwrap_or_else(|e| panic!("query {i}: {e}"));
            assert_eq!(rows.len(), 1, "query {i}");
            assert_eq!(rows[0].try_get::<String>(0).unwrap(), i.to_string());
        }
    }
    assert!(conn.is_usable(), "every answer was read");
}

#[tokio::test]
async fn a_statement_that_cannot_be_sent_leaves_the_connection_in_step() {
    let server = tokio::task::spawn_blocking(TestPostgres::start)
        .await
        .unwrap();
    let conn = connect(&server).await;
    // A C string cannot hold NUL: the Parse message cannot be encoded.
    let err = conn.query("SELECT 'a\0b'", &[]).await.unwrap_err();
    assert!(
        matches!(&err, WireError::Broken(m) if m.contains("encode")),
        "{err:?}"
    );
    let rows = conn
        .query("SELECT $1::text", &["still here"])
        .await
        .unwrap();
    assert_eq!(rows[0].try_get::<String>(0).unwrap(), "still here");
    // A value the shard refuses (text cannot hold NUL either) is the shard's error.
    let err = conn.query("SELECT $1::text", &["a\0b"]).await.unwrap_err();
    assert!(matches!(&err, WireError::Db { .. }), "{err:?}");
    assert!(conn.is_usable());
}

#[tokio::test]
async fn a_refused_login_is_the_shards_own_error() {
    let server = tokio::task::spawn_blocking(TestPostgres::start)
        .await
        .unwrap();
    let mut config = tokio_postgres::Config::from_str(&server.dsn()).unwrap();
    config.dbname("no_such_database");
    let err = ShardConn::connect(&config).await.unwrap_err();
    match err {
        WireError::Db { code, message, .. } => {
            assert_eq!(code, "3D000");
            assert!(message.contains("no_such_database"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}
