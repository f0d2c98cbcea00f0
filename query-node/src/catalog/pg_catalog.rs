//! `pg_catalog` for client tools, from datafusion-pg-catalog, with corrections where it
//! disagrees with what a Postgres server serving our one database says:
//! - `pg_attribute` derives column types from Arrow types alone, so a `jsonb` column (Arrow
//!   `Utf8` with our type tag) would show as `text` in psql's `\d collection`: tagged columns
//!   get their Postgres type.
//! - `pg_namespace` lacks `information_schema`, which `pg_type` names as the namespace of its
//!   domains and row types (so a join of the two, as drivers do, lost those types).
//! - `pg_database` lists a `postgres` database that this server does not serve: it lists
//!   exactly the databases one can connect to (`docfusion`).

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Int32Array, RecordBatch, StringArray,
};
use datafusion::arrow::compute::{concat_batches, filter_record_batch};
use datafusion::arrow::datatypes::{DataType, Int32Type, SchemaRef, UInt32Type};
use datafusion::catalog::{SchemaProvider, Session, TableProvider};
use datafusion::datasource::MemTable;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{Expr, TableType};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::scalar::ScalarValue;

use super::ShardSchemaProvider;
use crate::engine::CATALOG;
use crate::pgtype::TaggedType;

/// The name of the schema datafusion-pg-catalog leaves out of `pg_namespace`.
const INFORMATION_SCHEMA: &str = "information_schema";

/// `pg_catalog` with corrected `pg_attribute`, `pg_namespace` and `pg_database`.
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
        let mut names = self.inner.table_names();
        names.extend(
            super::pg15_shape::ADDED_TABLES
                .iter()
                .map(|t| t.to_string()),
        );
        names
    }

    async fn table(&self, name: &str) -> Result<Option<Arc<dyn TableProvider>>> {
        Ok(self
            .corrected(name)
            .await?
            .or_else(|| super::pg15_shape::added_table(name))
            .map(|table| super::pg15_shape::shaped(name, table)))
    }

    fn table_exist(&self, name: &str) -> bool {
        self.inner.table_exist(name) || super::pg15_shape::ADDED_TABLES.contains(&name)
    }
}

impl PgCatalogSchema {
    /// datafusion-pg-catalog's table `name`, corrected where this module corrects it.
    async fn corrected(&self, name: &str) -> Result<Option<Arc<dyn TableProvider>>> {
        let Some(table) = self.inner.table(name).await? else {
            return Ok(None);
        };
        let correction = match name {
            "pg_attribute" => match self.inner.table("pg_class").await? {
                Some(classes) => Correction::Attributes {
                    classes,
                    shards: self.shards.clone(),
                },
                None => return Ok(Some(table)),
            },
            "pg_namespace" => match self.inner.table("pg_type").await? {
                Some(types) => Correction::Namespaces { types },
                None => return Ok(Some(table)),
            },
            "pg_database" => Correction::Databases,
            _ => return Ok(Some(table)),
        };
        Ok(Some(Arc::new(Corrected {
            inner: table,
            correction,
        })))
    }
}

/// A pg_catalog table read whole and corrected.
#[derive(Debug)]
struct Corrected {
    inner: Arc<dyn TableProvider>,
    correction: Correction,
}

#[derive(Debug)]
enum Correction {
    /// `atttypid` is jsonb/json/uuid for tagged columns of our tables.
    Attributes {
        classes: Arc<dyn TableProvider>,
        shards: Arc<ShardSchemaProvider>,
    },
    /// `information_schema` is listed, with the oid `pg_type` uses for it.
    Namespaces { types: Arc<dyn TableProvider> },
    /// Only the database this server serves.
    Databases,
}

