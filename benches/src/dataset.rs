//! Loading the same generated listings into the baseline Postgres (plain table + GIN index,
//! binary COPY) and into DocFusionDB (through the product's own collection and load path).

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

/// The `count` listings of data set `seed`.
pub fn generate(seed: u64, count: usize) -> Vec<Value> {
    docfusion_sample::listings(seed, count).collect()
}

/// Loads `docs` into a fresh `listings` table of the baseline.
pub async fn load_baseline(client: &Client, docs: &[Value]) -> Result<Duration> {
    let started = Instant::now();
    client
        .batch_execute(BASELINE_DDL)
        .await
        .context("creating the baseline table")?;
    let sink = client
        .copy_in("COPY listings (id, doc) FROM STDIN (FORMAT binary)")
        .await
        .context("starting COPY into the baseline")?;
    let writer = BinaryCopyInWriter::new(sink, &[Type::TEXT, Type::JSONB]);
    futures::pin_mut!(writer);
    for doc in docs {
        let id = doc
            .get("id")
            .and_then(Value::as_str)
            .context("a generated listing has no string id")?;
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
    Ok(started.elapsed())
}

/// Drops the collection from every shard (so each size starts empty), then creates and
/// loads it through `docfusiondb::load`, in chunks of NDJSON as the HTTP API receives them.
pub async fn load_docfusion(engine: &Engine, docs: &[Value]) -> Result<Duration> {
    try_join_all(engine.shards().shards().iter().map(|shard| async move {
        let conn = shard
            .connect()
            .await
            .map_err(|e| anyhow::anyhow!("{}: {}", e.code, e.message))?;
        conn.batch_execute("DROP TABLE IF EXISTS listings")
            .await
            .with_context(|| format!("dropping listings on {}", shard.name))
    }))
    .await?;
    engine
        .catalog()
        .refresh()
        .await
        .map_err(|e| anyhow::anyhow!("refreshing the catalog: {}: {}", e.code, e.message))?;

    let started = Instant::now();
    docfusiondb::load::create_collection(engine.shards(), COLLECTION)
        .await
        .map_err(|e| anyhow::anyhow!("create_collection: {}: {}", e.code, e.message))?;
    for (chunk_index, chunk) in docs.chunks(LOAD_CHUNK).enumerate() {
        let mut ndjson = String::new();
        for doc in chunk {
            ndjson.push_str(&doc.to_string());
            ndjson.push('\n');
        }
        let first_line = (chunk_index * LOAD_CHUNK) as u64 + 1;
        docfusiondb::load::load_ndjson(engine.shards(), COLLECTION, &ndjson, "id", first_line)
            .await
            .map_err(|e| anyhow::anyhow!("load_ndjson: {}: {}", e.code, e.message))?;
    }
    let elapsed = started.elapsed();
    engine
        .catalog()
        .refresh()
        .await
        .map_err(|e| anyhow::anyhow!("refreshing the catalog: {}: {}", e.code, e.message))?;
    Ok(elapsed)
}

/// `VACUUM ANALYZE` on the baseline and every shard, then a checkpoint, so that no side
/// runs its queries with stale statistics, an unset visibility map or pending writes.
pub async fn vacuum_analyze(baseline: &Client, engine: &Engine) -> Result<()> {
    for statement in ["VACUUM ANALYZE listings", "CHECKPOINT"] {
        baseline
            .batch_execute(statement)
            .await
            .with_context(|| format!("{statement} on the baseline"))?;
    }
    try_join_all(engine.shards().shards().iter().map(|shard| async move {
        let conn = shard
            .connect()
            .await
            .map_err(|e| anyhow::anyhow!("{}: {}", e.code, e.message))?;
        for statement in ["VACUUM ANALYZE listings", "CHECKPOINT"] {
            conn.batch_execute(statement)
                .await
                .with_context(|| format!("{statement} on {}", shard.name))?;
        }
        Ok::<(), anyhow::Error>(())
    }))
    .await?;
    Ok(())
}
