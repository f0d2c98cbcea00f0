//! The columnar replica: each shard's collections kept in the node's memory as Arrow
//! ([`store`]), shredded by JSON path ([`shred`]), and kept current by the shard's change
//! feed ([`crate::feed`]).
//!
//! Building a shard's replica (at start, and again if its slot is lost):
//! 1. create the feed's slot (its consistent point S);
//! 2. in one `REPEATABLE READ` transaction, list the collections and read every row; the
//!    shard's position L is read right after the snapshot is taken (see
//!    [`crate::feed::current_position`]), so every transaction the snapshot sees commits
//!    before L;
//! 3. apply the feed from S: transactions committed before L may already be in the
//!    snapshot and are re-applied as full row images keyed by id, never lowering a row's
//!    `version` ([`ApplyMode::Catchup`]);
//! 4. once the feed covers L, the shard's replica is ready and every later change is
//!    applied as it comes ([`ApplyMode::Live`]).
//!
//! A background task per shard polls the feed every `replica.poll_interval_ms`; queries
//! catch up first as their session's `docfusion.consistency` asks ([`Replica::catch_up`]).

pub mod rewrite;
pub mod shred;
pub mod store;
pub mod table;
pub mod tables;

use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::{Duration, Instant};

use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::record_batch::RecordBatch;
use docfusion_types::ReplicaConfig;
use futures::future::{BoxFuture, Shared, try_join_all};
use futures::{FutureExt, StreamExt};
use tokio_postgres::SimpleQueryMessage;

use crate::catalog::TableInfo;
use crate::error::{SqlError, sqlstate};
use crate::feed::pgoutput::RelationColumn;
use crate::feed::{self, Datum, FeedOptions, Lsn, Relation, ShardFeed, Transaction};
use crate::scan::pushdown::quote_ident;
use crate::shards::{Shard, ShardSet, shard_error};
use crate::write::twopc::Identity;
pub use store::ApplyMode;
use tables::{ShardTables, Unserved};

/// How fresh a read must be (the session's `docfusion.consistency`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consistency {
    /// Catch up with every shard's current position first.
    Strong,
    /// Catch up only with shards whose last catch-up is older than this.
    Bounded(Duration),
    /// Never wait.
    None,
}

/// The session-config extension carrying a session's consistency setting to the scans
/// (absent = `strong`).
#[derive(Debug, Clone, Copy)]
pub struct ReadConsistency(pub Consistency);

impl Consistency {
    /// From the settings `docfusion.consistency` and `docfusion.max_staleness_ms`.
    pub fn from_settings(mode: &str, max_staleness_ms: u64) -> Consistency {
        match mode {
            "none" => Consistency::None,
            "bounded" => Consistency::Bounded(Duration::from_millis(max_staleness_ms)),
            _ => Consistency::Strong,
        }
    }
}

/// Where a shard's replica is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Creating the slot (waits for the shard's running transactions).
    Starting,
    /// Reading the snapshot.
    Loading,
    /// Applying the feed up to the snapshot's position.
    CatchingUp,
    /// Serving.
    Ready,
    /// The last build failed; retried.
    Failed(String),
}

#[derive(Debug)]
struct ShardStatus {
    phase: Phase,
    snapshot_lsn: Lsn,
}

/// A probe of a shard's current position ([`feed::current_position`]), shared by every
/// strong read that arrived before it was sent.
type PositionProbe = Shared<BoxFuture<'static, Result<Lsn, SqlError>>>;

tokio::task_local! {
    /// When the statement being planned on this task arrived.
    static STATEMENT_ARRIVED: Instant;
}

/// Runs `planning` (a statement's planning, which catches the replica up) knowing that the
/// statement arrived at `arrived`: its strong catch-up may then use a position probe sent
/// at any time since, such as one [`Replica::probe_ahead`] started.
pub async fn plan_statement<F: Future>(arrived: Instant, planning: F) -> F::Output {
    STATEMENT_ARRIVED.scope(arrived, planning).await
}

