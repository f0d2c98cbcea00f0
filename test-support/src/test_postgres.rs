//! One throwaway server on a temporary directory.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use docfusion_localpg::{LocalServer, PgBinaries, RunningServer, ServerOptions, ServerUser};
use tempfile::TempDir;

/// The binaries, located once per test process.
fn binaries() -> &'static PgBinaries {
    static BINARIES: OnceLock<Result<PgBinaries, String>> = OnceLock::new();
    match BINARIES.get_or_init(|| PgBinaries::locate().map_err(|e| e.to_string())) {
        Ok(binaries) => binaries,
        Err(message) => panic!("test PostgreSQL: {message}"),
    }
}

/// A PostgreSQL server for one test: trust authentication, `fsync` off, on a free loopback
/// port, in a temporary directory that is deleted (after the server stops) on drop.
#[derive(Debug)]
pub struct TestPostgres {
    // Dropped in this order: the server stops before its directory is deleted.
    server: Option<RunningServer>,
    temp_dir: Option<TempDir>,
    temp_path: PathBuf,
}

impl TestPostgres {
    /// `n` servers started in parallel from async code (each start is blocking, so it runs
    /// on the blocking pool).
    pub async fn start_many(n: usize) -> Vec<TestPostgres> {
        let handles: Vec<_> = (0..n)
            .map(|_| tokio::task::spawn_blocking(TestPostgres::start))
            .collect();
        let mut servers = Vec::with_capacity(n);
        for h in handles {
            match h.await {
                Ok(server) => servers.push(server),
                Err(e) => panic!("a test Postgres failed to start: {e}"),
            }
        }
        servers
    }

    /// Starts a server with [`ServerOptions::for_tests`]. Panics (with the log tail) on failure.
    pub fn start() -> TestPostgres {
        TestPostgres::start_with(ServerOptions::for_tests())
    }

    /// Starts a server with custom options (e.g. extra settings). Panics on failure.
    pub fn start_with(options: ServerOptions) -> TestPostgres {
        TestPostgres::start_in_temp_dir(options, false)
    }

    /// Like [`TestPostgres::start_with`], and the server also listens on a Unix-domain
    /// socket in its data directory ([`TestPostgres::local_dsn`] connects over it).
    pub fn start_with_socket(options: ServerOptions) -> TestPostgres {
        TestPostgres::start_in_temp_dir(options, true)
    }

    fn start_in_temp_dir(mut options: ServerOptions, socket: bool) -> TestPostgres {
        let temp_dir = tempfile::Builder::new()
            .prefix("docfusion-test-pg-")
            .tempdir()
            .unwrap_or_else(|e| panic!("test PostgreSQL: could not create a temp dir: {e}"));
        let temp_path = temp_dir.path().to_path_buf();
        // When root, the server runs as `postgres`, which must be able to enter the temp dir.
        ServerUser::for_current_process()
            .and_then(|user| user.give_ownership(&temp_path))
            .unwrap_or_else(|e| panic!("test PostgreSQL: {e}"));
        let data_dir = temp_path.join("data");
        if socket {
            options.unix_socket_dir = Some(data_dir.clone());
        }
        let server = LocalServer::init_if_needed(binaries(), &data_dir, &options)
            .and_then(|server| server.start())
            .unwrap_or_else(|e| {
                panic!("test PostgreSQL in {}: {e}", data_dir.display());
            });
        TestPostgres {
            server: Some(server),
            temp_dir: Some(temp_dir),
            temp_path,
        }
    }

    /// The running server.
    pub fn server(&self) -> &RunningServer {
        match &self.server {
            Some(server) => server,
            None => unreachable!("the server is only taken in drop"),
        }
    }

    /// A libpq connection string for database `postgres`.
    pub fn dsn(&self) -> String {
        self.server().dsn()
    }

    /// A libpq connection string for database `postgres` over the server's Unix-domain
    /// socket when it listens on one ([`TestPostgres::start_with_socket`]), else as
    /// [`TestPostgres::dsn`].
    pub fn local_dsn(&self) -> String {
        self.server().local_dsn()
    }

    /// A libpq connection string for another database on this server.
    pub fn dsn_for_database(&self, dbname: &str) -> String {
        self.server().dsn_for_database(dbname)
    }

    /// The server's TCP port.
    pub fn port(&self) -> u16 {
        self.server().port()
    }

    /// The server's address (`127.0.0.1`).
    pub fn host(&self) -> &str {
        self.server().host()
    }

    /// The superuser name.
    pub fn user(&self) -> &str {
        self.server().superuser()
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        self.server().data_dir()
    }

    /// The temporary directory holding everything of this server (deleted on drop).
    pub fn temp_dir(&self) -> &Path {
        &self.temp_path
    }

    /// Connects with `tokio-postgres` to database `postgres`; the connection runs on a
    /// spawned task. Panics (with the log tail) if it cannot connect.
    pub async fn connect(&self) -> tokio_postgres::Client {
        self.connect_to_database("postgres").await
    }

    /// Connects like [`TestPostgres::connect`] to another database.
    pub async fn connect_to_database(&self, dbname: &str) -> tokio_postgres::Client {
        let dsn = self.dsn_for_database(dbname);
        let (client, connection) = tokio_postgres::connect(&dsn, tokio_postgres::NoTls)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "connect to test PostgreSQL ({dsn}): {e}\n--- server log ---\n{}",
                    self.server().log_tail(30)
                )
            });
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                eprintln!("test PostgreSQL connection ended: {e}");
            }
        });
        client
    }

    /// Runs `sql` with the real `psql -X -A -t` binary and returns its output without the
    /// final newline. Blocking. Panics, with psql's error, if the statement fails.
    pub fn psql(&self, sql: &str) -> String {
        let server = self.server();
        let mut command = Command::new(binaries().psql());
        command
            .args(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1"])
            .arg("-h")
            .arg(server.host())
            .arg("-p")
            .arg(server.port().to_string())
            .arg("-U")
            .arg(server.superuser())
            .args(["-d", "postgres", "-c", sql])
            .env("PGCONNECT_TIMEOUT", "10")
            .env_remove("PGSERVICE")
            .env_remove("PGOPTIONS");
        match server.password() {
            Some(password) => command.env("PGPASSWORD", password),
            None => command.env_remove("PGPASSWORD"),
        };
        let output = command
            .output()
            .unwrap_or_else(|e| panic!("run {}: {e}", binaries().psql().display()));
        if !output.status.success() {
            panic!(
                "psql {sql:?} on port {} failed: {}\n--- server log ---\n{}",
                server.port(),
                String::from_utf8_lossy(&output.stderr).trim(),
                server.log_tail(30)
            );
        }
        String::from_utf8_lossy(&output.stdout)
            .trim_end_matches('\n')
            .to_owned()
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        drop(self.server.take());
        if let Some(dir) = self.temp_dir.take() {
            // Best effort: a failure leaves a directory in the system temp dir, nothing worse.
            let _ = dir.close();
        }
    }
}
