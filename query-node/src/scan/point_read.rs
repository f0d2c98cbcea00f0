//! The point-read fast path: a prepared `SELECT … FROM collection WHERE id = $1 [AND …]`
//! is recognised once, when it is prepared, and each execution then sends one prepared
//! statement to the one shard that owns the id and turns its rows into a batch — no
//! DataFusion optimisation, physical planning or execution per call.
//!
//! Only plans whose every part the shard computes exactly take this path: plain or
//! pushed-down (JSON path) columns of one collection, a pin of `id` to a text parameter,
//! other filters that the scan pushes down anyway (literals only), and a literal limit.
//! Anything else, and any statement inside a transaction block, runs the general way.

use std::sync::Arc;

use datafusion::arrow::array::ArrayRef;
use datafusion::arrow::datatypes::FieldRef;
use datafusion::arrow::datatypes::{DataType, SchemaRef};
use datafusion::arrow::record_batch::{RecordBatch, RecordBatchOptions};
use datafusion::catalog::default_table_source::source_as_provider;
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::execution::session_state::SessionState;
use datafusion::logical_expr::utils::split_conjunction;
use datafusion::logical_expr::{BinaryExpr, Expr, FetchType, LogicalPlan, Operator, SkipType};
use datafusion::scalar::ScalarValue;

use crate::catalog::{ColumnReader, TableKind};
use crate::engine::QueryOutput;
use crate::error::{SqlError, sqlstate};
use crate::scan::exec::tighter_limit;
use crate::scan::pushdown::quote_ident;
use crate::scan::read_lane::{BatchedSql, LaneSql, ReadLane};
use crate::scan::rows::ColumnBuilder;
use crate::scan::table::ShardedTable;
use crate::shards::ShardSet;

/// A prepared point read: the SQL each shard prepares (its one parameter is the id) and how
/// its columns become the statement's result.
#[derive(Debug, Clone)]
pub struct PointRead {
    table: String,
    shards: ShardSet,
    shard_sql: LaneSql,
    /// The read lane of each shard, by shard index.
    lanes: Vec<Arc<ReadLane>>,
    /// Each shard's `point_reads_total` and `shard_scan_seconds`, looked up once.
    shard_metrics: Vec<(prometheus::IntCounter, prometheus::Histogram)>,
    readers: Vec<ColumnReader>,
    schema: SchemaRef,
}

/// Stands for the id parameter while the statement is optimised, so that the optimiser
/// pushes `id = …` into the scan and JSON paths into the shard's select list exactly as it
/// does for a literal id. Postgres text cannot hold NUL, so no stored id equals it.
const ID_STAND_IN: &str = "\u{0}docfusion:point-read-id";

/// True when `filter` is `id = <the stand-in>`.
fn is_id_pin(filter: &Expr) -> bool {
    let Expr::BinaryExpr(BinaryExpr {
        left,
        op: Operator::Eq,
        right,
    }) = filter
    else {
        return false;
    };
    let is_stand_in =
        |e: &Expr| matches!(e, Expr::Literal(ScalarValue::Utf8(Some(s)), _) if s == ID_STAND_IN);
    match (left.as_ref(), right.as_ref()) {
        (Expr::Column(c), other) | (other, Expr::Column(c)) => c.name == "id" && is_stand_in(other),
        _ => false,
    }
}

/// Mentions of parameters in `plan` (subqueries included), or `None` if it cannot be walked.
fn placeholders(plan: &LogicalPlan) -> Option<Vec<String>> {
    let mut found = Vec::new();
    plan.apply_with_subqueries(|node| {
        node.apply_expressions(|e| {
            e.apply(|e| {
                if let Expr::Placeholder(p) = e {
                    found.push(p.id.clone());
                }
                Ok(TreeNodeRecursion::Continue)
            })
        })
    })
    .ok()?;
    Some(found)
}

/// `plan` with parameter `$1` replaced by the stand-in literal.
fn with_stand_in(plan: LogicalPlan) -> Option<LogicalPlan> {
    plan.transform_up_with_subqueries(|node| {
        node.map_expressions(|e| {
            e.transform_up(|e| match e {
                Expr::Placeholder(p) if p.id == "$1" => Ok(Transformed::yes(Expr::Literal(
                    ScalarValue::Utf8(Some(ID_STAND_IN.to_string())),
                    None,
                ))),
                other => Ok(Transformed::no(other)),
            })
        })
    })
    .ok()
    .map(|t| t.data)
}

