//! `pg_catalog` tables with exactly the columns, in the order, that PostgreSQL 15 gives
//! them. JDBC tools read catalog rows by column name (DBeaver asks for `relacl`,
//! `reloptions`, `boot_val`), and `SELECT *` must show what psql users know. Where
//! datafusion-pg-catalog's table lacks a column of PostgreSQL 15 it is NULL; where it has
//! one PostgreSQL 15 does not, it is left out. Also the tables it lacks (`pg_extension`:
//! no extensions are installed in DocFusionDB's database).

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::array::{ArrayRef, RecordBatch, new_null_array};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::catalog::{Session, TableProvider};
use datafusion::datasource::MemTable;
use datafusion::error::Result;
use datafusion::logical_expr::{Expr, TableType};
use datafusion::physical_plan::ExecutionPlan;

/// A column of PostgreSQL 15's layout: its name, the inner table's column it comes from
/// (when the name differs), and its type when the inner table lacks it.
struct Column {
    name: &'static str,
    from: Option<&'static str>,
    missing_type: fn() -> DataType,
}

const fn same(name: &'static str) -> Column {
    Column {
        name,
        from: None,
        missing_type: text,
    }
}

const fn absent(name: &'static str, missing_type: fn() -> DataType) -> Column {
    Column {
        name,
        from: None,
        missing_type,
    }
}

const fn renamed(name: &'static str, from: &'static str) -> Column {
    Column {
        name,
        from: Some(from),
        missing_type: text,
    }
}

fn text() -> DataType {
    DataType::Utf8
}

fn text_array() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
}

fn oid() -> DataType {
    DataType::Int32
}

fn oid_array() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Int32, true)))
}

fn boolean() -> DataType {
    DataType::Boolean
}

const PG_NAMESPACE: &[Column] = &[
    same("oid"),
    same("nspname"),
    same("nspowner"),
    same("nspacl"),
];

const PG_DATABASE: &[Column] = &[
    same("oid"),
    same("datname"),
    same("datdba"),
    same("encoding"),
    same("datlocprovider"),
    same("datistemplate"),
    same("datallowconn"),
    same("datconnlimit"),
    same("datfrozenxid"),
    same("datminmxid"),
    same("dattablespace"),
    same("datcollate"),
    same("datctype"),
    same("daticulocale"),
    absent("datcollversion", text),
    same("datacl"),
];

const PG_SETTINGS: &[Column] = &[
    same("name"),
    same("setting"),
    same("unit"),
    same("category"),
    same("short_desc"),
    same("extra_desc"),
    same("context"),
    same("vartype"),
    same("source"),
    same("min_val"),
    same("max_val"),
    same("enumvals"),
    renamed("boot_val", "bool_val"),
    same("reset_val"),
    same("sourcefile"),
    same("sourceline"),
    same("pending_restart"),
];

const PG_CLASS: &[Column] = &[
    same("oid"),
    same("relname"),
    same("relnamespace"),
    same("reltype"),
    same("reloftype"),
    same("relowner"),
    same("relam"),
    same("relfilenode"),
    same("reltablespace"),
    same("relpages"),
    same("reltuples"),
    same("relallvisible"),
    same("reltoastrelid"),
    same("relhasindex"),
    same("relisshared"),
    same("relpersistence"),
    same("relkind"),
    same("relnatts"),
    same("relchecks"),
    same("relhasrules"),
    same("relhastriggers"),
    same("relhassubclass"),
    same("relrowsecurity"),
    same("relforcerowsecurity"),
    same("relispopulated"),
    same("relreplident"),
    same("relispartition"),
    same("relrewrite"),
    same("relfrozenxid"),
    same("relminmxid"),
    absent("relacl", text_array),
    absent("reloptions", text_array),
    same("relpartbound"),
];

const PG_EXTENSION: &[Column] = &[
    absent("oid", oid),
    absent("extname", text),
    absent("extowner", oid),
    absent("extnamespace", oid),
    absent("extrelocatable", boolean),
    absent("extversion", text),
    absent("extconfig", oid_array),
    absent("extcondition", text_array),
];

/// Tables this module adds to `pg_catalog` (empty, with PostgreSQL 15's columns).
pub const ADDED_TABLES: &[&str] = &["pg_extension"];

/// PostgreSQL 15's columns of `table`, when this module reshapes or adds it.
fn layout(table: &str) -> Option<&'static [Column]> {
    Some(match table {
        "pg_namespace" => PG_NAMESPACE,
        "pg_database" => PG_DATABASE,
        "pg_settings" => PG_SETTINGS,
        "pg_class" => PG_CLASS,
        "pg_extension" => PG_EXTENSION,
        _ => return None,
    })
}

