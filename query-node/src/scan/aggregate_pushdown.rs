//! Partial aggregation on the shards: `SELECT doc->>'city', count(*), avg((doc->>'price')::float8)
//! FROM listings GROUP BY 1` sends each shard `SELECT city, count(*), sum(price), count(price)
//! … GROUP BY 1`, so only one row per group and shard travels; the node combines the partial
//! rows (sum of counts, sum of sums, min of mins, …). Applied only when every grouping
//! expression and aggregate argument is computed by Postgres exactly as the node would, and
//! the combined types equal the original ones; otherwise the plan is left alone.

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::datatypes::{DataType, Schema, SchemaRef};
use datafusion::catalog::default_table_source::{provider_as_source, source_as_provider};
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{Column, Result, TableReference};
use datafusion::datasource::TableType;
use datafusion::functions_aggregate::expr_fn::{max, min, sum};
use datafusion::logical_expr::expr::AggregateFunction;
use datafusion::logical_expr::{
    Aggregate, Expr, ExprSchemable, LogicalPlan, LogicalPlanBuilder, TableProviderFilterPushDown,
    TableScanBuilder, cast, lit, when,
};
use datafusion::optimizer::optimizer::ApplyOrder;
use datafusion::optimizer::{OptimizerConfig, OptimizerRule};
use datafusion::physical_plan::ExecutionPlan;

use crate::catalog::ColumnReader;
use crate::pgtype::TaggedType;
use crate::scan::exec::{ScanColumn, ShardScanExec};
use crate::scan::table::ShardedTable;
use crate::shards::ShardSet;

/// The optimizer rule.
#[derive(Debug, Default)]
pub struct AggregatePushdown;

impl AggregatePushdown {
    /// The rule.
    pub fn new() -> Self {
        Self
    }
}

/// The shards' partial aggregation of one table, as a table of partial rows.
#[derive(Debug)]
pub struct PartialAggregateTable {
    table: String,
    shards: ShardSet,
    targets: Vec<usize>,
    columns: Vec<ScanColumn>,
    group_count: usize,
    where_sql: Option<String>,
    schema: SchemaRef,
}

#[async_trait]
impl TableProvider for PartialAggregateTable {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::Temporary
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> Result<Vec<TableProviderFilterPushDown>> {
        Ok(vec![
            TableProviderFilterPushDown::Unsupported;
            filters.len()
        ])
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        // The partial rows are only meaningful whole: every column is always read.
        if let Some(p) = projection
            && p.len() != self.columns.len()
        {
            return Err(datafusion::error::DataFusionError::Internal(
                "partial aggregate scans cannot be projected".into(),
            ));
        }
        let group_by = (self.group_count > 0).then(|| {
            (1..=self.group_count)
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        });
        let shards = self
            .targets
            .iter()
            .map(|i| self.shards.shard(*i).clone())
            .collect();
        Ok(Arc::new(
            ShardScanExec::new(
                self.table.clone(),
                self.schema.clone(),
                self.columns.clone(),
                shards,
                self.where_sql.clone(),
                None,
                state.config().batch_size().max(1),
            )
            .with_group_by(group_by),
        ))
    }
}

/// What the node does with one partial column to finish an aggregate.
enum Finish {
    /// sum of partial counts (count(*), count(x))
    SumOfCounts(usize),
    /// sum of partial sums
    Sum(usize),
    /// min of partial mins
    Min(usize),
    /// max of partial maxes
    Max(usize),
    /// sum of partial sums / sum of partial counts (NULL when no rows)
    Avg { sum: usize, count: usize },
}

fn reader_for(dt: &DataType) -> Option<ColumnReader> {
    Some(match dt {
        DataType::Utf8 => ColumnReader::Text,
        DataType::Int16 => ColumnReader::Int16,
        DataType::Int32 => ColumnReader::Int32,
        DataType::Int64 => ColumnReader::Int64,
        DataType::Float32 => ColumnReader::Float32,
        DataType::Float64 => ColumnReader::Float64,
        DataType::Boolean => ColumnReader::Bool,
        _ => return None,
    })
}

