//! `ShardScanExec`: one partition per shard, each running its own SQL on that shard and
//! streaming the rows back as Arrow batches. Sorts and limits that Postgres can apply
//! exactly are pushed into the per-shard SQL.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;

use datafusion::arrow::array::RecordBatchOptions;
use datafusion::arrow::datatypes::{DataType, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::TaskContext;
use datafusion::physical_expr::{
    EquivalenceProperties, LexOrdering, PhysicalExpr, PhysicalSortExpr,
};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::expressions::Column;
use datafusion::physical_plan::metrics::{
    BaselineMetrics, Count, ExecutionPlanMetricsSet, MetricBuilder, MetricsSet,
};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning, PlanProperties,
    SendableRecordBatchStream, SortOrderPushdownResult,
};
use futures::{Stream, StreamExt};
use prometheus::HistogramTimer;
use tokio_postgres::Row;

use crate::catalog::ColumnReader;
use crate::error::SqlError;
use crate::scan::rows::ColumnBuilder;
use crate::shards::{Shard, shard_error};

/// Name of the scan metric counting the bytes (Arrow memory) read from the shards.
pub const BYTES_SCANNED: &str = "bytes_scanned";

/// One output column: the SQL that computes it on the shard and how to decode it.
#[derive(Debug, Clone)]
pub struct ScanColumn {
    /// SQL expression in the select list.
    pub sql: String,
    /// Decoder.
    pub reader: ColumnReader,
}

/// The physical scan of a sharded table.
#[derive(Debug, Clone)]
pub struct ShardScanExec {
    table: String,
    schema: SchemaRef,
    columns: Vec<ScanColumn>,
    shards: Vec<Shard>,
    where_sql: Option<String>,
    group_by: Option<String>,
    order_by: Option<String>,
    ordering: Option<LexOrdering>,
    limit: Option<usize>,
    batch_rows: usize,
    properties: Arc<PlanProperties>,
    metrics: ExecutionPlanMetricsSet,
}

impl ShardScanExec {
    /// A scan of `table` on `shards` producing `schema` from `columns`.
    pub fn new(
        table: String,
        schema: SchemaRef,
        columns: Vec<ScanColumn>,
        shards: Vec<Shard>,
        where_sql: Option<String>,
        limit: Option<usize>,
        batch_rows: usize,
    ) -> Self {
        let properties = Self::plan_properties(&schema, shards.len(), None);
        Self {
            table,
            schema,
            columns,
            shards,
            where_sql,
            group_by: None,
            order_by: None,
            ordering: None,
            limit,
            batch_rows,
            properties,
            metrics: ExecutionPlanMetricsSet::new(),
        }
    }

    /// The same scan with a GROUP BY clause (partial aggregation on the shards).
    pub fn with_group_by(mut self, group_by: Option<String>) -> Self {
        self.group_by = group_by;
        self
    }

    fn plan_properties(
        schema: &SchemaRef,
        partitions: usize,
        ordering: Option<LexOrdering>,
    ) -> Arc<PlanProperties> {
        let mut eq = EquivalenceProperties::new(schema.clone());
        if let Some(ordering) = ordering {
            eq = EquivalenceProperties::new_with_orderings(schema.clone(), [ordering]);
        }
        Arc::new(PlanProperties::new(
            eq,
            Partitioning::UnknownPartitioning(partitions.max(1)),
            EmissionType::Incremental,
            Boundedness::Bounded,
        ))
    }

