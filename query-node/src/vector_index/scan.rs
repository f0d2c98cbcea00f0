//! Executing an [`AnnRequest`] on the replica: per shard, the index of the vector column
//! finds the k nearest rows among those the WHERE accepts (the WHERE evaluated on each round
//! of candidates, fetched from the store by id), and those rows are the shard's partition.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::physical_expr::PhysicalExpr;

use super::graph::SearchPath;
use super::plan::AnnRequest;
use crate::error::{SqlError, sqlstate};
use crate::replica::Replica;
use crate::replica::store::TableStore;

/// The rows found, one partition per shard, and a line for `EXPLAIN`.
#[derive(Debug)]
pub struct AnnRows {
    /// Per shard: its nearest rows.
    pub partitions: Vec<Vec<RecordBatch>>,
    /// `column metric k=… ef=… paths=[graph|exact per shard]`.
    pub description: String,
}

fn internal(e: impl std::fmt::Display) -> SqlError {
    SqlError::new(sqlstate::INTERNAL_ERROR, format!("vector index: {e}"))
}

/// Which rows of `batch` `filter` accepts (NULL = no).
fn accepted(filter: &Arc<dyn PhysicalExpr>, batch: &RecordBatch) -> Result<Vec<bool>, SqlError> {
    let value = filter
        .evaluate(batch)
        .and_then(|v| v.into_array(batch.num_rows()))
        .map_err(|e| SqlError::from_datafusion(&e))?;
    if value.data_type() != &DataType::Boolean {
        return Err(internal("the filter is not a boolean"));
    }
    let b = value.as_boolean();
    Ok((0..b.len()).map(|i| b.is_valid(i) && b.value(i)).collect())
}

fn search_store(
    store: &TableStore,
    request: &AnnRequest,
    filter: Option<&Arc<dyn PhysicalExpr>>,
    ef: usize,
) -> Result<Result<(RecordBatch, SearchPath), String>, SqlError> {
    let Some(column) = store.vectors().column(&request.column) else {
        return Ok(Err(format!(
            "{} is not an indexed vector column",
            request.column
        )));
    };
    let index = match column.index() {
        Ok(Some(index)) => index,
        Ok(None) => {
            return Ok(Ok((
                RecordBatch::new_empty(store.schema().clone()),
                SearchPath::Exact,
            )));
        }
        Err(why) => return Ok(Err(why)),
    };
    let keep = |ids: &[&str]| -> Result<Vec<bool>, SqlError> {
        let Some(filter) = filter else {
            return Ok(vec![true; ids.len()]);
        };
        let batch = store.rows_by_id(ids).map_err(internal)?;
        if batch.num_rows() != ids.len() {
            return Err(internal("an indexed row is missing from the store"));
        }
        accepted(filter, &batch)
    };
    let found = match index.search(request.metric, &request.query, request.k, ef, keep)? {
        Ok(found) => found,
        // Dimensions or a degenerate query: the exact plan gives the user's error.
        Err(why) => return Ok(Err(why.to_string())),
    };
    let ids: Vec<&str> = found.hits.iter().map(|h| h.row_id.as_str()).collect();
    let rows = store.rows_by_id(&ids).map_err(internal)?;
    Ok(Ok((rows, found.path)))
}

/// The k nearest rows per shard, or why the indexes cannot answer (then the scan is exact).
pub fn nearest_rows(
    replica: &Replica,
    collection: &str,
    request: &AnnRequest,
    filter: Option<&Arc<dyn PhysicalExpr>>,
    ef_search: usize,
) -> Result<Result<AnnRows, String>, SqlError> {
    let ef = ef_search.max(request.k);
    let per_shard = replica.with_stores(collection, |store| match store {
        Some(store) => search_store(store, request, filter, ef),
        None => Ok(Ok((
            RecordBatch::new_empty(Arc::new(datafusion::arrow::datatypes::Schema::empty())),
            SearchPath::Exact,
        ))),
    });
    let mut partitions = Vec::with_capacity(per_shard.len());
    let mut paths = Vec::with_capacity(per_shard.len());
    for shard in per_shard {
        match shard? {
            Ok((rows, path)) => {
                paths.push(match path {
                    SearchPath::Graph { ef } => format!("graph(ef={ef})"),
                    SearchPath::Exact => "exact".to_string(),
                });
                partitions.push(if rows.num_rows() > 0 {
                    vec![rows]
                } else {
                    Vec::new()
                });
            }
            Err(why) => return Ok(Err(why)),
        }
    }
    Ok(Ok(AnnRows {
        partitions,
        description: format!(
            "hnsw=[{} {:?} k={} shards=[{}]]",
            request.column,
            request.metric,
            request.k,
            paths.join(", ")
        ),
    }))
}
