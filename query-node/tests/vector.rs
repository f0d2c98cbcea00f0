//! Vector search over real Postgres shards: a collection with a `real[]` embedding column,
//! written through the node, read back and ranked by distance, with the columnar replica on
//! and off. Every answer is checked against distances and orders computed here in f64.

mod common;

use std::sync::Arc;

use common::*;
use docfusiondb::Engine;

const DIMS: usize = 8;

/// A deterministic generator (xorshift), so that the data is the same in every run.
struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }
    fn vector(&mut self) -> Vec<f32> {
        (0..DIMS)
            .map(|_| (self.unit() * 1000.0).round() / 100.0)
            .collect()
    }
}

/// Which items a filter keeps.
type Keep = Box<dyn Fn(&Item) -> bool>;

struct Item {
    id: String,
    city: &'static str,
    price: i64,
    embedding: Vec<f32>,
}

fn items(n: usize) -> Vec<Item> {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let cities = ["Lisbon", "Porto", "Tokyo"];
    (0..n)
        .map(|i| Item {
            id: format!("it-{i:04}"),
            city: cities[i % 3],
            price: (i as i64 * 37) % 200,
            embedding: rng.vector(),
        })
        .collect()
}

fn pg_array(v: &[f32]) -> String {
    let items: Vec<String> = v.iter().map(|x| x.to_string()).collect();
    format!("{{{}}}", items.join(","))
}

fn vector_text(v: &[f32]) -> String {
    let items: Vec<String> = v.iter().map(|x| x.to_string()).collect();
    format!("[{}]", items.join(","))
}

async fn create_and_load(engine: &Engine, items: &[Item]) {
    engine
        .query("CREATE TABLE items (id text primary key, doc jsonb, embedding real[])")
        .await
        .expect("create");
    for chunk in items.chunks(100) {
        let values: Vec<String> = chunk
            .iter()
            .map(|it| {
                format!(
                    "('{}', '{{\"city\": \"{}\", \"price\": {}}}', '{}')",
                    it.id,
                    it.city,
                    it.price,
                    pg_array(&it.embedding)
                )
            })
            .collect();
        engine
            .query(&format!(
                "INSERT INTO items (id, doc, embedding) VALUES {}",
                values.join(", ")
            ))
            .await
            .expect("insert");
    }
    engine.catalog().refresh().await.expect("refresh");
}

fn l2(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2))
        .sum::<f64>()
        .sqrt()
}

fn dot(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| f64::from(*x) * f64::from(*y))
        .sum()
}

fn cosine(a: &[f32], b: &[f32]) -> f64 {
    1.0 - dot(a, b) / (dot(a, a).sqrt() * dot(b, b).sqrt())
}

/// The ids of the `k` items passing `keep` nearest to `q` by `distance`, ties by id: a
/// full sort.
fn reference_top_k(
    items: &[Item],
    q: &[f32],
    k: usize,
    distance: fn(&[f32], &[f32]) -> f64,
    keep: impl Fn(&Item) -> bool,
) -> Vec<String> {
    let mut ranked: Vec<(f64, &str)> = items
        .iter()
        .filter(|it| keep(it))
        .map(|it| (distance(&it.embedding, q), it.id.as_str()))
        .collect();
    ranked.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
    ranked
        .into_iter()
        .take(k)
        .map(|(_, id)| id.to_string())
        .collect()
}

