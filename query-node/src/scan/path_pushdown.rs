//! Projection pushdown of JSON paths: in `SELECT doc->>'country', avg((doc->>'price')::float8)
//! FROM listings GROUP BY 1`, the shards compute `doc->>'country'` and
//! `(doc->>'price')::float8` and send those values instead of whole documents. A logical
//! optimizer rule replaces each such expression directly above a shard scan by a computed
//! column of the scan, keeping the output names unchanged.

use std::collections::BTreeSet;
use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::catalog::TableProvider;
use datafusion::catalog::default_table_source::{provider_as_source, source_as_provider};
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{Column, DFSchema, Result};
use datafusion::logical_expr::{Expr, LogicalPlan, TableScan, TableScanBuilder};
use datafusion::optimizer::optimizer::ApplyOrder;
use datafusion::optimizer::{OptimizerConfig, OptimizerRule};

use crate::carry::{carry, rebuild, scan_of};
use crate::catalog::ColumnReader;
use crate::json::names;
use crate::scan::pushdown::PgTranslator;
use crate::scan::table::{ComputedColumn, ShardedTable};

/// The optimizer rule.
#[derive(Debug, Default)]
pub struct JsonPathPushdown;

impl JsonPathPushdown {
    /// The rule.
    pub fn new() -> Self {
        Self
    }
}

/// Prefix of computed column names.
pub const COMPUTED_PREFIX: &str = "__docfusion_path_";

/// The reader for a pushable expression, or `None` when it is not one we push.
fn pushable_reader(expr: &Expr) -> Option<ColumnReader> {
    match expr {
        Expr::ScalarFunction(f) => match f.name() {
            names::FIELD_TEXT | names::EXTRACT_PATH_TEXT => Some(ColumnReader::Text),
            names::FIELD | names::EXTRACT_PATH => Some(ColumnReader::Jsonb),
            _ => None,
        },
        Expr::Cast(c) => {
            pushable_reader(&c.expr)?;
            match c.field.data_type() {
                DataType::Int16 => Some(ColumnReader::Int16),
                DataType::Int32 => Some(ColumnReader::Int32),
                DataType::Int64 => Some(ColumnReader::Int64),
                DataType::Float32 => Some(ColumnReader::Float32),
                DataType::Float64 => Some(ColumnReader::Float64),
                DataType::Boolean => Some(ColumnReader::Bool),
                DataType::Utf8 => Some(ColumnReader::Text),
                _ => None,
            }
        }
        _ => None,
    }
}

struct Pushdown<'a> {
    translator: PgTranslator<'a>,
    qualifier: datafusion::common::TableReference,
    existing: Vec<ComputedColumn>,
    added: Vec<ComputedColumn>,
}

impl Pushdown<'_> {
    fn rewrite(&mut self, expr: Expr) -> Result<Transformed<Expr>> {
        expr.transform_down(|e| {
            let Some(reader) = pushable_reader(&e) else {
                return Ok(Transformed::no(e));
            };
            let Some(sql) = self.translator.translate(&e) else {
                return Ok(Transformed::no(e));
            };
            let name = match self
                .existing
                .iter()
                .chain(self.added.iter())
                .find(|c| c.sql == sql && c.reader == reader)
            {
                Some(c) => c.name.clone(),
                None => {
                    let name = format!(
                        "{COMPUTED_PREFIX}{}",
                        self.existing.len() + self.added.len()
                    );
                    self.added.push(ComputedColumn {
                        name: name.clone(),
                        sql,
                        reader,
                    });
                    name
                }
            };
            Ok(Transformed::new(
                Expr::Column(Column::new(Some(self.qualifier.clone()), name)),
                true,
                TreeNodeRecursion::Jump,
            ))
        })
    }
}

