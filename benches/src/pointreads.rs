//! Point reads by id over the Postgres protocol: C clients, each with one prepared
//! `SELECT doc FROM listings WHERE id = $1`, read uniformly random ids for a fixed time;
//! every answer is checked (one row, the listing asked for). The same load runs against the
//! baseline and against DocFusionDB's wire server, and the report puts the two side by side.

use crate::cpu::{CpuMark, CpuUse};
use std::error::Error;
use std::fmt::Write;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use docfusion_sample::SplitMix64;
use futures::future::join_all;
use tokio_postgres::types::{FromSql, Type};
use tokio_postgres::{Client, Row, Statement};

use crate::setup::connect;

/// The statement every client prepares once, the same text on both sides.
pub const POINT_READ_SQL: &str = "SELECT doc FROM listings WHERE id = $1";

/// Random streams of [`SplitMix64::for_item`]: one per client for the load, one for the
/// answer comparison.
const CLIENT_STREAM: u64 = 0x706f_696e_7472_6464; // "pointrdd"
const COMPARE_STREAM: u64 = 0x636f_6d70_6172_6521; // "compare!"

/// How hard and how long each side is read.
#[derive(Debug, Clone, Copy)]
pub struct LoadShape {
    /// Concurrent clients, each with its own connection.
    pub clients: usize,
    /// Reads before the measured window (checked, not counted).
    pub warm_up: Duration,
    /// The measured window.
    pub measured: Duration,
    /// Seed of the clients' id sequences.
    pub seed: u64,
}

impl LoadShape {
    /// `8 clients, 10 s measured after 2 s warm-up (seed 1)`, for report headings.
    pub fn summary(&self) -> String {
        format!(
            "{} clients, {:.0} s measured after {:.0} s warm-up (seed {})",
            self.clients,
            self.measured.as_secs_f64(),
            self.warm_up.as_secs_f64(),
            self.seed
        )
    }
}

/// The command-line options that make a [`LoadShape`] (flattened into each load binary).
#[derive(Debug, Clone, clap::Args)]
pub struct LoadArgs {
    /// Concurrent clients per side, each with its own connection.
    #[arg(long, default_value_t = 8)]
    pub clients: usize,
    /// Measured seconds per side (and statement).
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// Warm-up seconds per side (and statement) before the measured window.
    #[arg(long, default_value_t = 2.0)]
    pub warm_up: f64,
    /// Seed of the data set and of the clients' ids.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

impl LoadArgs {
    /// The load these options ask for; an error names an option that is not usable.
    pub fn shape(&self) -> Result<LoadShape> {
        if self.clients == 0 {
            bail!("--clients must be at least 1");
        }
        let seconds = |value: f64, option: &str| {
            Duration::try_from_secs_f64(value)
                .ok()
                .filter(|d| !d.is_zero())
                .with_context(|| {
                    format!("{option} must be a positive number of seconds, not {value}")
                })
        };
        Ok(LoadShape {
            clients: self.clients,
            warm_up: seconds(self.warm_up, "--warm-up")?,
            measured: seconds(self.seconds, "--seconds")?,
            seed: self.seed,
        })
    }
}

/// Median and 99th percentile of the per-read latencies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Latency {
    /// Median, in milliseconds.
    pub p50_ms: f64,
    /// 99th percentile, in milliseconds.
    pub p99_ms: f64,
}

/// What one side answered under [`LoadShape`].
#[derive(Debug, Clone)]
pub struct SideResult {
    /// Reads that started and ended inside the measured window.
    pub measured_ops: u64,
    /// Every read that was answered and checked, warm-up included.
    pub checked_ops: u64,
    /// The measured window.
    pub window: Duration,
    /// Latencies of the measured reads; `None` when there were none.
    pub latency: Option<Latency>,
    /// One message per client that stopped on a failed or wrong answer.
    pub failures: Vec<String>,
    /// CPU used during the measured window (this process, the side's servers).
    pub cpu: CpuUse,
}

