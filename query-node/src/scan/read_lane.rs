//! Coalescing of concurrent point reads: reads of one prepared point-read shape on one
//! shard share a "lane". While fewer than the lane's limit of shard queries are running, a
//! read is sent on its own; the reads that arrive meanwhile wait and are then sent together
//! as one `… WHERE id = ANY($1)` query, whose rows are handed back to each waiter by id.
//!
//! Under light load nothing waits, so latency is that of a single query. Under heavy load
//! each shard query answers many reads, which saves the shard its per-statement work
//! (executor start-up, a protocol round trip per read) — the cost that dominates a read by
//! primary key. A batch is sent only after every read in it arrived, so each read still
//! sees every write committed before it was asked (the same guarantee as a query of its own).
//!
//! The shard queries of a busy lane share its connections, two pipelined on each (the
//! second is sent while the first still runs, so the shard's backend never waits for the
//! node between them) instead of each taking a connection of its own from the pool: with
//! the default limit of two running queries, one backend answers the lane, and the node
//! saves the pool's check-out and check-in per query. A lane allowed more running queries
//! uses more connections (one per two), so a shard with many cores still serves one shape
//! on several. The connections go back to the pool when the lane has nothing running, so an
//! idle lane holds none, and one that fails is replaced. They are the point-read fast
//! path's own lean connections ([`crate::shard_wire`]): the task of the read that runs a
//! query writes it to the shard's socket and reads its answer itself.
//!
//! A batch is `… WHERE id IN ($1, …, $n)` with n rounded up to a power of two (the last id
//! repeated), not `id = ANY($1::text[])`: Postgres plans a prepared statement with an array
//! parameter anew on every execution (its generic plan never looks cheaper than a custom
//! one), while a list of n scalars switches to the cached generic plan after five runs, as
//! a single-id lookup does. Rounding keeps the number of prepared shapes per connection at
//! most nine.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::oneshot;

use crate::error::{SqlError, sqlstate};
use crate::shard_wire::{PooledShardConn, WireError, WireRow};
use crate::shards::{Shard, wire_error};

/// Largest number of ids sent in one batched query (a power of two).
pub const MAX_BATCH: usize = 256;

/// The SQL of one point-read shape on a shard.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LaneSql {
    /// One id as `$1` (text).
    pub single: String,
    /// Several ids at once; each row's last column is its id. `None`: never batched.
    pub batched: Option<BatchedSql>,
}

/// `{head}$1, …, $n{tail}`: the query of a batch of n ids.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BatchedSql {
    /// Up to the id list, e.g. `SELECT "doc", "id" FROM "t" WHERE "id" IN (`.
    pub head: String,
    /// After it, e.g. `) AND (…)`.
    pub tail: String,
}

impl BatchedSql {
    /// How many ids a batch of `n` sends: `n` rounded up to a power of two, at most
    /// [`MAX_BATCH`].
    pub fn slots(n: usize) -> usize {
        n.clamp(1, MAX_BATCH).next_power_of_two()
    }

    /// The query for a batch of `n` ids (`n` rounded as [`BatchedSql::slots`] says).
    pub fn sql(&self, n: usize) -> String {
        let slots = Self::slots(n);
        let mut sql = String::with_capacity(self.head.len() + self.tail.len() + slots * 5);
        sql.push_str(&self.head);
        for i in 1..=slots {
            if i > 1 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&i.to_string());
        }
        sql.push_str(&self.tail);
        sql
    }
}

/// The rows a point read found: shared, since reads of one id in one batch get the same.
pub type Rows = Arc<Vec<WireRow>>;

type Waiter = (String, oneshot::Sender<Result<Rows, SqlError>>);

struct LaneState {
    running: usize,
    waiting: Vec<Waiter>,
    /// The connections the lane's running queries share (one per two running queries),
    /// held while any runs.
    conns: Vec<Option<Arc<PooledShardConn>>>,
    /// The connection the next query uses (round robin).
    next_conn: usize,
}

impl LaneState {
    fn new(max_running: usize) -> Self {
        LaneState {
            running: 0,
            waiting: Vec::new(),
            conns: vec![None; max_running.max(1).div_ceil(2)],
            next_conn: 0,
        }
    }

    /// A running query is done and none is waiting: the last one out hands the shared
    /// connections back to the pool.
    fn release(&mut self) {
        self.running -= 1;
        if self.running == 0 {
            self.conns.iter_mut().for_each(|c| *c = None);
        }
    }
}

/// The reads of one shape on one shard.
pub struct ReadLane {
    shard: Shard,
    sql: LaneSql,
    /// The batched query for each number of slots (1, 2, 4, … [`MAX_BATCH`]), built once.
    batched_sql: Vec<String>,
    max_running: usize,
    state: Mutex<LaneState>,
    /// This shard's `point_read_shard_queries_total`, looked up once.
    shard_queries: prometheus::IntCounter,
}

impl std::fmt::Debug for ReadLane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadLane")
            .field("shard", &self.shard.name)
            .field("sql", &self.sql.single)
            .finish()
    }
}