impl OptimizerRule for JsonPathPushdown {
    fn name(&self) -> &str {
        "docfusion_json_path_pushdown"
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
        if !matches!(plan, LogicalPlan::Projection(_) | LogicalPlan::Aggregate(_)) {
            return carried_extractions(plan);
        }
        let inputs = plan.inputs();
        let [LogicalPlan::TableScan(scan)] = inputs.as_slice() else {
            return carried_extractions(plan);
        };
        let Ok(provider) = source_as_provider(&scan.source) else {
            return Ok(Transformed::no(plan));
        };
        let Some(table) = provider.as_ref().downcast_ref::<ShardedTable>() else {
            return Ok(Transformed::no(plan));
        };
        let full_schema = DFSchema::try_from(table.schema_ref().as_ref().clone())?;
        let base_computed: Vec<(String, String)> = table
            .computed()
            .iter()
            .map(|c| (c.name.clone(), c.sql.clone()))
            .collect();
        let mut pushdown = Pushdown {
            translator: PgTranslator::new(&full_schema, &base_computed),
            qualifier: scan.table_name.clone(),
            existing: table.computed().to_vec(),
            added: Vec::new(),
        };
        let mut new_exprs = Vec::new();
        let mut changed = false;
        for e in plan.expressions() {
            let original_name = e.schema_name().to_string();
            let t = pushdown.rewrite(e)?;
            if t.transformed {
                changed = true;
                new_exprs.push(t.data.alias_if_changed(original_name)?);
            } else {
                new_exprs.push(t.data);
            }
        }
        if !changed {
            return Ok(Transformed::no(plan));
        }
        let mut computed = pushdown.existing.clone();
        computed.extend(pushdown.added.iter().cloned());
        let new_table = table.with_computed(computed);
        let new_schema = new_table.schema_ref().clone();

        // Read exactly the columns the rewritten expressions use.
        let mut used = BTreeSet::new();
        for e in &new_exprs {
            for c in e.column_refs() {
                if let Ok(i) = new_schema.index_of(&c.name) {
                    used.insert(i);
                }
            }
        }
        let projection: Vec<usize> = used.into_iter().collect();
        let new_scan = rescan(scan, Arc::new(new_table), projection)?;
        let new_plan = plan.with_new_exprs(new_exprs, vec![LogicalPlan::TableScan(new_scan)])?;
        Ok(Transformed::yes(new_plan))
    }
}

/// The column an extraction reads, when `e` is one: `->`, `->>`, `#>`, `#>>` with constant
/// keys over a column. These never fail, so the shards may compute them for rows that a
/// filter on the node drops later.
fn extraction_column(e: &Expr) -> Option<Column> {
    let Expr::ScalarFunction(f) = e else {
        return None;
    };
    if !matches!(
        f.name(),
        names::FIELD_TEXT | names::EXTRACT_PATH_TEXT | names::FIELD | names::EXTRACT_PATH
    ) {
        return None;
    }
    let (first, rest) = f.args.split_first()?;
    if !rest.iter().all(|a| matches!(a, Expr::Literal(..))) {
        return None;
    }
    match first {
        Expr::Column(c) => Some(c.clone()),
        other => extraction_column(other),
    }
}