fn has_stand_in(expr: &Expr) -> bool {
    expr.exists(|e| {
        Ok(matches!(e, Expr::Literal(ScalarValue::Utf8(Some(s)), _) if s == ID_STAND_IN))
    })
    .unwrap_or(true)
}

/// A literal `LIMIT`/`OFFSET 0`, or `None` when the limit is not one.
fn literal_limit(limit: &datafusion::logical_expr::Limit) -> Option<Option<usize>> {
    match (limit.get_skip_type().ok()?, limit.get_fetch_type().ok()?) {
        (SkipType::Literal(0), FetchType::Literal(fetch)) => Some(fetch),
        _ => None,
    }
}

impl PointRead {
    /// Recognises a point read: `plan` (as planned, with its placeholders) has exactly one
    /// parameter, a text `$1` mentioned once, and after optimisation is a scan of one
    /// collection pinned by `id = $1`. `None` when the statement must run the general way.
    pub fn detect(
        state: &SessionState,
        plan: &LogicalPlan,
        params: &[FieldRef],
        schema: &SchemaRef,
    ) -> Option<PointRead> {
        let [param] = params else {
            return None;
        };
        if param.data_type() != &DataType::Utf8 || crate::pgtype::is_json_like(param) {
            return None;
        }
        // A second mention could be folded away with the stand-in (`$1 <> 'x'` → true).
        if placeholders(plan)? != ["$1"] {
            return None;
        }
        let optimized = state.optimize(&with_stand_in(plan.clone())?).ok()?;
        let mut node = &optimized;
        let mut limit: Option<usize> = None;
        // Output columns as indices into the input of the projection (if any).
        let mut outputs: Option<Vec<usize>> = None;
        loop {
            match node {
                LogicalPlan::Limit(l) => {
                    limit = tighter_limit(limit, literal_limit(l)?);
                    node = l.input.as_ref();
                }
                LogicalPlan::Projection(p) if outputs.is_none() => {
                    let input = p.input.schema();
                    let mut indices = Vec::with_capacity(p.expr.len());
                    for e in &p.expr {
                        let Expr::Column(c) = e.clone().unalias_nested().data else {
                            return None;
                        };
                        indices.push(input.index_of_column(&c).ok()?);
                    }
                    outputs = Some(indices);
                    node = p.input.as_ref();
                }
                _ => break,
            }
        }
        let mut conjuncts: Vec<Expr> = Vec::new();
        if let LogicalPlan::Filter(f) = node {
            conjuncts.extend(split_conjunction(&f.predicate).into_iter().cloned());
            node = f.input.as_ref();
        }
        let LogicalPlan::TableScan(scan) = node else {
            return None;
        };
        let provider = source_as_provider(&scan.source).ok()?;
        let table = provider.as_ref().downcast_ref::<ShardedTable>()?;
        if table.info().kind != TableKind::Collection {
            return None;
        }
        conjuncts.extend(scan.filters.iter().cloned());
        let before = conjuncts.len();
        let filters: Vec<Expr> = conjuncts.into_iter().filter(|f| !is_id_pin(f)).collect();
        if before - filters.len() != 1 || filters.iter().any(has_stand_in) {
            return None;
        }
        // A filter the shard cannot evaluate exactly: not a point read.
        let (where_sql, _) = table.where_and_targets(&filters).ok()?;
        let limit = tighter_limit(limit, scan.fetch);

        let scanned: Vec<usize> = match &scan.projection {
            Some(p) => p.clone(),
            None => (0..table.schema_ref().fields().len()).collect(),
        };
        let columns: Vec<usize> = match outputs {
            Some(o) => o
                .iter()
                .map(|i| scanned.get(*i).copied())
                .collect::<Option<_>>()?,
            None => scanned,
        };
        if columns.len() != schema.fields().len() || columns.is_empty() {
            return None;
        }
        let mut select = Vec::with_capacity(columns.len());
        let mut readers = Vec::with_capacity(columns.len());
        for (out, index) in schema.fields().iter().zip(&columns) {
            let column = table.column_sql(*index);
            if table.schema_ref().field(*index).data_type() != out.data_type()
                || column.reader.data_type() != *out.data_type()
            {
                return None;
            }
            select.push(column.sql);
            readers.push(column.reader);
        }
        let table_name = quote_ident(&table.info().name);
        let select = select.join(", ");
        let id = quote_ident("id");
        let filters = where_sql.map(|w| format!(" AND {w}")).unwrap_or_default();
        let mut single =
            format!("SELECT {select} FROM {table_name} WHERE {id} = $1::text{filters}");
        if let Some(l) = limit {
            single.push_str(&format!(" LIMIT {l}"));
        }
        // `id` is a collection's primary key, so a limit of one or more never cuts a
        // single id's answer, and a batch need not repeat it; `LIMIT 0` is never batched.
        let batched = (limit != Some(0)).then(|| BatchedSql {
            head: format!("SELECT {select}, {id} FROM {table_name} WHERE {id} IN ("),
            tail: format!("){filters}"),
        });
        let shard_sql = LaneSql { single, batched };
        let shards = table.shards().clone();
        let lanes = shards
            .shards()
            .iter()
            .map(|s| s.read_lane(&shard_sql))
            .collect();
        let metrics = crate::metrics::metrics();
        let shard_metrics = shards
            .shards()
            .iter()
            .map(|s| {
                let name = [s.name.as_str()];
                (
                    metrics.point_reads_total.with_label_values(&name),
                    metrics.shard_scan_seconds.with_label_values(&name),
                )
            })
            .collect();
        Some(PointRead {
            table: table.info().name.clone(),
            shards,
            shard_sql,
            lanes,
            shard_metrics,
            readers,
            schema: schema.clone(),
        })
    }

