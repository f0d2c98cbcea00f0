//! Recall against brute force, deletes, filtered search and the per-column bookkeeping.

use std::collections::HashSet;
use std::convert::Infallible;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;

fn random_vectors(n: usize, dims: usize, seed: u64) -> Vec<(String, Vec<f32>)> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .map(|i| {
            let v = (0..dims).map(|_| rng.random_range(-1.0f32..1.0)).collect();
            (format!("row{i}"), v)
        })
        .collect()
}

fn unit(v: &[f32]) -> Vec<f32> {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter().map(|x| x / n).collect()
}

/// The reference: every row measured in f64, sorted.
fn brute_force(
    rows: &[(String, Vec<f32>)],
    query: &[f32],
    k: usize,
    metric: Metric,
    keep: impl Fn(&str) -> bool,
) -> Vec<String> {
    let mut scored: Vec<(f64, &String)> = rows
        .iter()
        .filter(|(id, _)| keep(id))
        .map(|(id, v)| {
            let dot: f64 = v
                .iter()
                .zip(query)
                .map(|(a, b)| *a as f64 * *b as f64)
                .sum();
            let na: f64 = v.iter().map(|a| (*a as f64).powi(2)).sum::<f64>().sqrt();
            let nb: f64 = query
                .iter()
                .map(|a| (*a as f64).powi(2))
                .sum::<f64>()
                .sqrt();
            let d = match metric {
                Metric::L2 => v
                    .iter()
                    .zip(query)
                    .map(|(a, b)| (*a as f64 - *b as f64).powi(2))
                    .sum::<f64>()
                    .sqrt(),
                Metric::Cosine => 1.0 - dot / (na * nb),
                Metric::NegativeInnerProduct => -dot,
            };
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

fn keep_all(ids: &[&str]) -> Result<Vec<bool>, Infallible> {
    Ok(vec![true; ids.len()])
}

fn search(
    index: &VectorIndex,
    metric: Metric,
    query: &[f32],
    k: usize,
    ef: usize,
    keep: impl Fn(&str) -> bool,
) -> SearchResult {
    let Ok(found) = index.search(metric, query, k, ef, |ids: &[&str]| {
        Ok::<_, Infallible>(ids.iter().map(|id| keep(id)).collect())
    });
    found.unwrap()
}

fn recall(found: &SearchResult, truth: &[String]) -> f64 {
    let truth: HashSet<&String> = truth.iter().collect();
    let hit = found
        .hits
        .iter()
        .filter(|h| truth.contains(&h.row_id))
        .count();
    hit as f64 / truth.len() as f64
}

#[test]
fn recall_at_10_against_brute_force() {
    let rows = random_vectors(3000, 32, 1);
    let index = VectorIndex::build(32, IndexParams::default(), rows.clone());
    assert_eq!(index.len(), 3000);
    let queries = random_vectors(50, 32, 2);
    let mut total = 0.0;
    for (_, q) in &queries {
        let found = search(&index, Metric::L2, q, 10, 64, |_| true);
        assert_eq!(found.hits.len(), 10);
        assert!(matches!(found.path, SearchPath::Graph { .. }));
        // Nearest first, and the distances are the real L2 distances.
        for w in found.hits.windows(2) {
            assert!(w[0].distance <= w[1].distance);
        }
        let first = &found.hits[0];
        let v = &rows.iter().find(|(id, _)| *id == first.row_id).unwrap().1;
        let d: f32 = v
            .iter()
            .zip(q)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f32>()
            .sqrt();
        assert!(
            (first.distance - d).abs() < 1e-4,
            "{} vs {d}",
            first.distance
        );
        total += recall(&found, &brute_force(&rows, q, 10, Metric::L2, |_| true));
    }
    let mean = total / queries.len() as f64;
    assert!(mean >= 0.95, "recall@10 = {mean}");
}

#[test]
fn rows_inserted_one_by_one_are_found_as_well() {
    let rows = random_vectors(2000, 16, 3);
    let mut index = VectorIndex::new(16, IndexParams::default());
    for (id, v) in &rows {
        assert!(index.insert(id, v));
    }
    let queries = random_vectors(30, 16, 4);
    let total: f64 = queries
        .iter()
        .map(|(_, q)| {
            let found = search(&index, Metric::L2, q, 10, 64, |_| true);
            recall(&found, &brute_force(&rows, q, 10, Metric::L2, |_| true))
        })
        .sum();
    assert!(total / 30.0 >= 0.95, "recall@10 = {}", total / 30.0);
}

#[test]
fn deleted_and_replaced_rows_are_never_returned_with_their_old_vector() {
    let rows = random_vectors(1500, 16, 5);
    let mut index = VectorIndex::build(16, IndexParams::default(), rows.clone());
    // Delete every row nearest to the query, then move one row right onto the query.
    let query = rows[7].1.clone();
    let nearest = brute_force(&rows, &query, 50, Metric::L2, |_| true);
    for id in &nearest {
        index.delete(id);
    }
    assert_eq!(index.len(), 1450);
    let found = search(&index, Metric::L2, &query, 10, 64, |_| true);
    assert_eq!(found.hits.len(), 10);
    for h in &found.hits {
        assert!(
            !nearest.contains(&h.row_id),
            "deleted {} returned",
            h.row_id
        );
    }
    let remaining: Vec<(String, Vec<f32>)> = rows
        .iter()
        .filter(|(id, _)| !nearest.contains(id))
        .cloned()
        .collect();
    assert!(
        recall(
            &found,
            &brute_force(&remaining, &query, 10, Metric::L2, |_| true)
        ) >= 0.9
    );
    // An upsert: row999 now sits on the query.
    assert!(index.insert("row999", &query));
    let found = search(&index, Metric::L2, &query, 1, 64, |_| true);
    assert_eq!(found.hits[0].row_id, "row999");
    assert_eq!(found.hits[0].distance, 0.0);
    assert_eq!(index.len(), 1450);
}

#[test]
fn many_deletes_rebuild_the_graph_without_losing_rows() {
    let rows = random_vectors(6000, 8, 6);
    let mut index = VectorIndex::build(8, IndexParams::default(), rows.clone());
    for (id, _) in rows.iter().take(5000) {
        index.delete(id);
    }
    // Rebuilt once the tombstones outnumbered the live rows.
    assert!(index.nodes() < 6000, "nodes {}", index.nodes());
    assert_eq!(index.len(), 1000);
    let remaining = &rows[5000..];
    let q = &rows[5500].1;
    let found = search(&index, Metric::L2, q, 10, 64, |_| true);
    assert_eq!(found.hits[0].row_id, "row5500");
    assert!(recall(&found, &brute_force(remaining, q, 10, Metric::L2, |_| true)) >= 0.9);
}

#[test]
fn a_filtered_search_returns_k_rows_whenever_k_rows_pass() {
    let rows = random_vectors(3000, 16, 7);
    let index = VectorIndex::build(16, IndexParams::default(), rows.clone());
    let q = &random_vectors(1, 16, 8)[0].1;
    let number = |id: &str| id.trim_start_matches("row").parse::<usize>().unwrap();
    // Half the rows pass: found on the graph.
    let even = |id: &str| number(id) % 2 == 0;
    let found = search(&index, Metric::L2, q, 10, 64, even);
    assert_eq!(found.hits.len(), 10);
    assert!(found.hits.iter().all(|h| even(&h.row_id)));
    assert!(matches!(found.path, SearchPath::Graph { .. }));
    assert!(recall(&found, &brute_force(&rows, q, 10, Metric::L2, even)) >= 0.9);
    // Twelve rows pass: ef grows until ten are found (here up to the whole graph).
    let rare = |id: &str| number(id) % 250 == 3;
    let found = search(&index, Metric::L2, q, 10, 64, rare);
    assert_eq!(found.hits.len(), 10);
    assert!(found.hits.iter().all(|h| rare(&h.row_id)));
    assert!(recall(&found, &brute_force(&rows, q, 10, Metric::L2, rare)) >= 0.9);
    // Fewer rows pass than asked: the graph cannot find ten, the exact pass gives all three.
    let three = |id: &str| number(id) % 1000 == 1;
    let found = search(&index, Metric::L2, q, 10, 64, three);
    assert_eq!(found.path, SearchPath::Exact);
    let ids: Vec<String> = found.hits.iter().map(|h| h.row_id.clone()).collect();
    assert_eq!(ids, brute_force(&rows, q, 10, Metric::L2, three));
    // None pass.
    assert!(
        search(&index, Metric::L2, q, 10, 64, |_| false)
            .hits
            .is_empty()
    );
}

#[test]
fn the_filter_error_stops_the_search() {
    let index = VectorIndex::build(4, IndexParams::default(), random_vectors(100, 4, 9));
    let result = index.search(Metric::L2, &[0.0; 4], 5, 16, |_: &[&str]| Err("bad filter"));
    assert_eq!(result.unwrap_err(), "bad filter");
}

#[test]
fn unit_vectors_answer_cosine_and_inner_product_on_the_l2_graph() {
    let rows: Vec<(String, Vec<f32>)> = random_vectors(3000, 24, 10)
        .into_iter()
        .map(|(id, v)| (id, unit(&v)))
        .collect();
    let index = VectorIndex::build(24, IndexParams::default(), rows.clone());
    assert!(index.all_unit());
    let queries = random_vectors(20, 24, 11);
    for metric in [Metric::Cosine, Metric::NegativeInnerProduct] {
        assert!(index.serves(metric));
        let mut total = 0.0;
        for (_, q) in &queries {
            // A query of any length: cosine and inner-product order do not depend on it.
            let q: Vec<f32> = q.iter().map(|x| x * 3.0).collect();
            let found = search(&index, metric, &q, 10, 64, |_| true);
            assert!(matches!(found.path, SearchPath::Graph { .. }));
            let truth = brute_force(&rows, &q, 10, metric, |_| true);
            total += recall(&found, &truth);
            // The distance reported is the metric's.
            let v = &rows
                .iter()
                .find(|(id, _)| *id == found.hits[0].row_id)
                .unwrap()
                .1;
            let dot: f32 = v.iter().zip(&q).map(|(a, b)| a * b).sum();
            let qn = q.iter().map(|x| x * x).sum::<f32>().sqrt();
            let expected = match metric {
                Metric::Cosine => 1.0 - dot / qn,
                _ => -dot,
            };
            assert!((found.hits[0].distance - expected).abs() < 1e-3);
        }
        assert!(total / 20.0 >= 0.95, "{metric:?} recall {}", total / 20.0);
    }
}

#[test]
fn vectors_of_any_length_are_answered_exactly_for_cosine() {
    let rows = random_vectors(500, 8, 12);
    let index = VectorIndex::build(8, IndexParams::default(), rows.clone());
    assert!(!index.serves(Metric::Cosine));
    let q = &rows[3].1;
    let found = search(&index, Metric::Cosine, q, 5, 64, |_| true);
    assert_eq!(found.path, SearchPath::Exact);
    let ids: Vec<String> = found.hits.iter().map(|h| h.row_id.clone()).collect();
    assert_eq!(ids, brute_force(&rows, q, 5, Metric::Cosine, |_| true));
}

#[test]
fn bad_query_vectors_are_refused() {
    let index = VectorIndex::build(4, IndexParams::default(), random_vectors(10, 4, 13));
    let Ok(r) = index.search(Metric::L2, &[1.0, 2.0], 3, 8, keep_all);
    assert_eq!(r, Err(QueryError::Dimensions { index: 4, query: 2 }));
    let Ok(r) = index.search(Metric::L2, &[f32::NAN, 0.0, 0.0, 0.0], 3, 8, keep_all);
    assert!(matches!(r, Err(QueryError::Degenerate(_))));
    let Ok(r) = index.search(Metric::Cosine, &[0.0; 4], 3, 8, keep_all);
    assert!(matches!(r, Err(QueryError::Degenerate(_))));
}

#[test]
fn vector_text_forms_parse() {
    assert_eq!(parse_vector("{1,2.5,-3}"), Some(vec![1.0, 2.5, -3.0]));
    assert_eq!(parse_vector("[1, 2.5, -3e2]"), Some(vec![1.0, 2.5, -300.0]));
    assert_eq!(parse_vector("{}"), None);
    assert_eq!(parse_vector("{{1,2},{3,4}}"), None);
    assert_eq!(parse_vector("{1,NULL}"), None);
    assert_eq!(parse_vector("hello"), None);
    assert!(parse_vector("{NaN,1}").unwrap()[0].is_nan());
}

fn columns() -> Vec<crate::feed::pgoutput::RelationColumn> {
    crate::feed::pgoutput::test_relation(1, "t", &[("id", 25), ("doc", 3802), ("embedding", 1021)])
        .columns
}

#[test]
fn a_collection_keeps_its_vector_column_current() {
    let mut t = TableVectors::for_columns(&columns(), IndexParams::default(), true);
    assert!(t.column("doc").is_none());
    let row = |v: &'static str| move |i: usize| (i == 2).then_some(v);
    t.upsert("a", row("{1,0,0}"));
    t.upsert("b", row("{0,1,0}"));
    t.upsert("c", row("{0,0,1}"));
    t.upsert("a", row("{5,5,5}"));
    t.delete("c");
    t.upsert("n", |_| None);
    assert!(
        t.column("embedding").unwrap().index().is_err(),
        "still loading"
    );
    t.build_pending();
    let index = t.column("embedding").unwrap().index().unwrap().unwrap();
    assert_eq!(index.len(), 2);
    let found = search(index, Metric::L2, &[1.0, 0.0, 0.0], 5, 16, |_| true);
    let ids: Vec<&str> = found.hits.iter().map(|h| h.row_id.as_str()).collect();
    assert_eq!(ids, ["b", "a"]);
    assert!(t.memory_bytes() > 0);
    // Live changes after the build.
    t.upsert("d", row("[1,0,0]"));
    t.delete("b");
    let index = t.column("embedding").unwrap().index().unwrap().unwrap();
    let found = search(index, Metric::L2, &[1.0, 0.0, 0.0], 5, 16, |_| true);
    let ids: Vec<&str> = found.hits.iter().map(|h| h.row_id.as_str()).collect();
    assert_eq!(ids, ["d", "a"]);
    // A vector of other dimensions makes the index refuse queries until it is gone.
    t.upsert("odd", row("{1,2}"));
    let why = t.column("embedding").unwrap().index().unwrap_err();
    assert!(why.contains("odd"), "{why}");
    t.delete("odd");
    assert!(t.column("embedding").unwrap().index().is_ok());
    t.clear();
    assert!(t.column("embedding").unwrap().index().unwrap().is_none());
}
