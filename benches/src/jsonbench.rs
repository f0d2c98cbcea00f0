//! The JSONBench-shaped analytic benchmark (`docfusion-jsonbench`): the same generated
//! Bluesky events in a plain PostgreSQL table and in a DocFusionDB collection, JSONBench's
//! five queries and our own analytic queries timed on both, first on the shard pushdown path
//! (a node without the replica), then on the columnar replica (strong reads); then the time
//! from a write's commit to its visibility under a steady write load, and the replica's
//! memory against the table's size in PostgreSQL.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use datafusion::execution::context::SessionContext;
use docfusion_sample::bluesky;
use docfusion_types::NodeConfig;
use docfusiondb::engine::Engine;
use docfusiondb::node::Node;
use docfusiondb::replica::{Consistency, ReadConsistency};
use serde_json::Value;
use tokio_postgres::Client;

use crate::dataset;
use crate::measure::{self, Measurement};
use crate::pointreads::{Latency, latency};
use crate::queries::BenchQuery;
use crate::report::ms;
use crate::setup::{self, WireServer};
use crate::timing::Summary;

/// The table (baseline) and collection (DocFusionDB) of the events.
pub const COLLECTION: &str = "bluesky";

/// The relational table of the join query, the same on both sides.
pub const REFERENCE_TABLE: &str = "collection_info";

/// The baseline: the collection's shape, the GIN index every collection has, and
/// JSONBench's own expression index (its `ddl.sql`, `data` → `doc`).
const BASELINE_DDL: &str = "DROP TABLE IF EXISTS bluesky;
CREATE TABLE bluesky (id text PRIMARY KEY, doc jsonb NOT NULL);
CREATE INDEX bluesky_doc_path_ops ON bluesky USING gin (doc jsonb_path_ops);
CREATE INDEX idx_bluesky ON bluesky ((doc ->> 'kind'), (doc -> 'commit' ->> 'operation'),
    (doc -> 'commit' ->> 'collection'), (doc ->> 'did'),
    (TO_TIMESTAMP((doc ->> 'time_us')::BIGINT / 1000000.0)));";

/// The reference table, created the same way on both sides (on DocFusionDB's shards as a
/// reference table, through the node).
const REFERENCE_DDL: &str = "CREATE TABLE collection_info (collection text PRIMARY KEY, category text NOT NULL, \
     label text NOT NULL)";

/// Rows of the reference table: every collection the generator writes, its category.
const CATEGORIES: &[(&str, &str, &str)] = &[
    ("app.bsky.feed.like", "engagement", "Like"),
    ("app.bsky.feed.repost", "engagement", "Repost"),
    ("app.bsky.feed.post", "content", "Post"),
    ("app.bsky.feed.generator", "content", "Feed"),
    ("app.bsky.graph.follow", "graph", "Follow"),
    ("app.bsky.graph.block", "graph", "Block"),
    ("app.bsky.graph.listitem", "graph", "List item"),
    ("app.bsky.graph.list", "graph", "List"),
    ("app.bsky.graph.listblock", "graph", "List block"),
    ("app.bsky.graph.starterpack", "graph", "Starter pack"),
    ("app.bsky.actor.profile", "identity", "Profile"),
    (
        "chat.bsky.actor.declaration",
        "identity",
        "Chat declaration",
    ),
    ("app.bsky.feed.threadgate", "moderation", "Thread gate"),
    ("app.bsky.feed.postgate", "moderation", "Post gate"),
];

