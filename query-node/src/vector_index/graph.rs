//! One HNSW graph over (row id, vector) pairs, with deletes as tombstones and a filtered
//! search that still returns k rows when k rows pass the filter.
//!
//! Filtered search: the graph is searched with a candidate list of `ef`, candidates are
//! dropped when deleted or refused by the filter (evaluated in one batch per round), and
//! while fewer than `k` survive, `ef` grows four-fold and the search runs again. When the
//! filter is so selective that `ef` would pass [`MAX_GRAPH_EF`] (or the whole graph), the
//! search turns exact over the rows that pass the filter: every live vector is filtered
//! and measured. The answer is complete either way; only its cost differs.
//! (hnsw_rs' own filter hook is not used: with a filter its layer search keeps walking
//! the whole graph.)

use std::collections::{BinaryHeap, HashMap};

use hnsw_rs::anndists::dist::Distance;
use hnsw_rs::hnsw::Hnsw;

use super::{Metric, QueryError, UNIT_TOLERANCE, kernel, norm};

/// Graph parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexParams {
    /// Links per node and layer (`M`); layer 0 keeps twice as many.
    pub max_connections: usize,
    /// Candidate list while inserting.
    pub ef_construction: usize,
    /// Candidate list while searching, when a query does not say.
    pub ef_search: usize,
}

impl Default for IndexParams {
    fn default() -> Self {
        IndexParams {
            max_connections: 16,
            ef_construction: 100,
            ef_search: 64,
        }
    }
}

/// The largest candidate list a filtered search tries on the graph before it turns exact.
pub const MAX_GRAPH_EF: usize = 4096;

/// Layers of the graph (hnsw_rs' maximum).
const MAX_LAYERS: usize = 16;

/// Filter evaluations per batch in the exact fallback.
const EXACT_BATCH: usize = 1024;

/// One result: the row and its distance under the query's metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Row id.
    pub row_id: String,
    /// Distance to the query.
    pub distance: f32,
}

/// How a search found its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchPath {
    /// On the graph, with this candidate list at the end.
    Graph {
        /// The final `ef`.
        ef: usize,
    },
    /// Exactly, over every live row that passed the filter.
    Exact,
}

/// A search's rows (nearest first) and how they were found.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResult {
    /// At most k rows, nearest first.
    pub hits: Vec<Hit>,
    /// Graph or exact.
    pub path: SearchPath,
    /// Rows the filter was asked about.
    pub filtered: usize,
}

/// The graph's distance: L2 between stored vectors. `max(0)` keeps rounding from ever
/// giving hnsw_rs a negative distance (it asserts against them).
#[derive(Debug, Clone, Copy, Default)]
struct GraphDistance;

impl Distance<f32> for GraphDistance {
    fn eval(&self, va: &[f32], vb: &[f32]) -> f32 {
        kernel::l2(va, vb).max(0.0)
    }
}

#[derive(Debug, Clone)]
struct Slot {
    row_id: String,
    unit: bool,
}

/// An HNSW index of one vector column's rows.
pub struct VectorIndex {
    dims: usize,
    params: IndexParams,
    graph: Hnsw<'static, f32, GraphDistance>,
    /// Graph node → live row; deleted nodes are absent (tombstones in the graph).
    live: HashMap<usize, Slot>,
    nodes: HashMap<String, usize>,
    next_node: usize,
    not_unit: usize,
}

impl std::fmt::Debug for VectorIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VectorIndex")
            .field("dims", &self.dims)
            .field("live", &self.live.len())
            .field("nodes", &self.next_node)
            .finish()
    }
}

fn is_unit(v: &[f32]) -> bool {
    (norm(v) - 1.0).abs() <= UNIT_TOLERANCE
}

fn new_graph(params: IndexParams, expected: usize) -> Hnsw<'static, f32, GraphDistance> {
    Hnsw::new(
        params.max_connections.clamp(2, 255),
        expected.max(1024),
        MAX_LAYERS,
        params.ef_construction.max(params.max_connections),
        GraphDistance,
    )
}

