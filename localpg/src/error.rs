//! The one error type of this crate: every variant names the binary, path or port at fault.

use std::io;
use std::path::PathBuf;
use std::process::ExitStatus;

/// Everything that can go wrong while locating, initialising, starting or stopping a server.
#[derive(Debug, thiserror::Error)]
pub enum LocalPgError {
    /// No directory with `initdb`, `pg_ctl` and `postgres` (version 15 or newer) was found.
    #[error(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres; version 15 or newer) not found; searched: {}",
        searched.join("; ")
    )]
    BinariesNotFound {
        /// Each place looked at, with why it did not qualify.
        searched: Vec<String>,
    },

    /// A binary could not be spawned at all.
    #[error("could not run {program}: {source}")]
    Spawn {
        /// The program that failed to start.
        program: PathBuf,
        /// The OS error.
        source: io::Error,
    },

    /// A helper command (initdb, pg_ctl, id, ...) ran and failed.
    #[error("{program} {args} failed ({status}): {output}")]
    CommandFailed {
        /// The program that failed.
        program: PathBuf,
        /// Its arguments, joined by spaces (never contains a password).
        args: String,
        /// How it exited.
        status: ExitStatus,
        /// Its stderr and stdout, trimmed.
        output: String,
    },

    /// A file system operation failed.
    #[error("could not {action} {path}: {source}")]
    Io {
        /// What was being done, e.g. "create directory".
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },

    /// Running as root, but there is no OS user to run the server as.
    #[error(
        "running as root, but the OS user `{user}` does not exist (PostgreSQL refuses to run as root; create the user or run as a non-root user)"
    )]
    NoServerUser {
        /// The user name looked up.
        user: String,
    },

    /// The OS user that runs the server cannot reach the data directory.
    #[error(
        "the PostgreSQL server runs as OS user `{user}` (uid {uid}), which cannot access {blocked} (needed for data directory {data_dir}); make it searchable (chmod o+x) or use another data directory"
    )]
    DirectoryNotAccessible {
        /// The OS user the server runs as.
        user: String,
        /// Its uid.
        uid: u32,
        /// The first directory on the way that it cannot enter or write.
        blocked: PathBuf,
        /// The data directory.
        data_dir: PathBuf,
    },

    /// An initialised data directory belongs to a different OS user than the one that runs the server.
    #[error(
        "data directory {data_dir} is owned by uid {owner}, but the server would run as `{user}` (uid {uid}); PostgreSQL requires the data directory to be owned by the user running it"
    )]
    DataDirOwnership {
        /// The data directory.
        data_dir: PathBuf,
        /// Its owner's uid.
        owner: u32,
        /// The OS user the server would run as.
        user: String,
        /// That user's uid.
        uid: u32,
    },

    /// A server is already running on this data directory (its `postmaster.pid` is live).
    #[error(
        "a PostgreSQL server (pid {pid}{}) is already running on data directory {data_dir}; stop it first with `pg_ctl stop -D {}`",
        port.map(|p| format!(", port {p}")).unwrap_or_default(),
        data_dir.display()
    )]
    AlreadyRunning {
        /// The data directory.
        data_dir: PathBuf,
        /// The running postmaster's pid.
        pid: u32,
        /// The port it listens on, if the pid file says.
        port: Option<u16>,
    },

    /// A setting in [`crate::ServerOptions::settings`] is malformed or managed by this crate.
    #[error("invalid server setting `{name}`: {reason}")]
    InvalidSetting {
        /// The setting's name.
        name: String,
        /// What is wrong with it.
        reason: String,
    },

    /// No free loopback port could be obtained.
    #[error("could not find a free TCP port on {host}: {source}")]
    NoFreePort {
        /// The address a port was looked for on.
        host: String,
        /// The OS error.
        source: io::Error,
    },

    /// `pg_ctl start` failed; the log tail usually says why.
    #[error(
        "PostgreSQL server on {data_dir} (port {port}) failed to start after {attempts} attempt(s): {reason}\n--- last lines of {log_file} ---\n{log_tail}"
    )]
    StartFailed {
        /// The data directory.
        data_dir: PathBuf,
        /// The port of the last attempt.
        port: u16,
        /// How many start attempts were made (several when a picked port was taken meanwhile).
        attempts: u32,
        /// pg_ctl's own output.
        reason: String,
        /// The server log file.
        log_file: PathBuf,
        /// The last lines the server wrote during the failed attempt.
        log_tail: String,
    },

    /// `pg_ctl stop` failed, even in immediate mode.
    #[error("could not stop the PostgreSQL server on {data_dir}: {output}")]
    StopFailed {
        /// The data directory.
        data_dir: PathBuf,
        /// pg_ctl's output.
        output: String,
    },
}

impl LocalPgError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        LocalPgError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
