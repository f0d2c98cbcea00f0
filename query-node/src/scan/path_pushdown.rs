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
            return Ok(Transformed::no(plan));
        }
        let inputs = plan.inputs();
        let [LogicalPlan::TableScan(scan)] = inputs.as_slice() else {
            return Ok(Transformed::no(plan));
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
