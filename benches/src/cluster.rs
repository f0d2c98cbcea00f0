//! The Postgres servers of one benchmark run: one plain server for the baseline and the
//! shard servers of DocFusionDB, all with the same settings, in one temporary directory.

use std::path::Path;

use anyhow::{Context, Result};
use docfusion_localpg::{LocalServer, PgBinaries, RunningServer, ServerOptions, ServerUser};
use tempfile::TempDir;

/// Settings added to [`ServerOptions::default`] on every server (durable: fsync,
/// synchronous_commit and full_page_writes keep their defaults).
pub const SETTINGS: &[(&str, &str)] = &[("shared_buffers", "512MB"), ("work_mem", "16MB")];

/// The running servers. Dropping this stops every server (their own `Drop`) before the
/// directory holding them is deleted.
pub struct Servers {
    // Field order is drop order: servers first, then their directory.
    /// The plain Postgres the queries are compared against.
    pub baseline: RunningServer,
    /// DocFusionDB's shards, in shard order.
    pub shards: Vec<RunningServer>,
    /// The shards also listen on a Unix socket in their data directory, and
    /// [`Servers::shard_dsns`] uses it.
    shard_sockets: bool,
    dir: TempDir,
}

impl Servers {
    /// Starts the baseline and `shard_count` shard servers under a new directory in /tmp;
    /// with `shard_sockets`, DocFusionDB reaches its shards over Unix sockets (as a node
    /// beside its shards can) instead of loopback TCP. Blocking: call from `spawn_blocking`.
    pub fn start(shard_count: usize, shard_sockets: bool) -> Result<Servers> {
        let bins = PgBinaries::locate().context("locating the PostgreSQL binaries")?;
        let dir = tempfile::Builder::new()
            .prefix("docfusion-bench-")
            .tempdir_in("/tmp")
            .context("creating the temporary directory")?;
        // When root, the servers run as `postgres`, which must be able to enter the directory.
        ServerUser::for_current_process()
            .and_then(|user| user.give_ownership(dir.path()))
            .context("handing the temporary directory to the server user")?;
        let options = options();
        let baseline = start_one(&bins, &dir.path().join("baseline"), &options)?;
        let mut shards = Vec::with_capacity(shard_count);
        for index in 0..shard_count {
            let data_dir = dir.path().join(format!("shard-{index}"));
            let mut options = options.clone();
            if shard_sockets {
                options.unix_socket_dir = Some(data_dir.clone());
            }
            shards.push(start_one(&bins, &data_dir, &options)?);
        }
        Ok(Servers {
            baseline,
            shards,
            shard_sockets,
            dir,
        })
    }

    /// [`Servers::start`] on the blocking pool; then says on stderr where the servers are.
    pub async fn launch(shard_count: usize, shard_sockets: bool) -> Result<Servers> {
        let servers =
            tokio::task::spawn_blocking(move || Servers::start(shard_count, shard_sockets))
                .await
                .context("starting the servers")??;
        eprintln!(
            "servers under {}: baseline {}, shards {}",
            servers.dir().display(),
            servers.baseline.dsn(),
            servers.shard_dsns().join(" | ")
        );
        Ok(servers)
    }

    /// [`Servers::stop`] on the blocking pool.
    pub async fn shut_down(self) -> Result<()> {
        tokio::task::spawn_blocking(move || self.stop())
            .await
            .context("stopping the servers")?
    }

    /// Where the servers' data directories are.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The shards' connection strings.
    pub fn shard_dsns(&self) -> Vec<String> {
        if !self.shard_sockets {
            return self.shards.iter().map(RunningServer::dsn).collect();
        }
        self.shards.iter().map(RunningServer::local_dsn).collect()
    }

    /// Stops every server, reporting the first error. Blocking.
    pub fn stop(self) -> Result<()> {
        let Servers {
            baseline,
            shards,
            dir,
            ..
        } = self;
        let mut first_error = baseline.stop().err();
        for shard in shards {
            if let Err(e) = shard.stop() {
                first_error.get_or_insert(e);
            }
        }
        drop(dir);
        match first_error {
            Some(e) => Err(e).context("stopping a PostgreSQL server"),
            None => Ok(()),
        }
    }
}

/// The options every server gets.
pub fn options() -> ServerOptions {
    SETTINGS
        .iter()
        .fold(ServerOptions::default(), |options, (name, value)| {
            options.with_setting(*name, *value)
        })
}

fn start_one(bins: &PgBinaries, data_dir: &Path, options: &ServerOptions) -> Result<RunningServer> {
    LocalServer::init_if_needed(bins, data_dir, options)
        .and_then(|server| server.start())
        .with_context(|| format!("starting PostgreSQL in {}", data_dir.display()))
}
