//! Single-document writes over the Postgres protocol: C clients, each with its prepared
//! statements, insert new documents one per statement, then increment a counter in random
//! existing documents one per statement, for a fixed time, on the baseline and on
//! DocFusionDB. Every write must affect exactly one row, and afterwards each side must hold
//! exactly the documents, counter total and versions its clients counted.

use std::fmt::Write;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use docfusion_sample::SplitMix64;
use serde_json::json;
use tokio_postgres::{Client, Statement};

use crate::pointreads::{
    ClientOutcome, LoadShape, SideResult, failure_lines, run_clients, side_rows,
};
use crate::setup::connect;

/// The collection both sides write to.
pub const COLLECTION: &str = "bench_writes";
/// Inserts one document (the same text on both sides).
pub const INSERT_SQL: &str = "INSERT INTO bench_writes (id, doc) VALUES ($1, $2)";
/// Increments one document's counter and its version (the same text on both sides; the
/// node leaves a statement that sets the version itself as it is).
pub const UPDATE_SQL: &str = "UPDATE bench_writes SET doc = jsonb_set(doc, '{n}', to_jsonb((doc->>'n')::int + 1)), version = version + 1 WHERE id = $1";

/// Random stream of the update clients' ids.
const UPDATE_STREAM: u64 = 0x7570_6461_7465_2121; // "update!!"

/// The id of client `client`'s `n`th insert.
fn doc_id(client: usize, n: u64) -> String {
    format!("w{client}-{n}")
}

/// A tokio-postgres error with its SQLSTATE when the server sent one.
fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => e.to_string(),
    }
}

/// `dsn`'s clients (`what` names the server), each with `sql` prepared.
async fn prepared_clients(
    dsn: &str,
    what: &str,
    sql: &str,
    count: usize,
) -> Result<Vec<(Client, Statement)>> {
    let mut clients = Vec::with_capacity(count);
    for _ in 0..count {
        let client = connect(dsn, what).await?;
        let statement = client
            .prepare(sql)
            .await
            .map_err(|e| anyhow::anyhow!(describe(&e)))
            .with_context(|| format!("preparing {sql:?} on {what}"))?;
        clients.push((client, statement));
    }
    Ok(clients)
}

/// Runs `write` (one statement execution, returning rows affected) until `end`, timing
/// those inside the measured window; stops at the first failure or a count other than 1.
async fn write_until<F, Fut>(mut write: F, measure_from: Instant, end: Instant) -> ClientOutcome
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = (String, Result<u64, tokio_postgres::Error>)>,
{
    let mut outcome = ClientOutcome {
        measured: Vec::new(),
        checked: 0,
        failure: None,
    };
    loop {
        let started = Instant::now();
        if started >= end {
            break;
        }
        let (id, result) = write(outcome.checked).await;
        let finished = Instant::now();
        match result {
            Ok(1) => {}
            Ok(n) => {
                outcome.failure = Some(format!("{id}: {n} rows written instead of 1"));
                break;
            }
            Err(e) => {
                outcome.failure = Some(format!("{id}: {}", describe(&e)));
                break;
            }
        }
        outcome.checked += 1;
        if started >= measure_from && finished <= end {
            outcome.measured.push(finished - started);
        }
    }
    outcome
}

/// What one side did and holds afterwards.
#[derive(Debug, Clone)]
pub struct SideWrites {
    /// The INSERT load.
    pub inserts: SideResult,
    /// The UPDATE load.
    pub updates: SideResult,
    /// What the side holds afterwards: (documents, sum of the counters, sum of versions).
    pub holds: (i64, i64, i64),
}

impl SideWrites {
    /// Why what the side holds is not what its clients wrote, if it is not.
    pub fn mismatch(&self) -> Option<String> {
        let inserted = self.inserts.checked_ops as i64;
        let updated = self.updates.checked_ops as i64;
        let expected = (inserted, updated, inserted + updated);
        (self.holds != expected).then(|| {
            format!(
                "holds (documents, counter sum, version sum) = {:?}, its clients wrote {expected:?}",
                self.holds
            )
        })
    }
}

