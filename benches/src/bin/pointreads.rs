//! `docfusion-pointreads`: loads the same listings into a plain PostgreSQL and into
//! DocFusionDB (K shards), serves DocFusionDB over the Postgres protocol in this process, and
//! reads documents by id with C concurrent clients and a prepared statement on both, then
//! prints reads/s and latencies side by side.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::Parser;
use docfusion_benches::cluster::Servers;
use docfusion_benches::pointreads::{self, LoadArgs, PointReadReport};
use docfusion_benches::setup::{self, WireServer};
use docfusion_benches::{cpu, dataset, exit, report};

/// How the node connects to its shards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ShardTransport {
    Tcp,
    Unix,
}

/// Point reads by id over the Postgres protocol, DocFusionDB against plain PostgreSQL.
#[derive(Debug, Parser)]
#[command(name = "docfusion-pointreads", version)]
struct Args {
    /// Documents to load.
    #[arg(long, default_value_t = 1_000_000)]
    docs: u64,
    /// Number of DocFusionDB shards.
    #[arg(long, default_value_t = 2)]
    shards: usize,
    #[command(flatten)]
    load: LoadArgs,
    /// Rounds, each measuring both sides back to back (alternating which goes first); the
    /// report gives each round and the median ratio.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Ids whose documents are compared between the two sides.
    #[arg(long, default_value_t = 100)]
    compare: usize,
    /// How the node reaches its shards: `tcp` (loopback, as across machines) or `unix`
    /// (Unix sockets, as a node running beside its shards).
    #[arg(long, value_enum, default_value_t = ShardTransport::Tcp)]
    shard_transport: ShardTransport,
    /// The node's `limits.point_read_concurrency` (default: the node's default).
    #[arg(long)]
    point_read_concurrency: Option<usize>,
    /// Append the Markdown report to this file.
    #[arg(long, value_name = "FILE")]
    markdown_out: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    exit::run_to_exit(
        "docfusion-pointreads",
        "reads failed or answers differ (see the report)",
        run(args),
    )
    .await
}

/// Point reads the node's fast path answered and the shard queries it sent for them, over
/// every shard.
fn fast_path_counts(config: &docfusion_types::NodeConfig) -> (u64, u64) {
    let metrics = docfusiondb::metrics::metrics();
    (0..config.shards.len()).map(|i| config.shard_name(i)).fold(
        (0, 0),
        |(reads, queries), shard| {
            (
                reads
                    + metrics
                        .point_reads_total
                        .with_label_values(&[shard.as_str()])
                        .get(),
                queries
                    + metrics
                        .point_read_shard_queries_total
                        .with_label_values(&[shard.as_str()])
                        .get(),
            )
        },
    )
}

/// Runs the benchmark; `Ok(false)` when a read failed or the documents differ.
async fn run(args: Args) -> Result<bool> {
    if args.shards == 0 || args.docs == 0 {
        bail!("--shards and --docs must be at least 1");
    }
    let shape = args.load.shape()?;
    if args.rounds == 0 {
        bail!("--rounds must be at least 1");
    }
    let command_line = report::command_line();

    let servers =
        Servers::launch(args.shards, args.shard_transport == ShardTransport::Unix).await?;
    let baseline_dsn = servers.baseline.dsn();
    let baseline = setup::connect(&baseline_dsn, "the baseline").await?;
    let mut config = setup::node_config(servers.dir(), servers.shard_dsns(), true);
    if let Some(c) = args.point_read_concurrency {
        config.limits.point_read_concurrency = c;
    }
    let node = setup::start_node(config.clone()).await?;
    let engine = node.engine().clone();
    let wire = WireServer::start(&config, engine.clone()).await?;
    eprintln!("DocFusionDB's Postgres protocol: {}", wire.dsn());

    let machine = setup::machine(&baseline).await?;
    let mut markdown = report::header(&machine, &command_line);
    println!("{markdown}");

    eprintln!(
        "generating and loading {} listings (seed {}) into both sides…",
        args.docs, shape.seed
    );
    let loaded = dataset::load_both(&baseline, &engine, shape.seed, args.docs).await?;
    eprintln!("VACUUM ANALYZE…");
    dataset::vacuum_analyze(&baseline, &engine).await?;
    let ids: Arc<[String]> = loaded.ids.into();

    eprintln!(
        "comparing the documents of {} random ids…",
        args.compare.min(ids.len())
    );
    let comparison =
        pointreads::compare_docs(&baseline_dsn, &wire.dsn(), &ids, args.compare, shape.seed)
            .await?;

    let baseline_pids: Vec<u32> = cpu::postmaster_pid(servers.baseline.data_dir())
        .into_iter()
        .collect();
    let shard_pids: Vec<u32> = servers
        .shards
        .iter()
        .filter_map(|s| cpu::postmaster_pid(s.data_dir()))
        .collect();
    let (mut fast_reads, mut shard_queries) = (0, 0);
    let mut rounds = Vec::with_capacity(args.rounds);
    for round in 1..=args.rounds {
        eprintln!(
            "round {round} of {}: {} clients per side, {:?} warm-up + {:?} each…",
            args.rounds, shape.clients, shape.warm_up, shape.measured
        );
        let baseline_side = async {
            let result = pointreads::run_point_reads(
                &baseline_dsn,
                "the baseline",
                ids.clone(),
                shape,
                &baseline_pids,
            )
            .await?;
            eprintln!("  PostgreSQL: {:.0} reads/s", result.ops_per_second());
            anyhow::Ok(result)
        };
        let docfusion_side = async {
            let (reads_before, queries_before) = fast_path_counts(&config);
            let result = pointreads::run_point_reads(
                &wire.dsn(),
                "DocFusionDB",
                ids.clone(),
                shape,
                &shard_pids,
            )
            .await?;
            let (reads_after, queries_after) = fast_path_counts(&config);
            eprintln!("  DocFusionDB: {:.0} reads/s", result.ops_per_second());
            anyhow::Ok((
                result,
                reads_after - reads_before,
                queries_after - queries_before,
            ))
        };
        // Odd rounds measure PostgreSQL first, even ones DocFusionDB, so that a drift in
        // the machine's speed during the run does not favour one side.
        let (postgres, (docfusion, reads, queries)) = if round % 2 == 1 {
            let postgres = baseline_side.await?;
            (postgres, docfusion_side.await?)
        } else {
            let docfusion = docfusion_side.await?;
            (baseline_side.await?, docfusion)
        };
        fast_reads += reads;
        shard_queries += queries;
        rounds.push(pointreads::Round {
            postgres,
            docfusion,
        });
    }
    let reads_per_shard_query =
        (shard_queries > 0).then(|| fast_reads as f64 / shard_queries as f64);

    let point_reads = PointReadReport {
        docs: args.docs,
        shards: args.shards,
        shard_link: match args.shard_transport {
            ShardTransport::Tcp => "loopback TCP",
            ShardTransport::Unix => "Unix sockets",
        },
        point_read_concurrency: config.limits.point_read_concurrency,
        reads_per_shard_query,
        shape,
        baseline_load_s: loaded.baseline.as_secs_f64(),
        docfusion_load_s: loaded.docfusion.as_secs_f64(),
        rounds,
        comparison,
    };
    let table = pointreads::table(&point_reads);
    report::publish_table(&mut markdown, &table, args.markdown_out.as_deref()).await?;

    drop(baseline);
    wire.stop().await?;
    node.stop().await.context("stopping the node")?;
    servers.shut_down().await?;
    Ok(!point_reads.has_failures())
}
