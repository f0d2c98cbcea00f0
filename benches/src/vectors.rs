//! The vector search benchmark (`docfusion-vectors`): the same embeddings in a plain
//! PostgreSQL (as `real[]`, distances computed in SQL, since pgvector is not installed here)
//! and in DocFusionDB; top-k queries through the Postgres protocol, exact and approximate,
//! with and without a JSON filter. Every answer is checked against a full sort computed
//! here in `f64`; the approximate answers give recall@k.
//!
//! The data: unit vectors drawn around skewed cluster centres (as sentence embeddings
//! cluster by topic), each row with a small document (`{"city": …, "price": …}`) for the
//! filtered queries. Queries come from the same mixture, never equal to a row.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use docfusion_sample::SplitMix64;
use futures::future::try_join_all;
use serde_json::json;
use tokio_postgres::Client;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};

use crate::setup::{self, WireServer};

/// The collection the benchmark creates.
pub const TABLE: &str = "items";

/// Cities of the documents, with the share of rows each gets (the filter asks for the
/// first, a tenth of the rows).
pub const CITIES: &[(&str, u64)] = &[
    ("Lisbon", 10),
    ("Porto", 20),
    ("Madrid", 25),
    ("Paris", 25),
    ("Berlin", 20),
];

/// Random streams of [`SplitMix64::for_item`].
const CENTRE_STREAM: u64 = 1;
const ROW_STREAM: u64 = 2;
const QUERY_STREAM: u64 = 3;

/// Noise around a centre, relative to the centre's (unit) length.
const SPREAD: f64 = 0.6;

/// What one run measures.
#[derive(Debug, Clone)]
pub struct Options {
    /// Rows of the collection.
    pub rows: usize,
    /// Dimensions of every vector.
    pub dims: usize,
    /// Rows each query asks for.
    pub k: usize,
    /// Timed queries per kind on DocFusionDB (after `warm_up` untimed ones).
    pub queries: usize,
    /// Untimed queries before each timed series.
    pub warm_up: usize,
    /// Timed queries per kind on the baseline (its SQL distance is slow); 0 skips it.
    pub baseline_queries: usize,
    /// Cluster centres the rows are drawn around.
    pub clusters: usize,
    /// Seed of the data and the queries.
    pub seed: u64,
    /// Also measure `docfusion.vector_search = approximate`.
    pub approximate: bool,
    /// `hnsw.ef_search` values to measure approximate search with, one series each (empty:
    /// the node's default).
    pub ef_search: Vec<usize>,
    /// How long the replica (snapshot and index build) may take to be ready.
    pub ready_timeout: Duration,
    /// Print DocFusionDB's `EXPLAIN ANALYZE` of each query kind to stderr.
    pub explain: bool,
}

/// The generated rows: ids, cities and the vectors, row after row in one flat array.
#[derive(Debug, Clone)]
pub struct Data {
    pub dims: usize,
    pub ids: Vec<String>,
    pub cities: Vec<&'static str>,
    pub prices: Vec<u64>,
    pub vectors: Vec<f32>,
}

