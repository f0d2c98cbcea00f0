//! `pg_catalog` for client tools, from datafusion-pg-catalog, with one correction: its
//! `pg_attribute` derives column types from Arrow types alone, so a `jsonb` column (Arrow
//! `Utf8` with our type tag) would show as `text` in psql's `\d collection`. The wrapper here
//! reports the Postgres type of tagged columns.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::array::{Array, ArrayRef, AsArray, Int32Array, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Int32Type, SchemaRef, UInt32Type};
use datafusion::catalog::{SchemaProvider, Session, TableProvider};
use datafusion::datasource::MemTable;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{Expr, TableType};
use datafusion::physical_plan::ExecutionPlan;

use super::ShardSchemaProvider;
use crate::pgtype::TaggedType;

/// `pg_catalog` with a corrected `pg_attribute`.
#[derive(Debug)]
pub struct PgCatalogSchema {
    inner: Arc<dyn SchemaProvider>,
    shards: Arc<ShardSchemaProvider>,
}

impl PgCatalogSchema {
    /// Wraps datafusion-pg-catalog's schema.
    pub fn new(inner: Arc<dyn SchemaProvider>, shards: Arc<ShardSchemaProvider>) -> Self {
        PgCatalogSchema { inner, shards }
    }
}

#[async_trait]
impl SchemaProvider for PgCatalogSchema {
    fn table_names(&self) -> Vec<String> {
        self.inner.table_names()
    }

    async fn table(&self, name: &str) -> Result<Option<Arc<dyn TableProvider>>> {
        let table = self.inner.table(name).await?;
        if name != "pg_attribute" {
            return Ok(table);
        }
        let (Some(attributes), Some(classes)) = (table, self.inner.table("pg_class").await?) else {
            return Ok(None);
        };
        Ok(Some(Arc::new(TypedAttributes {
            attributes,
            classes,
            shards: self.shards.clone(),
        })))
    }

    fn table_exist(&self, name: &str) -> bool {
        self.inner.table_exist(name)
    }
}

/// `pg_attribute` whose `atttypid` is jsonb/json/uuid for tagged columns of our tables.
#[derive(Debug)]
struct TypedAttributes {
    attributes: Arc<dyn TableProvider>,
    classes: Arc<dyn TableProvider>,
    shards: Arc<ShardSchemaProvider>,
}

async fn read_all(table: &Arc<dyn TableProvider>, state: &dyn Session) -> Result<Vec<RecordBatch>> {
    let plan = table.scan(state, None, &[], None).await?;
    datafusion::physical_plan::collect(plan, state.task_ctx()).await
}

fn int_at(array: &ArrayRef, row: usize) -> Option<i64> {
    if array.is_null(row) {
        return None;
    }
    match array.data_type() {
        DataType::Int32 => Some(array.as_primitive::<Int32Type>().value(row).into()),
        DataType::UInt32 => Some(array.as_primitive::<UInt32Type>().value(row).into()),
        DataType::Int64 => Some(
            array
                .as_primitive::<datafusion::arrow::datatypes::Int64Type>()
                .value(row),
        ),
        _ => None,
    }
}

fn column(batch: &RecordBatch, name: &str) -> Result<ArrayRef> {
    batch
        .column_by_name(name)
        .cloned()
        .ok_or_else(|| DataFusionError::Internal(format!("pg_catalog table lacks column {name}")))
}

fn text_at(array: &ArrayRef, row: usize) -> Option<String> {
    if array.is_null(row) {
        return None;
    }
    match array.data_type() {
        DataType::Utf8 => Some(array.as_string::<i32>().value(row).to_string()),
        DataType::LargeUtf8 => Some(array.as_string::<i64>().value(row).to_string()),
        DataType::Utf8View => Some(array.as_string_view().value(row).to_string()),
        _ => None,
    }
}

#[async_trait]
impl TableProvider for TypedAttributes {
    fn schema(&self) -> SchemaRef {
        self.attributes.schema()
    }

    fn table_type(&self) -> TableType {
        TableType::View
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        // Table oid → name, for our tables.
        let mut names: HashMap<i64, String> = HashMap::new();
        for batch in read_all(&self.classes, state).await? {
            let (oids, relnames) = (column(&batch, "oid")?, column(&batch, "relname")?);
            for row in 0..batch.num_rows() {
                if let (Some(oid), Some(name)) = (int_at(&oids, row), text_at(&relnames, row)) {
                    names.insert(oid, name);
                }
            }
        }
        let mut batches = Vec::new();
        for batch in read_all(&self.attributes, state).await? {
            let relids = column(&batch, "attrelid")?;
            let attnames = column(&batch, "attname")?;
            let type_index = batch
                .schema()
                .index_of("atttypid")
                .map_err(|e| DataFusionError::ArrowError(Box::new(e), None))?;
            let types = batch.column(type_index);
            if types.data_type() != &DataType::Int32 {
                batches.push(batch);
                continue;
            }
            let types = types.as_primitive::<Int32Type>();
            let fixed: Int32Array = (0..batch.num_rows())
                .map(|row| {
                    let current = (!types.is_null(row)).then(|| types.value(row));
                    let tagged = int_at(&relids, row)
                        .and_then(|oid| names.get(&oid))
                        .and_then(|table| self.shards.table_info(table))
                        .zip(text_at(&attnames, row))
                        .and_then(|(info, col)| {
                            info.schema
                                .field_with_name(&col)
                                .ok()
                                .and_then(TaggedType::of_field)
                        });
                    match tagged {
                        Some(TaggedType::Jsonb) => Some(3802),
                        Some(TaggedType::Json) => Some(114),
                        Some(TaggedType::Uuid) => Some(2950),
                        None => current,
                    }
                })
                .collect();
            let mut columns = batch.columns().to_vec();
            columns[type_index] = Arc::new(fixed);
            batches.push(RecordBatch::try_new(batch.schema(), columns)?);
        }
        let table = MemTable::try_new(self.attributes.schema(), vec![batches])?;
        table.scan(state, projection, filters, limit).await
    }
}
