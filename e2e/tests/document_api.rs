//! The document API over HTTP end to end: a node over three real Postgres shards serving
//! both HTTP and the Postgres protocol, driven with reqwest. Status codes and SQLSTATEs,
//! ETags, a lost update prevented, merge-patch semantics against a hand-computed document,
//! SQL and HTTP seeing each other's writes, and every document on the shard that owns it
//! (checked on the shards themselves).

mod harness;

use std::collections::BTreeMap;

use docfusiondb::shard_map::ShardMap;
use harness::{PASSWORD, PgHarness, USER};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};

const SHARDS: usize = 3;

struct Api {
    h: PgHarness,
    base: String,
    http: reqwest::Client,
}

/// What an answer said: its status, ETag and body (JSON, or `null` when empty).
#[derive(Debug)]
struct Answer {
    status: StatusCode,
    etag: Option<String>,
    body: Value,
    headers: reqwest::header::HeaderMap,
}

impl Answer {
    /// The SQLSTATE of an error answer.
    fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    /// Checks an error answer's status and SQLSTATE.
    #[track_caller]
    fn assert_error(&self, status: StatusCode, code: &str) {
        assert_eq!((self.status, self.code()), (status, code), "{self:?}");
    }

    fn message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or("")
    }
}

async fn start() -> Api {
    let h = PgHarness::start_sharded_with(SHARDS, |_| {}).await;
    let base = h.serve_http().await;
    Api {
        h,
        base,
        http: reqwest::Client::new(),
    }
}

impl Api {
    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .basic_auth(USER, Some(PASSWORD))
    }

    fn doc_path(collection: &str, id: &str) -> String {
        format!("/v1/collections/{collection}/documents/{id}")
    }

    async fn send(request: RequestBuilder) -> Answer {
        let r = request.send().await.unwrap();
        let status = r.status();
        let headers = r.headers().clone();
        let etag = headers.get("etag").map(|v| v.to_str().unwrap().to_string());
        let text = r.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
        };
        Answer {
            status,
            etag,
            body,
            headers,
        }
    }

    async fn get(&self, collection: &str, id: &str, headers: &[(&str, &str)]) -> Answer {
        let mut r = self.request(Method::GET, &Self::doc_path(collection, id));
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        Self::send(r).await
    }

    async fn put(
        &self,
        collection: &str,
        id: &str,
        doc: &Value,
        headers: &[(&str, &str)],
    ) -> Answer {
        self.write(
            Method::PUT,
            collection,
            id,
            doc.to_string(),
            "application/json",
            headers,
        )
        .await
    }

    async fn patch(
        &self,
        collection: &str,
        id: &str,
        patch: &Value,
        headers: &[(&str, &str)],
    ) -> Answer {
        self.write(
            Method::PATCH,
            collection,
            id,
            patch.to_string(),
            "application/merge-patch+json",
            headers,
        )
        .await
    }

    async fn write(
        &self,
        method: Method,
        collection: &str,
        id: &str,
        body: String,
        content_type: &str,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut r = self
            .request(method, &Self::doc_path(collection, id))
            .header("content-type", content_type)
            .body(body);
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        Self::send(r).await
    }

    async fn delete(&self, collection: &str, id: &str, headers: &[(&str, &str)]) -> Answer {
        let mut r = self.request(Method::DELETE, &Self::doc_path(collection, id));
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        Self::send(r).await
    }

    async fn create_collection(&self, body: Value) -> Answer {
        Self::send(self.request(Method::POST, "/v1/collections").json(&body)).await
    }

    /// (doc text, version) of `id` as the owning shard itself stores it, checking that no
    /// other shard has it.
    async fn on_shards(&self, collection: &str, id: &str) -> Option<(String, i64)> {
        let owner = ShardMap::uniform(SHARDS).shard_for(id);
        let mut found = None;
        for (index, shard) in self.h.shards.iter().enumerate() {
            let rows = shard
                .connect()
                .await
                .query(
                    &format!("SELECT doc::text, version FROM {collection} WHERE id = $1"),
                    &[&id],
                )
                .await
                .unwrap();
            if index == owner {
                found = rows.first().map(|r| (r.get(0), r.get(1)));
            } else {
                assert!(
                    rows.is_empty(),
                    "{id} found on shard {index}, owned by {owner}"
                );
            }
        }
        found
    }
}

