//! Vector search end to end: a collection with a `real[]` embedding written and searched
//! through the Postgres protocol (vectors as `real[]` and as pgvector text parameters) and
//! through `POST /v1/collections/{name}/search`. Answers are checked against distances
//! and orders computed here.

mod harness;

use harness::*;
use serde_json::{Value, json};
use tokio_postgres::types::Type;

/// Ten 3-dimensional embeddings, by hand, with a city each.
fn items() -> Vec<(String, &'static str, Vec<f32>)> {
    (0..10)
        .map(|i| {
            let x = i as f32;
            (
                format!("v{i}"),
                if i % 2 == 0 { "Lisbon" } else { "Porto" },
                vec![x, 10.0 - x, (i % 3) as f32],
            )
        })
        .collect()
}

fn l2(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2))
        .sum::<f64>()
        .sqrt()
}

/// The ids and L2 distances of the `k` nearest items passing `keep`, ties by id.
fn nearest(q: &[f32], k: usize, keep: impl Fn(&str) -> bool) -> Vec<(String, f64)> {
    let mut all: Vec<(String, f64)> = items()
        .into_iter()
        .filter(|(_, city, _)| keep(city))
        .map(|(id, _, v)| (id, l2(&v, q)))
        .collect();
    all.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    all.truncate(k);
    all
}

async fn setup() -> (PgHarness, tokio_postgres::Client) {
    let h = PgHarness::start().await;
    let client = h.connect().await;
    client
        .batch_execute("CREATE TABLE items (id text primary key, doc jsonb, embedding real[])")
        .await
        .unwrap();
    let insert = client
        .prepare("INSERT INTO items (id, doc, embedding) VALUES ($1, $2::text::jsonb, $3)")
        .await
        .unwrap();
    assert_eq!(insert.params()[2], Type::FLOAT4_ARRAY);
    for (id, city, v) in items() {
        let doc = json!({ "city": city }).to_string();
        client.execute(&insert, &[&id, &doc, &v]).await.unwrap();
    }
    (h, client)
}

#[tokio::test]
async fn vectors_over_the_postgres_protocol() {
    let (_h, client) = setup().await;
    let q = vec![2.5f32, 7.0, 1.0];

    // The query vector as a real[] parameter (binary), typed from the embedding column.
    let sql = "SELECT id, embedding <-> $1 FROM items ORDER BY embedding <-> $1, id LIMIT 4";
    let stmt = client.prepare(sql).await.unwrap();
    assert_eq!(stmt.params(), &[Type::FLOAT4_ARRAY]);
    let rows = client.query(&stmt, &[&q]).await.unwrap();
    let got: Vec<(String, f64)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    let want = nearest(&q, 4, |_| true);
    assert_eq!(
        got.iter().map(|g| &g.0).collect::<Vec<_>>(),
        want.iter().map(|w| &w.0).collect::<Vec<_>>()
    );
    for (g, w) in got.iter().zip(&want) {
        assert!((g.1 - w.1).abs() < 1e-6, "{g:?} vs {w:?}");
    }

    // The same as pgvector text, declared as text by the driver, with a JSON filter.
    let stmt = client
        .prepare_typed(
            "SELECT id FROM items WHERE doc->>'city' = 'Porto' ORDER BY embedding <-> $1, id LIMIT 3",
            &[Type::TEXT],
        )
        .await
        .unwrap();
    let rows = client.query(&stmt, &[&"[2.5, 7, 1]"]).await.unwrap();
    let got: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    let want: Vec<String> = nearest(&q, 3, |c| c == "Porto")
        .into_iter()
        .map(|w| w.0)
        .collect();
    assert_eq!(got, want);

    // Embeddings come back as real[]; vectors as pgvector text.
    let row = client
        .query_one("SELECT embedding FROM items WHERE id = 'v3'", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, Vec<f32>>(0), vec![3.0, 7.0, 0.0]);
    let text = client
        .simple_query("SELECT '[1,2.5,3]'::vector")
        .await
        .unwrap();
    let tokio_postgres::SimpleQueryMessage::Row(r) = &text[1] else {
        panic!("no row: {text:?}");
    };
    assert_eq!(r.get(0), Some("[1,2.5,3]"));

    // A vector of the wrong size: 22000 naming both sizes, and nothing changes.
    let e = client
        .query("SELECT embedding <-> '[1,2]' FROM items", &[])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22000");
    assert_eq!(message(&e), "different vector dimensions 3 and 2");
}

#[tokio::test]
async fn search_over_http() {
    let (h, _client) = setup().await;
    let base = h.serve_http().await;
    let http = reqwest::Client::new();
    let search = |body: Value, collection: &str| {
        http.post(format!("{base}/v1/collections/{collection}/search"))
            .basic_auth(USER, Some(PASSWORD))
            .json(&body)
            .send()
    };
    let q = [2.5f32, 7.0, 1.0];

    let r = search(json!({"vector": q, "k": 3, "filter": {"city": "Lisbon"}, "fields": ["id", "distance", "doc"]}), "items")
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    let want = nearest(&q, 3, |c| c == "Lisbon");
    let rows = body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    for (row, (id, d)) in rows.iter().zip(&want) {
        assert_eq!(row[0], json!(id));
        assert!((row[1].as_f64().unwrap() - d).abs() < 1e-6, "{row}");
        assert_eq!(row[2], json!({"city": "Lisbon"}));
    }
    assert_eq!(body["columns"][1]["name"], "distance");

    // Cosine and inner product order as pgvector's <=> and <#> do (by hand: v0 = (0,10,0)
    // points the most like (0,1,0); v9 = (9,1,0) has the largest inner product with (1,0,0)).
    let r = search(
        json!({"vector": [0, 1, 0], "k": 1, "metric": "cosine", "fields": ["id"]}),
        "items",
    )
    .await
    .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["rows"], json!([["v0"]]));
    let r = search(json!({"vector": [1, 0, 0], "k": 1, "metric": "inner_product", "fields": ["id", "distance"]}), "items").await.unwrap();
    assert_eq!(
        r.json::<Value>().await.unwrap()["rows"],
        json!([["v9", -9]])
    );

    // Errors: 400 with the SQLSTATE, 404 for an unknown collection.
    let r = search(json!({"vector": [1, 2]}), "items").await.unwrap();
    assert_eq!(r.status(), 400);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "22000");
    assert_eq!(e["error"]["message"], "different vector dimensions 3 and 2");
    let r = search(json!({"vector": [1, 2, 3], "k": 0}), "items")
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "22023");
    let r = search(json!({"vector": [1, 2, 3]}), "nope").await.unwrap();
    assert_eq!(r.status(), 404);
    // (The route is in the OpenAPI document: e2e/tests/http_api.rs checks every route.)
}
