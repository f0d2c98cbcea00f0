//! Planning approximate top-k: `ORDER BY <distance>(embedding, <constant vector>) LIMIT k`
//! (optionally under a projection and over a WHERE) on a replica-served collection marks the
//! collection's scan with an [`AnnRequest`]. In a session with
//! `docfusion.vector_search = approximate`, the replica scan then returns, per shard, only
//! the k rows its HNSW index finds nearest among the rows passing the WHERE (evaluated on
//! the candidates), and the plan's own sort and limit above merge the shards' rows into the
//! global top-k with the exact distances. In `exact` mode, or when an index cannot answer
//! (being built, a row that is not a vector of the column's dimensions, a metric the index
//! does not serve), the scan reads every row and the plan is the exact one.
//!
//! The rule runs before the shredded-path rewrite, so the WHERE it keeps is the original
//! one over the collection's own columns.

use std::sync::Arc;

use datafusion::catalog::default_table_source::{provider_as_source, source_as_provider};
use datafusion::common::Result;
use datafusion::common::tree_node::Transformed;
use datafusion::logical_expr::{Expr, LogicalPlan, SortExpr, TableScan, TableScanBuilder};
use datafusion::optimizer::optimizer::ApplyOrder;
use datafusion::optimizer::{OptimizerConfig, OptimizerRule};

use super::Metric;
use crate::replica::table::ReplicaTable;

/// What an approximate scan searches.
#[derive(Debug, Clone, PartialEq)]
pub struct AnnRequest {
    /// The vector column.
    pub column: String,
    /// The distance ordered by.
    pub metric: Metric,
    /// The query vector.
    pub query: Vec<f32>,
    /// Rows wanted (the LIMIT).
    pub k: usize,
    /// The WHERE over the collection's columns, if any.
    pub filter: Option<Expr>,
    /// How the WHERE names the collection.
    pub qualifier: datafusion::common::TableReference,
}

/// The optimizer rule (see the module doc).
#[derive(Debug, Default)]
pub struct AnnRewrite;

impl AnnRewrite {
    /// The rule.
    pub fn new() -> Self {
        AnnRewrite
    }
}

/// `metric(column, constant)`: a distance function holding its query vector, or one with a
/// vector literal as either argument (all three metrics are symmetric).
fn distance_call(e: &Expr) -> Option<(Metric, String, Vec<f32>)> {
    let (op, arg, query) = crate::vector::udf::distance_to_constant(e)?;
    let metric = Metric::of_function(op.name())?;
    Some((metric, column_name(arg)?, query.into_owned()))
}

/// The column `e` reads, possibly under casts.
fn column_name(e: &Expr) -> Option<String> {
    match e {
        Expr::Column(c) => Some(c.name.clone()),
        Expr::Cast(c) => column_name(&c.expr),
        Expr::TryCast(c) => column_name(&c.expr),
        _ => None,
    }
}

/// The sort key as an expression over the node below the projection (resolving an alias).
fn resolve_through(projection: Option<&datafusion::logical_expr::Projection>, e: &Expr) -> Expr {
    if let (Some(p), Expr::Column(c)) = (projection, e) {
        for (expr, field) in p.expr.iter().zip(p.schema.columns()) {
            if field.name == c.name {
                return match expr {
                    Expr::Alias(a) => (*a.expr).clone(),
                    other => other.clone(),
                };
            }
        }
    }
    e.clone()
}

impl OptimizerRule for AnnRewrite {
    fn name(&self) -> &str {
        "docfusion_vector_ann"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::BottomUp)
    }

    fn rewrite(
        &self,
        plan: LogicalPlan,
        _options: &dyn OptimizerConfig,
    ) -> Result<Transformed<LogicalPlan>> {
        let LogicalPlan::Sort(sort) = &plan else {
            return Ok(Transformed::no(plan));
        };
        let (
            Some(k),
            [
                SortExpr {
                    expr, asc: true, ..
                },
            ],
        ) = (sort.fetch, sort.expr.as_slice())
        else {
            return Ok(Transformed::no(plan));
        };
        // Sort → [Projection] → [Filter] → TableScan.
        let mut node = sort.input.as_ref();
        let projection = match node {
            LogicalPlan::Projection(p) => {
                node = p.input.as_ref();
                Some(p)
            }
            _ => None,
        };
        let filter = match node {
            LogicalPlan::Filter(f) => {
                node = f.input.as_ref();
                Some(f.predicate.clone())
            }
            _ => None,
        };
        let LogicalPlan::TableScan(scan) = node else {
            return Ok(Transformed::no(plan));
        };
        let scan = scan.clone();
        let key = resolve_through(projection, expr);
        let Some((metric, column, query)) = distance_call(&key) else {
            return Ok(Transformed::no(plan));
        };
        let Some(new_scan) = with_request(
            &scan,
            AnnRequest {
                column,
                metric,
                query,
                k,
                filter,
                qualifier: scan.table_name.clone(),
            },
        )?
        else {
            return Ok(Transformed::no(plan));
        };
        let old = LogicalPlan::TableScan(scan);
        Ok(Transformed::yes(replace_scan(plan, &old, new_scan)?))
    }
}

/// The scan with `request` attached, when it reads a replica table not marked yet.
fn with_request(scan: &TableScan, request: AnnRequest) -> Result<Option<LogicalPlan>> {
    let Ok(provider) = source_as_provider(&scan.source) else {
        return Ok(None);
    };
    let Some(table) = provider.as_ref().downcast_ref::<ReplicaTable>() else {
        return Ok(None);
    };
    if table.ann().is_some() {
        return Ok(None);
    }
    let marked = table.with_ann(request);
    Ok(Some(LogicalPlan::TableScan(
        TableScanBuilder::new(
            scan.table_name.clone(),
            provider_as_source(Arc::new(marked)),
        )
        .with_projection(scan.projection.clone())
        .with_filters(scan.filters.clone())
        .with_fetch(scan.fetch)
        .build()?,
    )))
}

/// `plan` with the node `old` replaced by `new`.
fn replace_scan(plan: LogicalPlan, old: &LogicalPlan, new: LogicalPlan) -> Result<LogicalPlan> {
    use datafusion::common::tree_node::TreeNode;
    plan.transform_up(|node| {
        if &node == old {
            Ok(Transformed::yes(new.clone()))
        } else {
            Ok(Transformed::no(node))
        }
    })
    .map(|t| t.data)
}