impl VectorIndex {
    /// An empty index of `dims`-dimensional vectors.
    pub fn new(dims: usize, params: IndexParams) -> VectorIndex {
        VectorIndex {
            dims,
            params,
            graph: new_graph(params, 0),
            live: HashMap::new(),
            nodes: HashMap::new(),
            next_node: 0,
            not_unit: 0,
        }
    }

    /// An index of `rows` (each vector of length `dims`, finite; others are skipped),
    /// inserted in parallel.
    pub fn build(dims: usize, params: IndexParams, rows: Vec<(String, Vec<f32>)>) -> VectorIndex {
        let mut index = VectorIndex::new(dims, params);
        index.graph = new_graph(params, rows.len());
        let mut batch: Vec<(&Vec<f32>, usize)> = Vec::with_capacity(rows.len());
        for (row_id, v) in &rows {
            if !index.accepts(v) {
                continue;
            }
            if let Some(old) = index.nodes.get(row_id).copied() {
                index.forget(old);
            }
            let node = index.remember(row_id.clone(), v);
            batch.push((v, node));
        }
        // Deleted duplicates are tombstones in the graph like any other delete.
        index.graph.parallel_insert(&batch);
        index
    }

    /// Vector length.
    pub fn dims(&self) -> usize {
        self.dims
    }

    /// Live rows.
    pub fn len(&self) -> usize {
        self.live.len()
    }

    /// True without live rows.
    pub fn is_empty(&self) -> bool {
        self.live.is_empty()
    }

    /// Graph nodes, deleted ones included.
    pub fn nodes(&self) -> usize {
        self.next_node
    }

    /// True when every live vector has unit length, so that cosine and inner-product
    /// queries order as L2 does on the graph.
    pub fn all_unit(&self) -> bool {
        self.not_unit == 0
    }

    /// True when the index can answer `metric` queries.
    pub fn serves(&self, metric: Metric) -> bool {
        metric == Metric::L2 || self.all_unit()
    }

    /// Approximate memory held, in bytes: vectors, links (layer 0 holds up to 2·M, upper
    /// layers add about 1/(M−1) of that), per-node overhead, and the row-id maps.
    pub fn memory_bytes(&self) -> usize {
        let m = self.params.max_connections;
        let link = std::mem::size_of::<usize>() + std::mem::size_of::<f32>() + 4;
        let per_node = self.dims * 4 + 2 * m * link + 2 * link + 160;
        let ids: usize = self.nodes.keys().map(|k| 2 * (k.len() + 64)).sum();
        self.next_node * per_node + ids
    }

    fn accepts(&self, v: &[f32]) -> bool {
        v.len() == self.dims && v.iter().all(|x| x.is_finite())
    }

    fn remember(&mut self, row_id: String, v: &[f32]) -> usize {
        let node = self.next_node;
        self.next_node += 1;
        let unit = is_unit(v);
        if !unit {
            self.not_unit += 1;
        }
        self.nodes.insert(row_id.clone(), node);
        self.live.insert(node, Slot { row_id, unit });
        node
    }

    fn forget(&mut self, node: usize) {
        if let Some(slot) = self.live.remove(&node) {
            if !slot.unit {
                self.not_unit -= 1;
            }
            self.nodes.remove(&slot.row_id);
        }
    }

    /// Adds or replaces the vector of `row_id`. Returns false (and removes any previous
    /// vector of the row) when `v` has the wrong length or a non-finite component.
    pub fn insert(&mut self, row_id: &str, v: &[f32]) -> bool {
        self.delete(row_id);
        if !self.accepts(v) {
            return false;
        }
        let node = self.remember(row_id.to_string(), v);
        self.graph.insert_slice((v, node));
        self.rebuild_if_mostly_dead();
        true
    }

    /// Removes `row_id`'s vector (nothing when absent).
    pub fn delete(&mut self, row_id: &str) {
        if let Some(node) = self.nodes.get(row_id).copied() {
            self.forget(node);
            self.rebuild_if_mostly_dead();
        }
    }