impl Data {
    /// Row `i`'s vector.
    pub fn vector(&self, i: usize) -> &[f32] {
        &self.vectors[i * self.dims..(i + 1) * self.dims]
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// A standard normal draw (Box–Muller).
fn gaussian(rng: &mut SplitMix64) -> f64 {
    let u1 = rng.unit().max(f64::MIN_POSITIVE);
    let u2 = rng.unit();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

fn normalized(v: Vec<f64>) -> Vec<f32> {
    let norm = v
        .iter()
        .map(|x| x * x)
        .sum::<f64>()
        .sqrt()
        .max(f64::MIN_POSITIVE);
    v.into_iter().map(|x| (x / norm) as f32).collect()
}

/// The cluster centres: random unit vectors.
fn centres(seed: u64, clusters: usize, dims: usize) -> Vec<Vec<f64>> {
    (0..clusters.max(1))
        .map(|c| {
            let mut rng = SplitMix64::for_item(seed, CENTRE_STREAM, c as u64);
            let v = normalized((0..dims).map(|_| gaussian(&mut rng)).collect());
            v.into_iter().map(f64::from).collect()
        })
        .collect()
}

/// A unit vector around one of `centres`, the centre picked with a skew (low-numbered
/// clusters are more common: the square of a uniform draw).
fn around(rng: &mut SplitMix64, centres: &[Vec<f64>], dims: usize) -> Vec<f32> {
    let u = rng.unit();
    let c = ((u * u) * centres.len() as f64) as usize;
    let centre = &centres[c.min(centres.len() - 1)];
    let scale = SPREAD / (dims as f64).sqrt();
    normalized(centre.iter().map(|x| x + scale * gaussian(rng)).collect())
}

/// `rows` rows of `dims` dimensions, deterministic for `seed`.
pub fn generate(seed: u64, rows: usize, dims: usize, clusters: usize) -> Data {
    let centres = centres(seed, clusters, dims);
    let total: u64 = CITIES.iter().map(|(_, w)| w).sum();
    let mut data = Data {
        dims,
        ids: Vec::with_capacity(rows),
        cities: Vec::with_capacity(rows),
        prices: Vec::with_capacity(rows),
        vectors: Vec::with_capacity(rows * dims),
    };
    for i in 0..rows {
        let mut rng = SplitMix64::for_item(seed, ROW_STREAM, i as u64);
        let mut pick = rng.below(total);
        let city = CITIES
            .iter()
            .find(|(_, w)| {
                if pick < *w {
                    true
                } else {
                    pick -= w;
                    false
                }
            })
            .map_or(CITIES[0].0, |(c, _)| c);
        data.ids.push(format!("item-{i:07}"));
        data.cities.push(city);
        data.prices.push(20 + rng.below(300));
        data.vectors.extend(around(&mut rng, &centres, dims));
    }
    data
}

/// `count` query vectors from the same mixture as the rows of `seed`.
pub fn queries(seed: u64, count: usize, dims: usize, clusters: usize) -> Vec<Vec<f32>> {
    let centres = centres(seed, clusters, dims);
    (0..count)
        .map(|i| {
            let mut rng = SplitMix64::for_item(seed, QUERY_STREAM, i as u64);
            around(&mut rng, &centres, dims)
        })
        .collect()
}

/// Squared L2 distance in `f64`: the reference the answers are checked against.
pub fn l2_squared(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| {
            let d = f64::from(*x) - f64::from(*y);
            d * d
        })
        .sum()
}

/// The reference answer: every row (passing `city`, when given) sorted by L2 distance to
/// `q`, ties by id; the first `k` as (row, squared distance).
pub fn nearest(data: &Data, q: &[f32], k: usize, city: Option<&str>) -> Vec<(usize, f64)> {
    let mut all: Vec<(usize, f64)> = (0..data.len())
        .filter(|&i| city.is_none_or(|c| data.cities[i] == c))
        .map(|i| (i, l2_squared(data.vector(i), q)))
        .collect();
    all.sort_by(|a, b| a.1.total_cmp(&b.1).then(data.ids[a.0].cmp(&data.ids[b.0])));
    all.truncate(k);
    all
}

/// Whether `got` (ids) is a correct exact top-k for `truth`: the same ids, or ids whose
/// reference distances are all within rounding of the k-th (a tie at the boundary, where
/// `f32` kernels may order differently from the `f64` reference).
pub fn is_exact(data: &Data, q: &[f32], got: &[String], truth: &[(usize, f64)]) -> bool {
    if got.len() != truth.len() {
        return false;
    }
    let kth = truth.last().map_or(0.0, |t| t.1);
    let tolerance = kth * 1e-5 + 1e-9;
    got.iter().all(|id| {
        let Some(i) = row_of(data, id) else {
            return false;
        };
        truth.iter().any(|t| t.0 == i) || l2_squared(data.vector(i), q) <= kth + tolerance
    })
}

fn row_of(data: &Data, id: &str) -> Option<usize> {
    id.strip_prefix("item-")
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|&i| i < data.len() && data.ids[i] == id)
}

/// Recall of `got` against the reference: the share of the reference's rows found.
pub fn recall(got: &[String], truth: &[(usize, f64)], data: &Data) -> f64 {
    if truth.is_empty() {
        return 1.0;
    }
    let found = truth
        .iter()
        .filter(|t| got.iter().any(|g| *g == data.ids[t.0]))
        .count();
    found as f64 / truth.len() as f64
}

/// Median and 99th percentile of a series of query latencies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Latency {
    pub median_ms: f64,
    pub p99_ms: f64,
    pub count: usize,
}

