//! Running one query on both sides: a warm-up run whose answers are compared, then timed
//! runs alternating between Postgres and DocFusionDB.

use std::time::{Duration, Instant};

use datafusion::execution::context::SessionContext;
use docfusiondb::engine::Engine;
use docfusiondb::render::batches_to_pg_text;
use tokio_postgres::{Client, SimpleQueryMessage};

use crate::compare::{TextRows, first_difference};
use crate::queries::BenchQuery;
use crate::timing::{Summary, summarize};

/// The options every query benchmark binary takes (flattened into its own).
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// Timed runs per query and side (after one warm-up run).
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// Seed of the generated data set.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Run only this query (repeatable); see the query names in the table.
    #[arg(long = "query", value_name = "NAME")]
    pub queries: Vec<String>,
    /// Append the Markdown table(s) to this file.
    #[arg(long, value_name = "FILE")]
    pub markdown_out: Option<std::path::PathBuf>,
    /// Print DocFusionDB's EXPLAIN (the SQL each shard runs) and EXPLAIN ANALYZE of every query
    /// to stderr.
    #[arg(long)]
    pub explain: bool,
}

/// How the two answers to a query relate.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The same rows, in the same order, as text.
    Same,
    /// Both answered, differently: the first difference.
    Mismatch(String),
    /// DocFusionDB failed: its error.
    DocfusionFailed(String),
    /// Postgres failed: its error.
    PostgresFailed(String),
}

impl Verdict {
    /// Whether this verdict must fail the benchmark run.
    pub fn is_failure(&self) -> bool {
        !matches!(self, Verdict::Same)
    }
}

/// What one query measured.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// The query.
    pub query: BenchQuery,
    /// Rows of the answer (Postgres', or DocFusionDB's if Postgres failed).
    pub rows: Option<usize>,
    /// Postgres timings, when it answered.
    pub postgres: Option<Summary>,
    /// DocFusionDB timings, when it answered.
    pub docfusion: Option<Summary>,
    /// Whether the answers agree.
    pub verdict: Verdict,
}

/// Postgres' answer as text, through the simple query protocol (text results).
pub async fn postgres_rows(client: &Client, sql: &str) -> Result<TextRows, String> {
    let messages = client
        .simple_query(sql)
        .await
        .map_err(|e| match e.as_db_error() {
            Some(db) => format!("{}: {}", db.code().code(), db.message()),
            None => e.to_string(),
        })?;
    Ok(messages
        .iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(row) => Some(
                (0..row.len())
                    .map(|i| row.get(i).map(str::to_string))
                    .collect(),
            ),
            _ => None,
        })
        .collect())
}

/// DocFusionDB's answer, in-process in `session`, through the engine HTTP and pgwire use.
/// Returns the time spent in the engine (rendering the text is not timed) and the text.
pub async fn docfusion_rows(
    engine: &Engine,
    session: &SessionContext,
    sql: &str,
) -> Result<(Duration, TextRows), String> {
    let started = Instant::now();
    let out = engine
        .execute(session, sql, &[])
        .await
        .map_err(|e| format!("{}: {}", e.code, e.message))?;
    let elapsed = started.elapsed();
    Ok((elapsed, batches_to_pg_text(&out.batches)))
}

/// Runs `query` once on each side to warm up and compare, then `runs` timed times each;
/// DocFusionDB in a new session.
pub async fn measure(
    query: BenchQuery,
    postgres: &Client,
    engine: &Engine,
    runs: usize,
) -> Measurement {
    measure_in(query, postgres, engine, &engine.session(), runs).await
}

/// [`measure`] with DocFusionDB's runs in `session` (e.g. one with a read consistency).
pub async fn measure_in(
    query: BenchQuery,
    postgres: &Client,
    engine: &Engine,
    session: &SessionContext,
    runs: usize,
) -> Measurement {
    let pg_answer = postgres_rows(postgres, query.sql).await;
    let df_answer = docfusion_rows(engine, session, query.docfusion_sql()).await;
    let rows = match (&pg_answer, &df_answer) {
        (Ok(rows), _) => Some(rows.len()),
        (Err(_), Ok((_, rows))) => Some(rows.len()),
        _ => None,
    };
    let verdict = match (&pg_answer, &df_answer) {
        (Err(e), _) => Verdict::PostgresFailed(e.clone()),
        (Ok(_), Err(e)) => Verdict::DocfusionFailed(e.clone()),
        (Ok(pg), Ok((_, df))) => match first_difference(pg, df) {
            None => Verdict::Same,
            Some(difference) => Verdict::Mismatch(difference),
        },
    };

    let mut pg_times = Vec::with_capacity(runs);
    let mut df_times = Vec::with_capacity(runs);
    for _ in 0..runs {
        if pg_answer.is_ok() {
            let started = Instant::now();
            if postgres_rows(postgres, query.sql).await.is_ok() {
                pg_times.push(started.elapsed());
            }
        }
        if df_answer.is_ok()
            && let Ok((elapsed, _)) = docfusion_rows(engine, session, query.docfusion_sql()).await
        {
            df_times.push(elapsed);
        }
    }
    Measurement {
        query,
        rows,
        postgres: summarize(&pg_times),
        docfusion: summarize(&df_times),
        verdict,
    }
}

/// [`measure_in`], saying on stderr how it went (with DocFusionDB's `EXPLAIN` and `EXPLAIN
/// ANALYZE` first when `explain`), and the SQL of both sides when the answers differ or a side failed.
pub async fn measure_and_show(
    query: BenchQuery,
    postgres: &Client,
    engine: &Engine,
    session: &SessionContext,
    runs: usize,
    explain: bool,
) -> Measurement {
    if explain {
        eprintln!(
            "EXPLAIN {}:\n{}\n",
            query.name,
            explain_in(engine, session, query.docfusion_sql()).await
        );
        let analyze = format!("ANALYZE {}", query.docfusion_sql());
        eprintln!(
            "EXPLAIN ANALYZE {}:\n{}\n",
            query.name,
            explain_in(engine, session, &analyze).await
        );
    }
    let started = Instant::now();
    let m = measure_in(query, postgres, engine, session, runs).await;
    eprintln!(
        "{:>22}  {:>7.1?}  {}",
        query.name,
        started.elapsed(),
        match &m.verdict {
            Verdict::Same => "same answer".to_string(),
            other => format!("{other:?}"),
        }
    );
    if m.verdict.is_failure() {
        eprintln!(
            "\n!!!!! {}: {:?}\n!!!!! Postgres SQL: {}\n!!!!! DocFusionDB SQL: {}\n",
            query.name,
            m.verdict,
            query.sql,
            query.docfusion_sql()
        );
    }
    m
}

/// DocFusionDB's `EXPLAIN` of `sql` as lines of text (the SQL each shard runs included).
pub async fn explain(engine: &Engine, sql: &str) -> String {
    explain_in(engine, &engine.session(), sql).await
}

/// [`explain`] in `session`.
pub async fn explain_in(engine: &Engine, session: &SessionContext, sql: &str) -> String {
    match engine
        .execute(session, &format!("EXPLAIN {sql}"), &[])
        .await
    {
        Ok(out) => batches_to_pg_text(&out.batches)
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .map(Option::unwrap_or_default)
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Err(e) => format!("EXPLAIN failed: {}: {}", e.code, e.message),
    }
}