/// When the statement being planned arrived; now when it is not known.
fn statement_arrived() -> Instant {
    STATEMENT_ARRIVED
        .try_with(|arrived| *arrived)
        .unwrap_or_else(|_| Instant::now())
}

/// One shard's replica.
#[derive(Debug)]
struct ShardReplica {
    shard: Shard,
    /// The last position probe sent, and when.
    probe: Mutex<Option<(Instant, PositionProbe)>>,
    feed: tokio::sync::Mutex<Option<ShardFeed>>,
    tables: RwLock<ShardTables>,
    status: Mutex<ShardStatus>,
    /// The collections whose memory the metrics last reported.
    reported: Mutex<Vec<String>>,
}

/// The node's replica of every shard.
#[derive(Debug)]
pub struct Replica {
    shards: Vec<Arc<ShardReplica>>,
    config: ReplicaConfig,
}

/// How fresh an answer from the replica is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Freshness {
    /// Age of the oldest shard's last catch-up when the scan started.
    pub lag: Duration,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl ShardReplica {
    /// The replica of `shard`, not built yet.
    fn new(shard: Shard) -> Self {
        ShardReplica {
            shard,
            probe: Mutex::new(None),
            feed: tokio::sync::Mutex::new(None),
            tables: RwLock::new(ShardTables::new()),
            status: Mutex::new(ShardStatus {
                phase: Phase::Starting,
                snapshot_lsn: Lsn::default(),
            }),
            reported: Mutex::new(Vec::new()),
        }
    }

    fn set_phase(&self, phase: Phase) {
        let ready = phase == Phase::Ready;
        lock(&self.status).phase = phase;
        crate::metrics::metrics()
            .replica_ready
            .with_label_values(&[&self.shard.name])
            .set(i64::from(ready));
    }

    fn phase(&self) -> Phase {
        lock(&self.status).phase.clone()
    }

    fn record_size(&self) {
        let tables = self.tables.read().unwrap_or_else(|e| e.into_inner());
        let m = crate::metrics::metrics();
        m.replica_rows
            .with_label_values(&[&self.shard.name])
            .set(tables.row_count() as i64);
        let by_collection = tables.memory_by_collection();
        let mut reported = lock(&self.reported);
        for gone in reported
            .iter()
            .filter(|r| !by_collection.iter().any(|(n, _)| n == r))
        {
            let _ = m
                .replica_memory_bytes
                .remove_label_values(&[self.shard.name.as_str(), gone.as_str()]);
        }
        for (name, bytes) in &by_collection {
            m.replica_memory_bytes
                .with_label_values(&[self.shard.name.as_str(), name])
                .set(*bytes as i64);
        }
        *reported = by_collection.iter().map(|(n, _)| n.to_string()).collect();
    }

    /// Builds the replica: slot, snapshot, then the feed drained past the snapshot.
    async fn build(&self, me: &Identity, options: FeedOptions) -> Result<(), SqlError> {
        self.set_phase(Phase::Starting);
        let mut feed_slot = self.feed.lock().await;
        if let Some(old) = feed_slot.take()
            && let Err(e) = old.drop_slot().await
        {
            tracing::debug!(shard = %self.shard.name, error = %e.message, "old feed slot not dropped");
        }
        let feed = ShardFeed::create(self.shard.clone(), me, options).await?;
        self.set_phase(Phase::Loading);
        let (tables, snapshot_lsn) = match load_snapshot(&self.shard).await {
            Ok(loaded) => loaded,
            Err(e) => {
                // The next attempt creates the slot again, under the same name.
                if let Err(drop_error) = feed.drop_slot().await {
                    tracing::warn!(shard = %self.shard.name, error = %drop_error.message, "cannot drop the feed slot");
                }
                return Err(e);
            }
        };
        *self.tables.write().unwrap_or_else(|e| e.into_inner()) = tables;
        lock(&self.status).snapshot_lsn = snapshot_lsn;
        *feed_slot = Some(feed);
        drop(feed_slot);
        self.set_phase(Phase::CatchingUp);
        self.drain().await?;
        self.record_size();
        Ok(())
    }

    /// Applies what the feed has; marks the replica ready once it covers the snapshot.
    async fn drain(&self) -> Result<(), SqlError> {
        let mut guard = self.feed.lock().await;
        let Some(feed) = guard.as_mut() else {
            return Ok(());
        };
        self.drain_locked(feed).await
    }

    async fn drain_locked(&self, feed: &mut ShardFeed) -> Result<(), SqlError> {
        let snapshot_lsn = lock(&self.status).snapshot_lsn;
        let tables = &self.tables;
        let mut apply = |txn: &Transaction| {
            let mode = if txn.commit_lsn < snapshot_lsn {
                ApplyMode::Catchup
            } else {
                ApplyMode::Live
            };
            tables
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .apply(txn, mode);
        };
        let report = feed.drain(&mut apply).await?;
        if report.changes > 0 {
            crate::metrics::metrics()
                .replica_changes_total
                .with_label_values(&[&self.shard.name])
                .inc_by(report.changes as u64);
        }
        if report.covered >= snapshot_lsn && self.phase() == Phase::CatchingUp {
            tracing::info!(shard = %self.shard.name, covered = %report.covered, "replica ready");
            self.set_phase(Phase::Ready);
        }
        Ok(())
    }

    /// The shard's position read by a probe sent no earlier than `since`: the last one
    /// when it was (running or done), else a new one. A strong read that arrived at
    /// `since` must see every transaction visible then, and any probe sent later reads a
    /// position at or after them, so concurrent strong reads share one round trip.
    fn position_since(&self, since: Instant) -> PositionProbe {
        let mut last = lock(&self.probe);
        if let Some((sent, probe)) = last.as_ref()
            && *sent >= since
        {
            return probe.clone();
        }
        let shard = self.shard.clone();
        // Taken before the future exists, so before its query is sent.
        let sent = Instant::now();
        let probe = async move { feed::current_position(&shard).await }
            .boxed()
            .shared();
        *last = Some((sent, probe.clone()));
        probe
    }

    /// Catches up with the shard's position as of `since` or later (strong reads).
    async fn catch_up_now(&self, since: Instant) -> Result<(), SqlError> {
        // Read before taking the feed: concurrent readers then share one drain.
        let target = self.position_since(since).await?;
        let mut guard = self.feed.lock().await;
        let Some(feed) = guard.as_mut() else {
            return Err(not_ready(&self.shard));
        };
        if feed.covered() >= target {
            return Ok(());
        }
        self.drain_locked(feed).await
    }

    fn last_catch_up_age(&self) -> Option<Duration> {
        // Never blocks a query behind a running drain: a busy feed counts as not fresh.
        let guard = self.feed.try_lock().ok()?;
        guard.as_ref()?.covered_at().map(|t| t.elapsed())
    }
}