/// The latency summary of `runs` (nearest-rank percentiles); `None` when empty.
pub fn latency(runs: &[Duration]) -> Option<Latency> {
    if runs.is_empty() {
        return None;
    }
    let mut ms: Vec<f64> = runs.iter().map(|d| d.as_secs_f64() * 1_000.0).collect();
    ms.sort_by(f64::total_cmp);
    let rank = |p: f64| ms[((p * ms.len() as f64).ceil() as usize).clamp(1, ms.len()) - 1];
    Some(Latency {
        median_ms: rank(0.5),
        p99_ms: rank(0.99),
        count: ms.len(),
    })
}

/// One kind of query measured on one side.
#[derive(Debug, Clone, Default)]
pub struct Series {
    pub latency: Option<Latency>,
    /// Queries whose answer was not an exact top-k.
    pub inexact: usize,
    /// Mean recall@k over the timed queries.
    pub recall: f64,
    /// The first error, if a query failed (the series then stops).
    pub error: Option<String>,
}

/// Everything one run measured.
#[derive(Debug, Clone)]
pub struct VectorReport {
    pub rows: usize,
    pub dims: usize,
    pub k: usize,
    /// Binary COPY into the shards, each row into the shard owning its id.
    pub load_s: f64,
    /// From the node's start to its replica serving every shard (snapshot read and index
    /// build).
    pub replica_ready_s: f64,
    /// The replica's memory (documents, vectors and index) and the raw vectors' size.
    pub replica_bytes: u64,
    pub raw_vector_bytes: u64,
    /// `pg_total_relation_size` of the baseline's table.
    pub baseline_table_bytes: u64,
    /// Whether `EXPLAIN` of an approximate query shows the HNSW index answering.
    pub approximate_plan_uses_index: Option<bool>,
    /// (kind, DocFusionDB, PostgreSQL) per query kind.
    pub series: Vec<(String, Series, Option<Series>)>,
}

impl VectorReport {
    /// True when a query failed or an exact query answered wrongly.
    pub fn has_failures(&self) -> bool {
        self.series.iter().any(|(kind, ours, theirs)| {
            let exact = !kind.starts_with("approximate");
            ours.error.is_some()
                || (exact && ours.inexact > 0)
                || theirs
                    .as_ref()
                    .is_some_and(|s| s.error.is_some() || s.inexact > 0)
        }) || self.approximate_plan_uses_index == Some(false)
    }
}

/// The table's DDL on both sides.
fn ddl() -> String {
    format!("CREATE TABLE {TABLE} (id text PRIMARY KEY, doc jsonb NOT NULL, embedding real[])")
}

/// Appends rows `rows` of `data` to `table` over `client` with one binary COPY.
async fn copy_rows(client: &Client, data: &Data, rows: &[usize]) -> Result<()> {
    let sink = client
        .copy_in(&format!(
            "COPY {TABLE} (id, doc, embedding) FROM STDIN (FORMAT binary)"
        ))
        .await
        .context("starting COPY")?;
    let writer = BinaryCopyInWriter::new(sink, &[Type::TEXT, Type::JSONB, Type::FLOAT4_ARRAY]);
    futures::pin_mut!(writer);
    for &i in rows {
        let doc = json!({ "city": data.cities[i], "price": data.prices[i] });
        let vector = data.vector(i).to_vec();
        let row: [&(dyn ToSql + Sync); 3] = [&data.ids[i], &doc, &vector];
        writer.as_mut().write(&row).await.context("COPY")?;
    }
    writer.finish().await.context("finishing COPY")?;
    Ok(())
}

