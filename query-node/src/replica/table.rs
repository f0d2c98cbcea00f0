//! `ReplicaTable`: a collection answered from the node's replica, with exactly the schema
//! the shard scan ([`ShardedTable`]) exposes, so every query answers identically. Before it
//! scans, it catches up as the session's `docfusion.consistency` asks; in a transaction
//! block (which reads its own snapshot of the shards), or when the replica cannot serve the
//! collection, it scans the shards instead. `EXPLAIN` shows `ReplicaScanExec` with the
//! consistency and how stale the answer may be, and the shredded paths it reads.
//!
//! The table can carry shredded reads ([`ShreddedRead`], added by
//! [`crate::replica::rewrite`]): extra columns holding a JSON path's typed values where the
//! replica has them exactly, NULL elsewhere (also when it scans the shards).

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use datafusion::arrow::array::{ArrayRef, new_null_array};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::default_table_source::source_as_provider;
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::ScalarValue;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::datasource::TableType;
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::datasource::source::DataSourceExec;
use datafusion::error::Result;
use datafusion::execution::TaskContext;
use datafusion::execution::context::SessionConfig;
use datafusion::logical_expr::{Expr, LogicalPlan, TableProviderFilterPushDown};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_expr::expressions::{Column as PhysicalColumn, Literal};
use datafusion::physical_plan::projection::ProjectionExec;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, PlanProperties, SendableRecordBatchStream,
};

use crate::catalog::TableInfo;
use crate::error::SqlError;
use crate::replica::rewrite::{Answer, ReadKind, ShreddedRead, as_leaf, serves};
use crate::replica::shred::ShredType;
use crate::replica::{Consistency, ReadConsistency, Replica};
use crate::scan::ShardedTable;
use crate::snapshot::SessionSnapshot;
use crate::vector_index::VectorSearch;
use crate::vector_index::plan::AnnRequest;

/// A collection read from the replica (or, when it cannot be, from the shards).
#[derive(Debug)]
pub struct ReplicaTable {
    info: Arc<TableInfo>,
    replica: Arc<Replica>,
    shards: Arc<ShardedTable>,
    reads: Vec<ShreddedRead>,
    schema: SchemaRef,
    ann: Option<Arc<AnnRequest>>,
}

impl ReplicaTable {
    /// Collection `shards` read from `replica`.
    pub fn new(shards: Arc<ShardedTable>, replica: Arc<Replica>) -> Self {
        let info = shards.info().clone();
        Self {
            schema: info.schema.clone(),
            info,
            replica,
            shards,
            reads: Vec::new(),
            ann: None,
        }
    }

    /// The same table answering `request` from the vector indexes when the session asks
    /// for approximate search ([`crate::vector_index::plan`]).
    pub fn with_ann(&self, request: AnnRequest) -> Self {
        Self {
            info: self.info.clone(),
            replica: self.replica.clone(),
            shards: self.shards.clone(),
            reads: self.reads.clone(),
            schema: self.schema.clone(),
            ann: Some(Arc::new(request)),
        }
    }

    /// The approximate search this table's scan answers, if any.
    pub fn ann(&self) -> Option<&AnnRequest> {
        self.ann.as_deref()
    }

    /// The same table with `reads` appended to its schema as columns.
    pub fn with_shredded_reads(&self, reads: Vec<ShreddedRead>) -> Self {
        let mut fields: Vec<_> = self.info.schema.fields().iter().cloned().collect();
        for r in &reads {
            fields.push(Arc::new(Field::new(&r.name, r.data_type.clone(), true)));
        }
        Self {
            info: self.info.clone(),
            replica: self.replica.clone(),
            shards: self.shards.clone(),
            schema: Arc::new(Schema::new(fields)),
            reads,
            ann: self.ann.clone(),
        }
    }

    /// The shredded reads this table carries.
    pub fn shredded_reads(&self) -> &[ShreddedRead] {
        &self.reads
    }

    /// Whether to read `path` (as `kind`, for an expression of type `data_type`) from the
    /// store's columns (presence always can):
    /// unless every shard's replica now types it in a way that cannot answer. Planning runs
    /// before the scan catches up, so a shard that does not know the path yet may well have
    /// it by then; the scan checks again per shard, and NULL falls back to the document.
    pub fn may_serve(&self, path: &str, kind: ReadKind, data_type: &DataType) -> bool {
        if self.replica.unserved_reason(&self.info).is_some() {
            return false;
        }
        let answers = |ty: ShredType| match kind {
            ReadKind::Text | ReadKind::Complete => serves(ty, data_type),
            ReadKind::Value(want) => ty == want,
            ReadKind::Presence | ReadKind::Rest(_) | ReadKind::Contains => true,
        };
        kind == ReadKind::Presence
            || self
                .replica
                .path_types(&self.info.name, path)
                .into_iter()
                .any(|ty| ty.is_none_or(answers))
    }

