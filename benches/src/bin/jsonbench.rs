//! `docfusion-jsonbench`: JSONBench's analytic queries (and our own) over the same generated
//! Bluesky events in a plain PostgreSQL and in DocFusionDB, on the shard pushdown path and
//! on the columnar replica; then write-to-visible latency under a steady write load and the
//! replica's memory against the table's size.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};
use clap::Parser;
use docfusion_benches::cluster::Servers;
use docfusion_benches::jsonbench::{self, ANALYTIC_QUERIES, JSONBENCH_QUERIES, Options};
use docfusion_benches::measure::RunArgs;
use docfusion_benches::{exit, queries, report, setup};

/// JSONBench-shaped analytic queries, DocFusionDB (pushdown and replica) against PostgreSQL.
#[derive(Debug, Parser)]
#[command(name = "docfusion-jsonbench", version)]
struct Args {
    /// Data set sizes (events), comma-separated; each size is loaded and measured in turn.
    #[arg(long, value_delimiter = ',', num_args = 1.., default_value = "100000,1000000")]
    docs: Vec<u64>,
    /// Number of DocFusionDB shards.
    #[arg(long, default_value_t = 2)]
    shards: usize,
    #[command(flatten)]
    run: RunArgs,
    /// Writes per second of the write load (0: no write load).
    #[arg(long, default_value_t = 500)]
    write_rate: u32,
    /// Seconds the write load runs.
    #[arg(long, default_value_t = 30)]
    write_seconds: u64,
    /// Connections the write load is spread over.
    #[arg(long, default_value_t = 4)]
    writers: usize,
    /// The replica's `poll_interval_ms` (the node's default is 200).
    #[arg(long, default_value_t = 200)]
    poll_interval_ms: u64,
    /// The replica's `memory_budget_mb` (large, so that the replica serves at every size).
    #[arg(long, default_value_t = 16_384)]
    memory_budget_mb: u64,
    /// Longest wait, in seconds, for the replica to be ready.
    #[arg(long, default_value_t = 3_600)]
    ready_timeout_s: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    exit::run_to_exit(
        "docfusion-jsonbench",
        "some answers differ or failed, or the write load found a fault (see the report)",
        run(args),
    )
    .await
}

async fn run(args: Args) -> Result<bool> {
    if args.shards == 0 || args.run.runs == 0 || args.docs.contains(&0) {
        bail!("--shards, --runs and every --docs size must be at least 1");
    }
    let all: Vec<_> = JSONBENCH_QUERIES
        .iter()
        .chain(ANALYTIC_QUERIES)
        .copied()
        .collect();
    let selected = queries::select_from(&all, &args.run.queries).map_err(|e| anyhow!(e))?;
    let command_line = report::command_line();

    let servers = Servers::launch(args.shards, false).await?;
    let baseline = setup::connect(&servers.baseline.dsn(), "the baseline").await?;
    let machine = setup::machine(&baseline).await?;
    let mut markdown = report::header(&machine, &command_line);
    println!("{markdown}");

    let mut all_good = true;
    for &docs in &args.docs {
        let options = Options {
            docs,
            seed: args.run.seed,
            runs: args.run.runs,
            queries: selected.clone(),
            write_rate: args.write_rate,
            write_duration: Duration::from_secs(args.write_seconds),
            writers: args.writers,
            poll_interval_ms: args.poll_interval_ms,
            memory_budget_mb: args.memory_budget_mb,
            ready_timeout: Duration::from_secs(args.ready_timeout_s),
            explain: args.run.explain,
        };
        let load_before = jsonbench::load_average().await;
        eprintln!(
            "{docs} events (seed {}), load average {load_before}",
            args.run.seed
        );
        let result =
            jsonbench::run_size(&baseline, &servers.shard_dsns(), servers.dir(), &options).await?;
        let load_after = jsonbench::load_average().await;
        all_good &= !result.has_failures();
        let mut table = jsonbench::table(&result, args.shards, args.run.runs, args.run.seed);
        table.push_str(&format!(
            "- Load average (1, 5, 15 min) at the start of this size: {load_before}; at its end: {load_after}\n"
        ));
        report::publish_table(&mut markdown, &table, None).await?;
    }
    if let Some(path) = &args.run.markdown_out {
        report::append_markdown(path, &markdown).await?;
    }
    drop(baseline);
    servers.shut_down().await?;
    Ok(all_good)
}
