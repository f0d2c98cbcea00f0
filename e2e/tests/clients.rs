//! Real client drivers against the Postgres protocol: each runs the same scenario (password,
//! wrong password, a parameterised JSON query, every type, SQLSTATEs, cancel, timeouts,
//! transactions; see e2e/clients/README.md). `e2e/clients/setup.sh` installs the drivers
//! (pip, npm, Debian packages) on first use; `.ci/run` runs it up front.

mod harness;

use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;

use harness::{DATABASE, PASSWORD, PgHarness, USER};

fn clients_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("clients")
}

/// Runs setup.sh once per test binary; every client test waits for it.
fn setup() {
    static DONE: Mutex<Option<Result<(), String>>> = Mutex::new(None);
    let mut done = DONE.lock().unwrap_or_else(|e| e.into_inner());
    if done.is_none() {
        let out = Command::new("bash")
            .arg(clients_dir().join("setup.sh"))
            .output()
            .expect("bash runs");
        *done = Some(if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "e2e/clients/setup.sh failed:\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        });
    }
    if let Some(Err(e)) = done.as_ref() {
        panic!("{e}");
    }
}

/// Runs `client`'s scenario. `known_failures` are steps the client is known to fail against
/// DocFusionDB, each with the reason; the test fails if such a step starts passing (so that
/// the list stays true) and if any other step fails.
async fn run_client(client: &str, known_failures: &[(&str, &str)]) {
    setup();
    let h = PgHarness::start().await;
    let port = h.port.to_string();
    let client_owned = client.to_string();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("bash")
            .arg(clients_dir().join("run.sh"))
            .arg(&client_owned)
            .env("DFDB_HOST", "127.0.0.1")
            .env("DFDB_PORT", &port)
            .env("DFDB_USER", USER)
            .env("DFDB_PASSWORD", PASSWORD)
            .env("DFDB_DBNAME", DATABASE)
            .output()
            .expect("bash runs")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let failed: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("FAIL "))
        .filter_map(|l| l.split(':').next())
        .collect();
    let known: Vec<&str> = known_failures.iter().map(|(s, _)| *s).collect();
    for step in &failed {
        assert!(
            known.contains(step),
            "{client} failed step {step}:\n{stdout}\n{stderr}"
        );
    }
    for (step, why) in known_failures {
        assert!(
            failed.contains(step),
            "{client} now passes {step} (known failure: {why}); remove it from the list:\n{stdout}"
        );
    }
    assert_eq!(
        out.status.success(),
        failed.is_empty(),
        "{client}: exit status disagrees with the steps:\n{stdout}\n{stderr}"
    );
    for step in [
        "wrong_password",
        "connect",
        "json_query",
        "types",
        "errors",
        "cancel",
        "transaction",
        "session_settings",
    ] {
        if known.contains(&step) {
            continue;
        }
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with(&format!("PASS {step}"))),
            "{client} did not pass step {step}:\n{stdout}\n{stderr}"
        );
    }
    println!("{client}:\n{stdout}");
}