/// The lanes of one shard, one per shape, shared by every connection of the node.
#[derive(Debug, Default)]
pub struct ReadLanes {
    lanes: Mutex<HashMap<LaneSql, Arc<ReadLane>>>,
}

impl ReadLanes {
    /// The lane for `sql` on `shard`, created on first use.
    pub fn lane(&self, shard: &Shard, sql: &LaneSql, max_running: usize) -> Arc<ReadLane> {
        let mut lanes = self.lanes.lock().unwrap_or_else(PoisonError::into_inner);
        lanes
            .entry(sql.clone())
            .or_insert_with(|| {
                let batched_sql = sql.batched.as_ref().map_or_else(Vec::new, |b| {
                    (0..=MAX_BATCH.trailing_zeros())
                        .map(|k| b.sql(1 << k))
                        .collect()
                });
                Arc::new(ReadLane {
                    shard: shard.clone(),
                    sql: sql.clone(),
                    batched_sql,
                    max_running: max_running.max(1),
                    state: Mutex::new(LaneState::new(max_running)),
                    shard_queries: crate::metrics::metrics()
                        .point_read_shard_queries_total
                        .with_label_values(&[shard.name.as_str()]),
                })
            })
            .clone()
    }
}

/// What a read does once it holds the lane's state lock.
enum Turn {
    /// Run now, holding one of the lane's running slots.
    Run,
    /// Wait for a batch to answer.
    Wait(oneshot::Receiver<Result<Rows, SqlError>>),
}

impl ReadLane {
    fn lock(&self) -> std::sync::MutexGuard<'_, LaneState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reads waiting for a batch.
    pub fn queued(&self) -> usize {
        self.lock().waiting.len()
    }

    /// Shard connections the lane holds (only while a query of it runs).
    pub fn held_connections(&self) -> usize {
        self.lock().conns.iter().flatten().count()
    }

    /// The rows for `id` (at most one for a collection, whose `id` is its primary key).
    pub async fn read(self: &Arc<Self>, id: &str) -> Result<Rows, SqlError> {
        let turn = {
            let mut state = self.lock();
            if state.running < self.max_running || self.sql.batched.is_none() {
                state.running += 1;
                Turn::Run
            } else {
                let (tx, rx) = oneshot::channel();
                state.waiting.push((id.to_string(), tx));
                Turn::Wait(rx)
            }
        };
        match turn {
            Turn::Wait(rx) => rx.await.unwrap_or_else(|_| {
                Err(SqlError::new(
                    sqlstate::INTERNAL_ERROR,
                    format!(
                        "point read on shard {}: the batch carrying it was dropped",
                        self.shard.name
                    ),
                ))
            }),
            Turn::Run => {
                // The slot is released (or handed to the drain) even if this future is
                // dropped mid-query, e.g. by a cancelled statement.
                let slot = RunningSlot { lane: self.clone() };
                let rows = self.query_one(id).await;
                drop(slot);
                rows.map(Arc::new)
            }
        }
    }

    /// A connection for the next query: the lane's next shared one, or a new one from the
    /// pool in its place. Two reads that start at once may both check one out for a place;
    /// the first one stored is kept and the other goes back to the pool after its query.
    async fn conn(&self) -> Result<Arc<PooledShardConn>, SqlError> {
        let place = {
            let mut state = self.lock();
            let place = state.next_conn;
            state.next_conn = (place + 1) % state.conns.len();
            if let Some(conn) = &state.conns[place] {
                return Ok(conn.clone());
            }
            place
        };
        let conn = Arc::new(self.shard.point_conn().await?);
        let mut state = self.lock();
        Ok(state.conns[place].get_or_insert(conn).clone())
    }

    /// Forgets the shared connection `conn` after it broke, so that the next query takes
    /// another one (the pool closes this one when the last query using it lets go).
    fn forget(&self, conn: &Arc<PooledShardConn>) {
        let mut state = self.lock();
        for place in &mut state.conns {
            if place.as_ref().is_some_and(|c| Arc::ptr_eq(c, conn)) {
                *place = None;
            }
        }
    }

    /// Runs `sql` with `params` on the lane's connection. A connection that served
    /// queries before and breaks was most likely closed by the shard while it sat in the
    /// pool (a restart, an idle timeout, an administrator): the query, a read, is sent
    /// once more, on a new one.
    async fn query(&self, sql: &str, params: &[&str]) -> Result<Vec<WireRow>, SqlError> {
        let mut retried = false;
        loop {
            let conn = self.conn().await?;
            self.shard_queries.inc();
            match conn.query(sql, params).await {
                Ok(rows) => return Ok(rows),
                Err(e @ WireError::Broken(_)) => {
                    self.forget(&conn);
                    if retried || !conn.was_used() {
                        return Err(wire_error(&self.shard.name, &e));
                    }
                    retried = true;
                }
                Err(e) => return Err(wire_error(&self.shard.name, &e)),
            }
        }
    }

    async fn query_one(&self, id: &str) -> Result<Vec<WireRow>, SqlError> {
        self.query(&self.sql.single, &[id]).await
    }