fn not_ready(shard: &Shard) -> SqlError {
    SqlError::new(
        sqlstate::INTERNAL_ERROR,
        format!("the replica of shard {} is not ready", shard.name),
    )
}

/// The collections of a shard as relations (in the snapshot of `conn`'s transaction).
async fn snapshot_relations(
    shard: &Shard,
    conn: &tokio_postgres::Client,
) -> Result<Vec<Arc<Relation>>, SqlError> {
    let rows = conn
        .query(
            "SELECT c.oid, c.relname::text, a.attname::text, a.atttypid, a.atttypmod, \
                    coalesce(a.attnum = ANY (i.indkey::int2[]), false) \
             FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 \
                  AND NOT a.attisdropped AND a.attgenerated = '' \
             LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary \
             WHERE n.nspname = 'public' AND c.relkind = 'r' \
             ORDER BY c.relname, a.attnum",
            &[],
        )
        .await
        .map_err(|e| shard_error(&shard.name, &e))?;
    let mut relations: Vec<Relation> = Vec::new();
    for row in rows {
        let oid: u32 = row.get(0);
        if relations.last().is_none_or(|r| r.oid != oid) {
            relations.push(Relation {
                oid,
                namespace: "public".into(),
                name: row.get(1),
                replica_identity: b'd',
                columns: Vec::new(),
            });
        }
        if let Some(r) = relations.last_mut() {
            r.columns.push(RelationColumn {
                name: row.get(2),
                type_oid: row.get(3),
                type_modifier: row.get(4),
                key: row.get(5),
            });
        }
    }
    Ok(relations
        .into_iter()
        .filter(store::is_collection)
        .map(Arc::new)
        .collect())
}