    /// Whether every shard's store now answers `path` as an expression of type
    /// `data_type` on every row from its typed column or knows it absent
    /// ([`crate::replica::rewrite::Answer`]), so that a read of it needs no document. A
    /// shard whose answer changes before the scan (a write made the path mixed-type) has
    /// its [`ReadKind::Complete`] and [`ReadKind::Rest`] reads computed from its documents.
    pub fn answers_completely(&self, path: &str, data_type: &DataType) -> bool {
        self.replica.unserved_reason(&self.info).is_none()
            && self
                .replica
                .path_answers(&self.info.name, path, data_type)
                .into_iter()
                .all(|a| a != Answer::Documents)
    }

    /// Whether every shard's store now answers a containment with scalar leaves `leaves`
    /// from typed columns of exactly the leaves' types (or knows a leaf's path absent) on
    /// every row ([`ReadKind::Contains`]).
    pub fn contains_completely(&self, leaves: &[(String, ShredType, ScalarValue)]) -> bool {
        self.replica.unserved_reason(&self.info).is_none()
            && leaves.iter().all(|(path, ty, _)| {
                self.replica
                    .path_answers(&self.info.name, path, &ty.data_type())
                    .into_iter()
                    .all(|a| as_leaf(a, *ty) != Answer::Documents)
            })
    }

    /// The shard scan, with NULL for every shredded read but the complete ones, which are
    /// computed from the documents.
    async fn scan_shards(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let base = self.info.schema.fields().len();
        let wanted: Vec<usize> = match projection {
            Some(p) => p.clone(),
            None => (0..self.schema.fields().len()).collect(),
        };
        if wanted.iter().all(|i| *i < base) {
            return self.shards.scan(state, Some(&wanted), &[], limit).await;
        }
        let mut base_wanted: Vec<usize> = wanted.iter().copied().filter(|i| *i < base).collect();
        // The complete reads are computed from the documents.
        let computes = wanted
            .iter()
            .any(|i| *i >= base && self.reads[*i - base].fallback.is_some());
        if computes
            && let Ok(doc) = self.info.schema.index_of("doc")
            && !base_wanted.contains(&doc)
        {
            base_wanted.push(doc);
        }
        let input = self
            .shards
            .scan(state, Some(&base_wanted), &[], limit)
            .await?;
        let needed: Vec<bool> = (0..self.reads.len())
            .map(|i| wanted.contains(&(base + i)))
            .collect();
        let fallbacks = self.fallbacks(state, &input.schema(), &needed)?;
        let mut exprs: Vec<(Arc<dyn PhysicalExpr>, String)> = Vec::with_capacity(wanted.len());
        for i in wanted {
            let field = self.schema.field(i);
            let expr: Arc<dyn PhysicalExpr> = match base_wanted.iter().position(|b| *b == i) {
                Some(at) => Arc::new(PhysicalColumn::new(field.name(), at)),
                None => match &fallbacks[i - base] {
                    Some(f) => f.clone(),
                    None => Arc::new(Literal::new(ScalarValue::try_from(field.data_type())?)),
                },
            };
            exprs.push((expr, field.name().clone()));
        }
        Ok(Arc::new(ProjectionExec::try_new(exprs, input)?))
    }

    /// Per shredded read, the expression that computes it from a batch of `schema` (which
    /// holds `doc`) where no column answers: [`ShreddedRead::fallback`], for the complete
    /// reads the scan outputs (`needed`); `None` for the others, which are NULL there.
    fn fallbacks(
        &self,
        state: &dyn Session,
        schema: &SchemaRef,
        needed: &[bool],
    ) -> Result<Vec<Option<Arc<dyn PhysicalExpr>>>> {
        let df_schema = datafusion::common::DFSchema::try_from(schema.as_ref().clone())?;
        self.reads
            .iter()
            .zip(needed)
            .map(|(r, needed)| {
                r.fallback
                    .as_ref()
                    .filter(|_| *needed)
                    .map(|e| state.create_physical_expr(e.clone(), &df_schema))
                    .transpose()
            })
            .collect()
    }
}

