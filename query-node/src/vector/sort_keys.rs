//! Top-k by a distance computes each distance once.
//!
//! DataFusion answers `ORDER BY <expr> LIMIT k` with a TopK sort, which for every batch
//! first evaluates its sort keys and then its dynamic filter (`<expr> < the k-th key so
//! far`) — the same expression over the same rows a second time. That costs nothing for a
//! column, but a distance over 384–1536 floats is the whole cost of an exact vector search,
//! so the filter doubled it for every batch after the first.
//!
//! [`DistanceSortKeys`] gives such a sort its key as a column: a projection under the sort
//! appends the distance to the input's columns, the sort orders by (and filters on) that
//! column, and a projection above drops it again. The plan's schema and its answers do not
//! change; a merge of the sorted partitions above still orders by the original expression,
//! on the k rows per partition.

use std::sync::Arc;

use datafusion::common::Result;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::physical_expr::expressions::Column;
use datafusion::physical_expr::{LexOrdering, PhysicalExpr, PhysicalSortExpr, ScalarFunctionExpr};
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::projection::ProjectionExec;
use datafusion::physical_plan::sorts::sort::SortExec;

use crate::vector::udf::VectorFunction;

/// Name of the `i`-th sort key column the rule adds (never seen outside the sort).
fn key_column_name(i: usize) -> String {
    format!("__docfusion_sort_key_{i}")
}

/// True when `expr` computes a vector function somewhere.
fn computes_vector_function(expr: &Arc<dyn PhysicalExpr>) -> bool {
    let mut found = false;
    let _ = expr.apply(|e| {
        let is_vector = e
            .downcast_ref::<ScalarFunctionExpr>()
            .is_some_and(|f| f.fun().inner().downcast_ref::<VectorFunction>().is_some());
        if is_vector {
            found = true;
            return Ok(TreeNodeRecursion::Stop);
        }
        Ok(TreeNodeRecursion::Continue)
    });
    found
}

/// The physical optimizer rule (see the module doc).
#[derive(Debug, Default)]
pub struct DistanceSortKeys;

impl DistanceSortKeys {
    /// The rule.
    pub fn new() -> Self {
        DistanceSortKeys
    }
}

/// `sort` with its vector-function keys computed once, by a projection under it; `None` when
/// it has none or no limit.
fn rewrite(sort: &SortExec) -> Result<Option<Arc<dyn ExecutionPlan>>> {
    if sort.fetch().is_none()
        || !sort
            .expr()
            .iter()
            .any(|k| computes_vector_function(&k.expr))
    {
        return Ok(None);
    }
    let input = sort.input();
    let schema = input.schema();
    let columns: Vec<(Arc<dyn PhysicalExpr>, String)> = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| {
            (
                Arc::new(Column::new(f.name(), i)) as Arc<dyn PhysicalExpr>,
                f.name().to_string(),
            )
        })
        .collect();
    let mut below = columns.clone();
    let mut keys = Vec::with_capacity(sort.expr().len());
    for (i, key) in sort.expr().iter().enumerate() {
        if computes_vector_function(&key.expr) {
            let name = key_column_name(i);
            keys.push(PhysicalSortExpr {
                expr: Arc::new(Column::new(&name, below.len())),
                options: key.options,
            });
            below.push((key.expr.clone(), name));
        } else {
            keys.push(key.clone());
        }
    }
    let Some(ordering) = LexOrdering::new(keys) else {
        return Ok(None);
    };
    let with_keys = Arc::new(ProjectionExec::try_new(below, input.clone())?);
    let sorted = SortExec::new(ordering, with_keys)
        .with_preserve_partitioning(sort.preserve_partitioning())
        .with_fetch(sort.fetch());
    let without_keys =
        ProjectionExec::try_new_with_schema_metadata(columns, Arc::new(sorted), &schema)?;
    Ok(Some(Arc::new(without_keys)))
}

impl PhysicalOptimizerRule for DistanceSortKeys {
    fn optimize(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        _config: &ConfigOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        plan.transform_up(|node| {
            let rewritten = match node.downcast_ref::<SortExec>() {
                Some(sort) => rewrite(sort)?,
                None => None,
            };
            Ok(match rewritten {
                Some(plan) => Transformed::yes(plan),
                None => Transformed::no(node),
            })
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "docfusion_distance_sort_keys"
    }

    fn schema_check(&self) -> bool {
        true
    }
}
