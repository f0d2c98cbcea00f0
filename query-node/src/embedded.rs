//! Embedded mode: with no shards configured, the node runs its own local PostgreSQL shards
//! under the data directory (`shard-0`, `shard-1`, …), initialised once and kept across
//! restarts, each started on a free loopback port and stopped when the node exits.

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use docfusion_localpg::{LocalServer, PgBinaries, RunningServer, ServerOptions};
use rand::RngCore;

/// The Postgres superuser of embedded shards.
pub const SHARD_USER: &str = "docfusion";
/// The file (mode 0600) holding the embedded shards' password.
pub const SHARD_PASSWORD_FILE: &str = "shards.password";

/// Errors starting the local shards.
#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    /// A local Postgres server failed.
    #[error("embedded shard {index} ({dir}): {source}")]
    Shard {
        index: usize,
        dir: PathBuf,
        source: Box<docfusion_localpg::LocalPgError>,
    },
    /// No Postgres binaries were found.
    #[error("{0}")]
    Binaries(Box<docfusion_localpg::LocalPgError>),
    /// The data directory could not be prepared.
    #[error("data directory {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A background task failed.
    #[error("starting embedded shards: {0}")]
    Task(String),
}

/// The running local shards.
#[derive(Debug)]
pub struct EmbeddedCluster {
    servers: Vec<RunningServer>,
}

fn read_or_create_password(data_dir: &Path) -> Result<String, EmbeddedError> {
    let path = data_dir.join(SHARD_PASSWORD_FILE);
    let io = |source| EmbeddedError::Io {
        path: path.clone(),
        source,
    };
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim().to_string();
        if !existing.is_empty() {
            return Ok(existing);
        }
    }
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    let password: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .map_err(io)?;
    file.write_all(password.as_bytes()).map_err(io)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
    Ok(password)
}

impl EmbeddedCluster {
    /// Initialises (first time only) and starts `shards` local servers under `data_dir`.
    /// Blocking: call from `spawn_blocking` in async code.
    pub fn start(data_dir: &Path, shards: usize) -> Result<Self, EmbeddedError> {
        std::fs::create_dir_all(data_dir).map_err(|source| EmbeddedError::Io {
            path: data_dir.to_path_buf(),
            source,
        })?;
        // The postgres OS user (when we run as root) must be able to enter the directory.
        let _ = std::fs::set_permissions(data_dir, std::fs::Permissions::from_mode(0o755));
        let password = read_or_create_password(data_dir)?;
        let bins = PgBinaries::locate().map_err(|e| EmbeddedError::Binaries(Box::new(e)))?;
        let options = ServerOptions {
            superuser: SHARD_USER.to_string(),
            password: Some(password),
            ..ServerOptions::default()
        };
        // Absolute, so that a shard's socket directory names it from anywhere.
        let data_dir = std::fs::canonicalize(data_dir).map_err(|source| EmbeddedError::Io {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let handles: Vec<_> = (0..shards)
            .map(|index| {
                let dir = data_dir.join(format!("shard-{index}"));
                let bins = bins.clone();
                let mut options = options.clone();
                // The node reaches the shards beside it over Unix sockets (in each shard's
                // directory) when the path fits a socket address, else over loopback TCP;
                // TCP is served either way.
                if ServerOptions::socket_dir_fits(&dir) {
                    options.unix_socket_dir = Some(dir.clone());
                }
                std::thread::spawn(move || {
                    let shard_err = |source| EmbeddedError::Shard {
                        index,
                        dir: dir.clone(),
                        source: Box::new(source),
                    };
                    let server =
                        LocalServer::init_if_needed(&bins, &dir, &options).map_err(shard_err)?;
                    server.start().map_err(shard_err)
                })
            })
            .collect();
        let mut servers = Vec::with_capacity(shards);
        let mut first_error = None;
        for h in handles {
            match h.join() {
                Ok(Ok(s)) => servers.push(s),
                Ok(Err(e)) => {
                    first_error.get_or_insert(e);
                }
                Err(_) => {
                    first_error
                        .get_or_insert(EmbeddedError::Task("a start thread panicked".into()));
                }
            }
        }
        if let Some(e) = first_error {
            // Servers that did start are stopped by their Drop.
            return Err(e);
        }
        Ok(Self { servers })
    }

    /// Connection strings of the shards, in shard order: over their Unix sockets where
    /// they have one.
    pub fn dsns(&self) -> Vec<String> {
        self.servers.iter().map(|s| s.local_dsn()).collect()
    }

    /// Stops every shard cleanly. Blocking.
    pub fn stop(self) -> Result<(), docfusion_localpg::LocalPgError> {
        let mut result = Ok(());
        for s in self.servers {
            if let Err(e) = s.stop()
                && result.is_ok()
            {
                result = Err(e);
            }
        }
        result
    }
}
