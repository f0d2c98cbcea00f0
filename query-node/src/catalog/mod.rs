//! The catalog: collections and relational tables discovered on the shards, plus external
//! tables registered by users, exposed to DataFusion as the `public` schema.

pub mod discovery;
pub mod driver_queries;
pub mod pg15_shape;
pub mod pg_catalog;
pub mod schema_provider;
pub mod table_info;

pub use schema_provider::ShardSchemaProvider;
pub use table_info::{ColumnInfo, ColumnReader, TableInfo, TableKind};