    /// Answers waiting reads in batches until none wait, then gives the slot back.
    async fn drain(self: Arc<Self>) {
        loop {
            let batch: Vec<Waiter> = {
                let mut state = self.lock();
                if state.waiting.is_empty() {
                    state.release();
                    return;
                }
                let take = state.waiting.len().min(MAX_BATCH);
                state.waiting.drain(..take).collect()
            };
            self.answer(batch).await;
        }
    }

    async fn answer(&self, batch: Vec<Waiter>) {
        let ids: Vec<&str> = batch.iter().map(|(id, _)| id.as_str()).collect();
        match self.query_many(&ids).await {
            Ok(rows) => {
                let id_column = rows.first().map(|r| r.len() - 1);
                let mut by_id: HashMap<String, Vec<WireRow>> = HashMap::with_capacity(rows.len());
                for row in rows {
                    let id: Option<String> = id_column.and_then(|c| row.try_get(c).ok());
                    if let Some(id) = id {
                        by_id.entry(id).or_default().push(row);
                    }
                }
                // Several reads of one id may share a batch (the shard answers it once):
                // each of them gets the same rows.
                let by_id: HashMap<String, Rows> = by_id
                    .into_iter()
                    .map(|(id, rows)| (id, Arc::new(rows)))
                    .collect();
                for (id, tx) in batch {
                    let rows = by_id.get(&id).cloned().unwrap_or_default();
                    let _ = tx.send(Ok(rows));
                }
            }
            Err(e) => {
                for (_, tx) in batch {
                    let _ = tx.send(Err(e.clone()));
                }
            }
        }
    }

    async fn query_many(&self, ids: &[&str]) -> Result<Vec<WireRow>, SqlError> {
        let slots = BatchedSql::slots(ids.len());
        let Some(sql) = self.batched_sql.get(slots.trailing_zeros() as usize) else {
            return Err(SqlError::new(
                sqlstate::INTERNAL_ERROR,
                "point reads of this shape are never batched",
            ));
        };
        // The slots past the batch repeat its last id (an `IN` list ignores repeats).
        let last = ids.last().copied().unwrap_or_default();
        let params: Vec<&str> = (0..slots)
            .map(|i| ids.get(i).copied().unwrap_or(last))
            .collect();
        self.query(sql, &params).await
    }
}

/// A running slot of a lane. When the read that holds it is done (or dropped), reads that
/// queued meanwhile are answered by a drain task that inherits the slot.
struct RunningSlot {
    lane: Arc<ReadLane>,
}

impl Drop for RunningSlot {
    fn drop(&mut self) {
        let mut state = self.lane.lock();
        if state.waiting.is_empty() {
            state.release();
            return;
        }
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                drop(state);
                runtime.spawn(self.lane.clone().drain());
            }
            // No runtime left to run the batch (the node is shutting down).
            Err(_) => {
                state.release();
                for (_, tx) in state.waiting.drain(..) {
                    let _ = tx.send(Err(SqlError::new(
                        sqlstate::ADMIN_SHUTDOWN,
                        "the node is shutting down",
                    )));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lane_pipelines_two_running_queries_on_each_connection() {
        let places: Vec<usize> = [0, 1, 2, 3, 8]
            .into_iter()
            .map(|k| LaneState::new(k).conns.len())
            .collect();
        assert_eq!(places, [1, 1, 1, 2, 4]);
    }

    #[test]
    fn batches_round_up_to_a_power_of_two_and_stop_at_the_maximum() {
        let slots: Vec<usize> = [0, 1, 2, 3, 5, 8, 9, 200, 256, 1000]
            .into_iter()
            .map(BatchedSql::slots)
            .collect();
        assert_eq!(slots, [1, 1, 2, 4, 8, 8, 16, 256, 256, 256]);
        let sql = BatchedSql {
            head: "SELECT doc, id FROM t WHERE id IN (".into(),
            tail: ") AND x".into(),
        };
        assert_eq!(
            sql.sql(3),
            "SELECT doc, id FROM t WHERE id IN ($1, $2, $3, $4) AND x"
        );
        assert_eq!(sql.sql(1), "SELECT doc, id FROM t WHERE id IN ($1) AND x");
    }

    #[test]
    fn a_lane_builds_its_batched_queries_once_for_every_batch_size() {
        let lanes = ReadLanes::default();
        let shards = crate::shards::ShardSet::from_config(
            &docfusion_types::NodeConfig::default(),
            &["host=127.0.0.1 user=u".to_string()],
        )
        .unwrap();
        let sql = LaneSql {
            single: "SELECT doc FROM t WHERE id = $1::text".into(),
            batched: Some(BatchedSql {
                head: "SELECT doc, id FROM t WHERE id IN (".into(),
                tail: ")".into(),
            }),
        };
        let lane = lanes.lane(shards.shard(0), &sql, 2);
        assert_eq!(lane.batched_sql.len(), 9);
        for n in [1, 3, 100, 256] {
            let slots = BatchedSql::slots(n);
            assert_eq!(
                lane.batched_sql[slots.trailing_zeros() as usize],
                sql.batched.as_ref().unwrap().sql(n)
            );
        }
    }
}