impl SideResult {
    /// Microseconds of CPU per measured read: (this process, the servers, both).
    pub fn cpu_us_per_op(&self) -> Option<(f64, f64, f64)> {
        (self.measured_ops > 0).then(|| {
            let per = |d: Duration| d.as_secs_f64() * 1e6 / self.measured_ops as f64;
            let (h, s) = (per(self.cpu.harness), per(self.cpu.servers));
            (h, s, h + s)
        })
    }

    /// Measured reads per second.
    pub fn ops_per_second(&self) -> f64 {
        let seconds = self.window.as_secs_f64();
        if seconds > 0.0 {
            self.measured_ops as f64 / seconds
        } else {
            0.0
        }
    }
}

/// The `q`-quantile (0 < q ≤ 1) of ascending `sorted` by the nearest-rank method: the
/// smallest sample with at least `q` of the samples at or below it.
fn nearest_rank(sorted: &[Duration], q: f64) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// The median and 99th percentile of `samples`; `None` when empty.
pub fn latency(mut samples: Vec<Duration>) -> Option<Latency> {
    samples.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1_000.0;
    Some(Latency {
        p50_ms: ms(nearest_rank(&samples, 0.50)?),
        p99_ms: ms(nearest_rank(&samples, 0.99)?),
    })
}

/// Whether `doc`, a document as Postgres prints jsonb, is the listing `id` (its top-level
/// `"id"` is that string; nested objects' ids are numbers, so they cannot match).
pub fn is_listing(doc: &str, id: &str) -> bool {
    doc.match_indices("\"id\": \"").any(|(at, key)| {
        doc[at + key.len()..]
            .strip_prefix(id)
            .is_some_and(|rest| rest.starts_with('"'))
    })
}

/// A jsonb (or json/text) value as its text, borrowed from the row; jsonb's binary form is a
/// version byte followed by the text.
struct DocText<'a>(&'a str);

impl<'a> FromSql<'a> for DocText<'a> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn Error + Sync + Send>> {
        let text = if *ty == Type::JSONB {
            match raw.split_first() {
                Some((1, text)) => text,
                _ => return Err("a jsonb value that is not version 1".into()),
            }
        } else {
            raw
        };
        Ok(DocText(std::str::from_utf8(text)?))
    }

    fn accepts(ty: &Type) -> bool {
        matches!(*ty, Type::JSONB | Type::JSON | Type::TEXT)
    }
}

/// The one document of a point read's answer, or why the answer is wrong.
fn single_doc<'r>(rows: &'r [Row], id: &str) -> Result<&'r str, String> {
    let [row] = rows else {
        return Err(format!("{id}: {} rows instead of 1", rows.len()));
    };
    match row.try_get::<_, Option<DocText<'r>>>(0) {
        Ok(Some(DocText(doc))) => Ok(doc),
        Ok(None) => Err(format!("{id}: the document is NULL")),
        Err(e) => Err(format!("{id}: reading the document: {e}")),
    }
}

/// A tokio-postgres error with its SQLSTATE when the server sent one.
fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => e.to_string(),
    }
}

/// Connects to `dsn` and prepares [`POINT_READ_SQL`].
async fn prepared_client(dsn: &str, what: &str) -> Result<(Client, Statement)> {
    let client = connect(dsn, what).await?;
    let statement = client
        .prepare(POINT_READ_SQL)
        .await
        .map_err(|e| anyhow::anyhow!(describe(&e)))
        .with_context(|| format!("preparing {POINT_READ_SQL:?} on {what}"))?;
    Ok((client, statement))
}

/// What one client did.
pub struct ClientOutcome {
    /// Latencies of the operations that started at or after the measured window's start
    /// and ended by its end.
    pub measured: Vec<Duration>,
    /// Every operation answered and checked, warm-up included.
    pub checked: u64,
    /// Why the client stopped early (a failed or wrong answer), if it did.
    pub failure: Option<String>,
}