/// JSONBench's Q1–Q5 (`postgresql/queries.sql`, `data` → `doc`, table → `bluesky`). Each
/// ORDER BY gets a tie-breaker (`, event` in Q1 and Q2, `, user_id` in Q4 and Q5) so that
/// equal values come in one order on both sides.
pub const JSONBENCH_QUERIES: &[BenchQuery] = &[
    BenchQuery {
        name: "q1_top_event_types",
        what: "JSONBench Q1: events per collection",
        sql: "SELECT doc -> 'commit' ->> 'collection' AS event, COUNT(*) as count FROM bluesky \
              GROUP BY event ORDER BY count DESC, event",
        docfusion_sql: None,
    },
    BenchQuery {
        name: "q2_distinct_users",
        what: "JSONBench Q2: creates per collection and distinct users",
        sql: "SELECT doc -> 'commit' ->> 'collection' AS event, COUNT(*) as count, \
              COUNT(DISTINCT doc ->> 'did') AS users FROM bluesky \
              WHERE doc ->> 'kind' = 'commit' AND doc -> 'commit' ->> 'operation' = 'create' \
              GROUP BY event ORDER BY count DESC, event",
        docfusion_sql: None,
    },
    BenchQuery {
        name: "q3_per_hour",
        what: "JSONBench Q3: posts, reposts, likes per hour of day",
        sql: "SELECT doc->'commit'->>'collection' AS event, \
              EXTRACT(HOUR FROM TO_TIMESTAMP((doc->>'time_us')::BIGINT / 1000000)) AS hour_of_day, \
              COUNT(*) AS count FROM bluesky \
              WHERE doc->>'kind' = 'commit' AND doc->'commit'->>'operation' = 'create' \
              AND doc->'commit'->>'collection' IN ('app.bsky.feed.post', 'app.bsky.feed.repost', 'app.bsky.feed.like') \
              GROUP BY event, hour_of_day ORDER BY hour_of_day, event",
        docfusion_sql: None,
    },
    BenchQuery {
        name: "q4_first_posters",
        what: "JSONBench Q4: the 3 users who posted first",
        sql: "SELECT doc->>'did' AS user_id, \
              MIN( TIMESTAMP WITH TIME ZONE 'epoch' + INTERVAL '1 microsecond' * (doc->>'time_us')::BIGINT ) AS first_post_ts \
              FROM bluesky WHERE doc->>'kind' = 'commit' AND doc->'commit'->>'operation' = 'create' \
              AND doc->'commit'->>'collection' = 'app.bsky.feed.post' \
              GROUP BY user_id ORDER BY first_post_ts ASC, user_id LIMIT 3",
        // DataFusion cannot multiply an interval by a bigint: microseconds to a timestamp.
        docfusion_sql: Some(
            "SELECT doc->>'did' AS user_id, \
             MIN( CAST(to_timestamp_micros((doc->>'time_us')::BIGINT) AS TIMESTAMPTZ) ) AS first_post_ts \
             FROM bluesky WHERE doc->>'kind' = 'commit' AND doc->'commit'->>'operation' = 'create' \
             AND doc->'commit'->>'collection' = 'app.bsky.feed.post' \
             GROUP BY user_id ORDER BY first_post_ts ASC, user_id LIMIT 3",
        ),
    },
    BenchQuery {
        name: "q5_longest_span",
        what: "JSONBench Q5: the 3 users with the longest posting span",
        sql: "SELECT doc->>'did' AS user_id, \
              EXTRACT(EPOCH FROM ( MAX( TIMESTAMP WITH TIME ZONE 'epoch' + INTERVAL '1 microsecond' * (doc->>'time_us')::BIGINT ) \
              - MIN( TIMESTAMP WITH TIME ZONE 'epoch' + INTERVAL '1 microsecond' * (doc->>'time_us')::BIGINT ) )) * 1000 AS activity_span \
              FROM bluesky WHERE doc->>'kind' = 'commit' AND doc->'commit'->>'operation' = 'create' \
              AND doc->'commit'->>'collection' = 'app.bsky.feed.post' \
              GROUP BY user_id ORDER BY activity_span DESC, user_id LIMIT 3",
        // The same span from the microseconds, as Postgres' numeric (scale 6) prints it.
        docfusion_sql: Some(
            "SELECT doc->>'did' AS user_id, \
             CAST((MAX((doc->>'time_us')::BIGINT) - MIN((doc->>'time_us')::BIGINT)) / 1000.0 AS DECIMAL(20, 6)) AS activity_span \
             FROM bluesky WHERE doc->>'kind' = 'commit' AND doc->'commit'->>'operation' = 'create' \
             AND doc->'commit'->>'collection' = 'app.bsky.feed.post' \
             GROUP BY user_id ORDER BY activity_span DESC, user_id LIMIT 3",
        ),
    },
];