    /// The SQL sent to each shard.
    pub fn shard_sql(&self) -> String {
        let select = if self.columns.is_empty() {
            String::new()
        } else {
            self.columns
                .iter()
                .map(|c| c.sql.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut sql = format!(
            "SELECT {select} FROM {}",
            crate::scan::pushdown::quote_ident(&self.table)
        );
        if let Some(w) = &self.where_sql {
            sql.push_str(" WHERE ");
            sql.push_str(w);
        }
        if let Some(g) = &self.group_by {
            sql.push_str(" GROUP BY ");
            sql.push_str(g);
        }
        if let Some(o) = &self.order_by {
            sql.push_str(" ORDER BY ");
            sql.push_str(o);
        }
        if let Some(l) = self.limit {
            sql.push_str(&format!(" LIMIT {l}"));
        }
        sql
    }

    /// Names of the shards this scan reads.
    pub fn shard_names(&self) -> Vec<String> {
        self.shards.iter().map(|s| s.name.clone()).collect()
    }

    fn sort_sql(&self, order: &[PhysicalSortExpr]) -> Option<String> {
        let mut parts = Vec::new();
        for s in order {
            // A distance to a constant vector on a pgvector column: the shard's own top-k.
            if let Some(item) = crate::vector::pushdown::sort_key_sql(
                s.expr.as_ref(),
                |i| self.columns.get(i).map(|c| (c.sql.as_str(), c.reader)),
                s.options.descending,
                s.options.nulls_first,
            ) {
                parts.push(item);
                continue;
            }
            let col = s.expr.downcast_ref::<Column>()?;
            let c = self.columns.get(col.index())?;
            let field = self.schema.field(col.index());
            if crate::pgtype::is_json_like(field) {
                return None; // jsonb ordering is not text ordering
            }
            let collate = match field.data_type() {
                DataType::Utf8 => " COLLATE \"C\"",
                DataType::Int16
                | DataType::Int32
                | DataType::Int64
                | DataType::Boolean
                | DataType::Date32
                | DataType::Timestamp(_, _)
                | DataType::Decimal128(_, _)
                // Both order NaN above every number; they differ only in whether -0 sorts
                // before 0, which are equal in Postgres: at worst ties come out swapped.
                | DataType::Float32
                | DataType::Float64 => "",
                _ => return None,
            };
            parts.push(format!(
                "{}{collate} {} NULLS {}",
                c.sql,
                if s.options.descending { "DESC" } else { "ASC" },
                if s.options.nulls_first {
                    "FIRST"
                } else {
                    "LAST"
                }
            ));
        }
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

impl DisplayAs for ShardScanExec {
    fn fmt_as(&self, t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        match t {
            DisplayFormatType::TreeRender => write!(f, "table={}", self.table),
            _ => write!(
                f,
                "ShardScanExec: table={}, shards=[{}], sql={}",
                self.table,
                self.shard_names().join(", "),
                self.shard_sql()
            ),
        }
    }
}

type BatchStream = Pin<Box<dyn Stream<Item = Result<RecordBatch>> + Send>>;

impl ExecutionPlan for ShardScanExec {
    fn name(&self) -> &str {
        "ShardScanExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![]
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        if children.is_empty() {
            Ok(self)
        } else {
            Err(DataFusionError::Internal(
                "ShardScanExec has no children".into(),
            ))
        }
    }

    // `supports_limit_pushdown` stays false: it means "a limit may be pushed *through* this
    // node to its children", and a leaf answering true makes DataFusion drop an OFFSET
    // (its GlobalLimit is removed and never re-added). Limits reach the scan by `with_fetch`.

    fn with_fetch(&self, limit: Option<usize>) -> Option<Arc<dyn ExecutionPlan>> {
        if self.group_by.is_some() {
            // A limit on partial groups would drop parts of groups.
            return None;
        }
        let mut next = self.clone();
        next.limit = tighter_limit(self.limit, limit);
        Some(Arc::new(next))
    }

    fn fetch(&self) -> Option<usize> {
        self.limit
    }

    fn try_pushdown_sort(
        &self,
        order: &[PhysicalSortExpr],
    ) -> Result<SortOrderPushdownResult<Arc<dyn ExecutionPlan>>> {
        let (Some(sql), Some(ordering), None) = (
            self.sort_sql(order),
            LexOrdering::new(order.to_vec()),
            &self.group_by,
        ) else {
            return Ok(SortOrderPushdownResult::Unsupported);
        };
        if self.limit.is_some() {
            // A LIMIT already applied without this order would pick the wrong rows.
            return Ok(SortOrderPushdownResult::Unsupported);
        }
        let mut next = self.clone();
        next.order_by = Some(sql);
        next.ordering = Some(ordering.clone());
        next.properties = Self::plan_properties(&self.schema, self.shards.len(), Some(ordering));
        Ok(SortOrderPushdownResult::Exact {
            inner: Arc::new(next),
        })
    }

    fn metrics(&self) -> Option<MetricsSet> {
        Some(self.metrics.clone_inner())
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        let schema = self.schema.clone();
        let Some(shard) = self.shards.get(partition).cloned() else {
            // A table with no shard to read (e.g. ids pinned to nothing) yields no rows.
            return Ok(Box::pin(RecordBatchStreamAdapter::new(
                schema,
                futures::stream::empty(),
            )));
        };
        let sql = self.shard_sql();
        let readers: Vec<ColumnReader> = self.columns.iter().map(|c| c.reader).collect();
        let batch_rows = self.batch_rows;
        let metrics = BaselineMetrics::new(&self.metrics, partition);
        let bytes = MetricBuilder::new(&self.metrics).counter(BYTES_SCANNED, partition);
        // Inside a transaction block: read through the block's own transaction on a shard it
        // wrote to, else at the block's snapshot of this shard.
        let reads = context
            .session_config()
            .get_extension::<crate::snapshot::SessionSnapshot>();
        let session_conn = reads
            .as_ref()
            .and_then(|r| r.writes.as_ref())
            .and_then(|w| w.get(shard.index));
        let snapshot = reads.as_ref().and_then(|s| {
            s.snapshot
                .as_ref()
                .and_then(|r| r.id(shard.index).map(str::to_string))
        });
        let stream = shard_stream(
            ShardQuery {
                shard,
                snapshot,
                session_conn,
                sql,
            },
            schema.clone(),
            readers,
            batch_rows,
            metrics,
            bytes,
        );
        Ok(Box::pin(RecordBatchStreamAdapter::new(schema, stream)))
    }
}

/// The stricter of two optional row limits (`None` = unlimited).
pub(crate) fn tighter_limit(a: Option<usize>, b: Option<usize>) -> Option<usize> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// A scan's connection; one still inside its snapshot transaction is closed, not returned
/// to the pool, when the scan is dropped early.
struct ScanConn {
    conn: Option<deadpool_postgres::Object>,
    in_txn: bool,
}

impl ScanConn {
    /// Ends the snapshot transaction after the last row.
    async fn finish(&mut self) {
        if self.in_txn
            && let Some(c) = &self.conn
            && c.batch_execute("COMMIT").await.is_ok()
        {
            self.in_txn = false;
        }
    }
}

impl Drop for ScanConn {
    fn drop(&mut self) {
        if self.in_txn
            && let Some(c) = self.conn.take()
        {
            drop(deadpool_postgres::Object::take(c));
        }
    }
}

enum ScanState {
    Start,
    Reading {
        conn: Box<ScanConn>,
        rows: RowSource,
        // Observes `shard_scan_seconds` when dropped: at the last batch, an error, or when
        // the consumer stops reading.
        scan_timer: HistogramTimer,
    },
    Done,
}

/// The rows of a shard scan: streamed from a pooled connection, or (on the session's own
/// transaction, which other scans of the same statement may share) read whole first.
type RowSource =
    Pin<Box<dyn Stream<Item = std::result::Result<Row, tokio_postgres::Error>> + Send>>;

/// What one shard scan reads: the shard, the SQL, and the transaction snapshot to read in
/// (or the session's own transaction on that shard).
struct ShardQuery {
    shard: Shard,
    snapshot: Option<String>,
    session_conn: Option<Arc<deadpool_postgres::Object>>,
    sql: String,
}

fn shard_stream(
    query: ShardQuery,
    schema: SchemaRef,
    readers: Vec<ColumnReader>,
    batch_rows: usize,
    metrics: BaselineMetrics,
    bytes: Count,
) -> BatchStream {
    let ext = |e: SqlError| DataFusionError::External(Box::new(e));
    let ShardQuery {
        shard,
        snapshot,
        session_conn,
        sql,
    } = query;
    let stream = futures::stream::unfold(ScanState::Start, move |state| {
        let shard = shard.clone();
        let snapshot = snapshot.clone();
        let session_conn = session_conn.clone();
        let sql = sql.clone();
        let schema = schema.clone();
        let readers = readers.clone();
        let metrics = metrics.clone();
        let bytes = bytes.clone();
        async move {
            let (mut conn, mut rows, scan_timer) = match state {
                ScanState::Done => return None,
                ScanState::Reading {
                    conn,
                    rows,
                    scan_timer,
                } => (conn, rows, scan_timer),
                ScanState::Start => {
                    let scan_timer = crate::metrics::metrics()
                        .shard_scan_seconds
                        .with_label_values(&[shard.name.as_str()])
                        .start_timer();
                    if let Some(own) = &session_conn {
                        let conn = Box::new(ScanConn {
                            conn: None,
                            in_txn: false,
                        });
                        match own.query(sql.as_str(), &[]).await {
                            Ok(rows) => {
                                let rows: RowSource =
                                    Box::pin(futures::stream::iter(rows.into_iter().map(Ok)));
                                (conn, rows, scan_timer)
                            }
                            Err(e) => {
                                return Some((
                                    Err(ext(shard_error(&shard.name, &e))),
                                    ScanState::Done,
                                ));
                            }
                        }
                    } else {
                        let conn = match shard.connect().await {
                            Ok(c) => c,
                            Err(e) => return Some((Err(ext(e)), ScanState::Done)),
                        };
                        let mut conn = Box::new(ScanConn {
                            conn: Some(conn),
                            in_txn: false,
                        });
                        let c = conn.conn.as_ref()?;
                        if let Some(id) = &snapshot {
                            conn.in_txn = true;
                            let begin = format!(
                                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '{}'",
                                id.replace('\'', "''")
                            );
                            if let Err(e) = c.batch_execute(&begin).await {
                                return Some((
                                    Err(ext(shard_error(&shard.name, &e))),
                                    ScanState::Done,
                                ));
                            }
                        }
                        let params: Vec<&str> = Vec::new();
                        match c.query_raw(sql.as_str(), params).await {
                            Ok(rows) => {
                                let rows: RowSource = Box::pin(rows);
                                (conn, rows, scan_timer)
                            }
                            Err(e) => {
                                return Some((
                                    Err(ext(shard_error(&shard.name, &e))),
                                    ScanState::Done,
                                ));
                            }
                        }
                    }
                }
            };
            let timer = metrics.elapsed_compute().timer();
            let mut builders: Vec<ColumnBuilder> = readers
                .iter()
                .map(|r| ColumnBuilder::new(*r, batch_rows))
                .collect();
            let mut count = 0usize;
            let mut finished = false;
            while count < batch_rows {
                match rows.next().await {
                    Some(Ok(row)) => {
                        for (i, b) in builders.iter_mut().enumerate() {
                            if let Err(e) = b.push(&row, i) {
                                return Some((Err(ext(e)), ScanState::Done));
                            }
                        }
                        count += 1;
                    }
                    Some(Err(e)) => {
                        return Some((Err(ext(shard_error(&shard.name, &e))), ScanState::Done));
                    }
                    None => {
                        finished = true;
                        break;
                    }
                }
            }
            drop(timer);
            if finished {
                conn.finish().await;
            }
            if count == 0 && finished {
                return None;
            }
            let columns = builders
                .into_iter()
                .zip(schema.fields())
                .map(|(b, f)| b.finish(f.data_type()))
                .collect::<Vec<_>>();
            let batch = RecordBatch::try_new_with_options(
                schema.clone(),
                columns,
                &RecordBatchOptions::new().with_row_count(Some(count)),
            )
            .map_err(|e| DataFusionError::ArrowError(Box::new(e), None));
            if let Ok(b) = &batch {
                metrics.record_output(b.num_rows());
                bytes.add(b.get_array_memory_size());
            }
            let next = if finished {
                ScanState::Done
            } else {
                ScanState::Reading {
                    conn,
                    rows,
                    scan_timer,
                }
            };
            Some((batch, next))
        }
    });
    Box::pin(stream)
}