/// One client's loop: reads random ids until `end`, recording the latency of the reads that
/// start at or after `measure_from` and end by `end`; stops at the first wrong answer.
async fn read_until(
    client: Client,
    statement: Statement,
    ids: Arc<[String]>,
    mut rng: SplitMix64,
    measure_from: Instant,
    end: Instant,
) -> ClientOutcome {
    let mut outcome = ClientOutcome {
        measured: Vec::new(),
        checked: 0,
        failure: None,
    };
    let id_count = ids.len() as u64;
    loop {
        let id = &ids[rng.below(id_count) as usize];
        let started = Instant::now();
        if started >= end {
            break;
        }
        let answer = client.query(&statement, &[id]).await;
        let finished = Instant::now();
        let checked = match &answer {
            Ok(rows) => single_doc(rows, id).and_then(|doc| {
                if is_listing(doc, id) {
                    Ok(())
                } else {
                    Err(format!("{id}: answered with another document"))
                }
            }),
            Err(e) => Err(format!("{id}: {}", describe(e))),
        };
        if let Err(failure) = checked {
            outcome.failure = Some(failure);
            break;
        }
        outcome.checked += 1;
        if started >= measure_from && finished <= end {
            outcome.measured.push(finished - started);
        }
    }
    outcome
}

/// Runs `shape` against the server at `dsn` (`what` names it in errors): every client
/// connects and prepares first, then all read `ids` for the warm-up and the measured window.
/// A server that cannot be reached or refuses the statement is an error; wrong answers are
/// [`SideResult::failures`].
/// `server_roots` are the postmaster pids of the side's servers, whose CPU is accounted.
pub async fn run_point_reads(
    dsn: &str,
    what: &str,
    ids: Arc<[String]>,
    shape: LoadShape,
    server_roots: &[u32],
) -> Result<SideResult> {
    if ids.is_empty() || shape.clients == 0 {
        bail!("point reads need at least one id and one client");
    }
    let mut clients = Vec::with_capacity(shape.clients);
    for _ in 0..shape.clients {
        clients.push(prepared_client(dsn, what).await?);
    }
    Ok(run_clients(
        clients,
        shape,
        server_roots,
        |index, (client, statement), measure_from, end| {
            let rng = SplitMix64::for_item(shape.seed, CLIENT_STREAM, index as u64);
            read_until(client, statement, ids.clone(), rng, measure_from, end)
        },
    )
    .await)
}

/// Runs one task per client of `clients` under `shape`: `work(index, client, measure_from,
/// end)` works until `end`, timing what it does between `measure_from` and `end`. Measures
/// the CPU of this process and of the servers `server_roots` (postmaster pids) during the
/// measured window, and gathers what the clients did.
pub async fn run_clients<C, F, Fut>(
    clients: Vec<C>,
    shape: LoadShape,
    server_roots: &[u32],
    work: F,
) -> SideResult
where
    F: Fn(usize, C, Instant, Instant) -> Fut,
    Fut: Future<Output = ClientOutcome> + Send + 'static,
{
    let measure_from = Instant::now() + shape.warm_up;
    let end = measure_from + shape.measured;
    let roots = server_roots.to_vec();
    let cpu_sampler = tokio::spawn(async move {
        let mark = |roots: Vec<u32>| async move {
            tokio::task::spawn_blocking(move || CpuMark::now(&roots))
                .await
                .ok()
        };
        tokio::time::sleep_until(measure_from.into()).await;
        let start = mark(roots.clone()).await;
        tokio::time::sleep_until(end.into()).await;
        let stop = mark(roots).await;
        start.zip(stop).map(|(a, b)| a.until(b)).unwrap_or_default()
    });
    let tasks = clients
        .into_iter()
        .enumerate()
        .map(|(index, client)| tokio::spawn(work(index, client, measure_from, end)));
    let mut result = SideResult {
        measured_ops: 0,
        checked_ops: 0,
        window: shape.measured,
        latency: None,
        failures: Vec::new(),
        cpu: CpuUse::default(),
    };
    let mut samples = Vec::new();
    for (index, joined) in join_all(tasks).await.into_iter().enumerate() {
        match joined {
            Ok(outcome) => {
                result.checked_ops += outcome.checked;
                samples.extend(outcome.measured);
                if let Some(failure) = outcome.failure {
                    result.failures.push(format!("client {index}: {failure}"));
                }
            }
            Err(e) => result.failures.push(format!("client {index}: {e}")),
        }
    }
    result.measured_ops = samples.len() as u64;
    result.latency = latency(samples);
    result.cpu = cpu_sampler.await.unwrap_or_default();
    result
}