/// Reads every collection of `shard` in one snapshot; returns them and the position every
/// transaction the snapshot saw committed before.
async fn load_snapshot(shard: &Shard) -> Result<(ShardTables, Lsn), SqlError> {
    let conn = shard.connect().await?;
    let result = load_snapshot_on(shard, &conn).await;
    if result.is_err() {
        // Never back to the pool inside a transaction.
        drop(deadpool_postgres::Object::take(conn));
    }
    result
}

async fn load_snapshot_on(
    shard: &Shard,
    conn: &tokio_postgres::Client,
) -> Result<(ShardTables, Lsn), SqlError> {
    let err = |e: tokio_postgres::Error| shard_error(&shard.name, &e);
    conn.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await
        .map_err(err)?;
    // The first query takes the snapshot.
    let relations = snapshot_relations(shard, conn).await?;
    let snapshot_lsn = feed::current_position(shard).await?;
    let mut tables = ShardTables::new();
    let loaded = crate::metrics::metrics()
        .replica_rows_loaded
        .with_label_values(&[&shard.name]);
    loaded.set(0);
    let started = Instant::now();
    let mut rows_loaded: u64 = 0;
    for relation in &relations {
        tables.add_snapshot_relation(relation);
        let columns: Vec<String> = relation
            .columns
            .iter()
            .map(|c| quote_ident(&c.name))
            .collect();
        let sql = format!(
            "SELECT {} FROM public.{}",
            columns.join(", "),
            quote_ident(&relation.name)
        );
        // The simple protocol sends every value as its type's text output, as pgoutput does.
        let stream = conn.simple_query_raw(&sql).await.map_err(err)?;
        futures::pin_mut!(stream);
        while let Some(message) = stream.next().await {
            if let SimpleQueryMessage::Row(row) = message.map_err(err)? {
                let values = (0..row.len())
                    .map(|i| match row.get(i) {
                        Some(t) => Datum::Text(t.to_string()),
                        None => Datum::Null,
                    })
                    .collect();
                tables.load_row(relation, values);
                rows_loaded += 1;
                if rows_loaded.is_multiple_of(100_000) {
                    loaded.set(rows_loaded as i64);
                    tracing::info!(shard = %shard.name, collection = %relation.name, rows_loaded, "replica loading");
                }
            }
        }
    }
    conn.batch_execute("COMMIT").await.map_err(err)?;
    loaded.set(rows_loaded as i64);
    let indexing = Instant::now();
    let tables = tokio::task::spawn_blocking(move || {
        tables.build_vector_indexes();
        tables
    })
    .await
    .map_err(|e| {
        SqlError::new(
            sqlstate::INTERNAL_ERROR,
            format!("building the vector indexes of shard {}: {e}", shard.name),
        )
    })?;
    tracing::info!(
        shard = %shard.name,
        collections = relations.len(),
        rows_loaded,
        ms = started.elapsed().as_millis() as u64,
        index_ms = indexing.elapsed().as_millis() as u64,
        %snapshot_lsn,
        "replica snapshot loaded"
    );
    Ok((tables, snapshot_lsn))
}

/// How often dead nodes' slots are looked for.
const SLOT_CLEANUP_INTERVAL: Duration = Duration::from_secs(60);

