//! `docfusiondb demo`: starts the embedded node, loads the sample listings (once), and runs
//! example queries that show what the node does.

use std::path::{Path, PathBuf};

use anyhow::Context;
use docfusion_types::NodeConfig;
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::demo_embeddings;
use crate::cli::table::format_table;
use crate::engine::Engine;
use crate::node::Node;
use crate::render::batches_to_pg_text;

/// Name of the demo collection.
pub const DEMO_COLLECTION: &str = "listings";

/// Demo options.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Data directory of the embedded shards.
    pub data_dir: PathBuf,
    /// Number of sample listings.
    pub count: usize,
    /// Sample data set.
    pub seed: u64,
    /// Embedded shards.
    pub shards: usize,
    /// Listing embeddings (`scripts/embed_listings.py`); `None`: `DATA_DIR/embeddings.ndjson`.
    pub embeddings: Option<PathBuf>,
}

/// The example queries: (what it shows, SQL).
pub fn demo_queries() -> Vec<(&'static str, String)> {
    vec![
        ("How many listings, over how many shards", "SELECT count(*) AS listings FROM listings".to_string()),
        (
            "Busiest cities: GROUP BY a nested JSON field (doc->'address'->>'city' is computed by the shards)",
            "SELECT doc->'address'->>'city' AS city, count(*) AS listings, round(avg((doc->>'price')::float8), 2) AS avg_price \
             FROM listings GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5".to_string(),
        ),
        (
            "Containment (@>) served by the shards' GIN index, cheapest first",
            "SELECT id, doc->>'name' AS name, (doc->>'price')::float8 AS price FROM listings \
             WHERE doc @> '{\"address\": {\"country_code\": \"PT\"}, \"instant_bookable\": true}' \
             ORDER BY price, id LIMIT 5".to_string(),
        ),
        (
            "Most common amenities: jsonb_array_elements_text over every document",
            "SELECT amenity, count(*) AS listings FROM \
             (SELECT jsonb_array_elements_text(doc->'amenities') AS amenity FROM listings) a \
             GROUP BY amenity ORDER BY 2 DESC, 1 LIMIT 5".to_string(),
        ),
        (
            "Window function: the priciest listing of each country",
            "SELECT country, name, price FROM (SELECT doc->'address'->>'country' AS country, doc->>'name' AS name, \
             (doc->>'price')::float8 AS price, row_number() OVER (PARTITION BY doc->'address'->>'country' \
             ORDER BY (doc->>'price')::float8 DESC, id) AS rn FROM listings) t WHERE rn = 1 ORDER BY price DESC LIMIT 5".to_string(),
        ),
        (
            "Join with an external CSV file (CREATE EXTERNAL TABLE regions ...)",
            "SELECT r.region, count(*) AS listings, max((l.doc->>'price')::float8) AS max_price \
             FROM listings l JOIN regions r ON r.country_code = l.doc->'address'->>'country_code' \
             GROUP BY r.region ORDER BY 2 DESC".to_string(),
        ),
        (
            "Point read: the filter on id goes to the one shard that owns it",
            "SELECT id, doc->'host'->>'name' AS host, jsonb_array_length(doc->'reviews') AS reviews, doc->'address' AS address \
             FROM listings WHERE id = 'lst-000042'".to_string(),
        ),
        (
            "EXPLAIN shows the SQL each shard runs",
            "EXPLAIN SELECT id FROM listings WHERE doc @> '{\"address\": {\"country_code\": \"PT\"}}' AND (doc->>'price')::float8 < 60".to_string(),
        ),
    ]
}

const REGIONS_CSV: &str = "country_code,region\n\
PT,Southern Europe\nES,Southern Europe\nIT,Southern Europe\nFR,Western Europe\nDE,Western Europe\n\
NL,Western Europe\nGB,Northern Europe\nCH,Western Europe\nUS,North America\nCA,North America\n\
BR,South America\nMX,North America\nJP,East Asia\nAU,Oceania\nZA,Africa\nTH,South-East Asia\n";

async fn count_listings(engine: &Engine) -> usize {
    if engine.catalog().refresh().await.is_err()
        || engine.catalog().table_info(DEMO_COLLECTION).is_none()
    {
        return 0;
    }
    match engine.query("SELECT count(*) FROM listings").await {
        Ok(out) => batches_to_pg_text(&out.batches)
            .first()
            .and_then(|r| r.first().cloned().flatten())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        Err(_) => 0,
    }
}