/// The outcome of comparing the two sides' documents.
#[derive(Debug, Clone)]
pub struct DocComparison {
    /// Ids compared.
    pub checked: usize,
    /// One message per id whose answers differ.
    pub differences: Vec<String>,
}

/// The document of `id` through `statement`, or why there is not exactly one.
async fn read_doc(client: &Client, statement: &Statement, id: &str) -> Result<String, String> {
    let rows = client
        .query(statement, &[&id])
        .await
        .map_err(|e| describe(&e))?;
    single_doc(&rows, id).map(str::to_string)
}

/// Reads `count` random ids (seeded by `seed`) from both servers with the prepared point
/// read and compares the documents' text.
pub async fn compare_docs(
    postgres_dsn: &str,
    docfusion_dsn: &str,
    ids: &[String],
    count: usize,
    seed: u64,
) -> Result<DocComparison> {
    if ids.is_empty() {
        bail!("no ids to compare");
    }
    let (postgres, pg_statement) = prepared_client(postgres_dsn, "the baseline").await?;
    let (docfusion, df_statement) = prepared_client(docfusion_dsn, "DocFusionDB").await?;
    let mut rng = SplitMix64::for_item(seed, COMPARE_STREAM, 0);
    let mut differences = Vec::new();
    for _ in 0..count {
        let id = &ids[rng.below(ids.len() as u64) as usize];
        let pg = read_doc(&postgres, &pg_statement, id).await;
        let df = read_doc(&docfusion, &df_statement, id).await;
        match (pg, df) {
            (Ok(pg), Ok(df)) if pg == df => {}
            (Ok(pg), Ok(df)) => differences.push(format!(
                "{id}: the documents differ (Postgres {} bytes, DocFusionDB {} bytes)",
                pg.len(),
                df.len()
            )),
            (Err(e), _) => differences.push(format!("Postgres: {e}")),
            (_, Err(e)) => differences.push(format!("DocFusionDB: {e}")),
        }
    }
    Ok(DocComparison {
        checked: count,
        differences,
    })
}

/// One round of a run: each side's measured window, back to back.
#[derive(Debug, Clone)]
pub struct Round {
    /// The baseline's result.
    pub postgres: SideResult,
    /// DocFusionDB's result.
    pub docfusion: SideResult,
}

/// DocFusionDB's operations per second over the baseline's: 1 means the same rate.
pub fn rate_ratio(postgres: &SideResult, docfusion: &SideResult) -> Option<f64> {
    let pg = postgres.ops_per_second();
    (pg > 0.0).then(|| docfusion.ops_per_second() / pg)
}

/// The baseline's CPU per operation over DocFusionDB's: the rate ratio the two would reach
/// on a machine of their own.
pub fn cpu_efficiency(postgres: &SideResult, docfusion: &SideResult) -> Option<f64> {
    match (postgres.cpu_us_per_op(), docfusion.cpu_us_per_op()) {
        (Some((_, _, pg)), Some((_, _, df))) if df > 0.0 => Some(pg / df),
        _ => None,
    }
}

/// A ratio with two decimals, or `—` when there is none.
fn two_places(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_string(), |v| format!("{v:.2}"))
}

impl Round {
    /// DocFusionDB's reads per second over the baseline's: 1 means the same rate.
    pub fn ratio(&self) -> Option<f64> {
        rate_ratio(&self.postgres, &self.docfusion)
    }

    /// The baseline's CPU per read over DocFusionDB's.
    pub fn cpu_efficiency(&self) -> Option<f64> {
        cpu_efficiency(&self.postgres, &self.docfusion)
    }
}

/// The median of `values` (the mean of the middle two for an even count); `None` when
/// empty.
pub fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