impl Replica {
    /// Starts building the replica of every shard in the background; queries use it as each
    /// shard becomes ready. The tasks end when the replica is dropped.
    pub fn start(shards: &ShardSet, config: ReplicaConfig) -> Arc<Replica> {
        let replica = Arc::new(Replica {
            shards: shards
                .shards()
                .iter()
                .map(|s| Arc::new(ShardReplica::new(s.clone())))
                .collect(),
            config: config.clone(),
        });
        let me = Identity::of_process();
        let options = FeedOptions {
            batch_changes: config.batch_changes,
            slot_max_lag_bytes: config.slot_max_lag_mb.saturating_mul(1 << 20),
        };
        let poll = Duration::from_millis(config.poll_interval_ms);
        for shard in &replica.shards {
            tokio::spawn(run_shard(Arc::downgrade(shard), me.clone(), options, poll));
        }
        replica
    }

    /// `f` over each shard's store of collection `name` (`None` for a shard without it),
    /// under the shard's read lock, in shard order.
    pub fn with_stores<R>(
        &self,
        name: &str,
        mut f: impl FnMut(Option<&store::TableStore>) -> R,
    ) -> Vec<R> {
        self.shards
            .iter()
            .map(|s| {
                let tables = s.tables.read().unwrap_or_else(|e| e.into_inner());
                f(tables.table(name).ok())
            })
            .collect()
    }

    /// Each shard's phase, in shard order.
    pub fn phases(&self) -> Vec<Phase> {
        self.shards.iter().map(|s| s.phase()).collect()
    }

    /// True when every shard's replica is ready.
    pub fn is_ready(&self) -> bool {
        self.shards.iter().all(|s| s.phase() == Phase::Ready)
    }

    /// Memory held, in bytes.
    pub fn memory_bytes(&self) -> usize {
        self.shards
            .iter()
            .map(|s| {
                s.tables
                    .read()
                    .unwrap_or_else(|e| e.into_inner())
                    .memory_bytes()
            })
            .sum()
    }

    /// Memory the replica of collection `name` holds on every shard together, in bytes.
    pub fn collection_memory_bytes(&self, name: &str) -> usize {
        self.shards
            .iter()
            .map(|s| {
                let tables = s.tables.read().unwrap_or_else(|e| e.into_inner());
                tables
                    .table(name)
                    .map_or(0, store::TableStore::memory_bytes)
            })
            .sum()
    }

    /// Why collection `info` cannot be answered from the replica right now, if it cannot.
    pub fn unserved_reason(&self, info: &TableInfo) -> Option<String> {
        if !self.is_ready() {
            return Some("the replica is not ready".into());
        }
        let budget = self.config.memory_budget_mb.saturating_mul(1 << 20);
        if self.memory_bytes() as u64 > budget {
            return Some(format!(
                "the replica is over its memory budget ({} MB)",
                self.config.memory_budget_mb
            ));
        }
        if let Some(mb) = self.config.collection_budget_mb(&info.name) {
            let bytes = self.collection_memory_bytes(&info.name);
            if bytes as u64 > mb.saturating_mul(1 << 20) {
                return Some(format!(
                    "collection {} takes {:.1} MB in the replica, over its memory budget ({mb} MB)",
                    info.name,
                    bytes as f64 / f64::from(1 << 20)
                ));
            }
        }
        for s in &self.shards {
            let tables = s.tables.read().unwrap_or_else(|e| e.into_inner());
            match tables.table(&info.name) {
                Ok(t) => {
                    let same = t.columns().len() == info.columns.len()
                        && t.columns()
                            .iter()
                            .zip(&info.columns)
                            .all(|((n, r), c)| *n == c.name && *r == c.reader);
                    if !same {
                        return Some(format!(
                            "collection {} has columns the replica does not keep exactly",
                            info.name
                        ));
                    }
                }
                Err(Unserved::Absent) => {}
                Err(Unserved::Broken(why)) => {
                    return Some(format!(
                        "collection {} on shard {}: {why}",
                        info.name, s.shard.name
                    ));
                }
            }
        }
        None
    }

