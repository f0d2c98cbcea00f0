//! Throwaway PostgreSQL servers for tests: each on its own temporary directory and free
//! port, fast and non-durable, stopped and deleted on drop. Setup failures panic with the
//! server log's tail, since this is test code.
//!
//! Starting and dropping are blocking (they run `initdb`/`pg_ctl`); from async tests use
//! `tokio::task::spawn_blocking(TestPostgres::start)`.

mod cluster;
mod test_postgres;

pub use cluster::TestCluster;
pub use docfusion_localpg::{RunningServer, ServerOptions};
pub use test_postgres::TestPostgres;