    /// Every live row with its vector, as the graph keeps them.
    fn live_vectors(&self) -> Vec<(String, Vec<f32>)> {
        self.graph
            .get_point_indexation()
            .into_iter()
            .filter_map(|p| {
                let slot = self.live.get(&p.get_origin_id())?;
                Some((slot.row_id.clone(), p.get_v().to_vec()))
            })
            .collect()
    }

    /// Tombstones cost search time and memory: once they outnumber the live rows (and
    /// there are a few thousand), the graph is built again from the live rows, so the
    /// cost is paid once per as many deletes as there are rows.
    fn rebuild_if_mostly_dead(&mut self) {
        let dead = self.next_node - self.live.len();
        if dead > 4096 && dead > self.live.len() {
            *self = VectorIndex::build(self.dims, self.params, self.live_vectors());
        }
    }

    fn check_query(&self, metric: Metric, query: &[f32]) -> Result<Vec<f32>, QueryError> {
        if query.len() != self.dims {
            return Err(QueryError::Dimensions {
                index: self.dims,
                query: query.len(),
            });
        }
        if !query.iter().all(|x| x.is_finite()) {
            return Err(QueryError::Degenerate("a NaN or infinite component"));
        }
        if metric == Metric::L2 {
            return Ok(query.to_vec());
        }
        let n = norm(query);
        if n == 0.0 {
            return Err(QueryError::Degenerate("no direction (all zero)"));
        }
        Ok(query.iter().map(|x| x / n).collect())
    }

    /// The `k` rows nearest `query` under `metric` that `keep` accepts, nearest first.
    /// `keep` is asked about row ids in batches and answers one bool per id. `ef` is the
    /// graph's candidate list (raised to `k`); see the module doc for the filtered search.
    /// A metric the index does not serve ([`VectorIndex::serves`]) is answered exactly.
    pub fn search<E>(
        &self,
        metric: Metric,
        query: &[f32],
        k: usize,
        ef: usize,
        mut keep: impl FnMut(&[&str]) -> Result<Vec<bool>, E>,
    ) -> Result<Result<SearchResult, QueryError>, E> {
        let graph_query = match self.check_query(metric, query) {
            Ok(q) => q,
            Err(e) => return Ok(Err(e)),
        };
        let mut result = SearchResult {
            hits: Vec::new(),
            path: SearchPath::Graph { ef: 0 },
            filtered: 0,
        };
        if k == 0 || self.live.is_empty() {
            return Ok(Ok(result));
        }
        if !self.serves(metric) {
            return self.exact(metric, query, k, &mut keep).map(Ok);
        }
        let mut verdicts: HashMap<usize, bool> = HashMap::new();
        let mut ef = ef.max(k).max(1);
        loop {
            let found = self.graph.search(&graph_query, ef, ef);
            result.filtered += self.ask(
                found.iter().map(|n| n.get_origin_id()),
                &mut keep,
                &mut verdicts,
            )?;
            let passing: Vec<(&Slot, f32)> = found
                .iter()
                .filter(|n| verdicts.get(&n.get_origin_id()) == Some(&true))
                .filter_map(|n| Some((self.live.get(&n.get_origin_id())?, n.get_distance())))
                .collect();
            if passing.len() >= k {
                let query_norm = norm(query);
                result.hits = passing
                    .into_iter()
                    .take(k)
                    .map(|(slot, d)| Hit {
                        row_id: slot.row_id.clone(),
                        distance: Self::metric_distance(metric, d, query_norm),
                    })
                    .collect();
                result
                    .hits
                    .sort_by(|a, b| a.distance.total_cmp(&b.distance));
                result.path = SearchPath::Graph { ef };
                return Ok(Ok(result));
            }
            let exhausted = found.len() < ef || ef >= self.next_node;
            if exhausted || ef * 4 > MAX_GRAPH_EF {
                let mut exact = self.exact_with(metric, query, k, &mut keep, &mut verdicts)?;
                exact.filtered += result.filtered;
                return Ok(Ok(exact));
            }
            ef *= 4;
        }
    }

