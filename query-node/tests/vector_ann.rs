//! Approximate top-k through SQL on a replica over two real shards: recall against the
//! exact answer computed here, a filtered query that still returns k rows, the index kept
//! current by INSERT/DELETE under strong consistency, and the `docfusion.vector_search`
//! setting.

mod common;

use std::collections::HashSet;

use common::*;
use docfusiondb::Engine;
use docfusiondb::render::batches_to_pg_text;
use docfusiondb::session::{Outcome, Session};

const DIMS: usize = 16;
const ROWS: usize = 1500;

/// A deterministic unit vector per (seed, i) (splitmix-style), so the test needs no crate.
fn vector(seed: u64, i: u64) -> Vec<f32> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ i.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let v: Vec<f32> = (0..DIMS)
        .map(|_| {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (z >> 11) as f32 / (1u64 << 53) as f32 * 2.0 - 1.0
        })
        .collect();
    let n = v.iter().map(|a| a * a).sum::<f32>().sqrt();
    v.iter().map(|a| a / n).collect()
}

fn literal(v: &[f32]) -> String {
    let parts: Vec<String> = v.iter().map(|x| format!("{x}")).collect();
    format!("'[{}]'::vector", parts.join(","))
}

fn array(v: &[f32]) -> String {
    let parts: Vec<String> = v.iter().map(|x| format!("{x}")).collect();
    format!("'{{{}}}'", parts.join(","))
}

/// The reference: ids of the k rows nearest `q` by L2 among `rows` passing `keep`, in f64.
fn reference(
    rows: &[(String, Vec<f32>, u64)],
    q: &[f32],
    k: usize,
    keep: impl Fn(u64) -> bool,
) -> Vec<String> {
    let mut scored: Vec<(f64, &String)> = rows
        .iter()
        .filter(|(_, _, n)| keep(*n))
        .map(|(id, v, _)| {
            let d: f64 = v
                .iter()
                .zip(q)
                .map(|(a, b)| (*a as f64 - *b as f64).powi(2))
                .sum();
            (d, id)
        })
        .collect();
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    scored
        .into_iter()
        .take(k)
        .map(|(_, id)| id.clone())
        .collect()
}

async fn run(
    engine: &Engine,
    session: &mut Session,
    sql: &str,
) -> Result<Vec<Vec<Option<String>>>, docfusiondb::SqlError> {
    let statement = engine.parse(sql)?.remove(0);
    let prepared = engine.prepare(session, statement, &[]).await?;
    match engine.run(session, &prepared, &[]).await? {
        Outcome::Rows { output, .. } => Ok(batches_to_pg_text(&output.batches)),
        Outcome::Command(_) => Ok(Vec::new()),
    }
}

/// The text of `EXPLAIN sql`.
async fn explain(engine: &Engine, session: &mut Session, sql: &str) -> String {
    let plan = run(engine, session, &format!("EXPLAIN {sql}"))
        .await
        .unwrap();
    plan.into_iter()
        .flatten()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n")
}

fn ids(rows: &[Vec<Option<String>>]) -> Vec<String> {
    rows.iter().filter_map(|r| r[0].clone()).collect()
}

