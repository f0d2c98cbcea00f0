//! Loading the same generated listings into the baseline Postgres (plain table + GIN index,
//! binary COPY) and into DocFusionDB (through the product's own collection and load path).

use std::ops::Range;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use docfusiondb::engine::Engine;
use futures::future::try_join_all;
use serde_json::Value;
use tokio_postgres::Client;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::Type;

/// The table / collection name on both sides.
pub const COLLECTION: &str = "listings";

/// Documents per `load_ndjson` call (what `docfusiondb demo` uses too).
const LOAD_CHUNK: usize = 5_000;

/// The schema of the baseline, the same one `create_collection` gives each shard.
const BASELINE_DDL: &str = "DROP TABLE IF EXISTS listings;
CREATE TABLE listings (id text PRIMARY KEY, doc jsonb NOT NULL);
CREATE INDEX listings_doc_path_ops ON listings USING gin (doc jsonb_path_ops);";

/// Documents generated and loaded at a time by [`load_both`], so that a million documents
/// never sit in memory at once (a multiple of [`LOAD_CHUNK`]).
const LOAD_BATCH: u64 = 20_000;

/// The `count` listings of data set `seed`.
pub fn generate(seed: u64, count: usize) -> Vec<Value> {
    docfusion_sample::listings(seed, count).collect()
}

/// The listings `range` (0-based indexes) of data set `seed`.
fn generate_range(seed: u64, range: Range<u64>) -> Vec<Value> {
    range
        .map(|index| docfusion_sample::listing(seed, index))
        .collect()
}

/// The `id` of a generated listing.
pub fn listing_id(doc: &Value) -> Result<&str> {
    doc.get("id")
        .and_then(Value::as_str)
        .context("a generated listing has no string id")
}

/// Loads `docs` into a fresh `listings` table of the baseline.
pub async fn load_baseline(client: &Client, docs: &[Value]) -> Result<Duration> {
    let started = Instant::now();
    create_baseline_table(client).await?;
    copy_into_baseline(client, docs).await?;
    Ok(started.elapsed())
}

/// Drops and creates the baseline's `listings` table with its index.
async fn create_baseline_table(client: &Client) -> Result<()> {
    client
        .batch_execute(BASELINE_DDL)
        .await
        .context("creating the baseline table")
}

/// Appends `docs` to the baseline's `listings` with one binary COPY.
async fn copy_into_baseline(client: &Client, docs: &[Value]) -> Result<()> {
    copy_documents(client, COLLECTION, docs).await
}

/// Appends `docs` (each with a string `"id"`) to the baseline's `table (id text, doc
/// jsonb)` with one binary COPY.
pub async fn copy_documents(client: &Client, table: &str, docs: &[Value]) -> Result<()> {
    let sink = client
        .copy_in(&format!(
            "COPY {table} (id, doc) FROM STDIN (FORMAT binary)"
        ))
        .await
        .context("starting COPY into the baseline")?;
    let writer = BinaryCopyInWriter::new(sink, &[Type::TEXT, Type::JSONB]);
    futures::pin_mut!(writer);
    for doc in docs {
        let id = listing_id(doc)?;
        writer
            .as_mut()
            .write(&[&id, doc])
            .await
            .context("COPY into the baseline")?;
    }
    writer
        .finish()
        .await
        .context("finishing COPY into the baseline")?;
    Ok(())
}

/// Drops the collection from every shard (so each size starts empty), then creates and
/// loads it through `docfusiondb::load`, in chunks of NDJSON as the HTTP API receives them.
pub async fn load_docfusion(engine: &Engine, docs: &[Value]) -> Result<Duration> {
    drop_docfusion_collection(engine).await?;
    let started = Instant::now();
    create_docfusion_collection(engine).await?;
    load_into_docfusion(engine, docs, 0).await?;
    let elapsed = started.elapsed();
    refresh_catalog(engine).await?;
    Ok(elapsed)
}

/// Drops `listings` from every shard and lets the catalog forget it.
async fn drop_docfusion_collection(engine: &Engine) -> Result<()> {
    drop_collection(engine, COLLECTION).await
}

/// Drops collection `name` from every shard and lets the catalog forget it.
pub async fn drop_collection(engine: &Engine, name: &str) -> Result<()> {
    try_join_all(engine.shards().shards().iter().map(|shard| async move {
        let conn = shard
            .connect()
            .await
            .map_err(|e| anyhow::anyhow!("{}: {}", e.code, e.message))?;
        conn.batch_execute(&format!("DROP TABLE IF EXISTS {name}"))
            .await
            .with_context(|| format!("dropping {name} on {}", shard.name))
    }))
    .await?;
    refresh_catalog(engine).await
}

async fn create_docfusion_collection(engine: &Engine) -> Result<()> {
    create_collection(engine, COLLECTION).await
}

/// Creates collection `name` through the product's own path (`create_collection`).
pub async fn create_collection(engine: &Engine, name: &str) -> Result<()> {
    docfusiondb::load::create_collection(engine.shards(), name)
        .await
        .map_err(|e| anyhow::anyhow!("create_collection: {}: {}", e.code, e.message))?;
    Ok(())
}

/// Loads `docs`, the listings from index `first_index` on, in chunks of NDJSON lines.
async fn load_into_docfusion(engine: &Engine, docs: &[Value], first_index: u64) -> Result<()> {
    load_documents(engine, COLLECTION, docs, first_index).await
}