/// Two ids owned by each shard.
fn ids_on_every_shard() -> Vec<String> {
    let map = ShardMap::uniform(SHARDS);
    let mut ids = Vec::new();
    for shard in 0..SHARDS {
        ids.extend(
            (0..)
                .map(|i| format!("doc-{i}"))
                .filter(|id| map.shard_for(id) == shard)
                .take(2),
        );
    }
    ids
}

#[tokio::test(flavor = "multi_thread")]
async fn collections_and_documents_with_etags_on_three_shards() {
    let api = start().await;

    // Collections.
    let a = api.create_collection(json!({"name": "docs"})).await;
    assert_eq!(a.status, StatusCode::CREATED, "{a:?}");
    assert_eq!(a.body, json!({"name": "docs", "kind": "collection"}));
    assert_eq!(a.headers["location"], "/v1/collections/docs");
    let a = api.create_collection(json!({"name": "docs"})).await;
    a.assert_error(StatusCode::CONFLICT, "42P07");
    let a = api.create_collection(json!({"name": "Bad-Name"})).await;
    a.assert_error(StatusCode::BAD_REQUEST, "42602");
    let a = api.create_collection(json!({"nom": "x"})).await;
    a.assert_error(StatusCode::BAD_REQUEST, "08P01");
    for shard in &api.h.shards {
        let n: i64 = shard
            .connect()
            .await
            .query_one(
                "SELECT count(*) FROM pg_tables WHERE tablename = 'docs'",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(n, 1);
    }
    // No credentials, no documents.
    let r = api
        .http
        .get(format!("{}{}", api.base, Api::doc_path("docs", "x")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // Create: 201, ETag "1", the body is what the owning shard stores.
    let ids = ids_on_every_shard();
    for (i, id) in ids.iter().enumerate() {
        let doc = json!({"id": id, "n": i, "nested": {"list": [1, 2.50, "x"]}});
        let a = api.put("docs", id, &doc, &[]).await;
        assert_eq!(a.status, StatusCode::CREATED, "{a:?}");
        assert_eq!(a.etag.as_deref(), Some("\"1\""));
        let (stored, version) = api.on_shards("docs", id).await.unwrap();
        assert_eq!(version, 1);
        assert_eq!(a.body, serde_json::from_str::<Value>(&stored).unwrap());
        // GET answers with exactly the stored text.
        let r = api
            .request(Method::GET, &Api::doc_path("docs", id))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["etag"], "\"1\"");
        assert_eq!(r.headers()["content-type"], "application/json");
        assert_eq!(r.text().await.unwrap(), stored);
    }
    let id = &ids[0];

    // Conditional GET.
    let a = api.get("docs", id, &[("if-none-match", "\"1\"")]).await;
    assert_eq!(
        (a.status, a.etag.as_deref()),
        (StatusCode::NOT_MODIFIED, Some("\"1\""))
    );
    let a = api.get("docs", id, &[("if-none-match", "W/\"1\"")]).await;
    assert_eq!(a.status, StatusCode::NOT_MODIFIED);
    let a = api
        .get("docs", id, &[("if-none-match", "\"7\", \"2\"")])
        .await;
    assert_eq!(a.status, StatusCode::OK);
    let a = api.get("docs", id, &[("if-match", "\"2\"")]).await;
    a.assert_error(StatusCode::PRECONDITION_FAILED, "40001");
    let a = api.get("docs", id, &[("if-none-match", "1")]).await;
    a.assert_error(StatusCode::BAD_REQUEST, "22023");

    // Replace without a condition: 200, version 2.
    let v2 = json!({"id": id, "n": "two"});
    let a = api.put("docs", id, &v2, &[]).await;
    assert_eq!(
        (a.status, a.etag.as_deref()),
        (StatusCode::OK, Some("\"2\""))
    );
    assert_eq!(a.body, v2);
    // A stale If-Match changes nothing.
    let a = api
        .put("docs", id, &json!({"n": "stale"}), &[("if-match", "\"1\"")])
        .await;
    a.assert_error(StatusCode::PRECONDITION_FAILED, "40001");
    assert!(a.message().contains("version 2"), "{}", a.message());
    assert_eq!(api.on_shards("docs", id).await.unwrap().1, 2);
    assert_eq!(api.get("docs", id, &[]).await.body, v2);
    // The current ETag (in a list, with a weak one that never matches) replaces.
    let v3 = json!({"n": "three"});
    let a = api
        .put("docs", id, &v3, &[("if-match", "W/\"3\", \"2\"")])
        .await;
    assert_eq!(
        (a.status, a.etag.as_deref()),
        (StatusCode::OK, Some("\"3\""))
    );
    assert_eq!(api.get("docs", id, &[]).await.body, v3);
    let a = api
        .put("docs", id, &json!({"n": 4}), &[("if-match", "*")])
        .await;
    assert_eq!(
        (a.status, a.etag.as_deref()),
        (StatusCode::OK, Some("\"4\""))
    );

    // If-None-Match: * creates only.
    let a = api
        .put("docs", id, &json!({}), &[("if-none-match", "*")])
        .await;
    a.assert_error(StatusCode::PRECONDITION_FAILED, "23505");
    assert_eq!(api.on_shards("docs", id).await.unwrap().1, 4);
    let a = api
        .put("docs", "fresh", &json!({"a": 1}), &[("if-none-match", "*")])
        .await;
    assert_eq!(
        (a.status, a.etag.as_deref()),
        (StatusCode::CREATED, Some("\"1\""))
    );
    // If-Match on an absent document: 412, and it stays absent.
    for condition in ["*", "\"1\""] {
        let a = api
            .put(
                "docs",
                "absent",
                &json!({"a": 1}),
                &[("if-match", condition)],
            )
            .await;
        a.assert_error(StatusCode::PRECONDITION_FAILED, "40001");
        assert_eq!(api.on_shards("docs", "absent").await, None);
    }

    // Bad requests change nothing.
    let before = api.on_shards("docs", id).await;
    let a = api.put("docs", id, &json!({"id": "other"}), &[]).await;
    a.assert_error(StatusCode::BAD_REQUEST, "22023");
    assert!(a.message().contains("\"other\""), "{}", a.message());
    let a = api.put("docs", id, &json!([1, 2]), &[]).await;
    a.assert_error(StatusCode::BAD_REQUEST, "22023");
    let a = api
        .write(
            Method::PUT,
            "docs",
            id,
            "{\"a\": [1,\n 2,]}".into(),
            "application/json",
            &[],
        )
        .await;
    a.assert_error(StatusCode::BAD_REQUEST, "22P02");
    assert!(a.message().contains("line 2, column"), "{}", a.message());
    let a = api
        .write(Method::PUT, "docs", id, "{}".into(), "text/plain", &[])
        .await;
    assert_eq!(a.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{a:?}");
    let a = api
        .put(
            "docs",
            id,
            &json!({}),
            &[("if-match", "\"4\""), ("if-none-match", "*")],
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{a:?}");
    assert_eq!(api.on_shards("docs", id).await, before);

    // Unknown documents and collections.
    let a = api.get("docs", "nope", &[]).await;
    a.assert_error(StatusCode::NOT_FOUND, "02000");
    for a in [
        api.get("nowhere", id, &[]).await,
        api.put("nowhere", id, &json!({}), &[]).await,
        api.delete("nowhere", id, &[]).await,
    ] {
        a.assert_error(StatusCode::NOT_FOUND, "42P01");
        assert!(a.message().contains("nowhere"), "{}", a.message());
    }
    // Ids with reserved characters travel percent-encoded.
    let a = api
        .put("docs", "a%2Fb%20c", &json!({"id": "a/b c"}), &[])
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{a:?}");
    assert!(api.on_shards("docs", "a/b c").await.is_some());

    // DELETE: a stale If-Match keeps the document; then 204, then 404.
    let a = api.delete("docs", id, &[("if-match", "\"3\"")]).await;
    a.assert_error(StatusCode::PRECONDITION_FAILED, "40001");
    assert!(api.on_shards("docs", id).await.is_some());
    let a = api.delete("docs", id, &[("if-match", "\"4\"")]).await;
    assert_eq!(
        (a.status, a.body.clone()),
        (StatusCode::NO_CONTENT, Value::Null)
    );
    assert_eq!(api.on_shards("docs", id).await, None);
    let a = api.delete("docs", id, &[]).await;
    a.assert_error(StatusCode::NOT_FOUND, "02000");
    let a = api.delete("docs", id, &[("if-match", "\"4\"")]).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(api.get("docs", id, &[]).await.status, StatusCode::NOT_FOUND);

    // The collection's counts are the shards' own.
    let a = Api::send(api.request(Method::GET, "/v1/collections/docs")).await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    let mut per_shard = BTreeMap::new();
    let mut total = 0;
    for (shard, name) in api.h.shards.iter().zip(["shard0", "shard1", "shard2"]) {
        let n: i64 = shard
            .connect()
            .await
            .query_one("SELECT count(*) FROM docs", &[])
            .await
            .unwrap()
            .get(0);
        assert!(n > 0, "every shard holds documents");
        per_shard.insert(name.to_string(), json!(n));
        total += n;
    }
    // six documents, one deleted, "fresh" and "a/b c" added
    assert_eq!(total, 7);
    assert_eq!(a.body["count"], json!(total));
    assert_eq!(a.body["kind"], "collection");
    assert_eq!(
        a.body["per_shard"]
            .as_object()
            .unwrap()
            .values()
            .cloned()
            .collect::<Vec<_>>(),
        per_shard.values().cloned().collect::<Vec<_>>()
    );
    let a = Api::send(api.request(Method::GET, "/v1/collections/nowhere")).await;
    a.assert_error(StatusCode::NOT_FOUND, "42P01");
}

#[tokio::test(flavor = "multi_thread")]
async fn two_writers_with_the_same_etag_cannot_both_win() {
    let api = start().await;
    assert_eq!(
        api.create_collection(json!({"name": "race"})).await.status,
        StatusCode::CREATED
    );
    const ROUNDS: usize = 20;
    let mut version = 1;
    assert_eq!(
        api.put("race", "r", &json!({"round": 0}), &[]).await.status,
        StatusCode::CREATED
    );
    for round in 1..=ROUNDS {
        // Both clients read the same ETag…
        let (a, b) = tokio::join!(api.get("race", "r", &[]), api.get("race", "r", &[]));
        assert_eq!(a.etag, b.etag);
        let tag = a.etag.unwrap();
        assert_eq!(tag, format!("\"{version}\""));
        // …and both write with it at once.
        let doc_a = json!({"round": round, "writer": "a"});
        let doc_b = json!({"round": round, "writer": "b"});
        let condition = [("if-match", tag.as_str())];
        let (a, b) = tokio::join!(
            api.put("race", "r", &doc_a, &condition),
            api.put("race", "r", &doc_b, &condition)
        );
        let winner = match (a.status, b.status) {
            (StatusCode::OK, StatusCode::PRECONDITION_FAILED) => &doc_a,
            (StatusCode::PRECONDITION_FAILED, StatusCode::OK) => &doc_b,
            other => panic!("round {round}: {other:?} ({a:?} / {b:?})"),
        };
        version += 1;
        let now = api.get("race", "r", &[]).await;
        assert_eq!(&now.body, winner, "round {round}");
        assert_eq!(now.etag, Some(format!("\"{version}\"")));
    }
    assert_eq!(
        api.on_shards("race", "r").await.unwrap().1,
        1 + ROUNDS as i64
    );

    // Concurrent PATCHes without a condition all land (none is lost): 8 × 5 fields.
    let mut tasks = Vec::new();
    let api = std::sync::Arc::new(api);
    for writer in 0..8 {
        let api = api.clone();
        tasks.push(tokio::spawn(async move {
            for k in 0..5 {
                let patch = json!({"fields": {format!("w{writer}k{k}"): k}});
                let a = api.patch("race", "r", &patch, &[]).await;
                assert_eq!(a.status, StatusCode::OK, "{a:?}");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let now = api.get("race", "r", &[]).await;
    let mut expected = serde_json::Map::new();
    for writer in 0..8 {
        for k in 0..5 {
            expected.insert(format!("w{writer}k{k}"), json!(k));
        }
    }
    assert_eq!(now.body["fields"], Value::Object(expected));
    assert_eq!(now.etag, Some(format!("\"{}\"", 1 + ROUNDS + 40)));
}

#[tokio::test(flavor = "multi_thread")]
async fn merge_patch_merges_objects_removes_nulls_and_replaces_arrays() {
    let api = start().await;
    assert_eq!(
        api.create_collection(json!({"name": "m"})).await.status,
        StatusCode::CREATED
    );
    let original = json!({
        "title": "T",
        "meta": {"a": 1, "b": {"c": 2, "d": 3}, "keep": true},
        "tags": ["x", "y"],
        "gone": 1
    });
    assert_eq!(
        api.put("m", "p", &original, &[]).await.status,
        StatusCode::CREATED
    );
    let patch = json!({
        "meta": {"a": null, "b": {"c": 20, "e": {"f": null, "g": 1}}},
        "tags": ["z"],
        "gone": null,
        "new": {"k": null}
    });
    // Worked out by hand from RFC 7396: `a` and `gone` removed, `b` merged (c replaced, d
    // kept, e added without its null member), `tags` replaced, `new` an empty object.
    let expected = json!({
        "title": "T",
        "meta": {"b": {"c": 20, "d": 3, "e": {"g": 1}}, "keep": true},
        "tags": ["z"],
        "new": {}
    });
    let a = api.patch("m", "p", &patch, &[("if-match", "\"1\"")]).await;
    assert_eq!(
        (a.status, a.etag.as_deref()),
        (StatusCode::OK, Some("\"2\"")),
        "{a:?}"
    );
    assert_eq!(a.body, expected);
    let (stored, version) = api.on_shards("m", "p").await.unwrap();
    assert_eq!(serde_json::from_str::<Value>(&stored).unwrap(), expected);
    assert_eq!(version, 2);
    // Not `||`: Postgres' shallow concatenation would have dropped meta.keep and meta.b.d.
    let shallow: Value = api.h.shards[0]
        .connect()
        .await
        .query_one(
            "SELECT ($1::text::jsonb || $2::text::jsonb)::text",
            &[&original.to_string(), &patch.to_string()],
        )
        .await
        .map(|r| serde_json::from_str(&r.get::<_, String>(0)).unwrap())
        .unwrap();
    assert_ne!(shallow, expected);

    // application/json is accepted too.
    let a = api
        .write(
            Method::PATCH,
            "m",
            "p",
            "{\"title\": null}".into(),
            "application/json",
            &[],
        )
        .await;
    assert_eq!(
        (a.status, a.etag.as_deref()),
        (StatusCode::OK, Some("\"3\""))
    );
    assert_eq!(a.body.get("title"), None);

    // Refusals change nothing.
    let a = api
        .patch("m", "p", &json!({"x": 1}), &[("if-match", "\"2\"")])
        .await;
    a.assert_error(StatusCode::PRECONDITION_FAILED, "40001");
    let a = api.patch("m", "p", &json!({"id": "q"}), &[]).await;
    a.assert_error(StatusCode::BAD_REQUEST, "22023");
    let a = api
        .patch("m", "p", &json!(["not", "an", "object"]), &[])
        .await;
    a.assert_error(StatusCode::BAD_REQUEST, "22023");
    let a = api
        .write(
            Method::PATCH,
            "m",
            "p",
            "[]".into(),
            "application/json-patch+json",
            &[],
        )
        .await;
    assert_eq!(a.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{a:?}");
    assert_eq!(a.headers["accept-patch"], "application/merge-patch+json");
    let a = api
        .patch("m", "p", &json!({}), &[("if-none-match", "*")])
        .await;
    a.assert_error(StatusCode::BAD_REQUEST, "0A000");
    assert_eq!(api.on_shards("m", "p").await.unwrap().1, 3);
    let a = api.patch("m", "absent", &json!({"x": 1}), &[]).await;
    a.assert_error(StatusCode::NOT_FOUND, "02000");
    assert_eq!(api.on_shards("m", "absent").await, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn sql_and_http_see_each_others_writes() {
    let api = start().await;
    let sql = api.h.connect().await;
    // A collection made with SQL is served over HTTP, and the other way round.
    sql.batch_execute("CREATE TABLE bysql (id text primary key, doc jsonb)")
        .await
        .unwrap();
    assert_eq!(
        api.create_collection(json!({"name": "byhttp"}))
            .await
            .status,
        StatusCode::CREATED
    );

    let a = api.put("bysql", "k", &json!({"n": 1}), &[]).await;
    assert_eq!(a.status, StatusCode::CREATED, "{a:?}");
    let row = sql
        .query_one(
            "SELECT doc->>'n', version FROM bysql WHERE id = $1",
            &[&"k"],
        )
        .await
        .unwrap();
    assert_eq!(
        (row.get::<_, String>(0), row.get::<_, i64>(1)),
        ("1".to_string(), 1)
    );

    // An SQL UPDATE bumps the version: the ETag read before it no longer matches.
    let n = sql
        .execute(
            "UPDATE bysql SET doc = jsonb_set(doc, '{n}', '5') WHERE id = $1",
            &[&"k"],
        )
        .await
        .unwrap();
    assert_eq!(n, 1);
    let a = api
        .put("bysql", "k", &json!({"n": 0}), &[("if-match", "\"1\"")])
        .await;
    a.assert_error(StatusCode::PRECONDITION_FAILED, "40001");
    let a = api.get("bysql", "k", &[]).await;
    assert_eq!(
        (a.body.clone(), a.etag.as_deref()),
        (json!({"n": 5}), Some("\"2\""))
    );

    // HTTP writes are SQL's rows, and SQL inserts are HTTP's documents.
    sql.execute(
        "INSERT INTO byhttp (id, doc) VALUES ($1, $2)",
        &[&"s1", &json!({"from": "sql"})],
    )
    .await
    .unwrap();
    let a = api.get("byhttp", "s1", &[]).await;
    assert_eq!(
        (a.body.clone(), a.etag.as_deref()),
        (json!({"from": "sql"}), Some("\"1\""))
    );
    let a = api
        .patch(
            "byhttp",
            "s1",
            &json!({"via": "http"}),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    let row = sql
        .query_one("SELECT doc, version FROM byhttp WHERE id = 's1'", &[])
        .await
        .unwrap();
    assert_eq!(
        row.get::<_, Value>(0),
        json!({"from": "sql", "via": "http"})
    );
    assert_eq!(row.get::<_, i64>(1), 2);
    assert_eq!(
        api.delete("byhttp", "s1", &[]).await.status,
        StatusCode::NO_CONTENT
    );
    let n: i64 = sql
        .query_one("SELECT count(*) FROM byhttp", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 0);

    // A relational table is not a collection.
    sql.batch_execute("CREATE TABLE plain (code text primary key, name text)")
        .await
        .unwrap();
    let a = api.get("plain", "x", &[]).await;
    a.assert_error(StatusCode::BAD_REQUEST, "42809");
    let a = Api::send(api.request(Method::GET, "/v1/collections/plain")).await;
    assert_eq!(
        (a.body["kind"].clone(), a.body["count"].clone()),
        (json!("table"), json!(0))
    );
}
