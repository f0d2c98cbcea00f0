//! Local PostgreSQL servers for DocFusionDB's embedded mode and for tests: find the server
//! binaries, `initdb` a data directory once, start and stop it with `pg_ctl`.
//!
//! ```no_run
//! use docfusion_localpg::{LocalServer, PgBinaries, ServerOptions};
//!
//! let bins = PgBinaries::locate()?;
//! let server = LocalServer::init_if_needed(&bins, "docfusion-data/shard-0", &ServerOptions::default())?;
//! let running = server.start()?;
//! println!("connect with: {}", running.dsn());
//! running.stop()?;
//! # Ok::<(), docfusion_localpg::LocalPgError>(())
//! ```
//!
//! - **Blocking.** Everything here runs processes with `std::process` and waits for them;
//!   async callers wrap calls in `tokio::task::spawn_blocking`.
//! - **Root.** PostgreSQL refuses to run as root. When this process is root, data directories
//!   are handed to the `postgres` OS user, which runs `initdb`, `pg_ctl` and the server
//!   ([`ServerUser`]). Its parent directories must be searchable by that user.
//! - **Settings.** [`ServerOptions`] are written on every start to `docfusion.conf` in the
//!   data directory, included from `postgresql.conf`; the port is chosen at start.
//! - **A server already running** on a data directory is reported as
//!   [`LocalPgError::AlreadyRunning`], not adopted: a [`RunningServer`] stops its server when
//!   dropped, which must not happen to a server some other process started.

mod binaries;
mod conninfo;
mod error;
mod free_port;
mod options;
mod pg_command;
mod postmaster_pid;
mod running;
mod server;
mod server_user;

pub use binaries::{PG_BIN_ENV, PgBinaries};
pub use error::LocalPgError;
pub use options::{MANAGED_CONF_FILE, ServerOptions};
pub use running::RunningServer;
pub use server::{LOG_FILE, LocalServer};
pub use server_user::{ROOT_FALLBACK_USER, ServerUser};
