//! Bulk loads with real processes: `COPY … FROM STDIN` through tokio-postgres and the
//! `psql` binary (`\copy` and a here-doc), NDJSON and CSV, into three real Postgres shards,
//! checked document by document on the shards themselves; bad lines, duplicate ids,
//! CopyFail and ROLLBACK leave every shard empty; the HTTP NDJSON endpoint is atomic too.

mod harness;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use docfusiondb::auth::Authenticator;
use docfusiondb::shard_map::ShardMap;
use futures::SinkExt;
use harness::{DATABASE, PASSWORD, PgHarness, USER, message, sqlstate};
use serde_json::{Value, json};

const SHARDS: usize = 3;

async fn three_shards() -> PgHarness {
    PgHarness::start_sharded_with(SHARDS, |_| {}).await
}

/// Every shard's documents of `collection`: id → document, as the shard stores them.
async fn shard_docs(h: &PgHarness, collection: &str) -> Vec<BTreeMap<String, Value>> {
    let mut out = Vec::new();
    for shard in &h.shards {
        let c = shard.connect().await;
        let rows = c
            .query(&format!("SELECT id, doc::text FROM {collection}"), &[])
            .await
            .unwrap();
        out.push(
            rows.iter()
                .map(|r| {
                    let doc: String = r.get(1);
                    (r.get::<_, String>(0), serde_json::from_str(&doc).unwrap())
                })
                .collect(),
        );
    }
    out
}

/// Total documents of `collection` over the shards, counted on the shards.
async fn shard_count(h: &PgHarness, collection: &str) -> usize {
    shard_docs(h, collection)
        .await
        .iter()
        .map(|s| s.len())
        .sum()
}

/// Checks that the shards hold exactly `sent` (id → document), each on the shard the
/// shard map names.
async fn assert_holds_exactly(h: &PgHarness, collection: &str, sent: &BTreeMap<String, Value>) {
    let map = ShardMap::uniform(SHARDS);
    let per_shard = shard_docs(h, collection).await;
    for (i, docs) in per_shard.iter().enumerate() {
        for id in docs.keys() {
            assert_eq!(map.shard_for(id), i, "{id} is on shard {i}");
        }
    }
    let all: BTreeMap<String, Value> = per_shard.into_iter().flatten().collect();
    assert_eq!(all.len(), sent.len());
    for (id, doc) in sent {
        assert_eq!(all.get(id), Some(doc), "document {id}");
    }
}

/// Sends `data` with COPY through tokio-postgres; returns the rows the node reports.
async fn copy_in(
    client: &tokio_postgres::Client,
    sql: &str,
    data: &[u8],
) -> Result<u64, tokio_postgres::Error> {
    let sink = client.copy_in::<_, Bytes>(sql).await?;
    futures::pin_mut!(sink);
    // Cut into uneven pieces: lines span CopyData messages.
    for piece in data.chunks(777) {
        sink.as_mut().send(Bytes::copy_from_slice(piece)).await?;
    }
    sink.finish().await
}

fn create(name: &str) -> String {
    format!("CREATE TABLE {name} (id text PRIMARY KEY, doc jsonb)")
}

/// `n` documents with ids, and a few without (the node generates theirs).
fn documents(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            if i % 50 == 7 {
                json!({"n": i, "tags": ["generated", i]})
            } else {
                json!({"id": format!("doc-{i:04}"), "n": i, "name": format!("item \"{i}\""), "nested": {"ok": i % 2 == 0}})
            }
        })
        .collect()
}