/// Everything the point-read table shows.
#[derive(Debug, Clone)]
pub struct PointReadReport {
    /// Documents loaded.
    pub docs: u64,
    /// DocFusionDB shards.
    pub shards: usize,
    /// How the node reaches them (`loopback TCP`, `Unix sockets`).
    pub shard_link: &'static str,
    /// The node's `limits.point_read_concurrency`.
    pub point_read_concurrency: usize,
    /// DocFusionDB's reads per query its shards answered, warm-up included (concurrent
    /// reads are batched); `None` when none was sent.
    pub reads_per_shard_query: Option<f64>,
    /// The load each side got in each round.
    pub shape: LoadShape,
    /// Seconds to load the baseline.
    pub baseline_load_s: f64,
    /// Seconds to load DocFusionDB.
    pub docfusion_load_s: f64,
    /// The rounds, in the order they ran (the sides alternate which goes first).
    pub rounds: Vec<Round>,
    /// The document comparison.
    pub comparison: DocComparison,
}

impl PointReadReport {
    /// The median over the rounds of DocFusionDB's rate over the baseline's.
    pub fn ratio(&self) -> Option<f64> {
        median(self.rounds.iter().filter_map(Round::ratio).collect())
    }

    /// The median over the rounds of the CPU efficiency.
    pub fn cpu_efficiency(&self) -> Option<f64> {
        median(
            self.rounds
                .iter()
                .filter_map(Round::cpu_efficiency)
                .collect(),
        )
    }

    /// Whether any read failed or any document differed.
    pub fn has_failures(&self) -> bool {
        self.rounds
            .iter()
            .any(|r| !r.postgres.failures.is_empty() || !r.docfusion.failures.is_empty())
            || !self.comparison.differences.is_empty()
    }
}

fn ms(latency: Option<Latency>, pick: fn(&Latency) -> f64) -> String {
    latency.map_or_else(|| "—".to_string(), |l| format!("{:.3}", pick(&l)))
}

/// Two rows of a comparison table, PostgreSQL's then DocFusionDB's: `lead` (cells ending
/// in `|`, or empty) then side, clients, rate, p50, p99, rate ratio, CPU per operation
/// (clients+node, Postgres servers, total), CPU-efficiency ratio, failed clients.
pub fn side_rows(
    out: &mut String,
    lead: &str,
    clients: usize,
    postgres: &SideResult,
    docfusion: &SideResult,
) {
    let cpu_ratio = two_places(cpu_efficiency(postgres, docfusion));
    let ratio = two_places(rate_ratio(postgres, docfusion));
    for (side, result, ratio, cpu_ratio) in [
        (
            "PostgreSQL",
            postgres,
            "1.00".to_string(),
            "1.00".to_string(),
        ),
        ("DocFusionDB", docfusion, ratio, cpu_ratio),
    ] {
        let (harness, servers, total) = result.cpu_us_per_op().map_or_else(
            || ("—".to_string(), "—".to_string(), "—".to_string()),
            |(h, s, t)| (format!("{h:.1}"), format!("{s:.1}"), format!("{t:.1}")),
        );
        let _ = writeln!(
            out,
            "| {lead}{side} | {clients} | {:.0} | {} | {} | {ratio} | {harness} | {servers} | {total} | {cpu_ratio} | {} |",
            result.ops_per_second(),
            ms(result.latency, |l| l.p50_ms),
            ms(result.latency, |l| l.p99_ms),
            result.failures.len(),
        );
    }
}

