//! A data directory that holds (or will hold) a PostgreSQL cluster: `initdb` it once,
//! then start it as often as needed.

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::pg_command::{self, file_len, log_tail, timeout_secs};
use crate::postmaster_pid::{PID_FILE, PidState, PostmasterPid, pid_state, processes_in_dir};
use crate::{
    LocalPgError, MANAGED_CONF_FILE, PgBinaries, RunningServer, ServerOptions, ServerUser,
    free_port,
};

/// Name of the server log inside the data directory (appended to by every start).
pub const LOG_FILE: &str = "server.log";

/// How often to try another port when a picked free port was taken before the server bound it.
const PORT_ATTEMPTS: u32 = 5;

/// How long to wait for the processes of a crashed server to go away.
const LEFTOVER_WAIT: Duration = Duration::from_secs(10);

/// How many log lines a start failure reports.
const LOG_TAIL_LINES: usize = 40;

/// An initialised data directory and the options to run it with. Blocking: async callers
/// use `tokio::task::spawn_blocking`.
#[derive(Debug, Clone)]
pub struct LocalServer {
    bins: PgBinaries,
    data_dir: PathBuf,
    options: ServerOptions,
    user: ServerUser,
    initialized_now: bool,
}

impl LocalServer {
    /// Creates `data_dir` if needed and runs `initdb` (`--encoding=UTF8 --locale=C`) unless it
    /// already holds a cluster (`PG_VERSION` exists). When this process is root, the
    /// directory is given to the `postgres` OS user, which runs every server command.
    /// Authentication (trust, or scram-sha-256 with [`ServerOptions::password`]) is decided
    /// here, once; an existing cluster keeps what it was initialised with.
    pub fn init_if_needed(
        bins: &PgBinaries,
        data_dir: impl AsRef<Path>,
        options: &ServerOptions,
    ) -> Result<LocalServer, LocalPgError> {
        options.validate()?;
        let user = ServerUser::for_current_process()?;
        let data_dir = absolute(data_dir.as_ref())?;
        std::fs::create_dir_all(&data_dir)
            .map_err(|source| LocalPgError::io("create directory", &data_dir, source))?;
        let data_dir = data_dir
            .canonicalize()
            .map_err(|source| LocalPgError::io("resolve", &data_dir, source))?;

        let initialized = data_dir.join("PG_VERSION").is_file();
        if initialized {
            check_owner(&data_dir, &user)?;
        } else {
            user.give_ownership(&data_dir)?;
        }
        user.check_can_use(&data_dir)?;
        if !initialized {
            run_initdb(bins, &data_dir, options, &user)?;
        }
        Ok(LocalServer {
            bins: bins.clone(),
            data_dir,
            options: options.clone(),
            user,
            initialized_now: !initialized,
        })
    }

    /// The data directory (absolute, symlinks resolved).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Whether [`LocalServer::init_if_needed`] ran `initdb` (false: the cluster existed).
    pub fn was_initialized_now(&self) -> bool {
        self.initialized_now
    }

    /// The options this server starts with.
    pub fn options(&self) -> &ServerOptions {
        &self.options
    }

    /// The OS user that owns the data directory and runs the server.
    pub fn server_user(&self) -> &ServerUser {
        &self.user
    }

    /// The server log, `<data_dir>/server.log`.
    pub fn log_file(&self) -> PathBuf {
        self.data_dir.join(LOG_FILE)
    }