    /// Sends the position probes a strong read of a statement that arrived at `arrived`
    /// will catch up to, without waiting for them: started before the statement is
    /// optimised and planned, their round trips to the shards overlap that work.
    pub fn probe_ahead(&self, arrived: Instant) {
        for s in &self.shards {
            let probe = s.position_since(arrived);
            // Its answer (or error) stays in the shared probe for the catch-up.
            tokio::spawn(async move {
                let _ = probe.await;
            });
        }
    }

    /// Catches up as `consistency` asks, on every shard at once. A strong read catches up
    /// to positions read since its statement arrived ([`plan_statement`]).
    pub async fn catch_up(&self, consistency: Consistency) -> Result<Freshness, SqlError> {
        let started = Instant::now();
        let arrived = statement_arrived();
        try_join_all(self.shards.iter().map(|s| async move {
            let fresh_enough = match consistency {
                Consistency::None => true,
                Consistency::Bounded(bound) => s.last_catch_up_age().is_some_and(|a| a <= bound),
                Consistency::Strong => false,
            };
            if fresh_enough {
                Ok(())
            } else {
                s.catch_up_now(arrived).await
            }
        }))
        .await?;
        let lag = match consistency {
            Consistency::Strong => Duration::ZERO,
            _ => self
                .shards
                .iter()
                .filter_map(|s| s.last_catch_up_age())
                .max()
                .unwrap_or_default()
                .saturating_sub(started.elapsed()),
        };
        Ok(Freshness { lag })
    }

    /// The live rows of collection `name`, one list of batches per shard, as the replica's
    /// stores keep them (every column of the collection, all nullable).
    pub fn partitions(&self, name: &str) -> Result<Vec<Vec<RecordBatch>>, SqlError> {
        self.shards
            .iter()
            .map(|s| {
                let tables = s.tables.read().unwrap_or_else(|e| e.into_inner());
                match tables.table(name) {
                    Ok(t) => t.batches().map_err(|e| {
                        SqlError::new(sqlstate::INTERNAL_ERROR, format!("replica: {e}"))
                    }),
                    Err(_) => Ok(Vec::new()),
                }
            })
            .collect()
    }