#[tokio::test]
async fn approximate_top_k_through_sql_on_two_shards() {
    let servers = start_servers(2).await;
    let engine = replica_engine_for(&servers).await;
    wait_replica_ready(&engine).await;
    engine
        .query("CREATE TABLE items (id text PRIMARY KEY, doc jsonb, embedding real[])")
        .await
        .expect("create");
    let rows: Vec<(String, Vec<f32>, u64)> = (0..ROWS as u64)
        .map(|i| (format!("it-{i:05}"), vector(1, i), i))
        .collect();
    for chunk in rows.chunks(250) {
        let values: Vec<String> = chunk
            .iter()
            .map(|(id, v, n)| format!("('{id}', '{{\"n\": {n}}}', {})", array(v)))
            .collect();
        engine
            .query(&format!(
                "INSERT INTO items (id, doc, embedding) VALUES {}",
                values.join(", ")
            ))
            .await
            .expect("insert");
    }
    engine.catalog().refresh().await.unwrap();
    let mut session = Session::new(&engine, "test");

    // The setting: exact by default, per session, checked.
    let shown = run(&engine, &mut session, "SHOW docfusion.vector_search")
        .await
        .unwrap();
    assert_eq!(shown, vec![vec![Some("exact".to_string())]]);
    let shown = run(&engine, &mut session, "SHOW docfusion.consistency")
        .await
        .unwrap();
    assert_eq!(shown, vec![vec![Some("strong".to_string())]]);
    let err = run(
        &engine,
        &mut session,
        "SET docfusion.vector_search = 'fuzzy'",
    )
    .await
    .unwrap_err();
    assert_eq!(err.code, "22023");
    assert!(
        err.message.contains("fuzzy") && err.message.contains("exact or approximate"),
        "{}",
        err.message
    );
    run(
        &engine,
        &mut session,
        "SET docfusion.vector_search = approximate",
    )
    .await
    .unwrap();
    let shown = run(&engine, &mut session, "SHOW docfusion.vector_search")
        .await
        .unwrap();
    assert_eq!(shown, vec![vec![Some("approximate".to_string())]]);

    // Recall@10 of the approximate plan against the exact answer computed here.
    let mut total = 0.0;
    let queries = 10;
    for qi in 0..queries {
        let q = vector(2, qi);
        let sql = format!(
            "SELECT id FROM items ORDER BY embedding <-> {} LIMIT 10",
            literal(&q)
        );
        let got = ids(&run(&engine, &mut session, &sql).await.unwrap());
        assert_eq!(got.len(), 10);
        let truth: HashSet<String> = reference(&rows, &q, 10, |_| true).into_iter().collect();
        total += got.iter().filter(|id| truth.contains(*id)).count() as f64 / 10.0;
    }
    let recall = total / queries as f64;
    assert!(recall >= 0.9, "recall@10 {recall}");
    let q = vector(2, 0);
    let sql = format!(
        "SELECT id FROM items ORDER BY embedding <-> {} LIMIT 10",
        literal(&q)
    );
    let plan = explain(&engine, &mut session, &sql).await;
    assert!(plan.contains("hnsw=[embedding L2 k=10"), "{plan}");
    assert!(plan.contains("graph(ef=64)"), "{plan}");

    // The candidate list, pgvector's `hnsw.ef_search`: per session, checked, at least k.
    let shown = run(&engine, &mut session, "SHOW hnsw.ef_search")
        .await
        .unwrap();
    assert_eq!(shown, vec![vec![Some("64".to_string())]]);
    for bad in ["0", "1001", "many"] {
        let err = run(
            &engine,
            &mut session,
            &format!("SET hnsw.ef_search = '{bad}'"),
        )
        .await
        .unwrap_err();
        assert_eq!(err.code, "22023", "{bad}");
        assert!(err.message.contains("1 to 1000"), "{}", err.message);
    }
    run(&engine, &mut session, "SET hnsw.ef_search = 200")
        .await
        .unwrap();
    let plan = explain(&engine, &mut session, &sql).await;
    assert!(plan.contains("graph(ef=200)"), "{plan}");
    run(&engine, &mut session, "SET hnsw.ef_search = 3")
        .await
        .unwrap();
    let plan = explain(&engine, &mut session, &sql).await;
    assert!(plan.contains("graph(ef=10)"), "at least k: {plan}");
    run(&engine, &mut session, "RESET hnsw.ef_search")
        .await
        .unwrap();

    // A filter that 30 rows pass: still 10 rows, all passing, the right ones.
    let sql = format!(
        "SELECT id FROM items WHERE (doc->>'n')::int % 50 = 7 ORDER BY embedding <-> {} LIMIT 10",
        literal(&q)
    );
    let got = ids(&run(&engine, &mut session, &sql).await.unwrap());
    assert_eq!(got, reference(&rows, &q, 10, |n| n % 50 == 7));

    // Writes (strong consistency): the index sees an insert and a delete.
    let target = vector(3, 0);
    let insert = format!(
        "INSERT INTO items (id, doc, embedding) VALUES ('new', '{{\"n\": -1}}', {})",
        array(&target)
    );
    run(&engine, &mut session, &insert).await.unwrap();
    let nearest = format!(
        "SELECT id FROM items ORDER BY embedding <-> {} LIMIT 1",
        literal(&target)
    );
    assert_eq!(
        ids(&run(&engine, &mut session, &nearest).await.unwrap()),
        ["new"]
    );
    run(&engine, &mut session, "DELETE FROM items WHERE id = 'new'")
        .await
        .unwrap();
    let after = ids(&run(&engine, &mut session, &nearest).await.unwrap());
    assert_eq!(after, reference(&rows, &target, 1, |_| true));

    // Exact mode stays the exact plan.
    run(&engine, &mut session, "SET docfusion.vector_search = exact")
        .await
        .unwrap();
    let plan = explain(&engine, &mut session, &sql).await;
    assert!(!plan.contains("hnsw="), "{plan}");
}