async fn ids(engine: &Engine, sql: &str) -> Vec<String> {
    node_rows(engine, sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
        .into_iter()
        .map(|r| r[0].clone().unwrap_or_default())
        .collect()
}

/// The plan of a filtered top-10 keeps only 10 rows per partition (shard) and merges them:
/// no sort of every row.
async fn assert_top_k_plan(engine: &Engine) {
    let q = vector_text(&[0.5; DIMS]);
    let plan = explain(
        engine,
        &format!(
            "SELECT id FROM items WHERE doc @> '{{\"city\": \"Lisbon\"}}' \
             ORDER BY embedding <-> '{q}', id LIMIT 10"
        ),
    )
    .await;
    assert!(plan.contains("TopK(fetch=10)"), "{plan}");
    assert!(plan.contains("SortPreservingMergeExec"), "{plan}");
    for line in plan.lines().filter(|l| l.contains("SortExec:")) {
        assert!(line.contains("TopK"), "a full sort: {line}\n{plan}");
        // The top-k orders by the distance computed once, under it, not by the expression
        // (which it would evaluate again for its dynamic filter).
        assert!(
            line.contains("expr=[__docfusion_sort_key_0@"),
            "the sort computes the distance: {line}\n{plan}"
        );
    }
    assert!(
        plan.lines()
            .any(|l| l.contains("ProjectionExec") && l.contains("as __docfusion_sort_key_0")),
        "{plan}"
    );
}

/// Round trips, distances and top-k on `engine`.
async fn check_engine(engine: &Arc<Engine>, items: &[Item]) {
    // The embedding reads back as Postgres prints a float4[].
    let rows = node_rows(
        engine,
        "SELECT id, embedding FROM items WHERE id = 'it-0007'",
    )
    .await
    .unwrap();
    assert_eq!(
        rows[0][1].as_deref(),
        Some(pg_array(&items[7].embedding).as_str())
    );

    // Distances of every row against f64 arithmetic.
    let q = Rng(99).vector();
    let qt = vector_text(&q);
    let rows = node_rows(
        engine,
        &format!(
            "SELECT id, embedding <-> '{qt}', embedding <=> '{qt}', embedding <#> '{qt}', \
             vector_dims(embedding) FROM items ORDER BY id"
        ),
    )
    .await
    .unwrap();
    assert_eq!(rows.len(), items.len());
    for (row, it) in rows.iter().zip(items) {
        let got: Vec<f64> = row[1..4]
            .iter()
            .map(|c| c.as_deref().unwrap().parse().unwrap())
            .collect();
        assert!((got[0] - l2(&it.embedding, &q)).abs() < 1e-3, "{row:?}");
        assert!((got[1] - cosine(&it.embedding, &q)).abs() < 1e-5, "{row:?}");
        assert!((got[2] + dot(&it.embedding, &q)).abs() < 1e-2, "{row:?}");
        assert_eq!(row[4].as_deref(), Some(DIMS.to_string().as_str()));
    }

    // Exact top-k equals a full sort, with and without filters (JSON ones included).
    let cases: Vec<(String, Keep)> = vec![
        (String::new(), Box::new(|_| true)),
        (
            "WHERE doc @> '{\"city\": \"Lisbon\"}'".into(),
            Box::new(|it: &Item| it.city == "Lisbon"),
        ),
        (
            "WHERE (doc->>'price')::int < 50 AND doc->>'city' <> 'Tokyo'".into(),
            Box::new(|it: &Item| it.price < 50 && it.city != "Tokyo"),
        ),
    ];
    for (filter, keep) in &cases {
        for (op, distance) in [
            ("<->", l2 as fn(&[f32], &[f32]) -> f64),
            ("<=>", cosine),
            ("<#>", |a: &[f32], b: &[f32]| -dot(a, b)),
        ] {
            for k in [1, 10, 25] {
                let sql = format!(
                    "SELECT id FROM items {filter} ORDER BY embedding {op} '{qt}', id LIMIT {k}"
                );
                let want = reference_top_k(items, &q, k, distance, keep);
                assert_eq!(ids(engine, &sql).await, want, "{sql}");
            }
        }
    }
}

#[tokio::test]
async fn real_array_embeddings_on_the_shard_scan() {
    let shards = start_servers(3).await;
    let engine = engine_for(&shards).await;
    let items = items(600);
    create_and_load(&engine, &items).await;
    check_engine(&engine, &items).await;
    assert_top_k_plan(&engine).await;
    // Without a filter the shards send ids and embeddings only, not the documents.
    let plan = explain(
        &engine,
        "SELECT id FROM items ORDER BY embedding <-> '[1,2,3,4,5,6,7,8]' LIMIT 5",
    )
    .await;
    let scan = plan
        .lines()
        .find(|l| l.contains("ShardScanExec"))
        .unwrap_or_else(|| panic!("{plan}"));
    assert!(
        scan.contains("\"embedding\"") && !scan.contains("\"doc\""),
        "{scan}"
    );

    // Writes go through the node's write path: UPDATE of an embedding, then a bad one.
    engine
        .query("UPDATE items SET embedding = '{1,1,1,1,1,1,1,1}' WHERE id = 'it-0003'")
        .await
        .expect("update");
    let rows = node_rows(
        &engine,
        "SELECT embedding <-> '[1,1,1,1,1,1,1,1]' FROM items WHERE id = 'it-0003'",
    )
    .await
    .unwrap();
    assert_eq!(rows, vec![vec![Some("0".to_string())]]);
    let e = node_rows(&engine, "SELECT embedding <-> '[1,2,3]' FROM items")
        .await
        .unwrap_err();
    assert_eq!(e.code, "22000");
    assert_eq!(e.message, "different vector dimensions 8 and 3");
}

#[tokio::test]
async fn real_array_embeddings_on_the_replica() {
    let shards = start_servers(2).await;
    let engine = replica_engine_for(&shards).await;
    let items = items(500);
    create_and_load(&engine, &items).await;
    wait_replica_ready(&engine).await;
    let plan = explain(
        &engine,
        "SELECT id FROM items ORDER BY embedding <-> '[1,2,3,4,5,6,7,8]' LIMIT 5",
    )
    .await;
    assert!(plan.contains("ReplicaScanExec: collection=items"), "{plan}");
    check_engine(&engine, &items).await;
    assert_top_k_plan(&engine).await;
}
