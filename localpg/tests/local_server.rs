//! Real servers: settings, restarts, ports, authentication, stopping, crashes.

use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use docfusion_localpg::{
    LocalPgError, LocalServer, PgBinaries, RunningServer, ServerOptions, ServerUser,
};

/// A temporary parent directory the server user can enter, and a data directory inside it.
fn scratch() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    ServerUser::for_current_process()
        .expect("server user")
        .give_ownership(dir.path())
        .expect("chown scratch dir");
    let data = dir.path().join("data");
    (dir, data)
}

fn bins() -> PgBinaries {
    PgBinaries::locate().expect("PostgreSQL binaries")
}

fn start(data_dir: &Path, options: &ServerOptions) -> (LocalServer, RunningServer) {
    let server = LocalServer::init_if_needed(&bins(), data_dir, options).expect("initdb");
    let running = server.start().unwrap_or_else(|e| panic!("start: {e}"));
    (server, running)
}

/// `psql -Atc sql` against `server`, with `password` (if any) in `PGPASSWORD`.
fn psql_as(server: &RunningServer, password: Option<&str>, sql: &str) -> Result<String, String> {
    let mut command = Command::new("psql");
    command
        .args(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1"])
        .args(["-h", server.host(), "-p", &server.port().to_string()])
        .args(["-U", server.superuser(), "-d", "postgres", "-c", sql])
        .env("PGCONNECT_TIMEOUT", "10")
        .env_remove("PGPASSWORD");
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    let output = command.output().map_err(|e| format!("run psql: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
    }
}

fn psql(server: &RunningServer, sql: &str) -> String {
    psql_as(server, server.password(), sql).unwrap_or_else(|e| {
        panic!(
            "psql {sql:?} failed: {e}\nserver log:\n{}",
            server.log_tail(30)
        )
    })
}

fn accepts_tcp(addr: SocketAddr) -> bool {
    TcpStream::connect_timeout(&addr, Duration::from_millis(250)).is_ok()
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
fn wait_until(timeout: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

#[test]
fn settings_reach_the_server() {
    let (_dir, data) = scratch();
    let (server, running) = start(&data, &ServerOptions::for_tests());
    assert!(server.was_initialized_now());
    assert_eq!(psql(&running, "show wal_level"), "logical");
    assert_eq!(psql(&running, "show max_prepared_transactions"), "64");
    assert_eq!(psql(&running, "show max_connections"), "200");
    assert_eq!(psql(&running, "show listen_addresses"), "127.0.0.1");
    assert_eq!(psql(&running, "show port"), running.port().to_string());
    assert_eq!(psql(&running, "show fsync"), "off");
    assert_eq!(psql(&running, "show synchronous_commit"), "off");
    assert_eq!(psql(&running, "show full_page_writes"), "off");
    assert_eq!(psql(&running, "show unix_socket_directories"), "");
    assert_eq!(psql(&running, "show server_encoding"), "UTF8");
    assert_eq!(
        psql(
            &running,
            "select datcollate from pg_database where datname = 'postgres'"
        ),
        "C"
    );
    assert_eq!(running.host(), "127.0.0.1");
    assert_eq!(
        running.dsn(),
        format!(
            "host=127.0.0.1 port={} user=postgres dbname=postgres",
            running.port()
        )
    );
    running.stop().expect("stop");
}

#[test]
fn durable_by_default_and_custom_settings_apply() {
    let (_dir, data) = scratch();
    let options = ServerOptions::default().with_setting("application_name", "it's a test");
    let (_server, running) = start(&data, &options);
    assert_eq!(psql(&running, "show fsync"), "on");
    assert_eq!(psql(&running, "show full_page_writes"), "on");
    assert_eq!(
        psql(&running, "show application_name"),
        "psql",
        "client overrides"
    );
    assert_eq!(
        psql(
            &running,
            "select boot_val <> reset_val or setting = 'it''s a test' from pg_settings where name = 'application_name'"
        ),
        "t"
    );
    assert_eq!(
        psql(
            &running,
            "select sourcefile like '%docfusion.conf' from pg_settings where name = 'wal_level'"
        ),
        "t"
    );
}

#[test]
fn data_survives_a_restart() {
    let (_dir, data) = scratch();
    let options = ServerOptions::for_tests();
    let (_, running) = start(&data, &options);
    psql(
        &running,
        "create table kept (n int); insert into kept select generate_series(1, 3)",
    );
    let first_port = running.port();
    running.stop().expect("stop");

    let (server, running) = start(&data, &options);
    assert!(!server.was_initialized_now(), "initdb must not run twice");
    assert_eq!(psql(&running, "select count(*) from kept"), "3");
    assert_eq!(psql(&running, "show wal_level"), "logical");
    assert!(running.port() > 0 && first_port > 0);

    // The same handle can start again after a stop.
    running.stop().expect("stop");
    let again = server.start().expect("third start");
    assert_eq!(psql(&again, "select sum(n) from kept"), "6");
}

#[test]
fn two_servers_at_once_get_distinct_ports() {
    let (_a_dir, a_data) = scratch();
    let (_b_dir, b_data) = scratch();
    let options = ServerOptions::for_tests();
    let (_, a) = start(&a_data, &options);
    let (_, b) = start(&b_data, &options);
    assert_ne!(a.port(), b.port());
    psql(&a, "create table only_in_a ()");
    assert_eq!(
        psql(
            &a,
            "select count(*) from pg_class where relname = 'only_in_a'"
        ),
        "1"
    );
    assert_eq!(
        psql(
            &b,
            "select count(*) from pg_class where relname = 'only_in_a'"
        ),
        "0"
    );
}

#[test]
fn dropping_the_handle_stops_the_server() {
    let (_dir, data) = scratch();
    let (_, running) = start(&data, &ServerOptions::for_tests());
    let addr: SocketAddr = format!("{}:{}", running.host(), running.port())
        .parse()
        .expect("address");
    assert!(accepts_tcp(addr));
    let pid_file = data.join("postmaster.pid");
    assert!(pid_file.exists());
    drop(running);
    assert!(
        wait_until(Duration::from_secs(30), || !accepts_tcp(addr)),
        "port {addr} still accepts connections after drop"
    );
    assert!(
        !pid_file.exists(),
        "postmaster.pid removed by a clean shutdown"
    );
}

#[test]
fn password_authentication_uses_scram() {
    let (_dir, data) = scratch();
    let options = ServerOptions {
        superuser: "docfusion admin".to_owned(),
        password: Some("s3cret pass'word".to_owned()),
        ..ServerOptions::for_tests()
    };
    let (_, running) = start(&data, &options);
    assert_eq!(psql(&running, "select current_user"), "docfusion admin");
    assert_eq!(
        psql(
            &running,
            "select rolpassword like 'SCRAM-SHA-256$%' from pg_authid where rolname = current_user"
        ),
        "t"
    );
    let refused = psql_as(&running, Some("wrong"), "select 1").expect_err("wrong password");
    assert!(
        refused.contains("password authentication failed"),
        "{refused}"
    );
    assert!(
        psql_as(&running, None, "select 1").is_err(),
        "no password must be refused"
    );
    assert_eq!(
        running.dsn(),
        format!(
            r"host=127.0.0.1 port={} user='docfusion admin' dbname=postgres password='s3cret pass\'word'",
            running.port()
        )
    );
    assert!(
        !format!("{running:?}").contains("s3cret"),
        "Debug hides the password"
    );
    // The temporary password file is gone.
    let leftovers = std::fs::read_dir(std::env::temp_dir())
        .expect("temp dir")
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("docfusion-pwfile-")
        })
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .filter(|text| text.contains("s3cret"))
        .count();
    assert_eq!(leftovers, 0);
}

#[test]
fn a_second_start_on_a_running_directory_is_refused() {
    let (_dir, data) = scratch();
    let (server, running) = start(&data, &ServerOptions::for_tests());
    let pid = running.pid().expect("pid");
    match server.start() {
        Err(LocalPgError::AlreadyRunning {
            pid: p,
            port,
            data_dir,
        }) => {
            assert_eq!(p, pid);
            assert_eq!(port, Some(running.port()));
            assert_eq!(data_dir, running.data_dir());
            let message = LocalPgError::AlreadyRunning {
                data_dir,
                pid: p,
                port,
            }
            .to_string();
            assert!(message.contains("pg_ctl stop -D"), "{message}");
        }
        other => panic!("expected AlreadyRunning, got {other:?}"),
    }
    // The refused start did not disturb the running server.
    assert_eq!(psql(&running, "select 1"), "1");
}

#[test]
fn restarts_after_the_server_was_killed() {
    let (_dir, data) = scratch();
    // Durable settings: with `fast_unsafe` (synchronous_commit=off) a commit acknowledged just
    // before a crash may be lost, by design.
    let options = ServerOptions::default();
    let (server, running) = start(&data, &options);
    psql(&running, "create table survivor as select 1 as n");
    let pid = running.pid().expect("pid");
    let status = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
    let proc_dir = PathBuf::from(format!("/proc/{pid}"));
    let is_gone = || {
        std::fs::read_to_string(proc_dir.join("stat"))
            .map(|stat| {
                stat.rsplit(')')
                    .next()
                    .is_some_and(|rest| rest.trim_start().starts_with('Z'))
            })
            .unwrap_or(true)
    };
    assert!(
        wait_until(Duration::from_secs(30), is_gone),
        "postmaster {pid} did not die"
    );
    assert!(
        data.join("postmaster.pid").exists(),
        "a crash leaves the lock file"
    );

    let restarted = server
        .start()
        .unwrap_or_else(|e| panic!("restart after crash: {e}"));
    assert_eq!(psql(&restarted, "select n from survivor"), "1");
    // The old handle's drop must not stop the new server.
    drop(running);
    assert_eq!(psql(&restarted, "select 2"), "2");
}

#[test]
fn a_pid_file_naming_another_process_is_stale() {
    let (_dir, data) = scratch();
    let options = ServerOptions::for_tests();
    let (server, running) = start(&data, &options);
    running.stop().expect("stop");
    // As after a container restart: the recorded pid now belongs to an unrelated process
    // (this test), which PostgreSQL alone would take for a running postmaster.
    let pid_file = data.join("postmaster.pid");
    std::fs::write(
        &pid_file,
        format!(
            "{}\n{}\n0\n5432\n\n127.0.0.1\n0 0\nready\n",
            std::process::id(),
            data.display()
        ),
    )
    .expect("write pid file");
    let running = server
        .start()
        .unwrap_or_else(|e| panic!("start over a stale pid file: {e}"));
    assert_eq!(psql(&running, "select 1"), "1");
    assert_ne!(running.pid(), Some(std::process::id()));
}

#[test]
fn explains_a_start_failure_with_the_log() {
    let (_dir, data) = scratch();
    let options = ServerOptions::for_tests().with_setting("shared_buffers", "not-a-size");
    let server = LocalServer::init_if_needed(&bins(), &data, &options).expect("initdb");
    match server.start() {
        Err(error @ LocalPgError::StartFailed { .. }) => {
            let message = error.to_string();
            assert!(
                message.contains("shared_buffers"),
                "log tail names the setting: {message}"
            );
            assert!(
                message.contains(
                    &data
                        .canonicalize()
                        .expect("canonical")
                        .display()
                        .to_string()
                )
            );
        }
        other => panic!("expected StartFailed, got {other:?}"),
    }
    assert!(
        !data.join("postmaster.pid").exists(),
        "nothing left running"
    );
}

#[test]
fn rejects_bad_options_before_touching_the_disk() {
    let (_dir, data) = scratch();
    let options = ServerOptions::default().with_setting("port", "5432");
    match LocalServer::init_if_needed(&bins(), &data, &options) {
        Err(LocalPgError::InvalidSetting { name, .. }) => assert_eq!(name, "port"),
        other => panic!("expected InvalidSetting, got {other:?}"),
    }
    assert!(!data.exists());
}

#[test]
fn a_fixed_port_is_used_and_a_taken_one_is_reported() {
    let (_dir, data) = scratch();
    // Hold a port so the server cannot bind it.
    let holder = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = holder.local_addr().expect("addr").port();
    let options = ServerOptions {
        port: Some(port),
        ..ServerOptions::for_tests()
    };
    let server = LocalServer::init_if_needed(&bins(), &data, &options).expect("initdb");
    match server.start() {
        Err(LocalPgError::StartFailed {
            port: p,
            attempts,
            log_tail,
            ..
        }) => {
            assert_eq!((p, attempts), (port, 1), "a fixed port is never swapped");
            assert!(
                log_tail.contains("could not bind") || log_tail.contains("could not create"),
                "{log_tail}"
            );
        }
        other => panic!("expected StartFailed, got {other:?}"),
    }
    drop(holder);
    let running = server.start().expect("start once the port is free");
    assert_eq!(running.port(), port);
    assert_eq!(psql(&running, "show port"), port.to_string());
}

#[test]
fn a_server_with_a_socket_directory_is_reached_locally_over_its_unix_socket() {
    let (_dir, data) = scratch();
    let options = ServerOptions {
        unix_socket_dir: Some(data.clone()),
        ..ServerOptions::for_tests()
    };
    let (_, running) = start(&data, &options);
    assert_eq!(running.socket_dir(), Some(data.as_path()));
    let dsn = running.local_dsn();
    assert!(
        dsn.starts_with(&format!("host={} port={}", data.display(), running.port())),
        "{dsn}"
    );
    let output = Command::new("psql")
        .args(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", &dsn])
        .args(["-c", "select inet_server_addr() is null"])
        .output()
        .expect("run psql");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // A Unix-socket connection has no server address.
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "t");
    // TCP still answers.
    assert_eq!(psql(&running, "select inet_server_addr() is not null"), "t");
}

#[test]
fn a_socket_directory_that_is_relative_or_too_long_is_refused_before_touching_the_disk() {
    let (dir, data) = scratch();
    let too_long = dir.path().join("d".repeat(120));
    for socket_dir in [PathBuf::from("relative/dir"), too_long] {
        let options = ServerOptions {
            unix_socket_dir: Some(socket_dir.clone()),
            ..ServerOptions::for_tests()
        };
        match LocalServer::init_if_needed(&bins(), &data, &options) {
            Err(LocalPgError::InvalidSetting { name, reason }) => {
                assert_eq!(name, "unix_socket_dir");
                assert!(reason.contains("absolute path"), "{reason}");
            }
            other => panic!("expected InvalidSetting for {socket_dir:?}, got {other:?}"),
        }
        assert!(!data.exists());
    }
}
