//! `docfusion-bench`: loads the same generated listings into a plain PostgreSQL and into
//! DocFusionDB (K shards), runs analytic queries on both, checks that they agree, and prints
//! a Markdown table of the timings.

use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use clap::Parser;
use docfusion_benches::cluster::Servers;
use docfusion_benches::measure::{self, RunArgs};
use docfusion_benches::report::{self, SizeReport};
use docfusion_benches::{dataset, exit, queries, setup};

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
    #[command(flatten)]
    run: RunArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    exit::run_to_exit(
        "docfusion-bench",
        "some answers differ or failed (see the table)",
        run(args),
    )
    .await
}

/// Runs the whole benchmark; `Ok(false)` when an answer differed or a query failed.
async fn run(args: Args) -> Result<bool> {
    if args.shards == 0 || args.run.runs == 0 || args.docs.contains(&0) {
        bail!("--shards, --runs and every --docs size must be at least 1");
    }
    let queries = queries::select(&args.run.queries).map_err(|e| anyhow!(e))?;
    let command_line = report::command_line();

    let servers = Servers::launch(args.shards, false).await?;
    let baseline = setup::connect(&servers.baseline.dsn(), "the baseline").await?;
    let config = setup::node_config(servers.dir(), servers.shard_dsns(), false);
    let node = setup::start_node(config).await?;
    let engine = node.engine().clone();

    let machine = setup::machine(&baseline).await?;
    let header = report::header(&machine, &command_line);
    let mut markdown = header.clone();
    println!("{header}");

    let mut all_agree = true;
    for &docs in &args.docs {
        eprintln!("generating {docs} listings (seed {})…", args.run.seed);
        let seed = args.run.seed;
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
            let m = measure::measure_and_show(
                *query,
                &baseline,
                &engine,
                &engine.session(),
                args.run.runs,
                args.run.explain,
            )
            .await;
            all_agree &= !m.verdict.is_failure();
            measurements.push(m);
        }
        let table = report::table(&SizeReport {
            docs,
            shards: args.shards,
            runs: args.run.runs,
            seed: args.run.seed,
            baseline_load_s: baseline_load.as_secs_f64(),
            docfusion_load_s: docfusion_load.as_secs_f64(),
            measurements,
        });
        println!("{table}");
        markdown.push('\n');
        markdown.push_str(&table);
    }

    if let Some(path) = &args.run.markdown_out {
        report::append_markdown(path, &markdown).await?;
    }

    drop(baseline);
    node.stop().await.context("stopping the node")?;
    servers.shut_down().await?;
    Ok(all_agree)
}
