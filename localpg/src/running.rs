//! A started server: where to connect, and stopping it (explicitly or on drop).

use std::ffi::OsStr;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::conninfo::conninfo;
use crate::pg_command::{self, log_tail, timeout_secs};
use crate::postmaster_pid::{PidState, PostmasterPid, pid_state};
use crate::{LocalPgError, LocalServer, PgBinaries, ServerUser};

/// A server started by [`LocalServer::start`]. Dropping it stops the server
/// (`pg_ctl stop -m fast`, errors ignored); call [`RunningServer::stop`] to see errors.
pub struct RunningServer {
    bins: PgBinaries,
    user: ServerUser,
    data_dir: PathBuf,
    log_file: PathBuf,
    host: String,
    port: u16,
    /// The directory of its Unix-domain socket, when it listens on one.
    socket_dir: Option<PathBuf>,
    superuser: String,
    password: Option<String>,
    stop_timeout: Duration,
    /// The postmaster this handle started, so that it never stops a later server on the
    /// same directory (e.g. after a crash and a restart through another handle).
    postmaster_pid: Option<u32>,
    running: bool,
}

impl RunningServer {
    pub(crate) fn new(server: &LocalServer, host: String, port: u16) -> Self {
        RunningServer {
            bins: server.bins().clone(),
            user: server.server_user().clone(),
            data_dir: server.data_dir().to_path_buf(),
            log_file: server.log_file(),
            host,
            port,
            socket_dir: server.options().unix_socket_dir.clone(),
            superuser: server.options().superuser.clone(),
            password: server.options().password.clone(),
            stop_timeout: server.options().stop_timeout,
            postmaster_pid: PostmasterPid::read(server.data_dir()).map(|p| p.pid),
            running: true,
        }
    }

    /// The TCP port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The address to connect to, e.g. `127.0.0.1`.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The superuser name.
    pub fn superuser(&self) -> &str {
        &self.superuser
    }

    /// The superuser's password, if the server uses password authentication.
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// A libpq connection string for database `postgres`:
    /// `host=127.0.0.1 port=N user=U dbname=postgres [password=..]`.
    pub fn dsn(&self) -> String {
        self.dsn_for_database("postgres")
    }

    /// The directory of the server's Unix-domain socket, if it listens on one.
    pub fn socket_dir(&self) -> Option<&Path> {
        self.socket_dir.as_deref()
    }

    /// A connection string for database `postgres` as a client on this machine best
    /// connects: over the Unix-domain socket when the server listens on one (no TCP stack
    /// in the way), else as [`RunningServer::dsn`].
    pub fn local_dsn(&self) -> String {
        match self.socket_dir.as_ref().and_then(|d| d.to_str()) {
            Some(dir) => self.conninfo(dir, "postgres"),
            None => self.dsn(),
        }
    }

    /// A libpq connection string like [`RunningServer::dsn`] for another database.
    pub fn dsn_for_database(&self, dbname: &str) -> String {
        self.conninfo(&self.host, dbname)
    }

    /// A libpq connection string to `host` (an address or a socket directory).
    fn conninfo(&self, host: &str, dbname: &str) -> String {
        let port = self.port.to_string();
        let mut pairs = vec![
            ("host", host),
            ("port", port.as_str()),
            ("user", self.superuser.as_str()),
            ("dbname", dbname),
        ];
        if let Some(password) = &self.password {
            pairs.push(("password", password));
        }
        conninfo(&pairs)
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The server log file.
    pub fn log_file(&self) -> &Path {
        &self.log_file
    }

    /// The last `lines` lines of the server log (for error messages).
    pub fn log_tail(&self, lines: usize) -> String {
        log_tail(&self.log_file, 0, lines)
    }

    /// The postmaster's pid while this handle's server runs (`None` once it is gone).
    pub fn pid(&self) -> Option<u32> {
        self.postmaster_pid.filter(|_| self.is_up())
    }

    /// Stops the server: `pg_ctl stop -m fast`, then `-m immediate` if that fails.
    /// A server that is already gone counts as stopped, and a different server running on
    /// the same directory now (started after this one died) is left alone.
    pub fn stop(mut self) -> Result<(), LocalPgError> {
        self.stop_server()
    }

    fn stop_server(&mut self) -> Result<(), LocalPgError> {
        if !self.running {
            return Ok(());
        }
        self.running = false;
        if !self.is_up() {
            return Ok(());
        }
        let mut outputs = Vec::new();
        for mode in ["fast", "immediate"] {
            match self.pg_ctl_stop(mode) {
                Ok(()) => return Ok(()),
                Err(output) => outputs.push(format!("-m {mode}: {output}")),
            }
            if !self.is_up() {
                return Ok(());
            }
        }
        Err(LocalPgError::StopFailed {
            data_dir: self.data_dir.clone(),
            output: outputs.join("; "),
        })
    }

    fn pg_ctl_stop(&self, mode: &str) -> Result<(), String> {
        let timeout = timeout_secs(self.stop_timeout);
        let args: [&OsStr; 8] = [
            "stop".as_ref(),
            "-D".as_ref(),
            self.data_dir.as_os_str(),
            "-m".as_ref(),
            mode.as_ref(),
            "-w".as_ref(),
            "-t".as_ref(),
            timeout.as_ref(),
        ];
        match pg_command::run(&self.user, &self.bins.pg_ctl(), &args) {
            Ok(_) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Whether the postmaster this handle started still runs.
    fn is_up(&self) -> bool {
        PostmasterPid::read(&self.data_dir).is_some_and(|p| {
            self.postmaster_pid.is_none_or(|mine| mine == p.pid)
                && matches!(
                    pid_state(p.pid, &self.data_dir),
                    PidState::ServingThisDir | PidState::Unknown
                )
        })
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        let _ = self.stop_server();
    }
}

impl fmt::Debug for RunningServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunningServer")
            .field("data_dir", &self.data_dir)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("superuser", &self.superuser)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("running", &self.running)
            .finish()
    }
}