/// Our own analytic queries over the same events.
pub const ANALYTIC_QUERIES: &[BenchQuery] = &[
    BenchQuery {
        name: "contains_count",
        what: "@> containment filter, COUNT",
        sql: "SELECT count(*) AS n FROM bluesky WHERE doc @> \
              '{\"kind\": \"commit\", \"commit\": {\"operation\": \"create\", \"collection\": \"app.bsky.feed.post\"}}'",
        docfusion_sql: None,
    },
    BenchQuery {
        name: "contains_top_likers",
        what: "@> containment filter, GROUP BY did, top 10",
        sql: "SELECT doc->>'did' AS user_id, count(*) AS likes FROM bluesky \
              WHERE doc @> '{\"commit\": {\"collection\": \"app.bsky.feed.like\", \"operation\": \"create\"}}' \
              GROUP BY doc->>'did' ORDER BY likes DESC, user_id LIMIT 10",
        docfusion_sql: None,
    },
    BenchQuery {
        name: "has_key_count",
        what: "? key existence at the top level, COUNT",
        sql: "SELECT count(*) AS n FROM bluesky WHERE doc ? 'commit'",
        docfusion_sql: None,
    },
    BenchQuery {
        name: "has_nested_key",
        what: "? key existence on a nested object, GROUP BY",
        sql: "SELECT doc->'commit'->>'operation' AS operation, count(*) AS n FROM bluesky \
              WHERE doc->'commit' ? 'record' GROUP BY doc->'commit'->>'operation' ORDER BY operation",
        docfusion_sql: None,
    },
    BenchQuery {
        name: "langs_unnest",
        what: "jsonb_array_elements_text over the posts' langs, GROUP BY",
        sql: "SELECT lang, count(*) AS n FROM ( \
                SELECT jsonb_array_elements_text(doc->'commit'->'record'->'langs') AS lang \
                FROM bluesky WHERE doc->'commit'->>'collection' = 'app.bsky.feed.post') l \
              GROUP BY lang ORDER BY n DESC, lang",
        docfusion_sql: None,
    },
    BenchQuery {
        name: "join_categories",
        what: "join with a relational table, GROUP BY its column, COUNT DISTINCT",
        sql: "SELECT ci.category, count(*) AS events, count(DISTINCT b.doc->>'did') AS users \
              FROM bluesky b JOIN collection_info ci ON ci.collection = b.doc->'commit'->>'collection' \
              GROUP BY ci.category ORDER BY ci.category",
        docfusion_sql: None,
    },
    BenchQuery {
        name: "top10_latest_posts",
        what: "top-k: filter, ORDER BY a ::bigint path DESC, LIMIT 10",
        sql: "SELECT id, doc->>'did' AS user_id, (doc->>'time_us')::bigint AS time_us FROM bluesky \
              WHERE doc->'commit'->>'collection' = 'app.bsky.feed.post' \
              ORDER BY (doc->>'time_us')::bigint DESC, id LIMIT 10",
        docfusion_sql: None,
    },
];

/// The id of event `index` (0-based) of the data set.
pub fn event_id(index: u64) -> String {
    format!("evt-{:07}", index + 1)
}

/// Event `index` of `count` of data set `seed` with its `"id"` (the collection's key, kept
/// in the document by DocFusionDB's loader, so the baseline gets the same document).
pub fn event_document(seed: u64, count: u64, index: u64, id: String) -> Value {
    let mut doc = bluesky::event(seed, count, index);
    if let Value::Object(map) = &mut doc {
        map.insert("id".into(), Value::from(id));
    }
    doc
}

/// What a run measures.
#[derive(Debug, Clone)]
pub struct Options {
    /// Events loaded.
    pub docs: u64,
    /// Data set seed.
    pub seed: u64,
    /// Timed runs per query and side (after one warm-up run).
    pub runs: usize,
    /// The queries (from [`JSONBENCH_QUERIES`] and [`ANALYTIC_QUERIES`]).
    pub queries: Vec<BenchQuery>,
    /// Writes per second of the write load (0: no write load).
    pub write_rate: u32,
    /// How long the write load runs.
    pub write_duration: Duration,
    /// Connections the write load spreads over.
    pub writers: usize,
    /// The replica's `poll_interval_ms`.
    pub poll_interval_ms: u64,
    /// The replica's `memory_budget_mb`.
    pub memory_budget_mb: u64,
    /// Longest wait for the replica to be ready.
    pub ready_timeout: Duration,
    /// Print DocFusionDB's EXPLAIN of every query (each path) to stderr.
    pub explain: bool,
}

/// One query on both paths.
#[derive(Debug, Clone)]
pub struct QueryResult {
    /// Against the node without the replica (the shard pushdown path).
    pub pushdown: Measurement,
    /// Against the node with the replica, strong reads.
    pub replica: Measurement,
}

/// Sizes of the data on each side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    /// The replica's bytes (`Replica::memory_bytes`, the `docfusion_replica_memory_bytes`
    /// gauges summed).
    pub replica_bytes: u64,
    /// `pg_total_relation_size('bluesky')` on the baseline (heap, TOAST, indexes).
    pub baseline_bytes: u64,
    /// The same, summed over DocFusionDB's shards.
    pub shards_bytes: u64,
}

/// The write load and what it measured.
#[derive(Debug, Clone)]
pub struct Visibility {
    /// Target writes per second.
    pub target_rate: u32,
    /// Writes acknowledged.
    pub writes: u64,
    /// How long the load ran.
    pub elapsed: Duration,
    /// Commit → visible with consistency `none`, one sample at a time.
    pub visible: Option<Latency>,
    /// Samples taken.
    pub samples: usize,
    /// Median time of one poll query (the resolution of the samples).
    pub poll_ms: Option<Summary>,
    /// `SELECT count(*)` with consistency `strong` under the load.
    pub strong: Option<Latency>,
    /// Strong reads done.
    pub strong_reads: usize,
    /// Writes, polls or reads that failed, and a final count that is not docs + writes.
    pub failures: Vec<String>,
}