fn ndjson(docs: &[Value]) -> String {
    docs.iter().map(|d| format!("{d}\n")).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn copy_ndjson_and_csv_into_three_shards_document_by_document() {
    let h = three_shards().await;
    let c = h.connect().await;
    c.batch_execute(&create("items")).await.unwrap();

    let docs = documents(600);
    let n = copy_in(&c, "COPY items FROM STDIN", ndjson(&docs).as_bytes())
        .await
        .unwrap();
    assert_eq!(n, 600, "COPY 600");
    // The expected content: what was sent, generated ids found by their "n".
    let per_shard = shard_docs(&h, "items").await;
    assert!(
        per_shard.iter().all(|s| s.len() > 100),
        "every shard got some"
    );
    let by_n: BTreeMap<i64, (String, Value)> = per_shard
        .into_iter()
        .flatten()
        .map(|(id, d)| (d["n"].as_i64().unwrap(), (id, d)))
        .collect();
    let mut expected = BTreeMap::new();
    for (i, d) in docs.iter().enumerate() {
        let mut d = d.clone();
        let id = match d.get("id") {
            Some(id) => id.as_str().unwrap().to_string(),
            None => {
                let (id, _) = &by_n[&(i as i64)];
                assert_eq!(uuid_version(id), Some(7), "generated ids are UUIDv7");
                d["id"] = json!(id);
                id.clone()
            }
        };
        expected.insert(id, d);
    }
    assert_holds_exactly(&h, "items", &expected).await;
    // Through the node: the same count, and a document read back whole.
    let row = c
        .query_one("SELECT count(*), sum(version) FROM items", &[])
        .await
        .unwrap();
    assert_eq!(
        (row.get::<_, i64>(0), row.get::<_, i64>(1)),
        (600, 600),
        "version 1 each"
    );

    // CSV with (id, doc) and a header; and CSV with (doc) only.
    c.batch_execute(&create("pairs")).await.unwrap();
    let csv = "id,doc\nk1,\"{\"\"a\"\": 1}\"\nk2,\"{\"\"a\"\": [2, \"\"x,y\"\"]}\"\nk3,{}\n";
    let n = copy_in(
        &c,
        "COPY pairs (id, doc) FROM STDIN WITH (FORMAT csv, HEADER)",
        csv.as_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(n, 3);
    let n = copy_in(
        &c,
        "COPY pairs (doc) FROM STDIN (FORMAT csv)",
        b"\"{\"\"id\"\": \"\"k4\"\", \"\"b\"\": true}\"\n",
    )
    .await
    .unwrap();
    assert_eq!(n, 1);
    let expected: BTreeMap<String, Value> = [
        ("k1", json!({"a": 1})),
        ("k2", json!({"a": [2, "x,y"]})),
        ("k3", json!({})),
        ("k4", json!({"id": "k4", "b": true})),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_holds_exactly(&h, "pairs", &expected).await;
}

fn uuid_version(id: &str) -> Option<u32> {
    // xxxxxxxx-xxxx-Vxxx-…
    id.split('-').nth(2)?.chars().next()?.to_digit(16)
}

#[tokio::test(flavor = "multi_thread")]
async fn failed_copies_leave_every_shard_empty() {
    let h = three_shards().await;
    let c = h.connect().await;
    c.batch_execute(&create("items")).await.unwrap();

    // A bad line in the middle of a load that reaches all three shards.
    let mut lines: Vec<String> = (0..300)
        .map(|i| format!("{{\"id\": \"d{i}\", \"n\": {i}}}"))
        .collect();
    lines[149] = "{\"id\": \"d149\", \"n\": 14 9}".to_string();
    let data = lines.join("\n");
    let e = copy_in(&c, "COPY items FROM STDIN", data.as_bytes())
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22P02", "{e:?}");
    assert!(
        // serde_json's column: the `9` after `14 ` (hand-counted).
        message(&e).starts_with("line 150, position 24: invalid input syntax for type json"),
        "{}",
        message(&e)
    );
    assert_eq!(shard_count(&h, "items").await, 0);

    // A duplicate id (within the load) names the id; nothing is written.
    let data = "{\"id\": \"a\"}\n{\"id\": \"b\"}\n{\"id\": \"c\"}\n{\"id\": \"b\"}\n";
    let e = copy_in(&c, "COPY items FROM STDIN", data.as_bytes())
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "23505");
    assert!(
        message(&e).contains("duplicate document id \"b\""),
        "{}",
        message(&e)
    );
    assert_eq!(shard_count(&h, "items").await, 0);
    // …and against a stored document.
    c.execute("INSERT INTO items VALUES ('x', '{}')", &[])
        .await
        .unwrap();
    let data = "{\"id\": \"w\"}\n{\"id\": \"x\"}\n{\"id\": \"y\"}\n{\"id\": \"z\"}\n";
    let e = copy_in(&c, "COPY items FROM STDIN", data.as_bytes())
        .await
        .unwrap_err();
    assert!(
        message(&e).contains("duplicate document id \"x\""),
        "{}",
        message(&e)
    );
    assert_eq!(shard_count(&h, "items").await, 1);

    // CopyFail: tokio-postgres sends it when the sink is dropped unfinished.
    {
        let sink = c
            .copy_in::<_, Bytes>("COPY items FROM STDIN")
            .await
            .unwrap();
        futures::pin_mut!(sink);
        // Enough for every shard's COPY to have started.
        let pad = "p".repeat(100);
        let many: String = (0..20_000)
            .map(|i| format!("{{\"id\": \"f{i}\", \"pad\": \"{pad}\"}}\n"))
            .collect();
        sink.as_mut().send(Bytes::from(many)).await.unwrap();
        sink.as_mut().flush().await.unwrap();
    }
    // The connection is usable again, and the aborted COPY wrote nothing.
    let n: i64 = c
        .query_one("SELECT count(*) FROM items", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
    assert_eq!(shard_count(&h, "items").await, 1);

    // Unknown collection, relational table, COPY TO STDOUT.
    let Err(e) = c.copy_in::<_, Bytes>("COPY nope FROM STDIN").await else {
        panic!("COPY nope must fail")
    };
    assert_eq!(sqlstate(&e), "42P01", "{}", message(&e));
    c.batch_execute("CREATE TABLE regions (code text PRIMARY KEY, name text)")
        .await
        .unwrap();
    let Err(e) = c.copy_in::<_, Bytes>("COPY regions FROM STDIN").await else {
        panic!("COPY regions must fail")
    };
    assert_eq!(sqlstate(&e), "0A000", "{}", message(&e));
    let e = c.batch_execute("COPY items TO STDOUT").await.unwrap_err();
    assert_eq!(sqlstate(&e), "0A000", "{}", message(&e));
}

#[tokio::test(flavor = "multi_thread")]
async fn copy_inside_a_transaction_block_commits_or_rolls_back_with_it() {
    let h = three_shards().await;
    let c = h.connect().await;
    c.batch_execute(&create("items")).await.unwrap();
    let data: String = (0..90).map(|i| format!("{{\"id\": \"t{i}\"}}\n")).collect();

    c.batch_execute("BEGIN").await.unwrap();
    assert_eq!(
        copy_in(&c, "COPY items FROM STDIN", data.as_bytes())
            .await
            .unwrap(),
        90
    );
    // The block reads its own writes; the shards show nothing committed yet.
    let n: i64 = c
        .query_one("SELECT count(*) FROM items", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 90);
    assert_eq!(shard_count(&h, "items").await, 0);
    c.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(shard_count(&h, "items").await, 0);
    let prepared: i64 = h.shards[0]
        .connect()
        .await
        .query_one("SELECT count(*) FROM pg_prepared_xacts", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(prepared, 0);

    c.batch_execute("BEGIN; INSERT INTO items VALUES ('before', '{}')")
        .await
        .unwrap();
    copy_in(&c, "COPY items FROM STDIN", data.as_bytes())
        .await
        .unwrap();
    c.batch_execute("COMMIT").await.unwrap();
    assert_eq!(shard_count(&h, "items").await, 91);

    // A failed COPY fails the block.
    c.batch_execute("BEGIN").await.unwrap();
    let e = copy_in(&c, "COPY items FROM STDIN", b"{\"id\": \"ok\"}\nnot json\n")
        .await
        .unwrap_err();
    assert!(message(&e).starts_with("line 2"), "{}", message(&e));
    let e = c.query_one("SELECT 1", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "25P02");
    c.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(shard_count(&h, "items").await, 91);
}

/// Runs bash `script` with psql's connection settings for the harness in the environment.
fn bash(h: &PgHarness, script: &str) -> (bool, String, String) {
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .env("PGHOST", "127.0.0.1")
        .env("PGPORT", h.port.to_string())
        .env("PGUSER", USER)
        .env("PGPASSWORD", PASSWORD)
        .env("PGDATABASE", DATABASE)
        .env("PGSSLMODE", "disable")
        .output()
        .expect("bash runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn psql_copies_with_a_here_doc_and_backslash_copy() {
    let h = three_shards().await;
    let c = h.connect().await;
    c.batch_execute(&create("items")).await.unwrap();

    let (ok, out, err) = bash(
        &h,
        r#"psql -X -v ON_ERROR_STOP=1 <<'EOF'
COPY items FROM STDIN;
{"id": "h1", "city": "Lisbon", "price": 80}
{"id": "h2", "city": "Porto", "s": "a\\b \"q\""}
\.
EOF"#,
    );
    assert!(ok, "{out}{err}");
    assert!(out.contains("COPY 2"), "{out}");

    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("items.csv");
    std::fs::write(
        &csv,
        "id,doc\nc1,\"{\"\"n\"\": 1}\"\nc2,\"{\"\"n\"\": 2}\"\n",
    )
    .unwrap();
    let ndjson = dir.path().join("items.ndjson");
    std::fs::write(
        &ndjson,
        "{\"id\": \"n1\"}\n{\"id\": \"n2\", \"deep\": {\"a\": [1]}}\n",
    )
    .unwrap();
    let (ok, out, err) = bash(
        &h,
        &format!(
            "psql -X -v ON_ERROR_STOP=1 -c \"\\copy items (id, doc) from '{}' with (format csv, header)\" -c \"\\copy items from '{}'\"",
            csv.display(),
            ndjson.display()
        ),
    );
    assert!(ok, "{out}{err}");
    assert!(out.contains("COPY 2"), "{out}");

    let expected: BTreeMap<String, Value> = [
        ("h1", json!({"id": "h1", "city": "Lisbon", "price": 80})),
        (
            "h2",
            json!({"id": "h2", "city": "Porto", "s": "a\\b \"q\""}),
        ),
        ("c1", json!({"n": 1})),
        ("c2", json!({"n": 2})),
        ("n1", json!({"id": "n1"})),
        ("n2", json!({"id": "n2", "deep": {"a": [1]}})),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_holds_exactly(&h, "items", &expected).await;

    // A bad line: psql reports the node's error with its line; nothing of it is stored.
    let (ok, _, err) = bash(
        &h,
        r#"psql -X -v ON_ERROR_STOP=1 <<'EOF'
COPY items FROM STDIN;
{"id": "z1"}
{"id": "z2",}
\.
EOF"#,
    );
    assert!(!ok);
    assert!(
        err.contains("line 2") && err.contains("invalid input syntax for type json"),
        "{err}"
    );
    assert_holds_exactly(&h, "items", &expected).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn http_ndjson_loads_are_atomic_and_can_skip_bad_lines() {
    let h = three_shards().await;
    let mut config = docfusion_types::NodeConfig::default();
    config.auth.users.push(docfusion_types::UserConfig {
        name: USER.into(),
        password: docfusiondb::auth::verifier_for(PASSWORD).to_string(),
    });
    let (auth, _) = Authenticator::from_config(&config).unwrap();
    let app = docfusiondb::server::http::router(h.node.engine().clone(), Arc::new(auth));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let app = app.into_make_service_with_connect_info::<SocketAddr>();
        let _ = axum::serve(listener, app).await;
    });
    let http = reqwest::Client::new();
    let load = |query: &'static str, body: String| {
        let request = http
            .post(format!("{base}/v1/collections/web/documents{query}"))
            .basic_auth(USER, Some(PASSWORD))
            .body(body);
        async move {
            let r = request.send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };

    let mut lines: Vec<String> = (0..200).map(|i| format!("{{\"id\": \"w{i}\"}}")).collect();
    lines[120] = "[\"not an object\"]".into();
    lines[180] = "{\"id\": true}".into();
    let (status, body) = load("", lines.join("\n")).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("line 121:"),
        "{body}"
    );
    assert_eq!(
        shard_count(&h, "web").await,
        0,
        "the collection exists, empty"
    );

    let (status, body) = load("?skip_bad=true", lines.join("\n")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["inserted"], 198);
    assert_eq!(body["skipped_count"], 2);
    assert_eq!(body["skipped"][0]["line"], 121);
    assert_eq!(body["skipped"][1]["line"], 181);
    assert!(
        body["skipped"][1]["reason"]
            .as_str()
            .unwrap()
            .contains("not boolean"),
        "{body}"
    );
    let per_shard: u64 = body["per_shard"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(per_shard, 198);
    assert_eq!(shard_count(&h, "web").await, 198);
}