/// The Markdown table of a point-read run, with its load and answer check.
pub fn table(report: &PointReadReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### Point reads: {} documents, {} shard(s) over {}, {}, {} round(s) per side\n",
        report.docs,
        report.shards,
        report.shard_link,
        report.shape.summary(),
        report.rounds.len(),
    );
    let _ = writeln!(
        out,
        "Load: Postgres {:.1} s, DocFusionDB {:.1} s. Statement: `{POINT_READ_SQL}` (prepared once per client).\n",
        report.baseline_load_s, report.docfusion_load_s
    );
    let batching = report.reads_per_shard_query.map_or_else(
        || "no shard query was sent".to_string(),
        |r| format!("{r:.2} reads per shard query"),
    );
    let _ = writeln!(
        out,
        "DocFusionDB point-read concurrency per shard: {} ({batching}).\n",
        report.point_read_concurrency
    );
    out.push_str(
        "| round | side | clients | reads/s | p50 ms | p99 ms | reads/s vs PostgreSQL | CPU µs/read: clients+node | CPU µs/read: Postgres | CPU µs/read: total | CPU efficiency vs PostgreSQL | failed clients |\n",
    );
    out.push_str("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (i, round) in report.rounds.iter().enumerate() {
        side_rows(
            &mut out,
            &format!("{} | ", i + 1),
            report.shape.clients,
            &round.postgres,
            &round.docfusion,
        );
    }
    let each = |pick: fn(&Round) -> Option<f64>| {
        report
            .rounds
            .iter()
            .map(|r| two_places(pick(r)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(
        out,
        "\nMedian over {} round(s): **reads/s vs PostgreSQL {}** (each round: {}), CPU efficiency vs PostgreSQL {} (each round: {}).",
        report.rounds.len(),
        two_places(report.ratio()),
        each(Round::ratio),
        two_places(report.cpu_efficiency()),
        each(Round::cpu_efficiency),
    );
    let compared = &report.comparison;
    if compared.differences.is_empty() {
        let _ = writeln!(
            out,
            "\nAnswers: every read returned one row holding the listing asked for; for {} random ids DocFusionDB's document text equals Postgres'.",
            compared.checked
        );
    } else {
        let _ = writeln!(
            out,
            "\nAnswers: **{} of {} compared ids differ**; first: {}",
            compared.differences.len(),
            compared.checked,
            compared.differences[0].replace('|', "\\|")
        );
    }
    for round in &report.rounds {
        failure_lines(&mut out, "PostgreSQL", &round.postgres.failures);
        failure_lines(&mut out, "DocFusionDB", &round.docfusion.failures);
    }
    out
}

/// One Markdown paragraph per failure of `side`.
pub fn failure_lines<'a>(
    out: &mut String,
    side: &str,
    failures: impl IntoIterator<Item = &'a String>,
) {
    for failure in failures {
        let _ = writeln!(
            out,
            "\n**FAILED on {side}**: {}",
            failure.replace('|', "\\|")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|v| Duration::from_millis(*v)).collect()
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        // 1..=100 ms: the median is the 50th sample, p99 the 99th.
        let samples: Vec<u64> = (1..=100).rev().collect();
        let l = latency(ms(&samples)).unwrap();
        assert_eq!((l.p50_ms, l.p99_ms), (50.0, 99.0));
        let l = latency(ms(&[7])).unwrap();
        assert_eq!((l.p50_ms, l.p99_ms), (7.0, 7.0));
        // Three samples: ranks ceil(1.5) = 2 and ceil(2.97) = 3.
        let l = latency(ms(&[30, 10, 20])).unwrap();
        assert_eq!((l.p50_ms, l.p99_ms), (20.0, 30.0));
        assert_eq!(latency(Vec::new()), None);
    }

    #[test]
    fn recognizes_the_listing_asked_for() {
        let doc = r#"{"id": "lst-000012", "host": {"id": 3, "name": "Zoë"}, "name": "Loft"}"#;
        assert!(is_listing(doc, "lst-000012"));
        assert!(!is_listing(doc, "lst-00001"));
        assert!(!is_listing(doc, "lst-000013"));
        assert!(!is_listing(r#"{"name": "lst-000012"}"#, "lst-000012"));
        // Another document that merely mentions the id in a string value.
        assert!(!is_listing(
            r#"{"id": "lst-000013", "note": "see \"lst-000012\""}"#,
            "lst-000012"
        ));
    }

    fn side(measured_ops: u64, failures: Vec<String>) -> SideResult {
        SideResult {
            measured_ops,
            checked_ops: measured_ops,
            window: Duration::from_secs(10),
            latency: Some(Latency {
                p50_ms: 0.25,
                p99_ms: 1.5,
            }),
            failures,
            cpu: CpuUse {
                harness: Duration::from_millis(measured_ops / 20),
                servers: Duration::from_millis(measured_ops / 40),
            },
        }
    }

    fn report(rounds: Vec<(SideResult, SideResult)>) -> PointReadReport {
        PointReadReport {
            docs: 1000,
            shards: 2,
            shard_link: "loopback TCP",
            point_read_concurrency: 2,
            reads_per_shard_query: Some(1.5),
            shape: LoadShape {
                clients: 8,
                warm_up: Duration::from_secs(2),
                measured: Duration::from_secs(10),
                seed: 1,
            },
            baseline_load_s: 1.0,
            docfusion_load_s: 2.0,
            rounds: rounds
                .into_iter()
                .map(|(postgres, docfusion)| Round {
                    postgres,
                    docfusion,
                })
                .collect(),
            comparison: DocComparison {
                checked: 100,
                differences: Vec::new(),
            },
        }
    }

    #[test]
    fn table_shows_rates_and_the_ratio() {
        let r = report(vec![(side(200_000, Vec::new()), side(50_000, Vec::new()))]);
        assert_eq!(r.ratio(), Some(0.25));
        assert_eq!(r.cpu_efficiency(), Some(1.0));
        assert!(!r.has_failures());
        let t = table(&r);
        assert!(
            t.contains(
                "| 1 | PostgreSQL | 8 | 20000 | 0.250 | 1.500 | 1.00 | 50.0 | 25.0 | 75.0 | 1.00 | 0 |"
            ),
            "{t}"
        );
        assert!(
            t.contains(
                "| 1 | DocFusionDB | 8 | 5000 | 0.250 | 1.500 | 0.25 | 50.0 | 25.0 | 75.0 | 1.00 | 0 |"
            ),
            "{t}"
        );
    }

    #[test]
    fn several_rounds_report_each_ratio_and_their_median() {
        let mut slow = side(40_000, Vec::new());
        // This round's DocFusionDB spent twice the CPU per read.
        slow.cpu.harness *= 2;
        slow.cpu.servers *= 2;
        let r = report(vec![
            (side(100_000, Vec::new()), side(60_000, Vec::new())),
            (side(100_000, Vec::new()), slow),
            (side(100_000, Vec::new()), side(70_000, Vec::new())),
        ]);
        let ratio = r.ratio().unwrap();
        assert!((ratio - 0.6).abs() < 1e-9, "{ratio}");
        assert_eq!(r.cpu_efficiency(), Some(1.0));
        let t = table(&r);
        assert!(t.contains("(seed 1), 3 round(s) per side\n"), "{t}");
        assert!(t.contains("| 3 | DocFusionDB | 8 | 7000 |"), "{t}");
        assert!(
            t.contains(
                "Median over 3 round(s): **reads/s vs PostgreSQL 0.60** (each round: 0.60, 0.40, 0.70), CPU efficiency vs PostgreSQL 1.00 (each round: 1.00, 0.50, 1.00)."
            ),
            "{t}"
        );
        assert_eq!(median(vec![3.0, 1.0]), Some(2.0));
        assert_eq!(median(Vec::new()), None);
    }

    #[test]
    fn failures_and_differences_show_and_fail_the_run() {
        let mut r = report(vec![
            (side(10, Vec::new()), side(10, Vec::new())),
            (
                side(10, Vec::new()),
                side(5, vec!["client 3: lst-000001: 0 rows instead of 1".into()]),
            ),
        ]);
        assert!(r.has_failures());
        let t = table(&r);
        assert!(
            t.contains("**FAILED on DocFusionDB**: client 3: lst-000001: 0 rows instead of 1"),
            "{t}"
        );
        r.rounds[1].docfusion.failures.clear();
        assert!(!r.has_failures());
        r.comparison.differences.push("lst-000002: differ".into());
        assert!(r.has_failures());
        assert!(table(&r).contains("**1 of 100 compared ids differ**"));
    }
}