/// Everything one size measured.
#[derive(Debug, Clone)]
pub struct SizeResult {
    /// Events loaded.
    pub docs: u64,
    /// Seconds to load the baseline.
    pub baseline_load_s: f64,
    /// Seconds to load DocFusionDB.
    pub docfusion_load_s: f64,
    /// Seconds from the replica node's start to every shard's replica being ready.
    pub replica_ready_s: f64,
    /// The queries, in order.
    pub queries: Vec<QueryResult>,
    /// Whether the replica answered the replica-phase queries (its scan is in their plan).
    pub replica_used: bool,
    /// Sizes.
    pub memory: Memory,
    /// The write load, when asked for.
    pub visibility: Option<Visibility>,
}

impl SizeResult {
    /// Whether any answer differed or failed, or the write load found a fault.
    pub fn has_failures(&self) -> bool {
        !self.replica_used
            || self
                .queries
                .iter()
                .any(|q| q.pushdown.verdict.is_failure() || q.replica.verdict.is_failure())
            || self
                .visibility
                .as_ref()
                .is_some_and(|v| !v.failures.is_empty())
    }
}

/// A session of `engine` reading with `consistency`, as `SET docfusion.consistency` does.
pub fn session_with(engine: &Engine, consistency: Consistency) -> SessionContext {
    let session = engine.session();
    session
        .state_ref()
        .write()
        .config_mut()
        .set_extension(Arc::new(ReadConsistency(consistency)));
    session
}

/// Loads, measures and stops: a node over `shard_dsns` without the replica (load, pushdown
/// path), then one with it (replica path, write load). `dir` holds the nodes' data.
pub async fn run_size(
    baseline: &Client,
    shard_dsns: &[String],
    dir: &Path,
    options: &Options,
) -> Result<SizeResult> {
    baseline
        .batch_execute("SET TimeZone = 'UTC'")
        .await
        .context("setting the baseline session's time zone")?;

    // Phase 1: load both sides and time the pushdown path.
    let config = setup::node_config(dir, shard_dsns.to_vec(), true);
    let node = setup::start_node(config.clone()).await?;
    let (baseline_load, docfusion_load) =
        load(baseline, node.engine(), options.seed, options.docs).await?;
    dataset::vacuum_analyze_table(baseline, node.engine(), COLLECTION).await?;
    eprintln!("pushdown path (node without the replica):");
    let pushdown = measure_all(baseline, node.engine(), None, options).await;
    node.stop().await.context("stopping the pushdown node")?;

    // Phase 2: the replica.
    let config = replica_config(config, options);
    let started = Instant::now();
    let node = setup::start_node(config.clone()).await?;
    let outcome = replica_phase(baseline, &node, &config, options, started, pushdown).await;
    node.stop().await.context("stopping the replica node")?;
    drop_inactive_slots(shard_dsns).await?;
    let (replica_ready_s, queries, replica_used, memory, visibility) = outcome?;
    Ok(SizeResult {
        docs: options.docs,
        baseline_load_s: baseline_load.as_secs_f64(),
        docfusion_load_s: docfusion_load.as_secs_f64(),
        replica_ready_s,
        queries,
        replica_used,
        memory,
        visibility,
    })
}

type ReplicaPhase = (f64, Vec<QueryResult>, bool, Memory, Option<Visibility>);

async fn replica_phase(
    baseline: &Client,
    node: &Node,
    config: &NodeConfig,
    options: &Options,
    started: Instant,
    pushdown: Vec<Measurement>,
) -> Result<ReplicaPhase> {
    let engine = node.engine();
    wait_for_replica(engine, options.ready_timeout).await?;
    let ready_s = started.elapsed().as_secs_f64();
    eprintln!("replica ready after {ready_s:.1} s");
    let memory = memory(baseline, engine).await?;

    let strong = session_with(engine, Consistency::Strong);
    let plan = measure::explain_in(engine, &strong, "SELECT count(*) FROM bluesky").await;
    let replica_used = plan.contains("ReplicaScanExec");
    if !replica_used {
        eprintln!("!!!!! the replica does not answer: EXPLAIN shows\n{plan}");
    }
    eprintln!("replica path (strong reads):");
    let replica = measure_all(baseline, engine, Some(&strong), options).await;
    let queries = pushdown
        .into_iter()
        .zip(replica)
        .map(|(pushdown, replica)| QueryResult { pushdown, replica })
        .collect();

    let visibility = if options.write_rate > 0 {
        let wire = WireServer::start(config, engine.clone()).await?;
        let visibility = write_load(engine, &wire.dsn(), options).await;
        wire.stop().await?;
        Some(visibility?)
    } else {
        None
    };
    Ok((ready_s, queries, replica_used, memory, visibility))
}