/// An empty table that this module adds, or `None`.
pub fn added_table(name: &str) -> Option<Arc<dyn TableProvider>> {
    if !ADDED_TABLES.contains(&name) {
        return None;
    }
    let columns = layout(name)?;
    let schema = Arc::new(Schema::new(
        columns
            .iter()
            .map(|c| Field::new(c.name, (c.missing_type)(), true))
            .collect::<Vec<_>>(),
    ));
    let table = MemTable::try_new(schema, vec![vec![]]).ok()?;
    Some(Arc::new(table))
}

/// `table` with PostgreSQL 15's columns when `name` is one this module reshapes.
pub fn shaped(name: &str, table: Arc<dyn TableProvider>) -> Arc<dyn TableProvider> {
    let Some(columns) = layout(name) else {
        return table;
    };
    let inner = table.schema();
    let mut fields = Vec::with_capacity(columns.len());
    let mut sources = Vec::with_capacity(columns.len());
    for c in columns {
        let source = inner.index_of(c.from.unwrap_or(c.name)).ok();
        let data_type = match source {
            Some(i) => inner.field(i).data_type().clone(),
            None => (c.missing_type)(),
        };
        let metadata = source
            .map(|i| inner.field(i).metadata().clone())
            .unwrap_or_default();
        fields.push(Field::new(c.name, data_type, true).with_metadata(metadata));
        sources.push(source);
    }
    Arc::new(Shaped {
        inner: table,
        schema: Arc::new(Schema::new(fields)),
        sources,
    })
}

/// A catalog table read whole and given PostgreSQL 15's columns.
#[derive(Debug)]
struct Shaped {
    inner: Arc<dyn TableProvider>,
    schema: SchemaRef,
    /// For each column of `schema`, the inner column it comes from.
    sources: Vec<Option<usize>>,
}

impl Shaped {
    fn reshape(&self, batch: &RecordBatch) -> Result<RecordBatch> {
        let columns: Vec<ArrayRef> = self
            .sources
            .iter()
            .zip(self.schema.fields())
            .map(|(source, field)| match source {
                Some(i) => batch.column(*i).clone(),
                None => new_null_array(field.data_type(), batch.num_rows()),
            })
            .collect();
        Ok(RecordBatch::try_new(self.schema.clone(), columns)?)
    }
}

#[async_trait]
impl TableProvider for Shaped {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
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
        let batches = super::pg_catalog::read_all(&self.inner, state)
            .await?
            .iter()
            .map(|b| self.reshape(b))
            .collect::<Result<Vec<_>>>()?;
        super::pg_catalog::scan_batches(
            self.schema.clone(),
            batches,
            state,
            projection,
            filters,
            limit,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Int32Array, StringArray};
    use datafusion::prelude::SessionContext;

    #[tokio::test]
    async fn tables_get_postgres_15_columns_in_order() {
        let inner_schema = Arc::new(Schema::new(vec![
            Field::new("nspname", DataType::Utf8, false),
            Field::new("oid", DataType::Int32, false),
            Field::new("options", DataType::Utf8, true),
        ]));
        let batch = RecordBatch::try_new(
            inner_schema.clone(),
            vec![
                Arc::new(StringArray::from(vec!["public"])),
                Arc::new(Int32Array::from(vec![2200])),
                Arc::new(StringArray::from(vec![Some("x")])),
            ],
        )
        .unwrap();
        let inner = Arc::new(MemTable::try_new(inner_schema, vec![vec![batch]]).unwrap());
        let ctx = SessionContext::new();
        ctx.register_table("pg_namespace", shaped("pg_namespace", inner))
            .unwrap();
        let batches = ctx
            .sql("SELECT * FROM pg_namespace")
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let names: Vec<&str> = batches[0]
            .schema_ref()
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        assert_eq!(names, ["oid", "nspname", "nspowner", "nspacl"]);
        let text = datafusion::arrow::util::pretty::pretty_format_batches(&batches)
            .unwrap()
            .to_string();
        assert!(
            text.contains("| 2200 | public  |          |        |"),
            "{text}"
        );
    }

    #[test]
    fn pg_extension_is_added_empty_with_its_columns() {
        let table = added_table("pg_extension").unwrap();
        assert_eq!(table.schema().fields().len(), 8);
        assert_eq!(table.schema().field(1).name(), "extname");
        assert!(added_table("pg_class").is_none());
    }
}
