//! DocFusionDB's query node: DataFusion SQL over JSON documents stored as jsonb in sharded
//! PostgreSQL, served over HTTP (and the Postgres wire protocol).

pub mod auth;
pub mod carry;
pub mod catalog;
pub mod cli;
pub mod embedded;
pub mod engine;
pub mod error;
pub mod feed;
pub mod json;
pub mod load;
pub mod metering;
pub mod metrics;
pub mod node;
pub mod output_names;
pub mod pgtype;
pub mod render;
pub mod replica;
pub mod scan;
pub mod server;
pub mod session;
pub mod shard_map;
pub mod shard_wire;
pub mod shards;
pub mod snapshot;
pub mod sql_compat;
pub mod vector;
pub mod vector_index;
pub mod write;

pub use engine::{Engine, QueryOutput};
pub use error::SqlError;