/// The baseline's top-k statement: distances in SQL over `real[]`.
fn baseline_sql(k: usize, filtered: bool) -> String {
    let filter = if filtered {
        "WHERE doc->>'city' = $2 "
    } else {
        ""
    };
    format!(
        "SELECT id FROM {TABLE} {filter}ORDER BY (SELECT sum((a - b) * (a - b)) \
         FROM unnest(embedding, $1::real[]) AS t(a, b)), id LIMIT {k}"
    )
}

/// DocFusionDB's top-k statement.
fn docfusion_sql(k: usize, filtered: bool) -> String {
    let filter = if filtered {
        "WHERE doc->>'city' = $2 "
    } else {
        ""
    };
    format!("SELECT id FROM {TABLE} {filter}ORDER BY embedding <-> $1 LIMIT {k}")
}

/// The city the filtered queries ask for.
fn filter_city() -> &'static str {
    CITIES[0].0
}

/// The queries of a run and their reference answers (without and with the city filter).
struct Workload<'a> {
    data: &'a Data,
    queries: &'a [Vec<f32>],
    truths: Vec<Vec<(usize, f64)>>,
    filtered_truths: Vec<Vec<(usize, f64)>>,
}

/// Runs `count` timed queries (after `warm_up` untimed ones) of `sql` over `client`,
/// checking each answer against the reference.
async fn series(
    client: &Client,
    sql: &str,
    work: &Workload<'_>,
    filtered: bool,
    warm_up: usize,
    count: usize,
) -> Series {
    let (data, queries) = (work.data, work.queries);
    let truths = if filtered {
        &work.filtered_truths
    } else {
        &work.truths
    };
    let mut out = Series::default();
    let statement = match client.prepare(sql).await {
        Ok(s) => s,
        Err(e) => {
            out.error = Some(format!("preparing `{sql}`: {}", db_error_text(&e)));
            return out;
        }
    };
    let city = filter_city();
    let mut runs = Vec::with_capacity(count);
    let mut recall_sum = 0.0;
    for n in 0..warm_up + count {
        let i = n % queries.len();
        let q = &queries[i];
        let started = Instant::now();
        let result = if filtered {
            client.query(&statement, &[q, &city]).await
        } else {
            client.query(&statement, &[q]).await
        };
        let elapsed = started.elapsed();
        let rows = match result {
            Ok(rows) => rows,
            Err(e) => {
                out.error = Some(db_error_text(&e));
                break;
            }
        };
        if n < warm_up {
            continue;
        }
        runs.push(elapsed);
        let got: Vec<String> = rows.iter().map(|r| r.get::<_, String>(0)).collect();
        if !is_exact(data, q, &got, &truths[i]) {
            out.inexact += 1;
        }
        recall_sum += recall(&got, &truths[i], data);
    }
    out.latency = latency(&runs);
    out.recall = if runs.is_empty() {
        0.0
    } else {
        recall_sum / runs.len() as f64
    };
    out
}

fn db_error_text(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => e.to_string(),
    }
}

/// The text of the rows of `sql` run as a simple query (an `EXPLAIN`), one line per row.
async fn plan_text(client: &Client, sql: &str) -> Result<Vec<String>> {
    let messages = client
        .simple_query(sql)
        .await
        .with_context(|| format!("running `{}…`", &sql[..sql.len().min(60)]))?;
    Ok(messages
        .iter()
        .filter_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => Some(
                (0..r.len())
                    .filter_map(|c| r.get(c))
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            _ => None,
        })
        .collect())
}

/// Prints `EXPLAIN ANALYZE sql` to stderr.
async fn explain_analyze(client: &Client, kind: &str, sql: &str) -> Result<()> {
    let lines = plan_text(client, &format!("EXPLAIN ANALYZE {sql}")).await?;
    eprintln!("EXPLAIN ANALYZE ({kind}):\n{}", lines.join("\n"));
    Ok(())
}

/// DocFusionDB's top-k statement with the vector (and city) as literals.
fn literal_sql(k: usize, filtered: bool, q: &[f32]) -> String {
    docfusion_sql(k, filtered)
        .replace("$1", &vector_literal(q))
        .replace("$2", &format!("'{}'", filter_city()))
}