    /// Starts the server with `pg_ctl start -w` and waits until it accepts connections.
    ///
    /// - A server already running on this directory is an error ([`LocalPgError::AlreadyRunning`]),
    ///   not adopted: the returned handle stops its server on drop, which must not happen to a
    ///   server someone else started.
    /// - A `postmaster.pid` left by a crash: once no process works in the directory any more
    ///   (backends of a dead postmaster get up to 10 s to exit), it is left to PostgreSQL when
    ///   its pid is dead (PostgreSQL checks shared memory itself), and removed when the pid is
    ///   a zombie or now belongs to another process (PostgreSQL would refuse to start).
    /// - With no fixed port, a free loopback port is picked; if another process takes it first,
    ///   the start is retried on a new port, up to 5 times.
    pub fn start(&self) -> Result<RunningServer, LocalPgError> {
        self.clear_stale_pid_file()?;
        self.ensure_conf_included()?;
        let host = self.options.connect_host();
        let log_file = self.log_file();
        let attempts = if self.options.port.is_some() {
            1
        } else {
            PORT_ATTEMPTS
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let port = match self.options.port {
                Some(port) => port,
                None => free_port::pick_free_port(&host)?,
            };
            self.write_managed_conf(port)?;
            let log_start = file_len(&log_file);
            let timeout = timeout_secs(self.options.start_timeout);
            let args: [&OsStr; 9] = [
                "start".as_ref(),
                "-D".as_ref(),
                self.data_dir.as_os_str(),
                "-l".as_ref(),
                log_file.as_os_str(),
                "-w".as_ref(),
                "-t".as_ref(),
                timeout.as_ref(),
                "-s".as_ref(),
            ];
            let output = pg_command::spawn(&self.user, &self.bins.pg_ctl(), &args)?;
            if output.status.success() {
                return Ok(RunningServer::new(self, host, port));
            }
            // A timed-out start may still be coming up: never leave a server behind.
            self.stop_leftover_server();
            let tail = log_tail(&log_file, log_start, LOG_TAIL_LINES);
            if attempt < attempts && is_port_conflict(&tail) {
                continue;
            }
            return Err(LocalPgError::StartFailed {
                data_dir: self.data_dir.clone(),
                port,
                attempts: attempt,
                reason: pg_command::combined_output(&output),
                log_file,
                log_tail: tail,
            });
        }
    }

    /// Deals with a `postmaster.pid` present before start (see [`LocalServer::start`]).
    fn clear_stale_pid_file(&self) -> Result<(), LocalPgError> {
        let Some(pid_file) = PostmasterPid::read(&self.data_dir) else {
            return Ok(());
        };
        let running = |pid| LocalPgError::AlreadyRunning {
            data_dir: self.data_dir.clone(),
            pid,
            port: pid_file.port,
        };
        let state = pid_state(pid_file.pid, &self.data_dir);
        match state {
            PidState::ServingThisDir => Err(running(pid_file.pid)),
            PidState::Unknown => {
                let status = pg_command::spawn(
                    &self.user,
                    &self.bins.pg_ctl(),
                    &["status".as_ref(), "-D".as_ref(), self.data_dir.as_os_str()],
                )?;
                if status.status.success() {
                    Err(running(pid_file.pid))
                } else {
                    Ok(())
                }
            }
            PidState::Dead | PidState::Stale => {
                if let Some(leftover) = wait_for_leftover_processes(&self.data_dir) {
                    return Err(running(leftover));
                }
                if state == PidState::Dead {
                    // PostgreSQL removes the lock file itself after checking shared memory.
                    return Ok(());
                }
                let path = self.data_dir.join(PID_FILE);
                std::fs::remove_file(&path)
                    .map_err(|source| LocalPgError::io("remove stale", path, source))
            }
        }
    }

    /// Makes `postgresql.conf` include [`MANAGED_CONF_FILE`] (once; also for clusters that
    /// were not created by this crate).
    fn ensure_conf_included(&self) -> Result<(), LocalPgError> {
        let path = self.data_dir.join("postgresql.conf");
        let include = format!("include_if_exists = '{MANAGED_CONF_FILE}'");
        let current = std::fs::read_to_string(&path)
            .map_err(|source| LocalPgError::io("read", &path, source))?;
        if current.lines().any(|line| line.trim() == include) {
            return Ok(());
        }
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|source| LocalPgError::io("open", &path, source))?;
        let separator = if current.ends_with('\n') { "" } else { "\n" };
        write!(
            file,
            "{separator}\n# Settings managed by docfusion-localpg (rewritten on every start).\n{include}\n"
        )
        .map_err(|source| LocalPgError::io("append to", &path, source))
    }

    fn write_managed_conf(&self, port: u16) -> Result<(), LocalPgError> {
        let path = self.data_dir.join(MANAGED_CONF_FILE);
        std::fs::write(&path, self.options.render_conf(port))
            .map_err(|source| LocalPgError::io("write", &path, source))?;
        self.user.give_ownership(&path)
    }

    /// Stops, ignoring errors, a server of this directory left by a failed start.
    fn stop_leftover_server(&self) {
        if let Some(pid_file) = PostmasterPid::read(&self.data_dir)
            && pid_state(pid_file.pid, &self.data_dir) != PidState::Dead
        {
            let timeout = timeout_secs(self.options.stop_timeout);
            let _ = pg_command::spawn(
                &self.user,
                &self.bins.pg_ctl(),
                &[
                    "stop".as_ref(),
                    "-D".as_ref(),
                    self.data_dir.as_os_str(),
                    "-m".as_ref(),
                    "immediate".as_ref(),
                    "-w".as_ref(),
                    "-t".as_ref(),
                    timeout.as_ref(),
                ],
            );
        }
    }

    pub(crate) fn bins(&self) -> &PgBinaries {
        &self.bins
    }
}