impl ReplicaTable {
    /// The nearest rows of this table's approximate search, when the session asks for
    /// approximate search and every shard's index can answer (else `None`: scan all rows).
    fn ann_rows(&self, state: &dyn Session) -> Result<Option<crate::vector_index::scan::AnnRows>> {
        let Some(request) = &self.ann else {
            return Ok(None);
        };
        let mode = state
            .config()
            .get_extension::<VectorSearch>()
            .map_or(VectorSearch::Exact, |m| *m);
        if mode != VectorSearch::Approximate {
            return Ok(None);
        }
        let filter = match &request.filter {
            Some(expr) => {
                let schema = datafusion::common::DFSchema::try_from_qualified_schema(
                    request.qualifier.clone(),
                    &self.info.schema,
                )?;
                match state.create_physical_expr(expr.clone(), &schema) {
                    Ok(f) => Some(f),
                    Err(e) => {
                        tracing::debug!(collection = %self.info.name, error = %e, "vector search: exact (filter)");
                        return Ok(None);
                    }
                }
            }
            None => None,
        };
        let ef_search = state
            .config()
            .get_extension::<crate::vector_index::EfSearch>()
            .map_or_else(crate::vector_index::EfSearch::default, |e| *e)
            .0;
        match crate::vector_index::scan::nearest_rows(
            &self.replica,
            &self.info.name,
            request,
            filter.as_ref(),
            ef_search,
        )
        .map_err(SqlError::into_datafusion)?
        {
            Ok(rows) => Ok(Some(rows)),
            Err(why) => {
                tracing::debug!(collection = %self.info.name, %why, "vector search: exact");
                Ok(None)
            }
        }
    }
}

fn in_transaction_block(state: &dyn Session) -> bool {
    config_in_transaction_block(state.config())
}

fn config_in_transaction_block(config: &SessionConfig) -> bool {
    config
        .get_extension::<SessionSnapshot>()
        .is_some_and(|s| s.snapshot.is_some() || s.writes.is_some())
}

/// Sends the shard position probes that the strong catch-up of a statement (arrived at
/// `arrived`, about to be optimised and planned under `config`) will wait for, so that
/// their round trips overlap its planning: only when `plan` reads a collection that the
/// replica serves, outside a transaction block, with `docfusion.consistency` strong.
pub fn probe_ahead(plan: &LogicalPlan, config: &SessionConfig, arrived: Instant) {
    let strong = config
        .get_extension::<ReadConsistency>()
        .is_none_or(|c| c.0 == Consistency::Strong);
    if !strong || config_in_transaction_block(config) {
        return;
    }
    let mut replica = None;
    let _ = plan.apply_with_subqueries(|node| {
        if let LogicalPlan::TableScan(scan) = node
            && let Ok(provider) = source_as_provider(&scan.source)
            && let Some(table) = provider.as_ref().downcast_ref::<ReplicaTable>()
            && table.replica.unserved_reason(&table.info).is_none()
        {
            replica = Some(table.replica.clone());
            return Ok(TreeNodeRecursion::Stop);
        }
        Ok(TreeNodeRecursion::Continue)
    });
    if let Some(replica) = replica {
        replica.probe_ahead(arrived);
    }
}

#[async_trait]
impl TableProvider for ReplicaTable {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> Result<Vec<TableProviderFilterPushDown>> {
        // DataFusion filters the replica's batches (and the shard scan's, when it falls back).
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
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let fallback = if in_transaction_block(state) {
            Some("in a transaction block (read in its snapshot of the shards)".to_string())
        } else {
            self.replica.unserved_reason(&self.info)
        };
        if let Some(why) = fallback {
            tracing::debug!(collection = %self.info.name, %why, "read from the shards");
            let inner = self.scan_shards(state, projection, limit).await?;
            return Ok(Arc::new(ReplicaScanExec {
                collection: self.info.name.clone(),
                answered: Answered::Shards { why },
                inner,
            }));
        }
        let consistency = state
            .config()
            .get_extension::<ReadConsistency>()
            .map_or(Consistency::Strong, |c| c.0);
        let freshness = self
            .replica
            .catch_up(consistency)
            .await
            .map_err(SqlError::into_datafusion)?;
        let ann = self.ann_rows(state)?;
        // Reads the plan no longer uses (projected away after the rewrite) are not computed.
        let base = self.info.schema.fields().len();
        let needed: Vec<bool> = (0..self.reads.len())
            .map(|i| projection.is_none_or(|p| p.contains(&(base + i))))
            .collect();
        let shard_parts = match &ann {
            // The nearest rows only; shredded reads stay NULL (read from the documents).
            Some(rows) => rows
                .partitions
                .iter()
                .map(|batches| crate::replica::ShardPartition {
                    batches: batches.clone(),
                    columns: vec![None; self.reads.len()],
                })
                .collect(),
            None => self
                .replica
                .partitions_with_reads(&self.info.name, &self.reads, &needed)
                .map_err(SqlError::into_datafusion)?,
        };
        let fallbacks = self.fallbacks(state, &self.info.schema, &needed)?;
        let schema = self.schema.clone();
        // Per read: how many shards answered it from the store's columns.
        let mut served_shards = vec![0usize; self.reads.len()];
        let mut partitions = Vec::with_capacity(shard_parts.len());
        for part in shard_parts {
            for (n, c) in served_shards.iter_mut().zip(&part.columns) {
                *n += usize::from(c.is_some());
            }
            let mut batches = Vec::with_capacity(part.batches.len());
            for (b, batch) in part.batches.iter().enumerate() {
                let mut columns = batch.columns().to_vec();
                for ((read, arrays), fallback) in
                    self.reads.iter().zip(&part.columns).zip(&fallbacks)
                {
                    let column: ArrayRef = match (arrays.as_ref().and_then(|a| a.get(b)), fallback)
                    {
                        (Some(array), _) => array.clone(),
                        (None, Some(f)) => f.evaluate(batch)?.into_array(batch.num_rows())?,
                        (None, None) => new_null_array(&read.data_type, batch.num_rows()),
                    };
                    columns.push(column);
                }
                batches.push(RecordBatch::try_new(schema.clone(), columns)?);
            }
            partitions.push(batches);
        }
        let shredded = self
            .reads
            .iter()
            .zip(served_shards)
            .zip(&needed)
            .filter(|(_, needed)| **needed)
            .map(|((r, n), _)| format!("{}:{}({n}/{} shards)", r.path, r.label(), partitions.len()))
            .collect::<Vec<_>>();
        let source = MemorySourceConfig::try_new(&partitions, schema, projection.cloned())?
            .with_limit(limit);
        let inner: Arc<dyn ExecutionPlan> = DataSourceExec::from_data_source(source);
        Ok(Arc::new(ReplicaScanExec {
            collection: self.info.name.clone(),
            answered: Answered::Replica {
                consistency,
                lag_ms: freshness.lag.as_millis() as u64,
                shredded,
                ann: ann.map(|a| a.description),
            },
            inner,
        }))
    }
}