fn rewrite(plan: &LogicalPlan) -> Result<Option<LogicalPlan>> {
    let LogicalPlan::Aggregate(Aggregate {
        input,
        group_expr,
        aggr_expr,
        schema: out_schema,
        ..
    }) = plan
    else {
        return Ok(None);
    };
    // DataFusion's common-subexpression elimination may put a projection between the
    // aggregate and the scan; see through it by substituting its expressions.
    let (scan_plan, group_expr, aggr_expr) = match input.as_ref() {
        LogicalPlan::TableScan(_) => (input.as_ref(), group_expr.clone(), aggr_expr.clone()),
        LogicalPlan::Projection(p) if matches!(p.input.as_ref(), LogicalPlan::TableScan(_)) => {
            let outputs: Vec<(String, Expr)> = p
                .schema
                .fields()
                .iter()
                .zip(p.expr.iter())
                .map(|(f, e)| (f.name().clone(), e.clone().unalias()))
                .collect();
            let substitute = |e: &Expr| -> Result<Expr> {
                e.clone()
                    .transform_up(|e| match &e {
                        Expr::Column(c) => match outputs.iter().find(|(n, _)| n == &c.name) {
                            Some((_, expr)) => Ok(Transformed::yes(expr.clone())),
                            None => Ok(Transformed::no(e)),
                        },
                        _ => Ok(Transformed::no(e)),
                    })
                    .map(|t| t.data)
            };
            let groups = group_expr
                .iter()
                .map(substitute)
                .collect::<Result<Vec<_>>>()?;
            let aggs = aggr_expr
                .iter()
                .map(substitute)
                .collect::<Result<Vec<_>>>()?;
            (p.input.as_ref(), groups, aggs)
        }
        _ => return Ok(None),
    };
    let LogicalPlan::TableScan(scan) = scan_plan else {
        return Ok(None);
    };
    if scan.fetch.is_some() {
        return Ok(None);
    }
    let Ok(provider) = source_as_provider(&scan.source) else {
        return Ok(None);
    };
    let Some(table) = provider.as_ref().downcast_ref::<ShardedTable>() else {
        return Ok(None);
    };
    let in_schema = scan_plan.schema();
    let (where_sql, targets) = table.where_and_targets(&scan.filters)?;

    let mut columns: Vec<ScanColumn> = Vec::new();
    let mut fields = Vec::new();
    let push_column =
        |columns: &mut Vec<ScanColumn>, fields: &mut Vec<_>, sql: String, reader: ColumnReader| {
            let name = format!("__docfusion_partial_{}", columns.len());
            fields.push(Arc::new(reader.field(&name, true)));
            columns.push(ScanColumn {
                sql: reader.select_sql(&format!("({sql})")),
                reader,
            });
            columns.len() - 1
        };

    // Grouping keys: types whose equality is the same in Postgres and here (not jsonb,
    // whose numbers compare by value).
    for g in &group_expr {
        let field = g.to_field(in_schema)?.1;
        if TaggedType::of_field(&field).is_some() {
            return Ok(None);
        }
        let (Some(sql), Some(reader)) = (table.translate(g), reader_for(field.data_type())) else {
            return Ok(None);
        };
        push_column(&mut columns, &mut fields, sql, reader);
    }
    let group_count = columns.len();

    let mut finishes = Vec::new();
    for a in &aggr_expr {
        let inner = match a {
            Expr::Alias(alias) => alias.expr.as_ref(),
            other => other,
        };
        let Expr::AggregateFunction(AggregateFunction { func, params }) = inner else {
            return Ok(None);
        };
        if params.distinct
            || params.filter.is_some()
            || !params.order_by.is_empty()
            || params.null_treatment.is_some()
        {
            return Ok(None);
        }
        let name = func.name().to_ascii_lowercase();
        let arg = params.args.first();
        let arg_sql = match arg {
            Some(Expr::Literal(..)) if name == "count" => Some("*".to_string()),
            Some(e) => table.translate(e),
            None => None,
        };
        let Some(arg_sql) = arg_sql else {
            return Ok(None);
        };
        let arg_type = match arg {
            Some(e @ Expr::Literal(..)) if name == "count" => e.get_type(in_schema)?,
            Some(e) => {
                let f = e.to_field(in_schema)?.1;
                if TaggedType::of_field(&f).is_some() {
                    return Ok(None);
                }
                f.data_type().clone()
            }
            None => return Ok(None),
        };
        let is_int = matches!(
            arg_type,
            DataType::Int16 | DataType::Int32 | DataType::Int64
        );
        let is_float = matches!(arg_type, DataType::Float32 | DataType::Float64);
        let finish = match name.as_str() {
            "count" => {
                let sql = if arg_sql == "*" {
                    "count(*)".to_string()
                } else {
                    format!("count({arg_sql})")
                };
                Finish::SumOfCounts(push_column(
                    &mut columns,
                    &mut fields,
                    sql,
                    ColumnReader::Int64,
                ))
            }
            "sum" if is_int => Finish::Sum(push_column(
                &mut columns,
                &mut fields,
                format!("sum({arg_sql})::int8"),
                ColumnReader::Int64,
            )),
            "sum" if arg_type == DataType::Float64 => Finish::Sum(push_column(
                &mut columns,
                &mut fields,
                format!("sum({arg_sql})::float8"),
                ColumnReader::Float64,
            )),
            "min" | "max" => {
                let Some(reader) = reader_for(&arg_type) else {
                    return Ok(None);
                };
                let collate = if arg_type == DataType::Utf8 {
                    " COLLATE \"C\""
                } else {
                    ""
                };
                let sql = format!("{name}({arg_sql}{collate})");
                let i = push_column(&mut columns, &mut fields, sql, reader);
                if name == "min" {
                    Finish::Min(i)
                } else {
                    Finish::Max(i)
                }
            }
            "avg" if is_int || is_float => {
                let sum_i = push_column(
                    &mut columns,
                    &mut fields,
                    format!("sum(({arg_sql})::float8)"),
                    ColumnReader::Float64,
                );
                let count_i = push_column(
                    &mut columns,
                    &mut fields,
                    format!("count({arg_sql})"),
                    ColumnReader::Int64,
                );
                Finish::Avg {
                    sum: sum_i,
                    count: count_i,
                }
            }
            _ => return Ok(None),
        };
        finishes.push(finish);
    }

    let partial_schema = Arc::new(Schema::new(fields));
    let partial = PartialAggregateTable {
        table: table.info().name.clone(),
        shards: table.shards().clone(),
        targets,
        columns,
        group_count,
        where_sql,
        schema: partial_schema.clone(),
    };
    let qualifier = TableReference::bare(format!("{}__partial", table.info().name));
    let col = |i: usize| {
        Expr::Column(Column::new(
            Some(qualifier.clone()),
            partial_schema.field(i).name(),
        ))
    };
    let scan_plan = LogicalPlan::TableScan(
        TableScanBuilder::new(qualifier.clone(), provider_as_source(Arc::new(partial))).build()?,
    );

    let new_groups: Vec<Expr> = (0..group_count).map(col).collect();
    let mut final_aggs = Vec::new();
    let mut outputs = Vec::new();
    for f in &finishes {
        let idx = final_aggs.len();
        match f {
            Finish::SumOfCounts(i) | Finish::Sum(i) => final_aggs.push(sum(col(*i))),
            Finish::Min(i) => final_aggs.push(min(col(*i))),
            Finish::Max(i) => final_aggs.push(max(col(*i))),
            Finish::Avg { sum: s, count: c } => {
                final_aggs.push(sum(col(*s)));
                final_aggs.push(sum(col(*c)));
            }
        }
        outputs.push((idx, f));
    }
    let final_aggs: Vec<Expr> = final_aggs
        .into_iter()
        .enumerate()
        .map(|(i, e)| e.alias(format!("__docfusion_final_{i}")))
        .collect();
    let aggregate = LogicalPlanBuilder::from(scan_plan)
        .aggregate(new_groups.clone(), final_aggs)?
        .build()?;
    let agg_schema = aggregate.schema().clone();
    let agg_col =
        |i: usize| Expr::Column(Column::from(agg_schema.qualified_field(group_count + i)));

    // Project back to the original names and types.
    let mut projection = Vec::new();
    for i in 0..new_groups.len() {
        projection.push(Expr::Column(Column::from(agg_schema.qualified_field(i))));
    }
    for (idx, f) in outputs {
        let e = match f {
            Finish::SumOfCounts(_) => {
                // count is never NULL: a group always has at least one partial row.
                datafusion::functions::expr_fn::coalesce(vec![agg_col(idx), lit(0i64)])
            }
            Finish::Sum(_) | Finish::Min(_) | Finish::Max(_) => agg_col(idx),
            Finish::Avg { .. } => when(
                agg_col(idx + 1).eq(lit(0i64)),
                lit(datafusion::scalar::ScalarValue::Float64(None)),
            )
            .otherwise(agg_col(idx) / cast(agg_col(idx + 1), DataType::Float64))?,
        };
        projection.push(e);
    }
    let mut aliased = Vec::with_capacity(projection.len());
    for (e, (qualifier, field)) in projection.into_iter().zip(out_schema.iter()) {
        let t = e.get_type(aggregate.schema())?;
        if &t != field.data_type() {
            // Types would change above us: leave the plan as it was.
            return Ok(None);
        }
        aliased.push(e.alias_qualified(qualifier.cloned(), field.name()));
    }
    let result = LogicalPlanBuilder::from(aggregate)
        .project(aliased)?
        .build()?;
    Ok(Some(result))
}

impl OptimizerRule for AggregatePushdown {
    fn name(&self) -> &str {
        "docfusion_aggregate_pushdown"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::BottomUp)
    }

    fn supports_rewrite(&self) -> bool {
        true
    }

    fn rewrite(
        &self,
        plan: LogicalPlan,
        _config: &dyn OptimizerConfig,
    ) -> Result<Transformed<LogicalPlan>> {
        match rewrite(&plan)? {
            Some(new_plan) => Ok(Transformed::yes(new_plan)),
            None => Ok(Transformed::no(plan)),
        }
    }
}
