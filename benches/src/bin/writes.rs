//! `docfusion-writes`: single-document INSERT and UPDATE throughput over the Postgres
//! protocol, DocFusionDB (K shards, served in this process) against a plain PostgreSQL,
//! the same prepared statements from C concurrent clients on both, every write checked.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Parser;
use docfusion_benches::cluster::Servers;
use docfusion_benches::pointreads::LoadArgs;
use docfusion_benches::setup::{self, WireServer};
use docfusion_benches::writes::{self, COLLECTION, WriteReport};
use docfusion_benches::{cpu, exit, report};

/// Single-document writes over the Postgres protocol, DocFusionDB against plain PostgreSQL.
#[derive(Debug, Parser)]
#[command(name = "docfusion-writes", version)]
struct Args {
    /// Number of DocFusionDB shards.
    #[arg(long, default_value_t = 2)]
    shards: usize,
    #[command(flatten)]
    load: LoadArgs,
    /// Append the Markdown report to this file.
    #[arg(long, value_name = "FILE")]
    markdown_out: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    exit::run_to_exit(
        "docfusion-writes",
        "writes failed or a side does not hold what was written (see the report)",
        run(args),
    )
    .await
}

/// Runs the benchmark; `Ok(false)` when a write failed or a side holds the wrong data.
async fn run(args: Args) -> Result<bool> {
    if args.shards == 0 {
        bail!("--shards must be at least 1");
    }
    let shape = args.load.shape()?;
    let command_line = report::command_line();

    let servers = Servers::launch(args.shards, false).await?;
    let baseline_dsn = servers.baseline.dsn();
    let baseline = setup::connect(&baseline_dsn, "the baseline").await?;
    let config = setup::node_config(servers.dir(), servers.shard_dsns(), true);
    let node = setup::start_node(config.clone()).await?;
    let wire = WireServer::start(&config, node.engine().clone()).await?;
    eprintln!("DocFusionDB's Postgres protocol: {}", wire.dsn());

    let machine = setup::machine(&baseline).await?;
    let mut markdown = report::header(&machine, &command_line);
    println!("{markdown}");

    // The same table on both sides: the collection DDL DocFusionDB runs on each shard.
    baseline
        .batch_execute(&docfusiondb::write::ddl::collection_ddl(
            COLLECTION,
            false,
            &[],
        ))
        .await
        .context("creating the collection on the baseline")?;
    setup::connect(&wire.dsn(), "DocFusionDB")
        .await?
        .batch_execute(&format!(
            "CREATE TABLE {COLLECTION} (id text primary key, doc jsonb)"
        ))
        .await
        .context("creating the collection through DocFusionDB")?;

    let baseline_pids: Vec<u32> = cpu::postmaster_pid(servers.baseline.data_dir())
        .into_iter()
        .collect();
    let shard_pids: Vec<u32> = servers
        .shards
        .iter()
        .filter_map(|s| cpu::postmaster_pid(s.data_dir()))
        .collect();
    eprintln!("PostgreSQL: inserts, then updates…");
    let postgres = writes::run_writes(&baseline_dsn, "the baseline", shape, &baseline_pids).await?;
    eprintln!(
        "  {:.0} inserts/s, {:.0} updates/s",
        postgres.inserts.ops_per_second(),
        postgres.updates.ops_per_second()
    );
    eprintln!("DocFusionDB: the same…");
    let docfusion = writes::run_writes(&wire.dsn(), "DocFusionDB", shape, &shard_pids).await?;
    eprintln!(
        "  {:.0} inserts/s, {:.0} updates/s",
        docfusion.inserts.ops_per_second(),
        docfusion.updates.ops_per_second()
    );

    let result = WriteReport {
        shards: args.shards,
        shape,
        postgres,
        docfusion,
    };
    let table = writes::table(&result);
    report::publish_table(&mut markdown, &table, args.markdown_out.as_deref()).await?;

    drop(baseline);
    wire.stop().await?;
    node.stop().await.context("stopping the node")?;
    servers.shut_down().await?;
    Ok(!result.has_failures())
}