/// What answered a scan of a replica-served collection.
#[derive(Debug, Clone)]
enum Answered {
    /// The replica's in-memory batches, one partition per shard.
    Replica {
        consistency: Consistency,
        lag_ms: u64,
        /// The shredded paths read, as `path:what(shards whose store answered it)`.
        shredded: Vec<String>,
        /// The approximate search that chose the rows, if one did.
        ann: Option<String>,
    },
    /// The shards (the child is their scan), for the reason given.
    Shards { why: String },
}

/// The scan of a replica-served collection: `ReplicaScanExec` over the replica's batches,
/// or `ReplicaFallbackExec` over the shard scan, saying why (in `EXPLAIN`).
#[derive(Debug)]
pub struct ReplicaScanExec {
    collection: String,
    answered: Answered,
    inner: Arc<dyn ExecutionPlan>,
}

impl DisplayAs for ReplicaScanExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        let (consistency, lag_ms, shredded, ann) = match &self.answered {
            Answered::Shards { why } => {
                return write!(
                    f,
                    "ReplicaFallbackExec: collection={}, read from the shards: {why}",
                    self.collection
                );
            }
            Answered::Replica {
                consistency,
                lag_ms,
                shredded,
                ann,
            } => (consistency, lag_ms, shredded, ann),
        };
        let consistency = match consistency {
            Consistency::Strong => "strong".to_string(),
            Consistency::Bounded(d) => format!("bounded({} ms)", d.as_millis()),
            Consistency::None => "none".to_string(),
        };
        write!(
            f,
            "ReplicaScanExec: collection={}, consistency={consistency}, staleness_ms<={lag_ms}",
            self.collection
        )?;
        if !shredded.is_empty() {
            write!(f, ", shredded=[{}]", shredded.join(", "))?;
        }
        if let Some(ann) = ann {
            write!(f, ", {ann}")?;
        }
        Ok(())
    }
}

impl ExecutionPlan for ReplicaScanExec {
    fn name(&self) -> &str {
        match self.answered {
            Answered::Replica { .. } => "ReplicaScanExec",
            Answered::Shards { .. } => "ReplicaFallbackExec",
        }
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(
            &Arc<dyn datafusion::physical_expr::PhysicalExpr>,
        ) -> Result<datafusion::common::tree_node::TreeNodeRecursion>,
    ) -> Result<datafusion::common::tree_node::TreeNodeRecursion> {
        Ok(datafusion::common::tree_node::TreeNodeRecursion::Continue)
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        self.inner.properties()
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.inner]
    }

    fn with_new_children(
        self: Arc<Self>,
        mut children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let inner = children.pop().unwrap_or_else(|| self.inner.clone());
        Ok(Arc::new(ReplicaScanExec {
            collection: self.collection.clone(),
            answered: self.answered.clone(),
            inner,
        }))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        self.inner.execute(partition, context)
    }
}