/// Inserts with `shape`, then updates with `shape`, on the server at `dsn` (`what` names
/// it; the collection exists and is empty). `server_roots`: its postmasters, for the CPU.
pub async fn run_writes(
    dsn: &str,
    what: &str,
    shape: LoadShape,
    server_roots: &[u32],
) -> Result<SideWrites> {
    let clients = prepared_clients(dsn, what, INSERT_SQL, shape.clients).await?;
    let inserts = run_clients(
        clients,
        shape,
        server_roots,
        |index, (client, statement), measure_from, end| async move {
            write_until(
                |n| {
                    let id = doc_id(index, n);
                    let doc = json!({"id": id, "n": 0, "name": format!("document {n} of writer {index}"), "tags": ["bench", "write"], "price": 12.5});
                    let (client, statement) = (&client, &statement);
                    async move {
                        let result = client.execute(statement, &[&id, &doc]).await;
                        (id, result)
                    }
                },
                measure_from,
                end,
            )
            .await
        },
    )
    .await;

    let reader = connect(dsn, what).await?;
    let ids: Arc<[String]> = reader
        .query(&format!("SELECT id FROM {COLLECTION}"), &[])
        .await
        .map_err(|e| anyhow::anyhow!(describe(&e)))
        .with_context(|| format!("reading the ids back from {what}"))?
        .iter()
        .map(|r| r.get::<_, String>(0))
        .collect::<Vec<_>>()
        .into();
    if ids.is_empty() {
        bail!("{what}: no document was inserted, nothing to update");
    }
    let clients = prepared_clients(dsn, what, UPDATE_SQL, shape.clients).await?;
    let updates = run_clients(
        clients,
        shape,
        server_roots,
        |index, (client, statement), measure_from, end| {
            let ids = ids.clone();
            let mut rng = SplitMix64::for_item(shape.seed, UPDATE_STREAM, index as u64);
            async move {
                write_until(
                    |_| {
                        let id = ids[rng.below(ids.len() as u64) as usize].clone();
                        let (client, statement) = (&client, &statement);
                        async move {
                            let result = client.execute(statement, &[&id]).await;
                            (id, result)
                        }
                    },
                    measure_from,
                    end,
                )
                .await
            }
        },
    )
    .await;

    let row = reader
        .query_one(
            &format!(
                "SELECT count(*), coalesce(sum((doc->>'n')::bigint), 0)::bigint, coalesce(sum(version), 0)::bigint FROM {COLLECTION}"
            ),
            &[],
        )
        .await
        .map_err(|e| anyhow::anyhow!(describe(&e)))
        .with_context(|| format!("counting what {what} holds"))?;
    Ok(SideWrites {
        inserts,
        updates,
        holds: (row.get(0), row.get(1), row.get(2)),
    })
}

/// Everything the write table shows.
#[derive(Debug, Clone)]
pub struct WriteReport {
    /// DocFusionDB shards.
    pub shards: usize,
    /// The load of each phase on each side.
    pub shape: LoadShape,
    /// The baseline.
    pub postgres: SideWrites,
    /// DocFusionDB.
    pub docfusion: SideWrites,
}

impl WriteReport {
    /// Whether a write failed or a side does not hold what was written.
    pub fn has_failures(&self) -> bool {
        [&self.postgres, &self.docfusion].iter().any(|s| {
            !s.inserts.failures.is_empty()
                || !s.updates.failures.is_empty()
                || s.mismatch().is_some()
        })
    }
}

/// The Markdown table of a write run, with its checks.
pub fn table(report: &WriteReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### Single-document writes: {} shard(s), per statement {}\n",
        report.shards,
        report.shape.summary(),
    );
    let _ = writeln!(
        out,
        "Statements, prepared once per client, the same text on both sides:\n- INSERT: `{INSERT_SQL}`\n- UPDATE (random existing ids): `{UPDATE_SQL}`\n"
    );
    out.push_str(
        "| statement | side | clients | writes/s | p50 ms | p99 ms | writes/s vs PostgreSQL | CPU µs/write: clients+node | CPU µs/write: Postgres | CPU µs/write: total | CPU efficiency vs PostgreSQL | failed clients |\n",
    );
    out.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    let clients = report.shape.clients;
    side_rows(
        &mut out,
        "INSERT | ",
        clients,
        &report.postgres.inserts,
        &report.docfusion.inserts,
    );
    side_rows(
        &mut out,
        "UPDATE | ",
        clients,
        &report.postgres.updates,
        &report.docfusion.updates,
    );
    out.push('\n');
    for (side, s) in [
        ("PostgreSQL", &report.postgres),
        ("DocFusionDB", &report.docfusion),
    ] {
        match s.mismatch() {
            None => {
                let _ = writeln!(
                    out,
                    "Checks, {side}: every write affected one row; it holds the {} documents its clients inserted, its counters sum to the {} updates, its versions to documents + updates.",
                    s.holds.0, s.holds.1
                );
            }
            Some(m) => {
                let _ = writeln!(out, "**FAILED check on {side}**: {m}");
            }
        }
        failure_lines(
            &mut out,
            side,
            s.inserts.failures.iter().chain(&s.updates.failures),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::cpu::CpuUse;

    fn side(ops: u64) -> SideResult {
        SideResult {
            measured_ops: ops,
            checked_ops: ops + 10,
            window: Duration::from_secs(10),
            latency: None,
            failures: Vec::new(),
            cpu: CpuUse::default(),
        }
    }

    #[test]
    fn a_side_must_hold_what_its_clients_wrote() {
        // 110 inserts and 60 updates (warm-up included): 110 documents, counters 60,
        // versions 110 + 60.
        let mut s = SideWrites {
            inserts: side(100),
            updates: side(50),
            holds: (110, 60, 170),
        };
        assert_eq!(s.mismatch(), None);
        s.holds = (110, 59, 169);
        assert!(s.mismatch().unwrap().contains("(110, 59, 169)"));
        let report = WriteReport {
            shards: 2,
            shape: LoadShape {
                clients: 8,
                warm_up: Duration::from_secs(2),
                measured: Duration::from_secs(10),
                seed: 1,
            },
            postgres: SideWrites {
                holds: (110, 60, 170),
                ..s.clone()
            },
            docfusion: s,
        };
        assert!(report.has_failures());
        let t = table(&report);
        assert!(t.contains("| INSERT | PostgreSQL | 8 | 10 |"), "{t}");
        assert!(t.contains("| UPDATE | DocFusionDB | 8 | 5 |"), "{t}");
        assert!(t.contains("**FAILED check on DocFusionDB**"), "{t}");
        assert_eq!(doc_id(3, 7), "w3-7");
    }
}