    /// Like [`Replica::partitions`], with the column of each of `reads` that the scan
    /// outputs (`needed`) per batch where the shard's store answers it exactly (see
    /// [`rewrite::ShreddedRead::column_from`]); `None` for the others.
    pub fn partitions_with_reads(
        &self,
        name: &str,
        reads: &[rewrite::ShreddedRead],
        needed: &[bool],
    ) -> Result<Vec<ShardPartition>, SqlError> {
        let internal =
            |e: store::StoreError| SqlError::new(sqlstate::INTERNAL_ERROR, format!("replica: {e}"));
        self.shards
            .iter()
            .map(|s| {
                let tables = s.tables.read().unwrap_or_else(|e| e.into_inner());
                let Ok(t) = tables.table(name) else {
                    return Ok(ShardPartition::default());
                };
                let batches = t.batches().map_err(internal)?;
                let rows: Vec<usize> = batches.iter().map(RecordBatch::num_rows).collect();
                let columns = reads
                    .iter()
                    .zip(needed)
                    .map(|(r, needed)| match needed {
                        true => r.column_from(t, &rows),
                        false => Ok(None),
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(internal)?;
                Ok(ShardPartition { batches, columns })
            })
            .collect()
    }

    /// How each shard's store answers `path` of collection `name` as an expression of type
    /// `data_type` on every row ([`rewrite::complete_answer`]; a shard without the
    /// collection has no rows).
    pub fn path_answers(
        &self,
        name: &str,
        path: &str,
        data_type: &DataType,
    ) -> Vec<rewrite::Answer> {
        self.shards
            .iter()
            .map(|s| {
                let tables = s.tables.read().unwrap_or_else(|e| e.into_inner());
                match tables.table(name) {
                    Ok(t) => rewrite::complete_answer(t.paths().counts(path), data_type),
                    Err(_) => rewrite::Answer::Absent,
                }
            })
            .collect()
    }

    /// The type each shard's documents give `path` of collection `name` (`None` where the
    /// path is absent or holds more than one kind of value).
    pub fn path_types(&self, name: &str, path: &str) -> Vec<Option<shred::ShredType>> {
        self.shards
            .iter()
            .map(|s| {
                let tables = s.tables.read().unwrap_or_else(|e| e.into_inner());
                let t = tables.table(name).ok()?;
                t.paths().counts(path)?.shred_type()
            })
            .collect()
    }
}

/// One shard's rows of a collection and the shredded reads asked for.
#[derive(Debug, Default)]
pub struct ShardPartition {
    /// The rows, as [`store::TableStore::batches`] gives them.
    pub batches: Vec<RecordBatch>,
    /// Per read asked for: one array per batch, if this shard answers it.
    pub columns: Vec<Option<Vec<datafusion::arrow::array::ArrayRef>>>,
}

/// A shard's background task: build, then poll; rebuild when the slot is lost.
async fn run_shard(shard: Weak<ShardReplica>, me: Identity, options: FeedOptions, poll: Duration) {
    let mut backoff = Duration::from_millis(500);
    let mut last_cleanup = Instant::now();
    loop {
        let Some(s) = shard.upgrade() else { return };
        let built = s.feed.lock().await.is_some();
        let wait = if !built {
            match s.build(&me, options).await {
                Ok(()) => {
                    backoff = Duration::from_millis(500);
                    poll
                }
                Err(e) => {
                    tracing::warn!(shard = %s.shard.name, error = %e.message, "replica build failed; retrying");
                    s.set_phase(Phase::Failed(e.message));
                    backoff = (backoff * 2).min(Duration::from_secs(30));
                    backoff
                }
            }
        } else {
            match s.drain().await {
                Ok(()) => s.record_size(),
                Err(e) if feed::is_slot_lost(&e) => {
                    tracing::warn!(shard = %s.shard.name, error = %e.message, "change feed slot lost; rebuilding the replica");
                    *s.feed.lock().await = None;
                    s.set_phase(Phase::Starting);
                }
                Err(e) => {
                    tracing::warn!(shard = %s.shard.name, error = %e.message, "change feed poll failed")
                }
            }
            if last_cleanup.elapsed() >= SLOT_CLEANUP_INTERVAL {
                last_cleanup = Instant::now();
                let mine = s.feed.lock().await.as_ref().map(|f| f.slot().to_string());
                if let Some(mine) = mine {
                    let _ =
                        feed::drop_dead_slots(&s.shard, &mine, options.slot_max_lag_bytes).await;
                }
            }
            poll
        };
        drop(s);
        tokio::time::sleep(wait).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unreachable_shard() -> ShardReplica {
        // Nothing listens on port 1: a probe that runs fails to connect.
        let config = docfusion_types::NodeConfig::default();
        let shards = ShardSet::from_config(&config, &["host=127.0.0.1 port=1 user=x".to_string()])
            .expect("shard set");
        ShardReplica::new(shards.shard(0).clone())
    }

    #[tokio::test]
    async fn a_position_probe_is_shared_only_by_reads_that_arrived_before_it_was_sent() {
        let replica = unreachable_shard();
        let arrived = Instant::now();
        let first = replica.position_since(arrived);
        assert!(
            first.ptr_eq(&replica.position_since(arrived)),
            "a read that arrived before the probe was sent shares it"
        );
        // A read arriving after the probe was sent needs a newer one...
        let later = Instant::now() + Duration::from_millis(1);
        let second = replica.position_since(later);
        assert!(!second.ptr_eq(&first));
        // ...which the earlier read may use too.
        assert!(second.ptr_eq(&replica.position_since(arrived)));
        let error = second.await.expect_err("nothing listens on port 1");
        assert_eq!(error.code, sqlstate::UNABLE_TO_CONNECT, "{}", error.message);
    }
}