pub(super) async fn read_all(
    table: &Arc<dyn TableProvider>,
    state: &dyn Session,
) -> Result<Vec<RecordBatch>> {
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
impl TableProvider for Corrected {
    fn schema(&self) -> SchemaRef {
        self.inner.schema()
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
        let batches = read_all(&self.inner, state).await?;
        let batches = match &self.correction {
            Correction::Attributes { classes, shards } => {
                typed_attributes(batches, classes, shards, state).await?
            }
            Correction::Namespaces { types } => {
                with_information_schema(batches, self.inner.schema(), types, state).await?
            }
            Correction::Databases => batches
                .iter()
                .map(only_our_database)
                .collect::<Result<_>>()?,
        };
        scan_batches(
            self.inner.schema(),
            batches,
            state,
            projection,
            filters,
            limit,
        )
        .await
    }
}

/// A scan of `batches` (a catalog table read whole) with the scan's projection, filters
/// and limit.
pub(super) async fn scan_batches(
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
    state: &dyn Session,
    projection: Option<&Vec<usize>>,
    filters: &[Expr],
    limit: Option<usize>,
) -> Result<Arc<dyn ExecutionPlan>> {
    let table = MemTable::try_new(schema, vec![batches])?;
    table.scan(state, projection, filters, limit).await
}

async fn typed_attributes(
    attributes: Vec<RecordBatch>,
    classes: &Arc<dyn TableProvider>,
    shards: &ShardSchemaProvider,
    state: &dyn Session,
) -> Result<Vec<RecordBatch>> {
    // Table oid → name, for our tables.
    let mut names: HashMap<i64, String> = HashMap::new();
    for batch in read_all(classes, state).await? {
        let (oids, relnames) = (column(&batch, "oid")?, column(&batch, "relname")?);
        for row in 0..batch.num_rows() {
            if let (Some(oid), Some(name)) = (int_at(&oids, row), text_at(&relnames, row)) {
                names.insert(oid, name);
            }
        }
    }
    let mut batches = Vec::new();
    for batch in attributes {
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
                    .and_then(|table| shards.table_info(table))
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
    Ok(batches)
}

/// Adds `information_schema` to `pg_namespace` under the oid `pg_type` gives it (the
/// namespace of its `cardinal_number` domain).
async fn with_information_schema(
    namespaces: Vec<RecordBatch>,
    schema: SchemaRef,
    types: &Arc<dyn TableProvider>,
    state: &dyn Session,
) -> Result<Vec<RecordBatch>> {
    let listed = namespaces.iter().any(|b| {
        column(b, "nspname").is_ok_and(|names| {
            (0..b.num_rows()).any(|r| text_at(&names, r).as_deref() == Some(INFORMATION_SCHEMA))
        })
    });
    if listed {
        return Ok(namespaces);
    }
    let mut oid = None;
    for batch in read_all(types, state).await? {
        let (names, spaces) = (column(&batch, "typname")?, column(&batch, "typnamespace")?);
        oid = oid.or_else(|| {
            (0..batch.num_rows())
                .find(|&r| text_at(&names, r).as_deref() == Some("cardinal_number"))
                .and_then(|r| int_at(&spaces, r))
        });
    }
    let Some(oid) = oid.and_then(|o| i32::try_from(o).ok()) else {
        return Ok(namespaces);
    };
    let columns = schema
        .fields()
        .iter()
        .map(|f| {
            let value = match (f.name().as_str(), f.data_type()) {
                ("oid", DataType::Int32) => ScalarValue::Int32(Some(oid)),
                ("nspname", DataType::Utf8) => ScalarValue::Utf8(Some(INFORMATION_SCHEMA.into())),
                // The bootstrap superuser, as for the other namespaces.
                ("nspowner", DataType::Int32) => ScalarValue::Int32(Some(10)),
                (_, t) => ScalarValue::try_from(t)?,
            };
            value.to_array()
        })
        .collect::<Result<Vec<ArrayRef>>>()?;
    let row = RecordBatch::try_new(schema.clone(), columns)?;
    let mut all = namespaces;
    all.push(row);
    Ok(vec![concat_batches(&schema, &all)?])
}

/// The rows of `pg_database` naming the database this server serves, with the locale
/// provider coded as Postgres codes it (`c` for libc; psql's `\l` decodes it).
fn only_our_database(batch: &RecordBatch) -> Result<RecordBatch> {
    let names = column(batch, "datname")?;
    let keep: BooleanArray = (0..batch.num_rows())
        .map(|r| Some(text_at(&names, r).as_deref() == Some(CATALOG)))
        .collect();
    let batch = filter_record_batch(batch, &keep)?;
    let Ok(index) = batch.schema().index_of("datlocprovider") else {
        return Ok(batch);
    };
    let providers = batch.column(index);
    let coded: StringArray = (0..batch.num_rows())
        .map(|r| {
            text_at(providers, r).map(|p| match p.as_str() {
                "libc" => "c".to_string(),
                "icu" => "i".to_string(),
                _ => p,
            })
        })
        .collect();
    let mut columns = batch.columns().to_vec();
    columns[index] = Arc::new(coded);
    Ok(RecordBatch::try_new(batch.schema(), columns)?)
}

/// `pg_encoding_to_char(encoding)`: Postgres' name of an encoding number (this server speaks
/// UTF8 only, number 6), `''` for any other number as in Postgres.
pub fn encoding_to_char_udf() -> datafusion::logical_expr::ScalarUDF {
    use datafusion::logical_expr::{ColumnarValue, Volatility, create_udf};
    create_udf(
        "pg_encoding_to_char",
        vec![DataType::Int32],
        DataType::Utf8,
        Volatility::Immutable,
        Arc::new(|args: &[ColumnarValue]| {
            let arrays = ColumnarValue::values_to_arrays(args)?;
            let numbers = arrays[0].as_primitive::<Int32Type>();
            let names: StringArray = numbers
                .iter()
                .map(|n| n.map(|n| if n == 6 { "UTF8" } else { "" }))
                .collect();
            let names: ArrayRef = Arc::new(names);
            Ok(match &args[0] {
                ColumnarValue::Scalar(_) => {
                    ColumnarValue::Scalar(ScalarValue::try_from_array(&names, 0)?)
                }
                ColumnarValue::Array(_) => ColumnarValue::Array(names),
            })
        }),
    )
}

/// `pg_get_expr(expr, relation [, pretty])`: the catalog keeps expressions as text
/// already, so this is that text, NULL for NULL (no default, no partition bound) as in
/// Postgres — datafusion-pg-catalog's version answers `''` there.
pub fn get_expr_udf() -> datafusion::logical_expr::ScalarUDF {
    use datafusion::logical_expr::{ColumnarValue, Signature, TypeSignature, Volatility};
    let signature = Signature::one_of(
        vec![TypeSignature::Any(2), TypeSignature::Any(3)],
        Volatility::Stable,
    );
    let fun = |args: &[ColumnarValue]| -> Result<ColumnarValue> {
        let texts = args[0].cast_to(&DataType::Utf8, None)?;
        // No expression is empty text: that is datafusion-pg-catalog's "none".
        let texts = texts.to_array(1)?;
        let texts: StringArray = texts
            .as_string::<i32>()
            .iter()
            .map(|t| t.filter(|t| !t.is_empty()))
            .collect();
        let texts: ArrayRef = Arc::new(texts);
        Ok(match &args[0] {
            ColumnarValue::Scalar(_) => {
                ColumnarValue::Scalar(ScalarValue::try_from_array(&texts, 0)?)
            }
            ColumnarValue::Array(_) => ColumnarValue::Array(texts),
        })
    };
    datafusion::logical_expr::ScalarUDF::from(crate::session::SimpleUdf::new(
        "pg_get_expr",
        signature,
        Arc::new(fun),
    ))
}

/// `pg_get_partkeydef(table)`: no table here is partitioned, so always NULL, as Postgres
/// answers for a table that is not (datafusion-pg-catalog's version answers `''`).
pub fn get_partkeydef_udf() -> datafusion::logical_expr::ScalarUDF {
    use datafusion::logical_expr::{ColumnarValue, Signature, Volatility};
    let fun = |_: &[ColumnarValue]| -> Result<ColumnarValue> {
        Ok(ColumnarValue::Scalar(ScalarValue::Utf8(None)))
    };
    datafusion::logical_expr::ScalarUDF::from(crate::session::SimpleUdf::new(
        "pg_get_partkeydef",
        Signature::any(1, Volatility::Stable),
        Arc::new(fun),
    ))
}
