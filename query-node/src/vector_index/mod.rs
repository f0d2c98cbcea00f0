//! Approximate nearest-neighbour indexes over the replica's vector columns: an HNSW graph
//! ([`hnsw_rs`]) behind our own small API ([`VectorIndex`]: build from (row id, vector)
//! pairs, insert, delete, filtered search), and the set of indexes one collection keeps on
//! one shard ([`TableVectors`]), fed by the replica's store as rows change.
//!
//! Every index measures L2 distance. That one graph also answers cosine and inner-product
//! queries exactly as well while every vector it holds has unit length (the usual case for
//! sentence embeddings): for unit vectors `|a − q̂|² = 2 − 2·a·q̂`, so the order by L2 to the
//! normalised query is the order by cosine distance and by negative inner product. When some
//! vector is not of unit length the index says it cannot serve those metrics and the query
//! stays exact. See "Approximate vector search" in `docs/design.md`.

mod graph;
pub mod plan;
pub mod scan;
mod table;

pub use graph::{Hit, IndexParams, SearchPath, SearchResult, VectorIndex};
pub use table::{ColumnIndex, TableVectors, is_vector_type, parse_vector};

/// How `ORDER BY <distance> LIMIT k` is answered (the session's `docfusion.vector_search`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VectorSearch {
    /// A full top-k over every row (the default).
    #[default]
    Exact,
    /// The replica's HNSW indexes where they can answer.
    Approximate,
}

impl VectorSearch {
    /// From the setting's value (checked when set).
    pub fn from_setting(value: &str) -> VectorSearch {
        match value {
            "approximate" => VectorSearch::Approximate,
            _ => VectorSearch::Exact,
        }
    }
}

/// The candidate list of a graph search (the session's `hnsw.ef_search`, pgvector's name):
/// larger finds more of the true nearest rows and takes longer. A search uses at least k.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EfSearch(pub usize);

impl Default for EfSearch {
    fn default() -> Self {
        EfSearch(IndexParams::default().ef_search)
    }
}

/// The values `hnsw.ef_search` accepts (pgvector's range).
pub const EF_SEARCH_RANGE: std::ops::RangeInclusive<usize> = 1..=1000;

/// The distance a query orders by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// `<->`, `l2_distance`.
    L2,
    /// `<=>`, `cosine_distance`.
    Cosine,
    /// `<#>`, `vector_negative_inner_product`.
    NegativeInnerProduct,
}

impl Metric {
    /// The metric of a distance function's name, if it is one an index can order by.
    pub fn of_function(name: &str) -> Option<Metric> {
        match name {
            "l2_distance" => Some(Metric::L2),
            "cosine_distance" => Some(Metric::Cosine),
            "vector_negative_inner_product" => Some(Metric::NegativeInnerProduct),
            _ => None,
        }
    }

    /// The metric's distance between `a` and `b` (same length).
    pub fn distance(self, a: &[f32], b: &[f32]) -> f32 {
        match self {
            Metric::L2 => kernel::l2(a, b),
            Metric::Cosine => kernel::cosine(a, b),
            Metric::NegativeInnerProduct => -kernel::dot(a, b),
        }
    }
}

/// A query vector the index cannot search with.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QueryError {
    /// Different length from the indexed vectors.
    #[error("different vector dimensions {index} and {query}")]
    Dimensions {
        /// The index's dimensions.
        index: usize,
        /// The query's.
        query: usize,
    },
    /// NaN or infinite components, or a zero vector where a direction is needed.
    #[error("the query vector has {0}")]
    Degenerate(&'static str),
}

/// Distance kernels the graph evaluates: the SQL functions' own.
mod kernel {
    pub use crate::vector::kernels::{
        cosine_distance as cosine, inner_product as dot, l2_distance as l2,
    };
}

/// Euclidean norm.
pub fn norm(v: &[f32]) -> f32 {
    kernel::dot(v, v).sqrt()
}

/// How far from 1 a norm may be for the vector to count as unit length (f32 sums of a few
/// hundred squares carry errors of about 1e-6).
pub const UNIT_TOLERANCE: f32 = 1e-3;

#[cfg(test)]
mod tests;
