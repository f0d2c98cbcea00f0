//! The `docfusiondb` binary as a user runs it: `serve` from a config file and on its
//! embedded default, `generate`, `load` and `sql` against it, and a clean SIGTERM.

mod common;

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

const BIN: &str = env!("CARGO_BIN_EXE_docfusiondb");

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("run docfusiondb")
}

fn text(o: &Output) -> String {
    format!(
        "status: {}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// One plain HTTP/1.0 GET: the whole response, or "" when the node does not answer.
fn http_get(node: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let addr = node.trim_start_matches("http://");
    let Ok(mut stream) = std::net::TcpStream::connect(addr) else {
        return String::new();
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request = format!("GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return String::new();
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
}

/// True when /healthz answers 200.
fn health_ok(node: &str) -> bool {
    let response = http_get(node, "/healthz");
    response.starts_with("HTTP/1.0 200") || response.starts_with("HTTP/1.1 200")
}

/// Waits until the node answers /healthz, or panics with its output after a deadline.
fn wait_healthy(child: &mut Child, node: &str) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("node exited early with {status}");
        }
        if health_ok(node) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("node at {node} did not become healthy");
}

/// SIGTERM, then the exit status within a deadline.
fn terminate(mut child: Child) -> std::process::ExitStatus {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "node did not stop after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn spawn_serve(args: &[&str]) -> Child {
    Command::new(BIN)
        .arg("serve")
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn docfusiondb serve")
}

fn write_config(dir: &Path, dsns: &[String], http: &str) -> String {
    let mut yaml = format!(
        "listen:\n  http: {http}\ndata_dir: {}\nshards:\n",
        dir.join("data").display()
    );
    for dsn in dsns {
        yaml.push_str(&format!("  - dsn: \"{dsn}\"\n"));
    }
    let path = dir.join("node.yaml");
    std::fs::write(&path, yaml).unwrap();
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_from_config_then_load_and_query_with_the_cli() {
    let shards = start_servers(2).await;
    let dir = tempfile::tempdir().unwrap();
    let http = format!("127.0.0.1:{}", free_port());
    let node = format!("http://{http}");
    let config = write_config(
        dir.path(),
        &shards.iter().map(|s| s.dsn()).collect::<Vec<_>>(),
        &http,
    );

    let data = dir.path().join("data").display().to_string();
    // Each node on its own Postgres-protocol port too: tests run in parallel.
    let postgres = format!("127.0.0.1:{}", free_port());
    tokio::task::spawn_blocking(move || {
        let mut child = spawn_serve(&["--config", &config, "--postgres", &postgres]);
        wait_healthy(&mut child, &node);

        let file = dir.path().join("listings.ndjson");
        let o = run(&["generate", "--count", "500", "--seed", "3", "--out", file.to_str().unwrap()]);
        assert!(o.status.success(), "{}", text(&o));
        let o = run(&["load", "listings", file.to_str().unwrap(), "--node", &node, "--data-dir", &data, "--batch-lines", "120"]);
        assert!(o.status.success(), "{}", text(&o));
        assert!(String::from_utf8_lossy(&o.stdout).contains("loaded 500 documents into listings"), "{}", text(&o));

        let o = run(&["sql", "SELECT count(*) AS n, count(DISTINCT doc->'address'->>'city') > 5 AS many FROM listings", "--node", &node, "--data-dir", &data]);
        assert!(o.status.success(), "{}", text(&o));
        let out = String::from_utf8_lossy(&o.stdout).to_string();
        assert!(out.contains("500") && out.contains("true") && out.contains("(1 row)"), "{out}");

        let o = run(&["sql", "SELECT id FROM listings WHERE id = 'lst-000007'", "--node", &node, "--data-dir", &data, "--json"]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json output");
        assert_eq!(v["rows"], serde_json::json!([["lst-000007"]]));
        assert_eq!(v["columns"][0]["type"], "text");

        let o = run(&["sql", "SELECT doc->>'room_type', count(*) FROM listings GROUP BY 1", "--node", &node, "--data-dir", &data, "--profile"]);
        let out = String::from_utf8_lossy(&o.stdout).to_string();
        assert!(o.status.success() && out.contains("ShardScanExec") && out.contains("output_rows"), "{}", text(&o));

        // A bad line stops the load before anything is sent: it names the line, and the
        // collection is not even created.
        let bad = dir.path().join("bad.ndjson");
        std::fs::write(&bad, "{\"id\": \"b1\"}\n{\"id\": \"b2\"}\n{\"id\": \"b3\", oops}\n{\"id\": \"b4\"}\n").unwrap();
        let o = run(&["load", "more", bad.to_str().unwrap(), "--node", &node, "--data-dir", &data]);
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr).to_string();
        assert!(err.contains("22P02") && err.contains("line 3") && err.contains("nothing was loaded"), "{err}");
        let o = run(&["sql", "SELECT count(*) FROM more", "--node", &node, "--data-dir", &data]);
        assert!(String::from_utf8_lossy(&o.stderr).contains("ERROR 42P01"), "{}", text(&o));

        // Without the password the node refuses, and the CLI says how to pass one.
        let o = run(&["sql", "SELECT 1", "--node", &node, "--data-dir", "/nonexistent"]);
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr).to_string();
        assert!(err.contains("ERROR 28P01") || err.contains("ERROR 28000"), "{err}");
        assert!(err.contains("--password") && err.contains("DOCFUSION_PASSWORD"), "{err}");
        let o = run(&["sql", "SELECT 1", "--node", &node, "--password", "wrong", "--data-dir", &data]);
        let err = String::from_utf8_lossy(&o.stderr).to_string();
        assert!(!o.status.success() && err.contains("ERROR 28P01") && err.contains("was refused"), "{err}");
        // The password itself works through the flag and the environment.
        let password = std::fs::read_to_string(dir.path().join("data/password")).unwrap();
        // `--password=…`: a generated password may start with '-'.
        let flag = format!("--password={}", password.trim());
        let o = run(&["sql", "SELECT 7 AS n", "--node", &node, &flag, "--data-dir", "/nonexistent", "--json"]);
        assert!(o.status.success(), "{}", text(&o));
        let o = Command::new(BIN)
            .args(["sql", "SELECT 8 AS n", "--node", &node, "--json"])
            .env("DOCFUSION_PASSWORD", password.trim())
            .env("DOCFUSION_USER", "docfusion")
            .env("DOCFUSION_DATA_DIR", "/nonexistent")
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("{}", text(&o)));
        assert_eq!(v["rows"], serde_json::json!([[8]]));

        // Errors a user causes come back with their SQLSTATE.
        let o = run(&["sql", "SELECT * FROM nope", "--node", &node, "--data-dir", &data]);
        assert!(!o.status.success());
        assert!(String::from_utf8_lossy(&o.stderr).contains("ERROR 42P01"), "{}", text(&o));

        assert!(terminate(child).success(), "SIGTERM must exit 0");
    })
    .await
    .unwrap();
}

/// `count(*)` and the sorted ids of `collection`, through the CLI's `sql`.
fn ids_of(node: &str, data: &str, collection: &str) -> serde_json::Value {
    let sql = format!("SELECT count(*), string_agg(id, ',' ORDER BY id) FROM {collection}");
    let o = run(&["sql", &sql, "--node", node, "--data-dir", data, "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json output");
    v["rows"][0].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn load_checks_every_line_first_skips_bad_ones_and_resumes() {
    let shards = start_servers(2).await;
    let dir = tempfile::tempdir().unwrap();
    let http = format!("127.0.0.1:{}", free_port());
    let node = format!("http://{http}");
    let config = write_config(
        dir.path(),
        &shards.iter().map(|s| s.dsn()).collect::<Vec<_>>(),
        &http,
    );
    let data = dir.path().join("data").display().to_string();
    let postgres = format!("127.0.0.1:{}", free_port());
    tokio::task::spawn_blocking(move || {
        let mut child = spawn_serve(&["--config", &config, "--postgres", &postgres]);
        wait_healthy(&mut child, &node);
        let write = |name: &str, lines: &[&str]| {
            let path = dir.path().join(name);
            std::fs::write(&path, lines.join("\n") + "\n").unwrap();
            path.display().to_string()
        };

        // Line 4 is bad: nothing is loaded, the line is named.
        let ten: Vec<String> = (1..=10)
            .map(|i| format!("{{\"id\": \"k{i:02}\"}}"))
            .collect();
        let mut lines: Vec<&str> = ten.iter().map(String::as_str).collect();
        lines[3] = "{\"id\": \"k04\", }";
        let file = write("ten.ndjson", &lines);
        let o = run(&["load", "ten", &file, "--node", &node, "--data-dir", &data]);
        assert!(!o.status.success(), "{}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr).to_string();
        assert!(
            err.contains("ERROR 22P02: line 4, position")
                && err.contains("1 bad line(s)")
                && err.contains("nothing was loaded"),
            "{err}"
        );
        let o = run(&[
            "sql",
            "SELECT count(*) FROM ten",
            "--node",
            &node,
            "--data-dir",
            &data,
        ]);
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("ERROR 42P01"),
            "{}",
            text(&o)
        );

        // --skip-bad reports it and loads the other nine.
        let o = run(&[
            "load",
            "ten",
            &file,
            "--node",
            &node,
            "--data-dir",
            &data,
            "--skip-bad",
            "--batch-lines",
            "4",
        ]);
        assert!(o.status.success(), "{}", text(&o));
        assert!(
            String::from_utf8_lossy(&o.stdout)
                .contains("loaded 9 documents into ten; skipped 1 bad lines"),
            "{}",
            text(&o)
        );
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("skipped: ERROR 22P02: line 4"),
            "{}",
            text(&o)
        );
        let expected: Vec<String> = (1..=10)
            .filter(|i| *i != 4)
            .map(|i| format!("k{i:02}"))
            .collect();
        assert_eq!(
            ids_of(&node, &data, "ten"),
            serde_json::json!([9, expected.join(",")])
        );

        // A batch the node refuses (line 7 repeats the id of line 2): the batches before it
        // stay loaded, and the message says how to resume.
        let nine: Vec<String> = (1..=9).map(|i| format!("{{\"id\": \"r{i}\"}}")).collect();
        let mut lines: Vec<&str> = nine.iter().map(String::as_str).collect();
        lines[6] = "{\"id\": \"r2\"}";
        let file = write("nine.ndjson", &lines);
        let o = run(&[
            "load",
            "nine",
            &file,
            "--node",
            &node,
            "--data-dir",
            &data,
            "--batch-lines",
            "3",
        ]);
        assert!(!o.status.success(), "{}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr).to_string();
        assert!(
            err.contains("ERROR 23505") && err.contains("\"r2\""),
            "{err}"
        );
        assert!(
            err.contains("lines 1-6 are loaded; lines 7-9 were not"),
            "{err}"
        );
        let resume = format!("docfusiondb load nine {file} --skip-lines 6 --node {node}");
        assert!(err.contains(&resume), "{err}");
        assert_eq!(
            ids_of(&node, &data, "nine"),
            serde_json::json!([6, "r1,r2,r3,r4,r5,r6"])
        );
        // Fixed, and resumed with the command it printed.
        lines[6] = "{\"id\": \"r7\"}";
        let file = write("nine.ndjson", &lines);
        let o = run(&[
            "load",
            "nine",
            &file,
            "--skip-lines",
            "6",
            "--node",
            &node,
            "--data-dir",
            &data,
            "--batch-lines",
            "3",
        ]);
        assert!(o.status.success(), "{}", text(&o));
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("loaded 3 documents into nine"),
            "{}",
            text(&o)
        );
        assert_eq!(
            ids_of(&node, &data, "nine"),
            serde_json::json!([9, "r1,r2,r3,r4,r5,r6,r7,r8,r9"])
        );

        // Standard input.
        let o = Command::new(BIN)
            .args(["load", "piped", "-", "--node", &node, "--data-dir", &data])
            .stdin(Stdio::from(std::fs::File::open(&file).unwrap()))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", text(&o));
        assert_eq!(
            ids_of(&node, &data, "piped"),
            serde_json::json!([9, "r1,r2,r3,r4,r5,r6,r7,r8,r9"])
        );

        assert!(terminate(child).success(), "SIGTERM must exit 0");
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn embedded_default_keeps_data_across_restarts() {
    tokio::task::spawn_blocking(|| {
        let base = tempfile::Builder::new()
            .prefix("docfusion-cli")
            .tempdir_in("/tmp")
            .unwrap();
        let data = base.path().join("docfusion-data");
        let http = format!("127.0.0.1:{}", free_port());
        let node = format!("http://{http}");
        let postgres = format!("127.0.0.1:{}", free_port());
        let args = [
            "--data-dir",
            data.to_str().unwrap(),
            "--http",
            &http,
            "--postgres",
            &postgres,
        ];

        let mut child = spawn_serve(&args);
        wait_healthy(&mut child, &node);
        let file = base.path().join("docs.ndjson");
        std::fs::write(&file, "{\"id\": \"a\", \"v\": 1}\n{\"v\": 2}\n").unwrap();
        let data_dir = data.to_str().unwrap();
        let o = run(&[
            "load",
            "things",
            file.to_str().unwrap(),
            "--node",
            &node,
            "--data-dir",
            data_dir,
        ]);
        assert!(o.status.success(), "{}", text(&o));
        // The node reaches the shards beside it over their Unix sockets: its connections
        // to a shard have no client address.
        let shard_dir = data.join("shard-0");
        let socket = std::fs::read_dir(&shard_dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .find(|n| n.starts_with(".s.PGSQL.") && !n.ends_with(".lock"))
            .expect("shard-0 listens on a Unix socket in its directory");
        let port = socket.trim_start_matches(".s.PGSQL.");
        let shard_password = std::fs::read_to_string(data.join("shards.password")).unwrap();
        let o = Command::new("psql")
            .args(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1"])
            .args(["-h", shard_dir.to_str().unwrap(), "-p", port])
            .args(["-U", "docfusion", "-d", "postgres", "-c"])
            .arg(
                "SELECT count(*) FILTER (WHERE client_addr IS NULL) > 0, \
                 count(*) FILTER (WHERE client_addr IS NOT NULL) \
                 FROM pg_stat_activity WHERE application_name = 'docfusiondb'",
            )
            .env("PGPASSWORD", shard_password.trim())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", text(&o));
        assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "t|0");
        assert!(terminate(child).success());
        // The local shards were stopped with the node.
        for i in 0..2 {
            assert!(
                !data.join(format!("shard-{i}/postmaster.pid")).exists(),
                "shard-{i} still running"
            );
        }
        let password = data.join("shards.password");
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(&password).unwrap().permissions(),
        );
        assert_eq!(mode & 0o777, 0o600);

        let mut child = spawn_serve(&args);
        wait_healthy(&mut child, &node);
        let o = run(&[
            "sql",
            "SELECT count(*), sum((doc->>'v')::int) FROM things",
            "--node",
            &node,
            "--data-dir",
            data_dir,
            "--json",
        ]);
        let v: serde_json::Value =
            serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("{}", text(&o)));
        assert_eq!(v["rows"], serde_json::json!([[2, 3]]));
        // The document without an id got a UUIDv7, stored in the document too.
        let o = run(&[
            "sql",
            "SELECT id = doc->>'id', length(id) FROM things WHERE id <> 'a'",
            "--node",
            &node,
            "--data-dir",
            data_dir,
            "--json",
        ]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["rows"], serde_json::json!([[true, 36]]));
        assert!(terminate(child).success());
    })
    .await
    .unwrap();
}

#[test]
fn a_config_error_names_the_key_and_exits_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yaml");
    std::fs::write(&path, "listen:\n  http: not-an-address\n").unwrap();
    let o = run(&["serve", "--config", path.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("listen.http"),
        "{}",
        text(&o)
    );
}

#[test]
fn sql_without_a_node_says_how_to_start_one() {
    let port = free_port();
    let o = run(&[
        "sql",
        "SELECT 1",
        "--node",
        &format!("http://127.0.0.1:{port}"),
    ]);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("docfusiondb serve"),
        "{}",
        text(&o)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_cancels_running_statements_at_the_deadline_and_exits_zero() {
    let shards = start_servers(1).await;
    let dir = tempfile::tempdir().unwrap();
    let http = format!("127.0.0.1:{}", free_port());
    let pg_port = free_port();
    let yaml = format!(
        "listen:\n  http: {http}\n  postgres: 127.0.0.1:{pg_port}\ndata_dir: {}\nshards:\n  - dsn: \"{}\"\nlimits:\n  shutdown_grace_ms: 500\n",
        dir.path().join("data").display(),
        shards[0].dsn()
    );
    let config = dir.path().join("node.yaml");
    std::fs::write(&config, yaml).unwrap();
    let node = format!("http://{http}");
    tokio::task::spawn_blocking(move || {
        let mut child = Command::new(BIN)
            .args(["serve", "--config", config.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_healthy(&mut child, &node);
        // No users configured: the node generated the password of user docfusion.
        let password = std::fs::read_to_string(dir.path().join("data/password")).unwrap();
        let psql = |sql: &str| {
            let mut cmd = Command::new("psql");
            cmd.args(["-X", "-h", "127.0.0.1", "-p", &pg_port.to_string()])
                .args(["-U", "docfusion", "-d", "docfusion", "-c", sql])
                .env("PGPASSWORD", password.trim())
                .env("PGCONNECT_TIMEOUT", "10")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            cmd
        };
        let quick = psql("SELECT 1").output().unwrap();
        assert!(
            quick.status.success(),
            "{}",
            String::from_utf8_lossy(&quick.stderr)
        );
        let long =
            psql("SELECT count(*) FROM generate_series(1, 100000) a(x), generate_series(1, 100000) b(y) WHERE x + y > 0")
                .spawn()
                .unwrap();
        // The signal comes once the statement runs (it would run for minutes).
        let deadline = Instant::now() + Duration::from_secs(30);
        while !http_get(&node, "/metrics")
            .contains("docfusion_statements_running{protocol=\"postgres\"} 1")
        {
            assert!(Instant::now() < deadline, "the long statement never started");
            std::thread::sleep(Duration::from_millis(20));
        }
        let started = Instant::now();
        assert!(terminate(child).success(), "serve exits 0 after SIGTERM");
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the drain ended at its deadline, not when the statement would have"
        );
        let out = long.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success(),
            "{}\n{err}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(
            err.contains("terminating connection due to administrator command"),
            "{err}"
        );
    })
    .await
    .unwrap();
}
