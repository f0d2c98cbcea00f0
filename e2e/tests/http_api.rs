//! The HTTP API end to end: a node started from a rendered YAML config over two real
//! Postgres shards, driven with a real HTTP client: credentials (basic, bearer, trust),
//! health and readiness, metrics, Arrow IPC answers and the OpenAPI document.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{DataType, Float64Type, Int32Type, Int64Type};
use datafusion::arrow::ipc::reader::StreamReader;
use docfusion_test_support::TestPostgres;
use docfusion_types::{AuthMethod, NodeConfig, ShardConfig, TokenConfig, UserConfig};
use docfusiondb::auth::{Authenticator, verifier_for};
use docfusiondb::node::Node;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const USER: &str = "app";
const PASSWORD: &str = "http-pw-1";
const TOKEN: &str = "tok-e2e-http-0001";
const ARROW: &str = "application/vnd.apache.arrow.stream";

struct Harness {
    shards: Vec<TestPostgres>,
    _dir: tempfile::TempDir,
    base: String,
    http: reqwest::Client,
    _node: Arc<Node>,
}

async fn start(max_result_rows: usize) -> Harness {
    start_with(|c| c.limits.max_result_rows = max_result_rows).await
}

async fn start_with(adjust: impl FnOnce(&mut NodeConfig)) -> Harness {
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
    config.auth.users.push(UserConfig {
        name: USER.into(),
        password: verifier_for(PASSWORD).to_string(),
    });
    config.auth.tokens.push(TokenConfig {
        user: USER.into(),
        sha256: hex::encode(Sha256::digest(TOKEN.as_bytes())),
    });
    adjust(&mut config);
    let path = dir.path().join("node.yaml");
    std::fs::write(&path, config.to_yaml()).unwrap();
    let loaded = NodeConfig::load(&path).unwrap();
    assert_eq!(loaded, config);

    let (auth, _) = Authenticator::from_config(&loaded).unwrap();
    let node = Arc::new(Node::start(loaded).await.unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = docfusiondb::server::http::router(node.engine().clone(), Arc::new(auth));
    tokio::spawn(async move {
        let app = app.into_make_service_with_connect_info::<SocketAddr>();
        let _ = axum::serve(listener, app).await;
    });
    Harness {
        shards,
        _dir: dir,
        base: format!("http://{addr}"),
        http: reqwest::Client::new(),
        _node: node,
    }
}

impl Harness {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn sql(&self, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(self.url("/v1/sql"))
            .basic_auth(USER, Some(PASSWORD))
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
            .post(self.url(&format!("/v1/collections/{collection}/documents")))
            .basic_auth(USER, Some(PASSWORD))
            .body(ndjson.to_string())
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap())
    }

    /// An open endpoint: (status, body text).
    async fn get(&self, path: &str) -> (u16, String) {
        let r = self.http.get(self.url(path)).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// The value of one sample of `/metrics` (0 when it is not there yet).
    async fn metric(&self, sample: &str) -> f64 {
        let (status, text) = self.get("/metrics").await;
        assert_eq!(status, 200);
        sample_value(&text, sample)
    }
}

/// The value of the sample line `NAME{LABELS} VALUE` in Prometheus text (0 when absent).
fn sample_value(text: &str, sample: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(sample)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(0.0)
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
        .get(h.url("/v1/collections"))
        .bearer_auth(TOKEN)
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

#[tokio::test(flavor = "multi_thread")]
async fn credentials_are_required_checked_and_counted() {
    let h = start(0).await;
    let failures = "docfusion_auth_failures_total{protocol=\"http\"}";
    let before = h.metric(failures).await;
    let query = json!({"sql": "SELECT 1 AS one"});
    let cases: Vec<(&str, reqwest::RequestBuilder, &str)> = vec![
        ("no credentials", h.http.post(h.url("/v1/sql")), "28000"),
        (
            "wrong password",
            h.http.post(h.url("/v1/sql")).basic_auth(USER, Some("nope")),
            "28P01",
        ),
        (
            "unknown user",
            h.http
                .post(h.url("/v1/sql"))
                .basic_auth("nobody", Some(PASSWORD)),
            "28P01",
        ),
        (
            "unknown token",
            h.http.post(h.url("/v1/sql")).bearer_auth("tok-wrong"),
            "28000",
        ),
        (
            "unknown scheme",
            h.http
                .post(h.url("/v1/sql"))
                .header("authorization", "Digest username=app"),
            "28000",
        ),
    ];
    for (case, request, code) in cases {
        let r = request.json(&query).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 401, "{case}");
        assert_eq!(
            r.headers()["www-authenticate"],
            "Basic realm=\"docfusiondb\"",
            "{case}"
        );
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{case}: {body}");
        assert!(body["error"]["message"].as_str().unwrap().len() > 10);
    }
    // Five refusals, counted (other tests in this process only add to the counter).
    assert!(h.metric(failures).await >= before + 5.0);

    // Without credentials nothing is loaded or listed.
    let r = h
        .http
        .post(h.url("/v1/collections/sneaky/documents"))
        .body("{\"id\": \"x\"}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let r = h.http.get(h.url("/v1/collections")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);

    // Basic and bearer both work, for every /v1 route.
    let (status, body) = h.sql(query.clone()).await;
    assert_eq!((status, &body["rows"]), (200, &json!([[1]])), "{body}");
    let r = h
        .http
        .post(h.url("/v1/sql"))
        .bearer_auth(TOKEN)
        .json(&json!({"sql": "SELECT $1::text AS who", "params": ["bearer"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["rows"], json!([["bearer"]]));
    let r = h
        .http
        .get(h.url("/v1/collections"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["collections"],
        json!([]),
        "the refused load created nothing"
    );

    // The status endpoints are open.
    for path in [
        "/healthz",
        "/health",
        "/readyz",
        "/metrics",
        "/openapi.json",
    ] {
        assert_eq!(h.get(path).await.0, 200, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn trust_lets_loopback_clients_in_without_credentials() {
    let h = start_with(|c| {
        c.auth.method = AuthMethod::Trust;
        c.auth.users.clear();
        c.auth.tokens.clear();
    })
    .await;
    let r = h
        .http
        .post(h.url("/v1/sql"))
        .json(&json!({"sql": "SELECT 40 + $1 AS answer", "params": [2]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["rows"], json!([[42]]));
}

#[tokio::test(flavor = "multi_thread")]
async fn readiness_follows_the_shards() {
    let mut h = start(0).await;
    let (status, body) = h.get("/healthz").await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"status": "ok"})
    );
    assert_eq!(h.get("/health").await.1, body, "/health is /healthz");

    let (status, body) = h.get("/readyz").await;
    assert_eq!(status, 200, "{body}");
    let ready: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["failing"], json!([]));
    assert_eq!(
        ready["shards"],
        json!([{"name": "shard-0", "state": "up"}, {"name": "shard-1", "state": "up"}])
    );

    // Stop shard-1 (stopping blocks: off the async workers).
    let stopped = h.shards.pop().unwrap();
    tokio::task::spawn_blocking(move || drop(stopped))
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let not_ready = loop {
        let (status, body) = h.get("/readyz").await;
        if status == 503 {
            break serde_json::from_str::<Value>(&body).unwrap();
        }
        assert!(Instant::now() < deadline, "/readyz still {status}: {body}");
        tokio::task::yield_now().await;
    };
    assert_eq!(not_ready["status"], "not ready");
    assert_eq!(not_ready["failing"], json!(["shard-1"]));
    assert_eq!(not_ready["shards"][0]["state"], "up");
    assert_eq!(not_ready["shards"][1]["state"], "down");
    let why = not_ready["shards"][1]["error"].as_str().unwrap();
    assert!(why.contains("shard-1"), "{why}");
    // The process itself is still alive.
    assert_eq!(h.get("/healthz").await.0, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_count_http_statements_rows_and_shard_scans() {
    let h = start(0).await;
    h.load(
        "metered",
        "{\"id\": \"m1\"}\n{\"id\": \"m2\"}\n{\"id\": \"m3\"}\n",
    )
    .await;
    let r = h.http.get(h.url("/metrics")).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "text/plain; version=0.0.4");
    let ok = "docfusion_statements_total{outcome=\"ok\",protocol=\"http\"}";
    let error = "docfusion_statements_total{outcome=\"error\",protocol=\"http\"}";
    let rows = "docfusion_rows_returned_total{protocol=\"http\"}";
    let bytes = "docfusion_bytes_returned_total{protocol=\"http\"}";
    let latency = "docfusion_statement_duration_seconds_count{protocol=\"http\"}";
    let scans = "docfusion_shard_scan_duration_seconds_count{shard=\"shard-0\"}";
    let before: Vec<f64> = samples_of(&h, &[ok, error, rows, bytes, latency, scans]).await;

    let (status, body) = h
        .sql(json!({"sql": "SELECT id FROM metered ORDER BY id"}))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = h.sql(json!({"sql": "SELECT * FROM not_there"})).await;
    assert_eq!(status, 404);

    let after: Vec<f64> = samples_of(&h, &[ok, error, rows, bytes, latency, scans]).await;
    // Other tests of this process add to the same counters: at least ours are there.
    assert!(
        after[0] >= before[0] + 1.0,
        "ok statements {before:?} -> {after:?}"
    );
    assert!(after[1] >= before[1] + 1.0, "failed statements");
    assert!(after[2] >= before[2] + 3.0, "rows returned");
    assert!(after[3] > before[3], "bytes returned");
    assert!(after[4] >= before[4] + 2.0, "latency observations");
    assert!(after[5] >= before[5] + 1.0, "shard-0 scan observed");
    let (_, text) = h.get("/metrics").await;
    for name in [
        "docfusion_statements_total",
        "docfusion_statement_duration_seconds_bucket",
        "docfusion_rows_returned_total",
        "docfusion_bytes_returned_total",
        "docfusion_shard_scan_duration_seconds_bucket",
    ] {
        assert!(
            text.contains(&format!("# TYPE {}", name.trim_end_matches("_bucket"))),
            "{name}"
        );
    }
}

async fn samples_of(h: &Harness, samples: &[&str]) -> Vec<f64> {
    let (_, text) = h.get("/metrics").await;
    samples.iter().map(|s| sample_value(&text, s)).collect()
}

/// One Arrow value as the JSON answer writes it (jsonb columns are JSON text in Arrow).
fn arrow_cell(column: &dyn Array, is_jsonb: bool, row: usize) -> Value {
    if column.is_null(row) {
        return Value::Null;
    }
    match column.data_type() {
        DataType::Utf8 if is_jsonb => {
            serde_json::from_str(column.as_string::<i32>().value(row)).unwrap()
        }
        DataType::Utf8 => json!(column.as_string::<i32>().value(row)),
        DataType::Int32 => json!(column.as_primitive::<Int32Type>().value(row)),
        DataType::Int64 => json!(column.as_primitive::<Int64Type>().value(row)),
        DataType::Float64 => json!(column.as_primitive::<Float64Type>().value(row)),
        DataType::Boolean => json!(column.as_boolean().value(row)),
        other => panic!("no JSON rendering of {other} in this test"),
    }
}

/// `value` with every number as a float, so that `120` and `120.0` compare equal.
fn numbers_as_f64(value: Value) -> Value {
    match value {
        Value::Number(n) => json!(n.as_f64().unwrap()),
        Value::Array(items) => Value::Array(items.into_iter().map(numbers_as_f64).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, numbers_as_f64(v)))
                .collect(),
        ),
        other => other,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn arrow_stream_answers_hold_the_same_rows_as_json() {
    let h = start(2).await;
    h.load(
        "stays",
        "{\"id\": \"s1\", \"price\": 80.5, \"host\": {\"name\": \"Ana\", \"langs\": [\"pt\"]}}\n\
         {\"id\": \"s2\", \"price\": 120, \"host\": null}\n\
         {\"id\": \"s3\", \"price\": 45, \"host\": {\"name\": \"Rui\"}}\n",
    )
    .await;
    let query = json!({
        "sql": "SELECT id, doc->'host' AS host, (doc->>'price')::float8 AS price, doc ? 'host' AS has_host, length(id) AS len \
                FROM stays WHERE (doc->>'price')::float8 > $1 ORDER BY id",
        "params": [50]
    });
    let (status, expected) = h.sql(query.clone()).await;
    assert_eq!(status, 200, "{expected}");

    let r = h
        .http
        .post(h.url("/v1/sql"))
        .basic_auth(USER, Some(PASSWORD))
        .header("accept", ARROW)
        .json(&query)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], ARROW);
    assert_eq!(r.headers()["x-docfusion-row-count"], "2");
    assert_eq!(r.headers()["x-docfusion-truncated"], "false");
    let bytes = r.bytes().await.unwrap();
    let reader = StreamReader::try_new(bytes.as_ref(), None).unwrap();
    let schema = reader.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["id", "host", "price", "has_host", "len"]);
    let host = schema.field(1);
    assert_eq!(host.data_type(), &DataType::Utf8);
    assert_eq!(
        host.metadata().get("docfusion.pg_type").map(String::as_str),
        Some("jsonb")
    );
    let mut rows = Vec::new();
    for batch in reader {
        let batch = batch.unwrap();
        for row in 0..batch.num_rows() {
            let cells: Vec<Value> = (0..batch.num_columns())
                .map(|c| arrow_cell(batch.column(c).as_ref(), c == 1, row))
                .collect();
            rows.push(Value::Array(cells));
        }
    }
    // JSON writes 120.0 as 120: compare numbers by value.
    assert_eq!(
        numbers_as_f64(Value::Array(rows)),
        numbers_as_f64(expected["rows"].clone())
    );

    // The row limit applies to Arrow answers too, and says so.
    let r = h
        .http
        .post(h.url("/v1/sql"))
        .bearer_auth(TOKEN)
        .header("accept", format!("application/json;q=0.5, {ARROW}"))
        .json(&json!({"sql": "SELECT id FROM stays ORDER BY id"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-docfusion-truncated"], "true");
    let bytes = r.bytes().await.unwrap();
    let reader = StreamReader::try_new(bytes.as_ref(), None).unwrap();
    let ids: Vec<String> = reader
        .flat_map(|b| {
            let b = b.unwrap();
            let col = b.column(0).as_string::<i32>().clone();
            (0..col.len()).map(move |i| col.value(i).to_string())
        })
        .collect();
    assert_eq!(ids, ["s1", "s2"]);

    // Errors stay JSON with their SQLSTATE.
    let r = h
        .http
        .post(h.url("/v1/sql"))
        .basic_auth(USER, Some(PASSWORD))
        .header("accept", ARROW)
        .json(&json!({"sql": "SELECT * FROM nowhere"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "42P01");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_openapi_document_describes_every_route() {
    let h = start(0).await;
    let (status, text) = h.get("/openapi.json").await;
    assert_eq!(status, 200);
    let doc: Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["info"]["title"], "DocFusionDB HTTP API");
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            documented.insert((method.to_uppercase(), path.clone()));
            let success = operation["responses"]
                .as_object()
                .unwrap()
                .keys()
                .any(|status| status.starts_with('2'));
            assert!(success, "{method} {path}");
            // The route exists: open routes answer, protected ones ask for credentials.
            let url = h.url(&path.replace("{name}", "probe").replace("{id}", "probe"));
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let r = h.http.request(method, url).send().await.unwrap();
            let expected = if operation.get("security").is_some() {
                401
            } else {
                200
            };
            assert_eq!(r.status().as_u16(), expected, "{path}");
        }
    }
    let routes: BTreeSet<(String, String)> = [
        ("GET", "/healthz"),
        ("GET", "/health"),
        ("GET", "/readyz"),
        ("GET", "/metrics"),
        ("GET", "/openapi.json"),
        ("POST", "/v1/sql"),
        ("GET", "/v1/collections"),
        ("POST", "/v1/collections/{name}/documents"),
        ("POST", "/v1/collections/{name}/search"),
        ("POST", "/v1/collections"),
        ("GET", "/v1/collections/{name}"),
        ("GET", "/v1/collections/{name}/documents/{id}"),
        ("PUT", "/v1/collections/{name}/documents/{id}"),
        ("PATCH", "/v1/collections/{name}/documents/{id}"),
        ("DELETE", "/v1/collections/{name}/documents/{id}"),
    ]
    .iter()
    .map(|(m, p)| (m.to_string(), p.to_string()))
    .collect();
    assert_eq!(documented, routes);
    let error = &doc["components"]["schemas"]["ErrorBody"];
    assert_eq!(error["required"], json!(["error"]), "{error}");
    assert!(doc["components"]["securitySchemes"]["basic"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}