/// `plan` (a projection, aggregate, filter, join or sort) with each extraction
/// ([`extraction_column`]) from a shard scan below it computed by the shards and carried
/// up to it ([`carry`]): the key of a join, an aggregate above a join, a projection above
/// a filter the node evaluates. The scan then sends the values instead of the documents
/// wherever nothing else reads them.
fn carried_extractions(plan: LogicalPlan) -> Result<Transformed<LogicalPlan>> {
    let keeps_names = match &plan {
        LogicalPlan::Projection(_) | LogicalPlan::Aggregate(_) => true,
        LogicalPlan::Filter(_) | LogicalPlan::Join(_) | LogicalPlan::Sort(_) => false,
        _ => return Ok(Transformed::no(plan)),
    };
    let exprs = plan.expressions();
    if !exprs.iter().any(|e| {
        e.exists(|sub| Ok(extraction_column(sub).is_some()))
            .unwrap_or(false)
    }) {
        return Ok(Transformed::no(plan));
    }
    let mut inputs: Vec<LogicalPlan> = plan.inputs().into_iter().cloned().collect();
    let mut new_exprs = Vec::with_capacity(exprs.len());
    let mut any_changed = false;
    for e in exprs {
        let original_name = e.schema_name().to_string();
        let t = e.transform_down(|sub| {
            let Some(col) = extraction_column(&sub) else {
                return Ok(Transformed::no(sub));
            };
            let jump = |sub| Ok(Transformed::new(sub, false, TreeNodeRecursion::Jump));
            let Some((i, sql, reader)) = inputs.iter().enumerate().find_map(|(i, input)| {
                let (scan, at) = scan_of(input, &col)?;
                let provider = source_as_provider(&scan.source).ok()?;
                let table = provider.as_ref().downcast_ref::<ShardedTable>()?;
                let full_schema = DFSchema::try_from(table.schema_ref().as_ref().clone()).ok()?;
                let base_computed: Vec<(String, String)> = table
                    .computed()
                    .iter()
                    .map(|c| (c.name.clone(), c.sql.clone()))
                    .collect();
                let local = sub
                    .clone()
                    .transform(|e| match e {
                        Expr::Column(c) if c == col => Ok(Transformed::yes(Expr::Column(
                            Column::new_unqualified(at.name.clone()),
                        ))),
                        other => Ok(Transformed::no(other)),
                    })
                    .ok()?
                    .data;
                let sql = PgTranslator::new(&full_schema, &base_computed).translate(&local)?;
                Some((i, sql, pushable_reader(&sub)?))
            }) else {
                return jump(sub);
            };
            let carried = carry(&inputs[i], &col, &mut |scan, _| {
                add_computed(scan, sql.clone(), reader)
            })?;
            match carried {
                Some((input, column)) => {
                    inputs[i] = input;
                    Ok(Transformed::new(
                        Expr::Column(column),
                        true,
                        TreeNodeRecursion::Jump,
                    ))
                }
                None => jump(sub),
            }
        })?;
        any_changed |= t.transformed;
        new_exprs.push(if t.transformed && keeps_names {
            t.data.alias_if_changed(original_name)?
        } else {
            t.data
        });
    }
    if !any_changed {
        return Ok(Transformed::no(plan));
    }
    Ok(Transformed::yes(rebuild(&plan, new_exprs, inputs)?))
}

/// `scan` of a shard table with the computed column `sql` (read by `reader`) added to its
/// output (or an equal one reused), and that column.
fn add_computed(
    scan: &TableScan,
    sql: String,
    reader: ColumnReader,
) -> Result<Option<(LogicalPlan, Column)>> {
    let Ok(provider) = source_as_provider(&scan.source) else {
        return Ok(None);
    };
    let Some(table) = provider.as_ref().downcast_ref::<ShardedTable>() else {
        return Ok(None);
    };
    let mut computed = table.computed().to_vec();
    let name = match computed.iter().find(|c| c.sql == sql && c.reader == reader) {
        Some(c) => c.name.clone(),
        None => {
            let name = format!("{COMPUTED_PREFIX}{}", computed.len());
            computed.push(ComputedColumn {
                name: name.clone(),
                sql,
                reader,
            });
            name
        }
    };
    let width = table.schema_ref().fields().len();
    rescan_adding(scan, width, Arc::new(table.with_computed(computed)), &name).map(Some)
}

/// `scan` reading `provider` (its table, `width` columns wide before, with column `name`
/// added) with `name` added to what it outputs, and that column.
pub(crate) fn rescan_adding(
    scan: &TableScan,
    width: usize,
    provider: Arc<dyn TableProvider>,
    name: &str,
) -> Result<(LogicalPlan, Column)> {
    let index = provider.schema().index_of(name)?;
    let mut projection = scan
        .projection
        .clone()
        .unwrap_or_else(|| (0..width).collect());
    if !projection.contains(&index) {
        projection.push(index);
    }
    let new_scan = rescan(scan, provider, projection)?;
    Ok((
        LogicalPlan::TableScan(new_scan),
        Column::new(Some(scan.table_name.clone()), name),
    ))
}

/// `scan` reading `provider` (the same table with more computed columns) with
/// `projection`, its filters and fetch unchanged.
pub(crate) fn rescan(
    scan: &TableScan,
    provider: Arc<dyn TableProvider>,
    projection: Vec<usize>,
) -> Result<TableScan> {
    TableScanBuilder::new(scan.table_name.clone(), provider_as_source(provider))
        .with_projection(Some(projection))
        .with_filters(scan.filters.clone())
        .with_fetch(scan.fetch)
        .build()
}