#[tokio::test(flavor = "multi_thread")]
async fn psql() {
    run_client("psql", &[]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn psycopg() {
    run_client("psycopg", &[]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn asyncpg() {
    run_client("asyncpg", &[]).await;
}

/// The text rows of `sql`, sorted (the queries below order only partly).
async fn sorted_rows(client: &tokio_postgres::Client, sql: &str) -> Vec<Vec<Option<String>>> {
    let mut rows: Vec<Vec<Option<String>>> = client
        .simple_query(sql)
        .await
        .unwrap_or_else(|e| panic!("{e:?}\n{sql}"))
        .into_iter()
        .filter_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => {
                Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect())
            }
            _ => None,
        })
        .collect();
    rows.sort();
    rows
}

/// asyncpg's type introspection query (read from the installed driver, both the PG 14+ and
/// the PG 13 form) answers as PostgreSQL 15 does for every type DocFusionDB sends, and
/// describes its columns with types asyncpg decodes itself (else it would introspect the
/// introspection query's own types, forever).
#[tokio::test(flavor = "multi_thread")]
async fn asyncpg_type_introspection_answers_as_postgres() {
    setup();
    let python =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/clients/venv/bin/python");
    let python = std::env::var("DOCFUSION_CLIENTS_DIR")
        .map(|d| PathBuf::from(d).join("venv/bin/python"))
        .unwrap_or(python);
    let h = PgHarness::start().await;
    let ours = h.connect().await;
    let (reference, conn) = tokio_postgres::connect(&h.shards[0].dsn(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);

    // Its basetype subquery follows domains one step here (DataFusion cannot decorrelate
    // the recursive CTE): true only while no domain is based on a domain.
    assert_eq!(
        sorted_rows(
            &ours,
            "SELECT count(*) FROM pg_catalog.pg_type d JOIN pg_catalog.pg_type b \
             ON d.typbasetype = b.oid WHERE d.typtype = 'd' AND b.typtype = 'd'"
        )
        .await,
        vec![vec![Some("0".to_string())]]
    );

    // Arrays of every element type DocFusionDB sends, and those types.
    let oids = "1000,1001,1005,1007,1009,1016,1021,1022,1028,1115,1182,1185,1231,2951,3807,199,\
                16,17,20,21,23,25,114,700,701,1082,1114,1184,1700,2950,3802";
    for name in ["INTRO_LOOKUP_TYPES", "INTRO_LOOKUP_TYPES_13"] {
        let out = Command::new(&python)
            .args([
                "-c",
                &format!("from asyncpg import introspection; print(introspection.{name})"),
            ])
            .output()
            .expect("python runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let query = String::from_utf8(out.stdout).unwrap();
        assert!(query.contains("$1::oid[]"), "{query}");

        let literal = query.replace("$1::oid[]", &format!("'{{{oids}}}'::oid[]"));
        let expected = sorted_rows(&reference, &literal).await;
        assert!(expected.len() > 30, "{expected:?}");
        assert_eq!(sorted_rows(&ours, &literal).await, expected, "{name}");

        // A domain (its oid differs between the servers, so it is left out of the rows).
        let mut domain = Vec::new();
        for client in [&reference, &ours] {
            let oid = sorted_rows(
                client,
                "SELECT oid FROM pg_catalog.pg_type WHERE typname = 'cardinal_number'",
            )
            .await;
            let oid = oid[0][0].clone().unwrap();
            let rows = sorted_rows(
                client,
                &query.replace("$1::oid[]", &format!("'{{{oid}}}'::oid[]")),
            )
            .await;
            domain.push(
                rows.into_iter()
                    .map(|r| r[1..].to_vec())
                    .collect::<Vec<_>>(),
            );
        }
        assert_eq!(domain[1], domain[0], "{name}: a domain");
        assert!(
            domain[0].iter().any(|r| r[3].as_deref() == Some("23")),
            "{domain:?}"
        );

        // As asyncpg sends it: prepared, the oids bound as oid[].
        let statement = ours.prepare(&query).await.unwrap();
        assert_eq!(
            statement.params(),
            &[tokio_postgres::types::Type::OID_ARRAY]
        );
        let types: Vec<(&str, u32)> = statement
            .columns()
            .iter()
            .map(|c| (c.name(), c.type_().oid()))
            .collect();
        for (column, oid) in [
            ("oid", 26),
            ("elemtype", 26),
            ("attrtypoids", 1028),
            ("attrnames", 1009),
        ] {
            assert!(
                types.contains(&(column, oid)),
                "{column} should be {oid}: {types:?}"
            );
        }
        let bound: Vec<u32> = vec![1016, 1009, 3807];
        let rows = ours.query(&statement, &[&bound]).await.unwrap();
        let mut got: Vec<(u32, String, Option<String>)> = rows
            .iter()
            .map(|r| (r.get("oid"), r.get("name"), r.get("elemtype_name")))
            .collect();
        got.sort();
        assert_eq!(
            got,
            vec![
                (20, "int8".into(), Some("-".into())),
                (25, "text".into(), Some("-".into())),
                (1009, "_text".into(), Some("text".into())),
                (1016, "_int8".into(), Some("bigint".into())),
                (3802, "jsonb".into(), Some("-".into())),
                (3807, "_jsonb".into(), Some("jsonb".into())),
            ]
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlalchemy() {
    run_client("sqlalchemy", &[]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn node_pg() {
    run_client("node-pg", &[]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pgjdbc() {
    run_client("pgjdbc", &[]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pgx() {
    run_client("pgx", &[]).await;
}