fn replica_config(mut config: NodeConfig, options: &Options) -> NodeConfig {
    config.replica.enabled = true;
    config.replica.poll_interval_ms = options.poll_interval_ms;
    config.replica.memory_budget_mb = options.memory_budget_mb;
    config
}

/// Creates and loads the baseline table and the collection with the same events, and the
/// reference table on both; returns each side's load time.
async fn load(
    baseline: &Client,
    engine: &Engine,
    seed: u64,
    count: u64,
) -> Result<(Duration, Duration)> {
    dataset::drop_collection(engine, COLLECTION).await?;
    let mut baseline_time = Duration::ZERO;
    let mut docfusion_time = Duration::ZERO;
    let started = Instant::now();
    baseline
        .batch_execute(BASELINE_DDL)
        .await
        .context("creating the baseline table")?;
    baseline_time += started.elapsed();
    let started = Instant::now();
    dataset::create_collection(engine, COLLECTION).await?;
    docfusion_time += started.elapsed();

    let (baseline_load, docfusion_load) = dataset::load_generated(
        baseline,
        engine,
        COLLECTION,
        count,
        move |range| {
            range
                .map(|i| event_document(seed, count, i, event_id(i)))
                .collect()
        },
        |_| Ok(()),
    )
    .await?;
    baseline_time += baseline_load;
    docfusion_time += docfusion_load;
    dataset::refresh_catalog(engine).await?;
    load_reference_table(baseline, engine).await?;
    Ok((baseline_time, docfusion_time))
}

/// `collection_info` on both sides, with the same rows.
async fn load_reference_table(baseline: &Client, engine: &Engine) -> Result<()> {
    let values: Vec<String> = CATEGORIES
        .iter()
        .map(|(c, cat, label)| format!("('{c}', '{cat}', '{label}')"))
        .collect();
    let insert = format!(
        "INSERT INTO {REFERENCE_TABLE} (collection, category, label) VALUES {}",
        values.join(", ")
    );
    let drop = format!("DROP TABLE IF EXISTS {REFERENCE_TABLE}");
    baseline
        .batch_execute(&format!(
            "{drop}; {REFERENCE_DDL}; {insert}; ANALYZE {REFERENCE_TABLE}"
        ))
        .await
        .context("creating the baseline's reference table")?;
    for statement in [drop.as_str(), REFERENCE_DDL, insert.as_str()] {
        engine
            .query(statement)
            .await
            .map_err(|e| anyhow::anyhow!("{}: {}", e.code, e.message))
            .with_context(|| format!("on DocFusionDB: {statement}"))?;
    }
    Ok(())
}

/// Every query of `options` on both sides; DocFusionDB in `session` (a new session per query
/// when `None`).
async fn measure_all(
    baseline: &Client,
    engine: &Engine,
    session: Option<&SessionContext>,
    options: &Options,
) -> Vec<Measurement> {
    let mut out = Vec::with_capacity(options.queries.len());
    for query in &options.queries {
        let own;
        let session = match session {
            Some(s) => s,
            None => {
                own = engine.session();
                &own
            }
        };
        let m = measure::measure_and_show(
            *query,
            baseline,
            engine,
            session,
            options.runs,
            options.explain,
        )
        .await;
        out.push(m);
    }
    out
}

