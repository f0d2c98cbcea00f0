//! What the node knows about one table on the shards: its kind, its columns and their
//! Postgres and Arrow types.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};

use crate::pgtype::TaggedType;

/// Collections are sharded by id; relational tables are reference tables, identical on
/// every shard, read from one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    /// `id text primary key, doc jsonb not null`, sharded by id.
    Collection,
    /// Any other table: a reference table present on every shard.
    Relational,
}

/// How a column is read from Postgres and what Arrow type it becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnReader {
    /// text-like, read as text.
    Text,
    /// jsonb, read in binary jsonb format.
    Jsonb,
    /// json, read as text.
    Json,
    /// smallint.
    Int16,
    /// integer.
    Int32,
    /// bigint.
    Int64,
    /// real.
    Float32,
    /// double precision, and numeric without a declared scale (sent as `::float8`).
    Float64,
    /// numeric(p, s) with p ≤ 38, sent as text and parsed exactly.
    Decimal { precision: u8, scale: i8 },
    /// boolean.
    Bool,
    /// date.
    Date,
    /// timestamp without time zone.
    Timestamp,
    /// timestamp with time zone, in UTC.
    TimestampTz,
    /// bytea.
    Bytes,
    /// real[] (an embedding without pgvector), read in binary, kept as a list of `Float32`.
    Float32Array,
    /// pgvector's `vector` (`dims` = 0 when not declared), sent as `::real[]` (pgvector's
    /// own cast) and kept as a list of `Float32` tagged `vector`.
    Vector { dims: u32 },
    /// Anything else (uuid, arrays, …) sent as its text form (`::text`).
    AsText,
}

impl ColumnReader {
    /// The reader for a Postgres type, given `format_type` output (e.g. `numeric(10,2)`).
    pub fn for_pg_type(type_name: &str, formatted: &str) -> ColumnReader {
        match type_name {
            "text" | "varchar" | "bpchar" | "name" | "citext" => ColumnReader::Text,
            "jsonb" => ColumnReader::Jsonb,
            "json" => ColumnReader::Json,
            "int2" => ColumnReader::Int16,
            "int4" => ColumnReader::Int32,
            "int8" => ColumnReader::Int64,
            "float4" => ColumnReader::Float32,
            "float8" => ColumnReader::Float64,
            "bool" => ColumnReader::Bool,
            "date" => ColumnReader::Date,
            "timestamp" => ColumnReader::Timestamp,
            "timestamptz" => ColumnReader::TimestampTz,
            "bytea" => ColumnReader::Bytes,
            "_float4" => ColumnReader::Float32Array,
            // pgvector's type, found by name (its oid differs per database).
            "vector" => ColumnReader::Vector {
                dims: formatted
                    .strip_prefix("vector(")
                    .and_then(|r| r.strip_suffix(')'))
                    .and_then(|n| n.trim().parse().ok())
                    .unwrap_or(0),
            },
            "numeric" => parse_numeric_typmod(formatted)
                .map(|(precision, scale)| ColumnReader::Decimal { precision, scale })
                .unwrap_or(ColumnReader::Float64),
            _ => ColumnReader::AsText,
        }
    }

    /// The Arrow field for a column read this way.
    pub fn field(self, name: &str, nullable: bool) -> Field {
        match self {
            ColumnReader::Jsonb => Field::new(name, DataType::Utf8, nullable)
                .with_metadata(TaggedType::Jsonb.metadata()),
            ColumnReader::Json => Field::new(name, DataType::Utf8, nullable)
                .with_metadata(TaggedType::Json.metadata()),
            ColumnReader::Vector { dims } => {
                Field::new(name, crate::vector::vector_data_type(), nullable).with_metadata(
                    crate::vector::vector_metadata((dims > 0).then_some(dims as usize)),
                )
            }
            other => Field::new(name, other.data_type(), nullable),
        }
    }