    /// The SQL each shard runs for one id (`$1`).
    pub fn shard_sql(&self) -> &str {
        &self.shard_sql.single
    }

    /// The SQL each shard runs for a batch of `n` ids (`$1` … as text, `n` rounded up to a
    /// power of two), whose rows end with their id; `None` when reads of this statement are
    /// never batched.
    pub fn batched_shard_sql(&self, n: usize) -> Option<String> {
        self.shard_sql.batched.as_ref().map(|b| b.sql(n))
    }

    /// Reads of this statement's shape (from any connection) waiting for a batch.
    pub fn queued_reads(&self) -> usize {
        self.lanes.iter().map(|l| l.queued()).sum()
    }

    /// Shard connections the lanes of this statement's shape hold (only while reads of it
    /// run: one per shard and two running reads).
    pub fn held_shard_connections(&self) -> usize {
        self.lanes.iter().map(|l| l.held_connections()).sum()
    }

    /// Point-read connections open to the shards of this statement's collection, and how
    /// many of them are in use (summed over the shards).
    pub fn shard_connections(&self) -> (usize, usize) {
        self.shards
            .shards()
            .iter()
            .map(|s| s.point_connections())
            .fold((0, 0), |(open, busy), (o, b)| (open + o, busy + b))
    }

    /// Reads the rows for the id in `params`, from the shard that owns it.
    pub async fn run(&self, params: &[ScalarValue]) -> Result<QueryOutput, SqlError> {
        let id = match params.first() {
            Some(
                ScalarValue::Utf8(id) | ScalarValue::LargeUtf8(id) | ScalarValue::Utf8View(id),
            ) => id.as_deref(),
            other => {
                return Err(SqlError::new(
                    sqlstate::INTERNAL_ERROR,
                    format!(
                        "point read of {}: parameter $1 is {other:?}, not text",
                        self.table
                    ),
                ));
            }
        };
        // `id = NULL` is never true.
        let rows = match id {
            None => Default::default(),
            Some(id) => {
                let index = self.shards.map().shard_for(id);
                let (reads, scan_seconds) = &self.shard_metrics[index];
                reads.inc();
                let _timer = scan_seconds.start_timer();
                self.lanes[index].read(id).await?
            }
        };
        let mut builders: Vec<ColumnBuilder> = self
            .readers
            .iter()
            .map(|r| ColumnBuilder::new(*r, rows.len()))
            .collect();
        for row in rows.iter() {
            for (i, b) in builders.iter_mut().enumerate() {
                b.push(row, i)?;
            }
        }
        let columns: Vec<ArrayRef> = builders
            .into_iter()
            .zip(self.schema.fields())
            .map(|(b, f)| b.finish(f.data_type()))
            .collect();
        let batch = RecordBatch::try_new_with_options(
            self.schema.clone(),
            columns,
            &RecordBatchOptions::new().with_row_count(Some(rows.len())),
        )
        .map_err(|e| SqlError::new(sqlstate::INTERNAL_ERROR, e.to_string()))?;
        let bytes = batch.get_array_memory_size() as u64;
        Ok(QueryOutput {
            schema: self.schema.clone(),
            batches: vec![batch],
            rows_scanned: rows.len() as u64,
            cpu_nanos: 0,
            bytes_scanned: bytes,
        })
    }
}