    /// Asks `keep` (in one call) about the live nodes among `nodes` not decided yet and
    /// records its answers; returns how many it was asked about.
    fn ask<E>(
        &self,
        nodes: impl Iterator<Item = usize>,
        keep: &mut impl FnMut(&[&str]) -> Result<Vec<bool>, E>,
        verdicts: &mut HashMap<usize, bool>,
    ) -> Result<usize, E> {
        let mut unknown: Vec<usize> = nodes
            .filter(|n| self.live.contains_key(n) && !verdicts.contains_key(n))
            .collect();
        unknown.dedup();
        if unknown.is_empty() {
            return Ok(0);
        }
        let ids: Vec<&str> = unknown
            .iter()
            .filter_map(|n| self.live.get(n).map(|s| s.row_id.as_str()))
            .collect();
        let answers = keep(&ids)?;
        for (node, ok) in unknown.iter().zip(answers) {
            verdicts.insert(*node, ok);
        }
        Ok(ids.len())
    }

    /// The distance under `metric` from the graph's L2 distance `d` to the normalised query
    /// (only for metrics the index serves: unit vectors, where `a·q̂ = 1 − d²/2`).
    fn metric_distance(metric: Metric, d: f32, query_norm: f32) -> f32 {
        match metric {
            Metric::L2 => d,
            Metric::Cosine => d * d / 2.0,
            Metric::NegativeInnerProduct => -query_norm * (1.0 - d * d / 2.0),
        }
    }

    fn exact<E>(
        &self,
        metric: Metric,
        query: &[f32],
        k: usize,
        keep: &mut impl FnMut(&[&str]) -> Result<Vec<bool>, E>,
    ) -> Result<SearchResult, E> {
        self.exact_with(metric, query, k, keep, &mut HashMap::new())
    }

    /// Top-k over every live row `keep` accepts (verdicts already known are reused).
    fn exact_with<E>(
        &self,
        metric: Metric,
        query: &[f32],
        k: usize,
        keep: &mut impl FnMut(&[&str]) -> Result<Vec<bool>, E>,
        verdicts: &mut HashMap<usize, bool>,
    ) -> Result<SearchResult, E> {
        let mut filtered = 0;
        // Max-heap of the k best so far: (distance, row id).
        let mut best: BinaryHeap<(OrderedDistance, String)> = BinaryHeap::with_capacity(k + 1);
        let points: Vec<_> = self
            .graph
            .get_point_indexation()
            .into_iter()
            .filter(|p| self.live.contains_key(&p.get_origin_id()))
            .collect();
        for chunk in points.chunks(EXACT_BATCH) {
            filtered += self.ask(chunk.iter().map(|p| p.get_origin_id()), keep, verdicts)?;
            for p in chunk {
                let node = p.get_origin_id();
                if verdicts.get(&node) != Some(&true) {
                    continue;
                }
                let Some(slot) = self.live.get(&node) else {
                    continue;
                };
                let d = metric.distance(p.get_v(), query);
                if d.is_nan() {
                    continue;
                }
                if best.len() < k {
                    best.push((OrderedDistance(d), slot.row_id.clone()));
                } else if best.peek().is_some_and(|(worst, _)| d < worst.0) {
                    best.pop();
                    best.push((OrderedDistance(d), slot.row_id.clone()));
                }
            }
        }
        let mut hits: Vec<Hit> = best
            .into_iter()
            .map(|(d, row_id)| Hit {
                row_id,
                distance: d.0,
            })
            .collect();
        hits.sort_by(|a, b| a.distance.total_cmp(&b.distance));
        Ok(SearchResult {
            hits,
            path: SearchPath::Exact,
            filtered,
        })
    }
}

/// An f32 distance ordered totally (no NaN reaches it).
#[derive(Debug, Clone, Copy, PartialEq)]
struct OrderedDistance(f32);

impl Eq for OrderedDistance {}

impl PartialOrd for OrderedDistance {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for OrderedDistance {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}
