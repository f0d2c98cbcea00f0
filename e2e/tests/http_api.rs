//! The HTTP API end to end: a node started from a rendered YAML config over two real
//! Postgres shards, driven with a real HTTP client.

use std::sync::Arc;

use docfusion_test_support::TestPostgres;
use docfusion_types::{NodeConfig, ShardConfig};
use docfusiondb::node::Node;
use serde_json::{Value, json};

struct Harness {
    _shards: Vec<TestPostgres>,
    _dir: tempfile::TempDir,
    base: String,
    http: reqwest::Client,
    _node: Arc<Node>,
}

async fn start(max_result_rows: usize) -> Harness {
    let shards = TestPostgres::start_many(2).await;
    // Render the config the way the operator will, then start from the file.
    let dir = tempfile::tempdir().unwrap();
    let mut config = NodeConfig {
        shards: shards
            .iter()
            .map(|s| ShardConfig {
                name: None,
                dsn: s.dsn(),
            })
            .collect(),
        ..NodeConfig::default()
    };
    config.limits.max_result_rows = max_result_rows;
    let path = dir.path().join("node.yaml");
    std::fs::write(&path, config.to_yaml()).unwrap();
    let loaded = NodeConfig::load(&path).unwrap();
    assert_eq!(loaded, config);

    let node = Arc::new(Node::start(loaded).await.unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = docfusiondb::server::http::router(node.engine().clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Harness {
        _shards: shards,
        _dir: dir,
        base: format!("http://{addr}"),
        http: reqwest::Client::new(),
        _node: node,
    }
}

impl Harness {
    async fn sql(&self, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}/v1/sql", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap())
    }

    async fn load(&self, collection: &str, ndjson: &str) -> (u16, Value) {
        let r = self
            .http
            .post(format!(
                "{}/v1/collections/{collection}/documents",
                self.base
            ))
            .body(ndjson.to_string())
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap())
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn documents_in_rows_out_with_types_and_parameters() {
    let h = start(0).await;
    let docs = "{\"id\": \"p1\", \"name\": \"Flat\", \"price\": 80.5, \"tags\": [\"a\"], \"host\": {\"superhost\": true}}\n\
                {\"id\": \"p2\", \"name\": \"Loft\", \"price\": 120, \"tags\": [], \"host\": {\"superhost\": false}}\n\
                \n\
                {\"id\": \"p3\", \"name\": \"Room\", \"price\": 45.25, \"host\": null}\n";
    let (status, body) = h.load("places", docs).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["created"], true);
    assert_eq!(body["inserted"], 3);
    let per_shard: u64 = body["per_shard"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(per_shard, 3);

    let (status, body) = h
        .sql(json!({
            "sql": "SELECT id, doc->'host' AS host, (doc->>'price')::float8 AS price, doc ? 'tags' AS has_tags, jsonb_array_length(doc->'tags') AS n \
                    FROM places WHERE (doc->>'price')::float8 > $1 AND id <> $2 ORDER BY id",
            "params": [50, "zzz"]
        }))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["columns"],
        json!([
            {"name": "id", "type": "text"},
            {"name": "host", "type": "jsonb"},
            {"name": "price", "type": "double precision"},
            {"name": "has_tags", "type": "boolean"},
            {"name": "n", "type": "integer"}
        ])
    );
    assert_eq!(
        body["rows"],
        json!([
            ["p1", {"superhost": true}, 80.5, true, 1],
            ["p2", {"superhost": false}, 120, true, 0]
        ])
    );
    assert_eq!(body["row_count"], 2);
    assert_eq!(body["truncated"], false);

    // Loading into an existing collection does not create it again; the list shows it.
    let (_, body) = h.load("places", "{\"id\": \"p4\"}").await;
    assert_eq!(body["created"], false);
    let list: Value = h
        .http
        .get(format!("{}/v1/collections", h.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        list["collections"],
        json!([{"name": "places", "kind": "collection"}])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_have_status_codes_sqlstates_and_change_nothing() {
    let h = start(2).await;
    h.load(
        "things",
        "{\"id\": \"a\"}\n{\"id\": \"b\"}\n{\"id\": \"c\"}",
    )
    .await;

    let (status, body) = h.sql(json!({"sql": "SELECT * FROM missing"})).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "42P01");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("missing")
    );

    let (status, body) = h.sql(json!({"sql": "SELEC"})).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "42601");

    let (status, body) = h.sql(json!({"query": "SELECT 1"})).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "08P01");

    let (status, body) = h.load("things", "{\"id\": \"d\"}\n[1]\n").await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("line 2"),
        "{body}"
    );
    let (status, body) = h.load("Bad-Name", "{}").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("42602"))
    );
    let (status, body) = h.load("things", "{\"id\": \"a\"}").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("23505")),
        "{body}"
    );

    // Nothing above changed the collection; results over the row limit say so.
    let (status, body) = h
        .sql(json!({"sql": "SELECT id FROM things ORDER BY id"}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["rows"], json!([["a"], ["b"]]));
    assert_eq!(body["truncated"], true);
    let (_, body) = h.sql(json!({"sql": "SELECT count(*) FROM things"})).await;
    assert_eq!(body["rows"], json!([[3]]));
}