/// Waits briefly for processes still working in `data_dir` (backends of a postmaster that
/// just died notice it and exit within moments); the pid of one still there after the wait.
fn wait_for_leftover_processes(data_dir: &Path) -> Option<u32> {
    let deadline = Instant::now() + LEFTOVER_WAIT;
    loop {
        let leftover = processes_in_dir(data_dir).first().copied();
        if leftover.is_none() || Instant::now() >= deadline {
            return leftover;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether a failed start's log says the port was taken.
fn is_port_conflict(log: &str) -> bool {
    log.contains("could not bind") || log.contains("Address already in use")
}

/// Runs initdb, with the password (if any) in a temporary file readable by the server user.
fn run_initdb(
    bins: &PgBinaries,
    data_dir: &Path,
    options: &ServerOptions,
    user: &ServerUser,
) -> Result<(), LocalPgError> {
    let mut args: Vec<&OsStr> = vec![
        "-D".as_ref(),
        data_dir.as_os_str(),
        "-U".as_ref(),
        options.superuser.as_ref(),
        "--encoding=UTF8".as_ref(),
        "--locale=C".as_ref(),
        "--no-instructions".as_ref(),
    ];
    if options.fast_unsafe {
        args.push("--no-sync".as_ref());
    }
    // Kept alive until initdb has read it; removed on drop.
    let mut password_file = None;
    let pwfile_arg;
    match &options.password {
        None => args.push("--auth=trust".as_ref()),
        Some(password) => {
            let mut file = tempfile::Builder::new()
                .prefix("docfusion-pwfile-")
                .tempfile()
                .map_err(|source| LocalPgError::io("create", std::env::temp_dir(), source))?;
            writeln!(file, "{password}")
                .and_then(|()| file.flush())
                .map_err(|source| LocalPgError::io("write", file.path(), source))?;
            user.give_ownership(file.path())?;
            pwfile_arg = format!("--pwfile={}", file.path().display());
            args.push("--auth=scram-sha-256".as_ref());
            args.push(pwfile_arg.as_ref());
            password_file = Some(file);
        }
    }
    let result = pg_command::run(user, &bins.initdb(), &args);
    drop(password_file);
    result.map(|_| ())
}

/// Checks that an existing cluster belongs to the user that will run it.
fn check_owner(data_dir: &Path, user: &ServerUser) -> Result<(), LocalPgError> {
    use std::os::unix::fs::MetadataExt;
    let owner = std::fs::metadata(data_dir)
        .map_err(|source| LocalPgError::io("inspect", data_dir, source))?
        .uid();
    if owner != user.uid() {
        return Err(LocalPgError::DataDirOwnership {
            data_dir: data_dir.to_path_buf(),
            owner,
            user: user.name().to_owned(),
            uid: user.uid(),
        });
    }
    Ok(())
}

fn absolute(path: &Path) -> Result<PathBuf, LocalPgError> {
    std::path::absolute(path).map_err(|source| LocalPgError::io("resolve", path, source))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_port_conflicts_in_the_log() {
        let log = "LOG:  could not bind IPv4 address \"127.0.0.1\": Address already in use\n\
                   HINT:  Is another postmaster already running on port 5432?";
        assert!(is_port_conflict(log));
        assert!(!is_port_conflict(
            "FATAL:  data directory \"/x\" has invalid permissions"
        ));
    }
}
