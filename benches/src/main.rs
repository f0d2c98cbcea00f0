//! `docfusion-bench`: loads the same generated listings into a plain PostgreSQL and into
//! DocFusionDB (K shards), runs analytic queries on both, checks that they agree, and prints
//! a Markdown table of the timings.

mod cluster;
mod compare;
mod dataset;
mod measure;
mod queries;
mod report;
mod timing;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use clap::Parser;
use docfusion_types::{NodeConfig, ShardConfig};
use docfusiondb::node::Node;
use tokio::io::AsyncWriteExt;
use tokio_postgres::{Client, NoTls};

use crate::cluster::Servers;
use crate::measure::Verdict;
use crate::report::{Machine, SizeReport};

/// Benchmark DocFusionDB against plain PostgreSQL on the same documents and queries.
#[derive(Debug, Parser)]
#[command(name = "docfusion-bench", version)]
struct Args {
    /// Data set sizes (documents), comma-separated; each size is loaded and measured in turn.
    #[arg(long, value_delimiter = ',', num_args = 1.., default_value = "10000,100000")]
    docs: Vec<usize>,
    /// Number of DocFusionDB shards.
    #[arg(long, default_value_t = 2)]
    shards: usize,
    /// Timed runs per query and side (after one warm-up run).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Seed of the generated data set.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Run only this query (repeatable); see the query names in the table.
    #[arg(long = "query", value_name = "NAME")]
    queries: Vec<String>,
    /// Append the Markdown table(s) to this file.
    #[arg(long, value_name = "FILE")]
    markdown_out: Option<PathBuf>,
    /// Print DocFusionDB's EXPLAIN of every query (the SQL each shard runs) to stderr.
    #[arg(long)]
    explain: bool,
}

/// The settings reported for every server (they are the same on all of them).
const REPORTED_SETTINGS: &[&str] = &[
    "shared_buffers",
    "work_mem",
    "effective_cache_size",
    "max_parallel_workers_per_gather",
    "jit",
    "fsync",
    "synchronous_commit",
    "lc_collate",
];

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    // On Ctrl-C the run is dropped, which stops the servers (their Drop) before exiting.
    let outcome = tokio::select! {
        outcome = run(args) => outcome,
        _ = tokio::signal::ctrl_c() => Err(anyhow!("interrupted")),
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!(
                "docfusion-bench: some answers differ or failed (see the table): exit status 1"
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("docfusion-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The command line as typed, for the report.
fn command_line() -> String {
    let args: Vec<String> = std::env::args()
        .map(|a| {
            if a.is_empty() || a.contains(|c: char| c.is_whitespace() || c == '\'') {
                format!("'{}'", a.replace('\'', "'\\''"))
            } else {
                a
            }
        })
        .collect();
    args.join(" ")
}

/// Connects a client to the baseline, its connection driven by a task.
async fn connect(dsn: &str) -> Result<Client> {
    let (client, connection) = tokio_postgres::connect(dsn, NoTls)
        .await
        .context("connecting to the baseline")?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            eprintln!("baseline connection: {e}");
        }
    });
    Ok(client)
}

async fn settings(client: &Client) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for name in REPORTED_SETTINGS {
        let row = client
            .query_one(&format!("SHOW {name}"), &[])
            .await
            .with_context(|| format!("SHOW {name}"))?;
        out.push(((*name).to_string(), row.get::<_, String>(0)));
    }
    Ok(out)
}

/// Runs the whole benchmark; `Ok(false)` when an answer differed or a query failed.
async fn run(args: Args) -> Result<bool> {
    if args.shards == 0 || args.runs == 0 || args.docs.contains(&0) {
        bail!("--shards, --runs and every --docs size must be at least 1");
    }
    let queries = queries::select(&args.queries).map_err(|e| anyhow!(e))?;
    let command_line = command_line();

    let shard_count = args.shards;
    let servers = tokio::task::spawn_blocking(move || Servers::start(shard_count))
        .await
        .context("starting the servers")??;
    eprintln!(
        "servers under {}: baseline {}, shards {}",
        servers.dir().display(),
        servers.baseline.dsn(),
        servers.shard_dsns().join(" | ")
    );
    let baseline = connect(&servers.baseline.dsn()).await?;

    let config = NodeConfig {
        data_dir: servers.dir().join("node"),
        shards: servers
            .shard_dsns()
            .into_iter()
            .map(|dsn| ShardConfig { name: None, dsn })
            .collect(),
        ..NodeConfig::default()
    };
    let node = Node::start(config)
        .await
        .context("starting the DocFusionDB node")?;
    let engine = node.engine().clone();

    let mut machine = Machine::detect().await;
    machine.postgres_version = baseline
        .query_one("SHOW server_version", &[])
        .await
        .context("SHOW server_version")?
        .get::<_, String>(0);
    machine.settings = settings(&baseline).await?;
    let header = report::header(&machine, &command_line);
    let mut markdown = header.clone();
    println!("{header}");

    let mut all_agree = true;
    for &docs in &args.docs {
        eprintln!("generating {docs} listings (seed {})…", args.seed);
        let seed = args.seed;
        let documents = tokio::task::spawn_blocking(move || dataset::generate(seed, docs))
            .await
            .context("generating the documents")?;
        eprintln!("loading the baseline…");
        let baseline_load = dataset::load_baseline(&baseline, &documents).await?;
        eprintln!("loading DocFusionDB ({} shards)…", args.shards);
        let docfusion_load = dataset::load_docfusion(&engine, &documents).await?;
        drop(documents);
        eprintln!("VACUUM ANALYZE…");
        dataset::vacuum_analyze(&baseline, &engine).await?;

        let mut measurements = Vec::with_capacity(queries.len());
        for query in &queries {
            if args.explain {
                eprintln!(
                    "EXPLAIN {}:\n{}\n",
                    query.name,
                    measure::explain(&engine, query.sql).await
                );
            }
            let started = Instant::now();
            let m = measure::measure(*query, &baseline, &engine, args.runs).await;
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
                all_agree = false;
                eprintln!(
                    "\n!!!!! {}: {:?}\n!!!!! SQL: {}\n",
                    query.name, m.verdict, query.sql
                );
            }
            measurements.push(m);
        }
        let table = report::table(&SizeReport {
            docs,
            shards: args.shards,
            runs: args.runs,
            seed: args.seed,
            baseline_load_s: baseline_load.as_secs_f64(),
            docfusion_load_s: docfusion_load.as_secs_f64(),
            measurements,
        });
        println!("{table}");
        markdown.push('\n');
        markdown.push_str(&table);
    }

    if let Some(path) = &args.markdown_out {
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .await
            .with_context(|| format!("opening {}", path.display()))?;
        markdown.push('\n');
        file.write_all(markdown.as_bytes())
            .await
            .with_context(|| format!("writing {}", path.display()))?;
    }

    drop(baseline);
    node.stop().await.context("stopping the node")?;
    tokio::task::spawn_blocking(move || servers.stop())
        .await
        .context("stopping the servers")??;
    Ok(all_agree)
}
