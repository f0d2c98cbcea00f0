//! `docfusion-ingest`: generates N listings, loads them with `COPY` into one plain
//! PostgreSQL and with `COPY … FROM STDIN` over the wire into DocFusionDB (K shards, a
//! collection with the same table shape: id, doc, version, object check, GIN index), checks
//! both by count and checksum, and prints docs/s side by side.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Parser;
use docfusion_benches::cluster::Servers;
use docfusion_benches::ingest::{self, COLLECTION, Side};
use docfusion_benches::setup::{self, WireServer};
use docfusion_benches::{exit, report};

/// Bulk ingest over COPY, DocFusionDB against plain PostgreSQL.
#[derive(Debug, Parser)]
#[command(name = "docfusion-ingest", version)]
struct Args {
    /// Documents to load.
    #[arg(long, default_value_t = 1_000_000)]
    docs: u64,
    /// Number of DocFusionDB shards.
    #[arg(long, default_value_t = 3)]
    shards: usize,
    /// Seed of the data set.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Append the Markdown report to this file.
    #[arg(long, value_name = "FILE")]
    markdown_out: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    exit::run_to_exit(
        "docfusion-ingest",
        "the two sides do not hold the same documents (see the report)",
        run(args),
    )
    .await
}

async fn run(args: Args) -> Result<bool> {
    if args.shards == 0 || args.docs == 0 {
        bail!("--shards and --docs must be at least 1");
    }
    let command_line = report::command_line();
    let servers = Servers::launch(args.shards, false).await?;
    let baseline = setup::connect(&servers.baseline.dsn(), "the baseline").await?;
    let config = setup::node_config(servers.dir(), servers.shard_dsns(), true);
    let node = setup::start_node(config.clone()).await?;
    let wire = WireServer::start(&config, node.engine().clone()).await?;
    let docfusion = setup::connect(&wire.dsn(), "DocFusionDB").await?;

    let machine = setup::machine(&baseline).await?;
    let mut markdown = report::header(&machine, &command_line);
    println!("{markdown}");

    eprintln!("writing {} listings (seed {})…", args.docs, args.seed);
    let dir = servers.dir().to_path_buf();
    let (seed, docs) = (args.seed, args.docs);
    let inputs = tokio::task::spawn_blocking(move || ingest::write_inputs(&dir, seed, docs))
        .await
        .context("writing the input files")??;

    // The same table on both sides: the baseline gets the DDL a collection gets.
    baseline
        .batch_execute(&docfusiondb::write::ddl::collection_ddl(
            COLLECTION,
            false,
            &[],
        ))
        .await
        .context("creating the baseline table")?;
    docfusion
        .batch_execute(&format!(
            "CREATE TABLE {COLLECTION} (id text PRIMARY KEY, doc jsonb)"
        ))
        .await
        .context("creating the collection")?;

    eprintln!("PostgreSQL: COPY {COLLECTION} (id, doc) FROM STDIN…");
    let (rows, pg_elapsed) = ingest::copy_file(
        &baseline,
        &format!("COPY {COLLECTION} (id, doc) FROM STDIN"),
        &inputs.rows,
    )
    .await?;
    ingest::expect_rows("PostgreSQL", rows, args.docs)?;
    eprintln!("  {:.1} s", pg_elapsed.as_secs_f64());
    let postgres = Side {
        elapsed: pg_elapsed,
        content: ingest::content(&baseline).await?,
    };
    // Disk is the limit at 1M documents: the baseline's copy is checked, then freed.
    baseline
        .batch_execute(&format!("DROP TABLE {COLLECTION}; CHECKPOINT"))
        .await
        .context("dropping the baseline table")?;
    tokio::fs::remove_file(&inputs.rows)
        .await
        .context("removing the baseline's input")?;

    eprintln!("DocFusionDB: COPY {COLLECTION} FROM STDIN (NDJSON)…");
    let (rows, df_elapsed) = ingest::copy_file(
        &docfusion,
        &format!("COPY {COLLECTION} FROM STDIN"),
        &inputs.ndjson,
    )
    .await?;
    ingest::expect_rows("DocFusionDB", rows, args.docs)?;
    eprintln!("  {:.1} s", df_elapsed.as_secs_f64());

    eprintln!("checking counts and checksums…");
    let mut held = ingest::Content::default();
    for dsn in servers.shard_dsns() {
        let shard = setup::connect(&dsn, "a shard").await?;
        held = held + ingest::content(&shard).await?;
    }
    let docfusion_side = Side {
        elapsed: df_elapsed,
        content: held,
    };
    let (table, same) = ingest::table(
        args.docs,
        inputs.bytes,
        args.shards,
        postgres,
        docfusion_side,
    );
    report::publish_table(&mut markdown, &table, args.markdown_out.as_deref()).await?;

    drop(docfusion);
    drop(baseline);
    wire.stop().await?;
    node.stop().await.context("stopping the node")?;
    servers.shut_down().await?;
    Ok(same)
}