/// Loads `docs` (each with a string `"id"`; document `first_index` and on of a data set,
/// for the line numbers of errors) into collection `name` through `load_ndjson`, in chunks
/// of [`LOAD_CHUNK`] NDJSON lines.
pub async fn load_documents(
    engine: &Engine,
    name: &str,
    docs: &[Value],
    first_index: u64,
) -> Result<()> {
    for (chunk_index, chunk) in docs.chunks(LOAD_CHUNK).enumerate() {
        let mut ndjson = String::new();
        for doc in chunk {
            ndjson.push_str(&doc.to_string());
            ndjson.push('\n');
        }
        let first_line = first_index + (chunk_index * LOAD_CHUNK) as u64 + 1;
        docfusiondb::load::load_ndjson(engine, name, &ndjson, "id", first_line)
            .await
            .map_err(|e| anyhow::anyhow!("load_ndjson: {}: {}", e.code, e.message))?;
    }
    Ok(())
}

/// Re-reads the shards' tables into the node's catalog.
pub async fn refresh_catalog(engine: &Engine) -> Result<()> {
    engine
        .catalog()
        .refresh()
        .await
        .map_err(|e| anyhow::anyhow!("refreshing the catalog: {}: {}", e.code, e.message))
}

/// What [`load_both`] did.
#[derive(Debug, Clone)]
pub struct LoadedBoth {
    /// Time spent loading the baseline (table, index and COPY).
    pub baseline: Duration,
    /// Time spent loading DocFusionDB (create_collection and load_ndjson).
    pub docfusion: Duration,
    /// The ids of the loaded listings, in order.
    pub ids: Vec<String>,
}

/// Loads listings `0..count` of data set `seed` into a fresh baseline table and a fresh
/// DocFusionDB collection, generating [`LOAD_BATCH`] documents at a time: the same tables,
/// indexes and load paths as [`load_baseline`] and [`load_docfusion`], without holding
/// every document in memory.
pub async fn load_both(
    baseline: &Client,
    engine: &Engine,
    seed: u64,
    count: u64,
) -> Result<LoadedBoth> {
    drop_docfusion_collection(engine).await?;
    let mut loaded = LoadedBoth {
        baseline: Duration::ZERO,
        docfusion: Duration::ZERO,
        ids: Vec::with_capacity(usize::try_from(count).unwrap_or_default()),
    };
    let started = Instant::now();
    create_baseline_table(baseline).await?;
    loaded.baseline += started.elapsed();
    let started = Instant::now();
    create_docfusion_collection(engine).await?;
    loaded.docfusion += started.elapsed();

    let ids = &mut loaded.ids;
    let (baseline_time, docfusion_time) = load_generated(
        baseline,
        engine,
        COLLECTION,
        count,
        move |range| generate_range(seed, range),
        |docs| {
            for doc in docs {
                ids.push(listing_id(doc)?.to_string());
            }
            Ok(())
        },
    )
    .await?;
    loaded.baseline += baseline_time;
    loaded.docfusion += docfusion_time;
    refresh_catalog(engine).await?;
    Ok(loaded)
}

/// Appends documents `0..count` to the baseline's `table` and to collection `table` (both
/// created beforehand), [`LOAD_BATCH`] at a time: `generate` makes a range of them (on the
/// blocking pool), `seen` sees each batch before it is loaded. Returns the time each side
/// spent loading, generation not included.
pub async fn load_generated<G>(
    baseline: &Client,
    engine: &Engine,
    table: &str,
    count: u64,
    generate: G,
    mut seen: impl FnMut(&[Value]) -> Result<()>,
) -> Result<(Duration, Duration)>
where
    G: Fn(Range<u64>) -> Vec<Value> + Send + Sync + Clone + 'static,
{
    let (mut baseline_time, mut docfusion_time) = (Duration::ZERO, Duration::ZERO);
    let mut next = 0;
    while next < count {
        let range = next..count.min(next + LOAD_BATCH);
        next = range.end;
        let docs = tokio::task::spawn_blocking({
            let (range, generate) = (range.clone(), generate.clone());
            move || generate(range)
        })
        .await
        .context("generating the documents")?;
        seen(&docs)?;
        let started = Instant::now();
        copy_documents(baseline, table, &docs).await?;
        baseline_time += started.elapsed();
        let started = Instant::now();
        load_documents(engine, table, &docs, range.start).await?;
        docfusion_time += started.elapsed();
        if next % (10 * LOAD_BATCH) == 0 || next == count {
            eprintln!("  loaded {next} of {count}");
        }
    }
    Ok((baseline_time, docfusion_time))
}

/// `VACUUM ANALYZE` on the baseline and every shard, then a checkpoint, so that no side
/// runs its queries with stale statistics, an unset visibility map or pending writes.
pub async fn vacuum_analyze(baseline: &Client, engine: &Engine) -> Result<()> {
    vacuum_analyze_table(baseline, engine, COLLECTION).await
}

/// [`vacuum_analyze`] of `table`.
pub async fn vacuum_analyze_table(baseline: &Client, engine: &Engine, table: &str) -> Result<()> {
    let vacuum = format!("VACUUM ANALYZE {table}");
    for statement in [vacuum.as_str(), "CHECKPOINT"] {
        baseline
            .batch_execute(statement)
            .await
            .with_context(|| format!("{statement} on the baseline"))?;
    }
    let vacuum = vacuum.as_str();
    try_join_all(engine.shards().shards().iter().map(|shard| async move {
        let conn = shard
            .connect()
            .await
            .map_err(|e| anyhow::anyhow!("{}: {}", e.code, e.message))?;
        for statement in [vacuum, "CHECKPOINT"] {
            conn.batch_execute(statement)
                .await
                .with_context(|| format!("{statement} on {}", shard.name))?;
        }
        Ok::<(), anyhow::Error>(())
    }))
    .await?;
    Ok(())
}
