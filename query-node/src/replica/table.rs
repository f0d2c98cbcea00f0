//! `ReplicaTable`: a collection answered from the node's replica, with exactly the schema
//! the shard scan ([`ShardedTable`]) exposes, so every query answers identically. Before it
//! scans, it catches up as the session's `docfusion.consistency` asks; in a transaction
//! block (which reads its own snapshot of the shards), or when the replica cannot serve the
//! collection, it scans the shards instead. `EXPLAIN` shows `ReplicaScanExec` with the
//! consistency and how stale the answer may be.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::{Session, TableProvider};
use datafusion::datasource::TableType;
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::datasource::source::DataSourceExec;
use datafusion::error::Result;
use datafusion::execution::TaskContext;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown};
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, PlanProperties, SendableRecordBatchStream,
};

use crate::catalog::TableInfo;
use crate::error::SqlError;
use crate::replica::{Consistency, ReadConsistency, Replica};
use crate::scan::ShardedTable;
use crate::snapshot::SessionSnapshot;

/// A collection read from the replica (or, when it cannot be, from the shards).
#[derive(Debug)]
pub struct ReplicaTable {
    info: Arc<TableInfo>,
    replica: Arc<Replica>,
    shards: Arc<ShardedTable>,
}

impl ReplicaTable {
    /// Collection `shards` read from `replica`.
    pub fn new(shards: Arc<ShardedTable>, replica: Arc<Replica>) -> Self {
        Self {
            info: shards.info().clone(),
            replica,
            shards,
        }
    }
}

fn in_transaction_block(state: &dyn Session) -> bool {
    state
        .config()
        .get_extension::<SessionSnapshot>()
        .is_some_and(|s| s.snapshot.is_some() || s.writes.is_some())
}

#[async_trait]
impl TableProvider for ReplicaTable {
    fn schema(&self) -> SchemaRef {
        self.info.schema.clone()
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
        if in_transaction_block(state) {
            return self.shards.scan(state, projection, &[], limit).await;
        }
        if let Some(why) = self.replica.unserved_reason(&self.info) {
            tracing::debug!(collection = %self.info.name, %why, "read from the shards");
            return self.shards.scan(state, projection, &[], limit).await;
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
        let partitions = self
            .replica
            .partitions(&self.info.name)
            .map_err(SqlError::into_datafusion)?;
        let schema = self.info.schema.clone();
        let partitions = partitions
            .into_iter()
            .map(|batches| {
                batches
                    .into_iter()
                    .map(|b| RecordBatch::try_new(schema.clone(), b.columns().to_vec()))
                    .collect::<std::result::Result<Vec<_>, _>>()
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let source = MemorySourceConfig::try_new(&partitions, schema, projection.cloned())?
            .with_limit(limit);
        let inner: Arc<dyn ExecutionPlan> = DataSourceExec::from_data_source(source);
        Ok(Arc::new(ReplicaScanExec {
            collection: self.info.name.clone(),
            consistency,
            lag_ms: freshness.lag.as_millis() as u64,
            inner,
        }))
    }
}

/// The replica's scan of a collection: its in-memory batches, one partition per shard.
#[derive(Debug)]
pub struct ReplicaScanExec {
    collection: String,
    consistency: Consistency,
    lag_ms: u64,
    inner: Arc<dyn ExecutionPlan>,
}

impl DisplayAs for ReplicaScanExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        let consistency = match self.consistency {
            Consistency::Strong => "strong".to_string(),
            Consistency::Bounded(d) => format!("bounded({} ms)", d.as_millis()),
            Consistency::None => "none".to_string(),
        };
        write!(
            f,
            "ReplicaScanExec: collection={}, consistency={consistency}, staleness_ms<={}",
            self.collection, self.lag_ms
        )
    }
}

impl ExecutionPlan for ReplicaScanExec {
    fn name(&self) -> &str {
        "ReplicaScanExec"
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
            consistency: self.consistency,
            lag_ms: self.lag_ms,
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