    /// The Arrow type.
    pub fn data_type(self) -> DataType {
        match self {
            ColumnReader::Text
            | ColumnReader::Jsonb
            | ColumnReader::Json
            | ColumnReader::AsText => DataType::Utf8,
            ColumnReader::Int16 => DataType::Int16,
            ColumnReader::Int32 => DataType::Int32,
            ColumnReader::Int64 => DataType::Int64,
            ColumnReader::Float32 => DataType::Float32,
            ColumnReader::Float64 => DataType::Float64,
            ColumnReader::Decimal { precision, scale } => DataType::Decimal128(precision, scale),
            ColumnReader::Bool => DataType::Boolean,
            ColumnReader::Date => DataType::Date32,
            ColumnReader::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, None),
            ColumnReader::TimestampTz => {
                DataType::Timestamp(TimeUnit::Microsecond, Some("+00:00".into()))
            }
            ColumnReader::Bytes => DataType::Binary,
            ColumnReader::Float32Array | ColumnReader::Vector { .. } => {
                crate::vector::vector_data_type()
            }
        }
    }

    /// The SQL that selects a column so that this reader can decode it.
    pub fn select_sql(self, quoted_column: &str) -> String {
        match self {
            ColumnReader::AsText | ColumnReader::Decimal { .. } => format!("{quoted_column}::text"),
            ColumnReader::Float64 => format!("{quoted_column}::float8"),
            ColumnReader::Vector { .. } => format!("{quoted_column}::real[]"),
            _ => quoted_column.to_string(),
        }
    }
}

fn parse_numeric_typmod(formatted: &str) -> Option<(u8, i8)> {
    let inner = formatted.strip_prefix("numeric(")?.strip_suffix(')')?;
    let (p, s) = inner.split_once(',').unwrap_or((inner, "0"));
    let p: u8 = p.trim().parse().ok()?;
    let s: i8 = s.trim().parse().ok()?;
    (p <= 38 && s >= 0 && s as u8 <= p).then_some((p, s))
}

/// One column of a table on the shards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnInfo {
    /// Column name.
    pub name: String,
    /// `pg_type.typname`.
    pub pg_type: String,
    /// `format_type(atttypid, atttypmod)`.
    pub formatted_type: String,
    /// Whether the column is declared NOT NULL.
    pub not_null: bool,
    /// How the column is read.
    pub reader: ColumnReader,
}

/// A table discovered on the shards.
#[derive(Debug, Clone)]
pub struct TableInfo {
    /// Table name (in schema `public`).
    pub name: String,
    /// Collection or relational.
    pub kind: TableKind,
    /// Columns in attribute order.
    pub columns: Vec<ColumnInfo>,
    /// Arrow schema of the columns.
    pub schema: SchemaRef,
}

impl TableInfo {
    /// Builds a table description, deciding its kind from its shape.
    pub fn new(name: String, columns: Vec<ColumnInfo>, primary_key: &[String]) -> Self {
        let is_collection = primary_key == ["id".to_string()]
            && columns
                .iter()
                .any(|c| c.name == "id" && c.reader == ColumnReader::Text)
            && columns
                .iter()
                .any(|c| c.name == "doc" && c.reader == ColumnReader::Jsonb && c.not_null);
        let schema = Arc::new(Schema::new(
            columns
                .iter()
                .map(|c| c.reader.field(&c.name, !c.not_null))
                .collect::<Vec<_>>(),
        ));
        Self {
            name,
            kind: if is_collection {
                TableKind::Collection
            } else {
                TableKind::Relational
            },
            columns,
            schema,
        }
    }

    /// Index of column `name`.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &str, ty: &str, not_null: bool) -> ColumnInfo {
        ColumnInfo {
            name: name.into(),
            pg_type: ty.into(),
            formatted_type: ty.into(),
            not_null,
            reader: ColumnReader::for_pg_type(ty, ty),
        }
    }

    #[test]
    fn collection_shape_is_recognised() {
        let t = TableInfo::new(
            "listings".into(),
            vec![col("id", "text", true), col("doc", "jsonb", true)],
            &["id".into()],
        );
        assert_eq!(t.kind, TableKind::Collection);
        assert!(crate::pgtype::is_jsonb(t.schema.field(1)));
        let t = TableInfo::new(
            "other".into(),
            vec![col("id", "int4", true), col("doc", "jsonb", true)],
            &["id".into()],
        );
        assert_eq!(t.kind, TableKind::Relational);
    }

    #[test]
    fn numeric_typmod_becomes_decimal() {
        assert_eq!(
            ColumnReader::for_pg_type("numeric", "numeric(10,2)"),
            ColumnReader::Decimal {
                precision: 10,
                scale: 2
            }
        );
        assert_eq!(
            ColumnReader::for_pg_type("numeric", "numeric"),
            ColumnReader::Float64
        );
        assert_eq!(
            ColumnReader::for_pg_type("numeric", "numeric(50,2)"),
            ColumnReader::Float64
        );
        assert_eq!(
            ColumnReader::for_pg_type("uuid", "uuid"),
            ColumnReader::AsText
        );
    }
}