async fn load_sample(engine: &Engine, from: usize, to: usize, seed: u64) -> anyhow::Result<()> {
    crate::load::create_collection(engine.shards(), DEMO_COLLECTION).await?;
    let bar = ProgressBar::new((to - from) as u64);
    bar.set_style(
        ProgressStyle::with_template("loading sample listings [{bar:40}] {pos}/{len} ({per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut start = from;
    while start < to {
        let end = (start + 5_000).min(to);
        let mut chunk = String::new();
        for i in start..end {
            chunk.push_str(&docfusion_sample::listing(seed, i as u64).to_string());
            chunk.push('\n');
        }
        crate::load::load_ndjson(engine, DEMO_COLLECTION, &chunk, "id", start as u64 + 1).await?;
        bar.inc((end - start) as u64);
        start = end;
    }
    bar.finish();
    engine.catalog().refresh().await?;
    Ok(())
}

fn write_regions(data_dir: &Path) -> anyhow::Result<PathBuf> {
    let path = data_dir.join("regions.csv");
    std::fs::write(&path, REGIONS_CSV)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path.canonicalize()?)
}

async fn print_result(
    engine: &Engine,
    session: &datafusion::prelude::SessionContext,
    sql: &str,
) -> anyhow::Result<()> {
    let out = engine.execute(session, sql, &[]).await?;
    let headers: Vec<String> = out
        .schema
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    println!(
        "{}",
        format_table(&headers, &batches_to_pg_text(&out.batches))
    );
    Ok(())
}

/// Loads the listings' embeddings (when the file exists) and runs the semantic queries.
async fn semantic_search(
    engine: &Engine,
    session: &datafusion::prelude::SessionContext,
    path: &Path,
) -> anyhow::Result<()> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            println!("\n{}", demo_embeddings::how_to_embed(path));
            return Ok(());
        }
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let embeddings = demo_embeddings::read_embeddings(&text, path)?;
    let updated =
        demo_embeddings::store_embeddings(engine, DEMO_COLLECTION, &embeddings.listings).await?;
    println!(
        "\n{} listing embeddings in {} ({updated} written now)",
        embeddings.listings.len(),
        path.display()
    );
    engine.catalog().refresh().await?;
    for (text, vector) in &embeddings.queries {
        let sql = demo_embeddings::semantic_query(DEMO_COLLECTION, vector);
        println!(
            "\n-- Semantic search: the listings nearest \"{text}\" (all-MiniLM-L6-v2 embeddings, cosine distance)\n{};",
            demo_embeddings::abbreviate_vectors(&sql)
        );
        print_result(engine, session, &sql).await?;
    }
    Ok(())
}

/// Runs the demo.
pub async fn demo(opts: DemoOptions) -> anyhow::Result<()> {
    let mut config = NodeConfig {
        data_dir: opts.data_dir.clone(),
        ..NodeConfig::default()
    };
    config.embedded.shards = opts.shards;
    config.validate()?;
    println!(
        "Starting {} embedded Postgres shards under {} ...",
        opts.shards,
        opts.data_dir.display()
    );
    let node = Node::start(config).await?;
    let result = run(node.engine(), &opts).await;
    node.stop().await?;
    result
}

async fn run(engine: &Engine, opts: &DemoOptions) -> anyhow::Result<()> {
    let existing = count_listings(engine).await;
    let embeddings = opts
        .embeddings
        .clone()
        .unwrap_or_else(|| opts.data_dir.join("embeddings.ndjson"));
    if existing < opts.count {
        if existing == 0 && embeddings.exists() {
            crate::load::create_collection(engine.shards(), DEMO_COLLECTION).await?;
            demo_embeddings::add_embedding_column(engine, DEMO_COLLECTION).await?;
        }
        load_sample(engine, existing, opts.count, opts.seed).await?;
    } else {
        println!("{existing} sample listings already loaded");
    }
    let regions = write_regions(&opts.data_dir)?;
    let session = engine.session();
    engine
        .execute(
            &session,
            &format!(
                "CREATE EXTERNAL TABLE regions (country_code TEXT, region TEXT) STORED AS CSV LOCATION '{}' OPTIONS ('format.has_header' 'true')",
                regions.display()
            ),
            &[],
        )
        .await?;
    for (title, sql) in demo_queries() {
        println!("\n-- {title}\n{sql};");
        print_result(engine, &session, &sql).await?;
    }
    semantic_search(engine, &session, &embeddings).await?;
    println!("\nRun `docfusiondb serve` to keep the node up, then `docfusiondb sql \"...\"`.");
    Ok(())
}
