//! Scanning collections and relational tables on the shards, with projection, filter,
//! limit and sort pushdown.

pub mod aggregate_pushdown;
pub mod exec;
pub mod path_pushdown;
pub mod point_read;
pub mod pushdown;
pub mod read_lane;
pub mod rows;
pub mod table;

pub use exec::ShardScanExec;
pub use table::ShardedTable;