/// Waits until every shard's replica is ready, showing its progress every second.
async fn wait_for_replica(engine: &Engine, timeout: Duration) -> Result<()> {
    let Some(replica) = engine.replica() else {
        bail!("the node was started without the replica");
    };
    let started = Instant::now();
    let mut last_report = Instant::now();
    let gauges = &docfusiondb::metrics::metrics().replica_rows_loaded;
    loop {
        if replica.is_ready() {
            return Ok(());
        }
        if started.elapsed() > timeout {
            bail!(
                "the replica is not ready after {timeout:?}: {:?}",
                replica.phases()
            );
        }
        if last_report.elapsed() >= Duration::from_secs(1) {
            last_report = Instant::now();
            let rows: i64 = engine
                .shards()
                .shards()
                .iter()
                .map(|s| gauges.with_label_values(&[&s.name]).get())
                .sum();
            eprintln!(
                "  replica: {:?}, {rows} rows loaded, {:.0} MB, {:.0} s",
                replica.phases(),
                replica.memory_bytes() as f64 / 1e6,
                started.elapsed().as_secs_f64()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The replica's size and the table's on the baseline and the shards.
async fn memory(baseline: &Client, engine: &Engine) -> Result<Memory> {
    const SIZE_SQL: &str = "SELECT pg_total_relation_size('bluesky')::bigint";
    let baseline_bytes: i64 = baseline
        .query_one(SIZE_SQL, &[])
        .await
        .context("the baseline table's size")?
        .get(0);
    let mut shards_bytes: i64 = 0;
    for shard in engine.shards().shards() {
        let conn = shard
            .connect()
            .await
            .map_err(|e| anyhow::anyhow!("{}: {}", e.code, e.message))?;
        let size: i64 = conn
            .query_one(SIZE_SQL, &[])
            .await
            .with_context(|| format!("the table's size on {}", shard.name))?
            .get(0);
        shards_bytes += size;
    }
    let replica_bytes = engine.replica().map_or(0, |r| r.memory_bytes()) as u64;
    Ok(Memory {
        replica_bytes,
        baseline_bytes: baseline_bytes.max(0) as u64,
        shards_bytes: shards_bytes.max(0) as u64,
    })
}

/// Drops the feed slots a stopped node left on the shards (so the next size's load does not
/// make them keep WAL).
async fn drop_inactive_slots(shard_dsns: &[String]) -> Result<()> {
    for dsn in shard_dsns {
        let client = setup::connect(dsn, "a shard").await?;
        client
            .batch_execute(
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots \
                 WHERE NOT active AND database = current_database()",
            )
            .await
            .context("dropping the stopped node's feed slots")?;
    }
    Ok(())
}

/// The id of the `n`th write of the load.
fn live_id(n: u64) -> String {
    format!("live-{n:07}")
}

/// The write load: `options.writers` connections to the node's wire server insert new
/// events at `options.write_rate` in all; meanwhile one task measures commit → visible
/// with consistency `none` (polling by id, one write at a time) and another times strong
/// `count(*)` reads. At the end a strong count must be the loaded events plus the writes.
async fn write_load(engine: &Arc<Engine>, wire_dsn: &str, options: &Options) -> Result<Visibility> {
    let (tx, rx) = tokio::sync::watch::channel::<Option<(String, Instant)>>(None);
    let end = Instant::now() + options.write_duration;
    let writers = options.writers.max(1);
    let per_writer = f64::from(options.write_rate) / writers as f64;
    let mut tasks = Vec::with_capacity(writers);
    for w in 0..writers {
        let client = setup::connect(wire_dsn, "DocFusionDB's wire server").await?;
        let statement = client
            .prepare("INSERT INTO bluesky (id, doc) VALUES ($1, $2)")
            .await
            .context("preparing the INSERT on DocFusionDB")?;
        let tx = tx.clone();
        let (seed, docs) = (options.seed, options.docs.max(1));
        tasks.push(tokio::spawn(async move {
            let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / per_writer));
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut written = 0u64;
            let mut failures = Vec::new();
            let mut n = w as u64;
            while Instant::now() < end {
                ticks.tick().await;
                let id = live_id(n);
                let doc = event_document(seed ^ 0x11fe, docs, n % docs, id.clone());
                n += writers as u64;
                match client.execute(&statement, &[&id, &doc]).await {
                    Ok(1) => {
                        written += 1;
                        tx.send_replace(Some((id, Instant::now())));
                    }
                    Ok(k) => failures.push(format!("{id}: {k} rows written instead of 1")),
                    Err(e) => {
                        failures.push(format!("{id}: {e}"));
                        break;
                    }
                }
            }
            (written, failures)
        }));
    }
    drop(tx);

    let sampler = tokio::spawn(sample_visibility(engine.clone(), rx, end));
    let reader = tokio::spawn(strong_reads(engine.clone(), end));
    let started = Instant::now();
    let mut visibility = Visibility {
        target_rate: options.write_rate,
        writes: 0,
        elapsed: Duration::ZERO,
        visible: None,
        samples: 0,
        poll_ms: None,
        strong: None,
        strong_reads: 0,
        failures: Vec::new(),
    };
    for task in tasks {
        let (written, failures) = task.await.context("a writer task")?;
        visibility.writes += written;
        visibility.failures.extend(failures);
    }
    visibility.elapsed = started.elapsed();
    let (samples, polls, failures) = sampler.await.context("the visibility sampler")?;
    visibility.samples = samples.len();
    visibility.visible = latency(samples);
    visibility.poll_ms = crate::timing::summarize(&polls);
    visibility.failures.extend(failures);
    let (reads, failures) = reader.await.context("the strong reader")?;
    visibility.strong_reads = reads.len();
    visibility.strong = latency(reads);
    visibility.failures.extend(failures);

    // Every acknowledged write is in a strong read.
    let expected = options.docs + visibility.writes;
    match count(engine, &session_with(engine, Consistency::Strong), "").await {
        Ok(n) if n == expected => {}
        Ok(n) => visibility.failures.push(format!(
            "a strong count after the load is {n}, expected {expected} (loaded + written)"
        )),
        Err(e) => visibility.failures.push(format!("the final count: {e}")),
    }
    Ok(visibility)
}

/// `SELECT count(*) FROM bluesky <filter>` in `session`.
async fn count(engine: &Engine, session: &SessionContext, filter: &str) -> Result<u64, String> {
    let sql = format!("SELECT count(*) FROM bluesky {filter}");
    let (_, rows) = measure::docfusion_rows(engine, session, &sql).await?;
    rows.first()
        .and_then(|r| r.first().cloned().flatten())
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| format!("{sql}: no count in the answer"))
}

/// Takes the newest acknowledged write, polls (consistency `none`) until a count by its id
/// sees it, and records the time since its acknowledgement; again until `end`.
async fn sample_visibility(
    engine: Arc<Engine>,
    mut writes: tokio::sync::watch::Receiver<Option<(String, Instant)>>,
    end: Instant,
) -> (Vec<Duration>, Vec<Duration>, Vec<String>) {
    let session = session_with(&engine, Consistency::None);
    let mut samples = Vec::new();
    let mut polls = Vec::new();
    let mut failures = Vec::new();
    while Instant::now() < end {
        if writes.changed().await.is_err() {
            break;
        }
        let Some((id, acked)) = writes.borrow_and_update().clone() else {
            continue;
        };
        let filter = format!("WHERE id = '{id}'");
        let deadline = acked + Duration::from_secs(30);
        loop {
            let poll_started = Instant::now();
            match count(&engine, &session, &filter).await {
                Ok(1) => {
                    samples.push(acked.elapsed());
                    polls.push(poll_started.elapsed());
                    break;
                }
                Ok(_) if Instant::now() < deadline => {
                    polls.push(poll_started.elapsed());
                    // Let the feed's task run between polls on a busy machine.
                    tokio::task::yield_now().await;
                }
                Ok(n) => {
                    failures.push(format!("{id} not visible after 30 s (count {n})"));
                    break;
                }
                Err(e) => {
                    failures.push(format!("polling {id}: {e}"));
                    return (samples, polls, failures);
                }
            }
        }
    }
    (samples, polls, failures)
}

/// Strong `count(*)` reads, one after the other, until `end`.
async fn strong_reads(engine: Arc<Engine>, end: Instant) -> (Vec<Duration>, Vec<String>) {
    let session = session_with(&engine, Consistency::Strong);
    let mut reads = Vec::new();
    while Instant::now() < end {
        let started = Instant::now();
        match count(&engine, &session, "").await {
            Ok(_) => reads.push(started.elapsed()),
            Err(e) => return (reads, vec![format!("strong read: {e}")]),
        }
    }
    (reads, Vec::new())
}

/// The machine's load average (1, 5 and 15 minutes), as /proc/loadavg says.
pub async fn load_average() -> String {
    tokio::fs::read_to_string("/proc/loadavg")
        .await
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// The geometric mean of `ratios` (`None` when empty).
pub fn geometric_mean(ratios: &[f64]) -> Option<f64> {
    if ratios.is_empty() || ratios.iter().any(|r| *r <= 0.0) {
        return None;
    }
    let log_sum: f64 = ratios.iter().map(|r| r.ln()).sum();
    Some((log_sum / ratios.len() as f64).exp())
}

fn ratio_cell(ratio: Option<f64>) -> String {
    ratio.map_or_else(|| "—".into(), |r| format!("{r:.2}"))
}

/// The geometric means of the PG/replica and PG/pushdown ratios of the queries in `group`.
fn group_means(result: &SizeResult, group: &[BenchQuery]) -> (Option<f64>, Option<f64>) {
    let mut replica = Vec::new();
    let mut pushdown = Vec::new();
    for q in result
        .queries
        .iter()
        .filter(|q| group.iter().any(|g| g.name == q.replica.query.name))
    {
        replica.extend(crate::report::ratio(
            q.replica.postgres,
            q.replica.docfusion,
        ));
        pushdown.extend(crate::report::ratio(
            q.pushdown.postgres,
            q.pushdown.docfusion,
        ));
    }
    (geometric_mean(&replica), geometric_mean(&pushdown))
}

/// The Markdown report of one size.
pub fn table(result: &SizeResult, shards: usize, runs: usize, seed: u64) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### {} events, {shards} shard(s), {runs} runs (seed {seed})\n",
        result.docs
    );
    let _ = writeln!(
        out,
        "Load: Postgres {:.1} s, DocFusionDB {:.1} s; replica ready {:.1} s after the node started.\n",
        result.baseline_load_s, result.docfusion_load_s, result.replica_ready_s
    );
    if !result.replica_used {
        out.push_str("**The replica did not answer the replica-phase queries.**\n\n");
    }
    out.push_str(
        "| query | rows | Postgres ms (median) | replica ms (median) | ratio PG/replica | pushdown ms (median) | ratio PG/pushdown | Postgres ms (min) | replica ms (min) | answers (replica / pushdown) |\n",
    );
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for q in &result.queries {
        let r = &q.replica;
        let p = &q.pushdown;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} / {} |",
            r.query.name,
            r.rows.map_or_else(|| "—".into(), |n| n.to_string()),
            ms(r.postgres, |s| s.median_ms),
            ms(r.docfusion, |s| s.median_ms),
            ratio_cell(crate::report::ratio(r.postgres, r.docfusion)),
            ms(p.docfusion, |s| s.median_ms),
            ratio_cell(crate::report::ratio(p.postgres, p.docfusion)),
            ms(r.postgres, |s| s.min_ms),
            ms(r.docfusion, |s| s.min_ms),
            crate::report::verdict_cell(&r.verdict),
            crate::report::verdict_cell(&p.verdict),
        );
    }
    out.push('\n');
    for (label, group) in [
        ("JSONBench Q1–Q5", JSONBENCH_QUERIES),
        ("our analytic queries", ANALYTIC_QUERIES),
    ] {
        let (replica, pushdown) = group_means(result, group);
        let _ = writeln!(
            out,
            "- Geometric mean of the ratios, {label}: replica {}, pushdown {}",
            ratio_cell(replica),
            ratio_cell(pushdown)
        );
    }
    let m = result.memory;
    let _ = writeln!(
        out,
        "- Memory: replica {:.1} MB; `pg_total_relation_size` {:.1} MB on the baseline, {:.1} MB over the shards; replica / baseline = {:.2}",
        m.replica_bytes as f64 / 1e6,
        m.baseline_bytes as f64 / 1e6,
        m.shards_bytes as f64 / 1e6,
        m.replica_bytes as f64 / m.baseline_bytes.max(1) as f64
    );
    if let Some(v) = &result.visibility {
        let lat = |l: Option<Latency>| {
            l.map_or_else(
                || "—".into(),
                |l| format!("p50 {:.1} ms, p99 {:.1} ms", l.p50_ms, l.p99_ms),
            )
        };
        let _ = writeln!(
            out,
            "- Write load: {} writes in {:.1} s ({:.0}/s, target {}/s) through the wire server",
            v.writes,
            v.elapsed.as_secs_f64(),
            v.writes as f64 / v.elapsed.as_secs_f64().max(1e-9),
            v.target_rate
        );
        let _ = writeln!(
            out,
            "- Commit → visible (consistency `none`, {} samples): {}; one poll query {} ms (median)",
            v.samples,
            lat(v.visible),
            ms(v.poll_ms, |s| s.median_ms)
        );
        let _ = writeln!(
            out,
            "- Strong `count(*)` under the load ({} reads): {}",
            v.strong_reads,
            lat(v.strong)
        );
        for f in &v.failures {
            let _ = writeln!(out, "- **Write load failure**: {f}");
        }
    }
    let spelled: Vec<&BenchQuery> = result
        .queries
        .iter()
        .map(|q| &q.replica.query)
        .filter(|q| q.docfusion_sql.is_some())
        .collect();
    if !spelled.is_empty() {
        out.push_str("\nQueries spelled differently on DocFusionDB:\n\n");
        for q in spelled {
            let _ = writeln!(
                out,
                "- `{}`: Postgres `{}`; DocFusionDB `{}`",
                q.name,
                q.sql,
                q.docfusion_sql()
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometric_mean_of_ratios() {
        let g = geometric_mean(&[2.0, 8.0]).unwrap();
        assert!((g - 4.0).abs() < 1e-12, "{g}");
        assert_eq!(geometric_mean(&[]), None);
        assert_eq!(geometric_mean(&[1.0, 0.0]), None);
    }

    #[test]
    fn query_names_are_unique() {
        let mut names: Vec<&str> = JSONBENCH_QUERIES
            .iter()
            .chain(ANALYTIC_QUERIES)
            .map(|q| q.name)
            .collect();
        let all = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all);
    }

    #[test]
    fn documents_carry_their_id() {
        let doc = event_document(1, 10, 3, event_id(3));
        assert_eq!(doc["id"], "evt-0000004");
        assert_eq!(doc["did"], bluesky::event(1, 10, 3)["did"]);
    }

    #[test]
    fn every_generated_collection_has_a_category() {
        for (collection, _) in bluesky::COLLECTIONS {
            assert!(
                CATEGORIES.iter().any(|(c, _, _)| c == collection),
                "{collection}"
            );
        }
    }
}
