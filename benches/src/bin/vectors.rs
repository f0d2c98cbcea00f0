//! `docfusion-vectors`: the same embeddings in a plain PostgreSQL (`real[]`, distances in
//! SQL) and in DocFusionDB (K shards, the columnar replica with its HNSW index); top-k
//! queries through the Postgres protocol, exact and approximate, with and without a JSON
//! filter; latencies, recall@k against a full sort, build time and memory.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Result, bail};
use clap::Parser;
use docfusion_benches::cluster::Servers;
use docfusion_benches::vectors::{self, Options};
use docfusion_benches::{exit, report, setup};

/// Vector top-k search, DocFusionDB against plain PostgreSQL.
#[derive(Debug, Parser)]
#[command(name = "docfusion-vectors", version)]
struct Args {
    /// Rows of the collection.
    #[arg(long, default_value_t = 10_000)]
    rows: usize,
    /// Dimensions of every vector.
    #[arg(long, default_value_t = 768)]
    dims: usize,
    /// Rows each query asks for.
    #[arg(long, default_value_t = 10)]
    k: usize,
    /// Timed queries per kind on DocFusionDB.
    #[arg(long, default_value_t = 200)]
    queries: usize,
    /// Untimed queries before each timed series.
    #[arg(long, default_value_t = 10)]
    warm_up: usize,
    /// Timed queries per kind on PostgreSQL (distances in SQL are slow); 0 skips it.
    #[arg(long, default_value_t = 5)]
    baseline_queries: usize,
    /// Cluster centres the vectors are drawn around.
    #[arg(long, default_value_t = 100)]
    clusters: usize,
    /// Number of DocFusionDB shards.
    #[arg(long, default_value_t = 2)]
    shards: usize,
    /// Seed of the vectors and the queries.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Also measure approximate search (`SET docfusion.vector_search = approximate`).
    #[arg(long)]
    approximate: bool,
    /// With --approximate: `hnsw.ef_search` values to measure, comma-separated, one series
    /// each (default: the node's default, 64).
    #[arg(long, value_delimiter = ',')]
    ef_search: Vec<usize>,
    /// Seconds the replica (snapshot and index build) may take to be ready.
    #[arg(long, default_value_t = 3_600)]
    ready_timeout_s: u64,
    /// Print DocFusionDB's `EXPLAIN ANALYZE` of each query kind to stderr.
    #[arg(long)]
    explain: bool,
    /// Append the Markdown report to this file.
    #[arg(long, value_name = "FILE")]
    markdown_out: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    exit::run_to_exit(
        "docfusion-vectors",
        "a query failed, an exact answer was wrong or the index did not answer (see the report)",
        run(args),
    )
    .await
}

async fn run(args: Args) -> Result<bool> {
    if args.shards == 0 {
        bail!("--shards must be at least 1");
    }
    let command_line = report::command_line();
    let servers = Servers::launch(args.shards, false).await?;
    let baseline = setup::connect(&servers.baseline.dsn(), "the baseline").await?;
    let machine = setup::machine(&baseline).await?;
    let mut markdown = report::header(&machine, &command_line);
    println!("{markdown}");

    let options = Options {
        rows: args.rows,
        dims: args.dims,
        k: args.k,
        queries: args.queries,
        warm_up: args.warm_up,
        baseline_queries: args.baseline_queries,
        clusters: args.clusters,
        seed: args.seed,
        approximate: args.approximate,
        ef_search: args.ef_search,
        ready_timeout: Duration::from_secs(args.ready_timeout_s),
        explain: args.explain,
    };
    let shard_dsns = servers.shard_dsns();
    let result = vectors::run(&baseline, &shard_dsns, servers.dir(), &options).await?;
    let note = format!(
        "{} shard(s); one client, one query at a time, through the Postgres protocol \
         (prepared; the vector a `real[]` parameter). PostgreSQL: `real[]` with the distance \
         computed in SQL (pgvector is not installed here).",
        args.shards
    );
    let table = vectors::table(&result, &note);
    report::publish_table(&mut markdown, &table, args.markdown_out.as_deref()).await?;
    drop(baseline);
    servers.shut_down().await?;
    Ok(!result.has_failures())
}