/// A pgvector literal of `v`.
fn vector_literal(v: &[f32]) -> String {
    let parts: Vec<String> = v.iter().map(|x| x.to_string()).collect();
    format!("'[{}]'::vector", parts.join(","))
}

/// Runs the benchmark: loads `data` into `baseline` and into a collection over
/// `shard_dsns` (tables created through a first node), starts a node with the replica
/// serving them (timing its snapshot and index build), and measures each query kind
/// through its Postgres protocol.
pub async fn run(
    baseline: &Client,
    shard_dsns: &[String],
    node_dir: &Path,
    options: &Options,
) -> Result<VectorReport> {
    if options.rows == 0 || options.dims == 0 || options.k == 0 || options.queries == 0 {
        bail!("rows, dims, k and queries must be at least 1");
    }
    eprintln!(
        "generating {} vectors of {} dimensions (seed {})…",
        options.rows, options.dims, options.seed
    );
    let data = generate(options.seed, options.rows, options.dims, options.clusters);
    let query_count = options.queries.max(options.baseline_queries).max(1);
    let qs = queries(options.seed, query_count, options.dims, options.clusters);

    eprintln!("loading the baseline…");
    baseline
        .batch_execute(&format!("DROP TABLE IF EXISTS {TABLE}; {}", ddl()))
        .await
        .context("creating the baseline table")?;
    let all: Vec<usize> = (0..data.len()).collect();
    copy_rows(baseline, &data, &all).await?;
    baseline
        .batch_execute(&format!("VACUUM ANALYZE {TABLE}"))
        .await
        .context("VACUUM ANALYZE on the baseline")?;
    let baseline_table_bytes: i64 = baseline
        .query_one(&format!("SELECT pg_total_relation_size('{TABLE}')"), &[])
        .await
        .context("the baseline table's size")?
        .get(0);

    // The collection, created through a node (no replica), then loaded into its shards.
    eprintln!("loading DocFusionDB's shards…");
    let mut config = setup::node_config(node_dir, shard_dsns.to_vec(), true);
    let creator = setup::start_node(config.clone()).await?;
    let engine = creator.engine().clone();
    engine
        .query(&ddl())
        .await
        .map_err(|e| anyhow::anyhow!("creating the collection: {}: {}", e.code, e.message))?;
    let mut by_shard: Vec<Vec<usize>> = vec![Vec::new(); shard_dsns.len()];
    for (i, id) in data.ids.iter().enumerate() {
        by_shard[engine.shards().map().shard_for(id)].push(i);
    }
    let started = Instant::now();
    try_join_all(by_shard.iter().enumerate().map(|(s, rows)| {
        let data = &data;
        async move {
            let client = setup::connect(&shard_dsns[s], "a shard").await?;
            copy_rows(&client, data, rows).await?;
            client
                .batch_execute(&format!("VACUUM ANALYZE {TABLE}"))
                .await
                .context("VACUUM ANALYZE on a shard")
        }
    }))
    .await?;
    let load_s = started.elapsed().as_secs_f64();
    drop(engine);
    creator.stop().await.context("stopping the first node")?;

    // The node that serves: its replica reads the shards' snapshot and builds the index.
    config.replica.enabled = true;
    config.replica.memory_budget_mb = 1 << 20;
    let started = Instant::now();
    let node = setup::start_node(config.clone()).await?;
    let engine = node.engine().clone();
    let replica = engine
        .replica()
        .context("the node started without its replica")?
        .clone();
    while !replica.is_ready() {
        if started.elapsed() > options.ready_timeout {
            bail!(
                "the replica was not ready after {:?}",
                options.ready_timeout
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let replica_ready_s = started.elapsed().as_secs_f64();
    let replica_bytes = replica.memory_bytes() as u64;
    eprintln!("replica ready in {replica_ready_s:.1} s ({replica_bytes} bytes)");

    let wire = WireServer::start(&config, engine.clone()).await?;
    let client = setup::connect(&wire.dsn(), "DocFusionDB").await?;

    eprintln!("reference answers…");
    let city = filter_city();
    let work = Workload {
        data: &data,
        queries: &qs,
        truths: qs
            .iter()
            .map(|q| nearest(&data, q, options.k, None))
            .collect(),
        filtered_truths: qs
            .iter()
            .map(|q| nearest(&data, q, options.k, Some(city)))
            .collect(),
    };
    let ours = |filtered: bool| {
        let sql = docfusion_sql(options.k, filtered);
        let (client, work) = (&client, &work);
        async move {
            series(
                client,
                &sql,
                work,
                filtered,
                options.warm_up,
                options.queries,
            )
            .await
        }
    };

    let mut report = VectorReport {
        rows: options.rows,
        dims: options.dims,
        k: options.k,
        load_s,
        replica_ready_s,
        replica_bytes,
        raw_vector_bytes: (options.rows * options.dims * 4) as u64,
        baseline_table_bytes: baseline_table_bytes as u64,
        approximate_plan_uses_index: None,
        series: Vec::new(),
    };
    for (kind, filtered) in [("exact", false), ("exact, filtered", true)] {
        eprintln!("DocFusionDB: {kind}…");
        if options.explain {
            explain_analyze(&client, kind, &literal_sql(options.k, filtered, &qs[0])).await?;
        }
        let docfusion = ours(filtered).await;
        let postgres = if options.baseline_queries > 0 {
            eprintln!("PostgreSQL: {kind}…");
            let sql = baseline_sql(options.k, filtered);
            // No warm-up: each of its queries scans the whole table anyway.
            Some(series(baseline, &sql, &work, filtered, 0, options.baseline_queries).await)
        } else {
            None
        };
        report.series.push((kind.to_string(), docfusion, postgres));
    }
    if options.approximate {
        client
            .batch_execute("SET docfusion.vector_search = approximate")
            .await
            .context("SET docfusion.vector_search")?;
        let text = plan_text(
            &client,
            &format!("EXPLAIN {}", literal_sql(options.k, false, &qs[0])),
        )
        .await?;
        report.approximate_plan_uses_index = Some(text.iter().any(|l| l.contains("hnsw=")));
        let efs: Vec<Option<usize>> = if options.ef_search.is_empty() {
            vec![None]
        } else {
            options.ef_search.iter().copied().map(Some).collect()
        };
        for ef in efs {
            let suffix = match ef {
                Some(ef) => {
                    client
                        .batch_execute(&format!("SET hnsw.ef_search = {ef}"))
                        .await
                        .context("SET hnsw.ef_search")?;
                    format!(" (ef_search {ef})")
                }
                None => String::new(),
            };
            for (kind, filtered) in [("approximate", false), ("approximate, filtered", true)] {
                let kind = format!("{kind}{suffix}");
                eprintln!("DocFusionDB: {kind}…");
                if options.explain {
                    explain_analyze(&client, &kind, &literal_sql(options.k, filtered, &qs[0]))
                        .await?;
                }
                report.series.push((kind, ours(filtered).await, None));
            }
        }
    }
    drop(client);
    wire.stop().await?;
    drop(engine);
    drop(replica);
    node.stop().await.context("stopping the node")?;
    Ok(report)
}

fn cell_ms(l: Option<Latency>, pick: fn(&Latency) -> f64) -> String {
    l.map_or("—".to_string(), |l| format!("{:.2}", pick(&l)))
}

/// The Markdown table of a run.
pub fn table(r: &VectorReport, config_note: &str) -> String {
    let mut out = format!(
        "### Vector top-{}: {} rows × {} dimensions\n\n{config_note}\n\n\
         Load into the shards (binary COPY): {:.1} s. Replica ready after start (snapshot \
         read{}): {:.1} s. Replica memory: {:.1} MiB (raw vectors: {:.1} MiB); the \
         baseline's table: {:.1} MiB.\n\n",
        r.k,
        r.rows,
        r.dims,
        r.load_s,
        if r.approximate_plan_uses_index.is_some() {
            " and HNSW build"
        } else {
            ""
        },
        r.replica_ready_s,
        r.replica_bytes as f64 / 1_048_576.0,
        r.raw_vector_bytes as f64 / 1_048_576.0,
        r.baseline_table_bytes as f64 / 1_048_576.0,
    );
    out.push_str(
        "| query | DocFusionDB median ms | p99 ms | queries | recall@k | exact answers | \
         PostgreSQL median ms | PostgreSQL queries | speed-up |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for (kind, ours, theirs) in &r.series {
        let timed = ours.latency.map_or(0, |l| l.count);
        let (pg_median, pg_count, speedup) = match theirs {
            Some(t) => (
                cell_ms(t.latency, |l| l.median_ms),
                t.latency.map_or(0, |l| l.count).to_string(),
                match (t.latency, ours.latency) {
                    (Some(p), Some(o)) if o.median_ms > 0.0 => {
                        format!("{:.0}×", p.median_ms / o.median_ms)
                    }
                    _ => "—".to_string(),
                },
            ),
            None => ("—".into(), "—".into(), "—".into()),
        };
        out.push_str(&format!(
            "| {kind} | {} | {} | {timed} | {:.3} | {}/{timed} | {pg_median} | {pg_count} | {speedup} |\n",
            cell_ms(ours.latency, |l| l.median_ms),
            cell_ms(ours.latency, |l| l.p99_ms),
            ours.recall,
            timed - ours.inexact.min(timed),
        ));
    }
    if let Some(uses) = r.approximate_plan_uses_index {
        out.push_str(&format!(
            "\nEXPLAIN of an approximate query shows the HNSW index: {}.\n",
            if uses { "yes" } else { "NO" }
        ));
    }
    for (kind, ours, theirs) in &r.series {
        if let Some(e) = &ours.error {
            out.push_str(&format!("\n**FAILED on DocFusionDB** ({kind}): {e}\n"));
        }
        if let Some(e) = theirs.as_ref().and_then(|t| t.error.as_ref()) {
            out.push_str(&format!("\n**FAILED on PostgreSQL** ({kind}): {e}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_is_deterministic_unit_vectors_with_the_city_shares() {
        let a = generate(7, 2_000, 16, 8);
        let b = generate(7, 2_000, 16, 8);
        assert_eq!(a.vectors, b.vectors);
        assert_eq!(a.ids, b.ids);
        for i in 0..a.len() {
            let norm: f32 = a.vector(i).iter().map(|x| x * x).sum::<f32>().sqrt();
            assert!((norm - 1.0).abs() < 1e-4, "row {i}: norm {norm}");
        }
        let lisbon = a.cities.iter().filter(|c| **c == "Lisbon").count();
        assert!((150..250).contains(&lisbon), "{lisbon} of 2000 in Lisbon");
        assert_ne!(generate(8, 10, 16, 8).vectors, a.vectors[..160].to_vec());
    }

    #[test]
    fn the_reference_is_a_full_sort_and_recall_counts_what_it_finds() {
        let data = generate(1, 500, 8, 4);
        let q = &queries(1, 1, 8, 4)[0];
        let truth = nearest(&data, q, 5, None);
        let mut all: Vec<f64> = (0..data.len())
            .map(|i| l2_squared(data.vector(i), q))
            .collect();
        all.sort_by(f64::total_cmp);
        let got: Vec<f64> = truth.iter().map(|t| t.1).collect();
        assert_eq!(got, all[..5].to_vec());

        let ids: Vec<String> = truth.iter().map(|t| data.ids[t.0].clone()).collect();
        assert!(is_exact(&data, q, &ids, &truth));
        assert_eq!(recall(&ids, &truth, &data), 1.0);
        let mut wrong = ids.clone();
        wrong[4] = data.ids[nearest(&data, q, 50, None)[49].0].clone();
        assert!(!is_exact(&data, q, &wrong, &truth));
        assert_eq!(recall(&wrong, &truth, &data), 0.8);

        let filtered = nearest(&data, q, 5, Some("Lisbon"));
        assert!(filtered.iter().all(|t| data.cities[t.0] == "Lisbon"));
    }

    #[test]
    fn latency_percentiles_are_nearest_rank() {
        let runs: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        let l = latency(&runs).unwrap();
        assert_eq!((l.median_ms, l.p99_ms, l.count), (50.0, 99.0, 100));
        assert_eq!(latency(&[]), None);
    }
}
