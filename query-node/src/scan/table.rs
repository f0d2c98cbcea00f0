//! `ShardedTable`: the DataFusion table over one collection or relational table on the
//! shards. It says exactly which filters Postgres evaluates, routes id-pinned filters to
//! the owning shards, and can carry computed columns (JSON paths that Postgres extracts so
//! that whole documents need not travel).

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::datatypes::{Schema, SchemaRef};
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::DFSchema;
use datafusion::datasource::TableType;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown};
use datafusion::physical_plan::ExecutionPlan;

use crate::catalog::{ColumnReader, TableInfo, TableKind};
use crate::scan::exec::{ScanColumn, ShardScanExec};
use crate::scan::pushdown::{PgTranslator, pinned_ids, quote_ident};
use crate::shards::ShardSet;

/// An expression computed by the shard and exposed as an extra column of the scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComputedColumn {
    /// Column name in the scan's schema.
    pub name: String,
    /// Postgres SQL over the table's columns.
    pub sql: String,
    /// How the value is decoded.
    pub reader: ColumnReader,
}

/// A table on the shards.
#[derive(Debug, Clone)]
pub struct ShardedTable {
    info: Arc<TableInfo>,
    shards: ShardSet,
    computed: Vec<ComputedColumn>,
    schema: SchemaRef,
    batch_rows: usize,
}

impl ShardedTable {
    /// The table `info` on `shards`.
    pub fn new(info: Arc<TableInfo>, shards: ShardSet) -> Self {
        let schema = info.schema.clone();
        Self {
            info,
            shards,
            computed: Vec::new(),
            schema,
            batch_rows: 8192,
        }
    }

    /// The same table with extra computed columns appended to its schema.
    pub fn with_computed(&self, computed: Vec<ComputedColumn>) -> Self {
        let mut fields: Vec<_> = self.info.schema.fields().iter().cloned().collect();
        for c in &computed {
            fields.push(Arc::new(c.reader.field(&c.name, true)));
        }
        Self {
            info: self.info.clone(),
            shards: self.shards.clone(),
            schema: Arc::new(Schema::new(fields)),
            computed,
            batch_rows: self.batch_rows,
        }
    }

    /// The schema including computed columns.
    pub fn schema_ref(&self) -> &SchemaRef {
        &self.schema
    }

    /// The table's description.
    pub fn info(&self) -> &Arc<TableInfo> {
        &self.info
    }

    /// The computed columns this scan carries.
    pub fn computed(&self) -> &[ComputedColumn] {
        &self.computed
    }

    /// The shard set.
    pub fn shards(&self) -> &ShardSet {
        &self.shards
    }

    fn computed_sql(&self) -> Vec<(String, String)> {
        self.computed
            .iter()
            .map(|c| (c.name.clone(), c.sql.clone()))
            .collect()
    }

    fn df_schema(&self) -> Result<DFSchema> {
        DFSchema::try_from(self.schema.as_ref().clone())
    }

    /// The WHERE clause for `filters` (all of which this table reported as exact) and the
    /// shards that can hold matching rows.
    pub(crate) fn where_and_targets(
        &self,
        filters: &[Expr],
    ) -> Result<(Option<String>, Vec<usize>)> {
        let schema = self.df_schema()?;
        let computed = self.computed_sql();
        let translator = PgTranslator::new(&schema, &computed);
        let mut conditions = Vec::with_capacity(filters.len());
        for f in filters {
            conditions.push(translator.translate(f).ok_or_else(|| {
                DataFusionError::Internal(format!("filter {f} was accepted but cannot be sent"))
            })?);
        }
        let where_sql = (!conditions.is_empty()).then(|| conditions.join(" AND "));
        let targets: Vec<usize> = match self.info.kind {
            // Reference tables are identical on every shard: read one.
            TableKind::Relational => vec![0],
            TableKind::Collection => match pinned_ids(filters) {
                Some(ids) => self.shards.map().shards_for(ids.iter().map(String::as_str)),
                None => (0..self.shards.len()).collect(),
            },
        };
        Ok((where_sql, targets))
    }

    /// Translates `expr` (over this table's columns) into Postgres SQL.
    pub(crate) fn translate(&self, expr: &Expr) -> Option<String> {
        let schema = self.df_schema().ok()?;
        let computed = self.computed_sql();
        PgTranslator::new(&schema, &computed).translate(expr)
    }

    /// The SQL and decoder of column `index` of this table's schema.
    pub(crate) fn column_sql(&self, index: usize) -> ScanColumn {
        let base = self.info.columns.len();
        if index < base {
            let c = &self.info.columns[index];
            ScanColumn {
                sql: c.reader.select_sql(&quote_ident(&c.name)),
                reader: c.reader,
            }
        } else {
            let c = &self.computed[index - base];
            ScanColumn {
                sql: c.reader.select_sql(&format!("({})", c.sql)),
                reader: c.reader,
            }
        }
    }
}

#[async_trait]
impl TableProvider for ShardedTable {
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
        let schema = self.df_schema()?;
        let computed = self.computed_sql();
        let translator = PgTranslator::new(&schema, &computed);
        Ok(filters
            .iter()
            .map(|f| match translator.translate(f) {
                Some(_) => TableProviderFilterPushDown::Exact,
                None => TableProviderFilterPushDown::Unsupported,
            })
            .collect())
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let (where_sql, targets) = self.where_and_targets(filters)?;

        let indices: Vec<usize> = match projection {
            Some(p) => p.clone(),
            None => (0..self.schema.fields().len()).collect(),
        };
        let projected = Arc::new(self.schema.project(&indices)?);
        let columns = indices.iter().map(|i| self.column_sql(*i)).collect();
        let shards = targets
            .into_iter()
            .map(|i| self.shards.shard(i).clone())
            .collect();
        let batch_rows = state.config().batch_size().max(1);
        Ok(Arc::new(ShardScanExec::new(
            self.info.name.clone(),
            projected,
            columns,
            shards,
            where_sql,
            limit,
            batch_rows,
        )))
    }
}
