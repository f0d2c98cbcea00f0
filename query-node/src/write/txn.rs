//! A transaction over the shards for one session, one HTTP request or one bulk load: shard
//! transactions are opened lazily (only on the shards a statement touches), statements run
//! inside them, and COMMIT is a plain commit when one shard was touched and a two-phase
//! commit through the [`Coordinator`] when several were.
//!
//! ```text
//! let mut txn = WriteTxn::new(engine.shards().clone(), engine.coordinator().clone(), Isolation::ReadCommitted);
//! txn.query(shard, "INSERT INTO c (id, doc) VALUES ($1, $2)", &[Some(id), Some(doc)]).await?;
//! txn.commit().await?; // or txn.rollback().await
//! ```
//!
//! Dropping a `WriteTxn` without committing closes its connections, so the shards abort
//! whatever it had written (this is what a dropped client connection does).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use deadpool_postgres::Object;
use futures::future::join_all;
use tokio_postgres::Row;
use tokio_postgres::types::Type;

use crate::error::{SqlError, sqlstate};
use crate::scan::pushdown::{quote_ident, quote_literal};
use crate::shards::{ShardSet, shard_error};
use crate::snapshot::ReadSnapshot;
use crate::write::params::TextParam;
use crate::write::twopc::Coordinator;

/// The isolation level of the shard transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isolation {
    /// Postgres' default: each statement sees what was committed before it started, and an
    /// UPDATE that waited for a concurrent writer re-reads the row it then changes (so that
    /// `doc = doc || …` increments are never lost). Used for single statements.
    ReadCommitted,
    /// One snapshot per shard for the whole transaction (imported from the block's read
    /// snapshot when it already read that shard); a row changed concurrently fails with
    /// 40001. Used for transaction blocks.
    RepeatableRead,
}

/// The open shard connections of a transaction, shared with the scans of the same session
/// so that its reads see its own writes.
#[derive(Default)]
pub struct TxnConns {
    conns: Mutex<BTreeMap<usize, Arc<Object>>>,
}

impl std::fmt::Debug for TxnConns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TxnConns")
            .field("shards", &self.shards())
            .finish()
    }
}

impl TxnConns {
    /// The connection holding the transaction open on shard `index`, if it was touched.
    pub fn get(&self, index: usize) -> Option<Arc<Object>> {
        self.lock().get(&index).cloned()
    }

    /// The shards with an open transaction, in index order.
    pub fn shards(&self) -> Vec<usize> {
        self.lock().keys().copied().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<usize, Arc<Object>>> {
        self.conns.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn insert(&self, index: usize, conn: Arc<Object>) {
        self.lock().insert(index, conn);
    }

    fn take_all(&self) -> BTreeMap<usize, Arc<Object>> {
        std::mem::take(&mut *self.lock())
    }
}

/// A connection that leaves a transaction: back to its pool when its session is idle,
/// closed otherwise (a connection is never pooled inside a transaction).
pub(crate) fn release(conn: Arc<Object>, idle: bool) {
    match Arc::try_unwrap(conn) {
        Ok(obj) if idle => drop(obj),
        Ok(obj) => drop(Object::take(obj)),
        // A scan still holds it; it returns to the pool when that scan drops it, and only
        // idle connections get here with other holders (a statement's scans finish first).
        Err(shared) => drop(shared),
    }
}

/// A connection of shard `index` inside a transaction started by `begin`.
async fn begin_on(shards: &ShardSet, index: usize, begin: &str) -> Result<Object, SqlError> {
    let shard = shards
        .shards()
        .get(index)
        .ok_or_else(|| SqlError::new(sqlstate::INTERNAL_ERROR, format!("no shard {index}")))?;
    let conn = shard.connect().await?;
    if let Err(e) = conn.batch_execute(begin).await {
        drop(Object::take(conn));
        return Err(shard_error(&shard.name, &e));
    }
    Ok(conn)
}

/// Runs one statement on a shard connection, parameters sent as text (Postgres infers
/// their types from the statement, as for a client that sends untyped text parameters).
pub async fn run_statement(
    conn: &Object,
    shard_name: &str,
    sql: &str,
    params: &[Option<String>],
) -> Result<(Vec<Row>, u64), SqlError> {
    use futures::TryStreamExt;
    let err = |e: tokio_postgres::Error| shard_error(shard_name, &e);
    let typed = params
        .iter()
        .map(|p| (TextParam(p.as_deref()), Type::UNKNOWN));
    let stream = conn.query_typed_raw(sql, typed).await.map_err(err)?;
    futures::pin_mut!(stream);
    let mut rows = Vec::new();
    while let Some(row) = stream.try_next().await.map_err(err)? {
        rows.push(row);
    }
    let affected = stream.rows_affected().unwrap_or(rows.len() as u64);
    Ok((rows, affected))
}

/// One statement for one shard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardStatement {
    /// Shard index.
    pub shard: usize,
    /// SQL (one statement; `$n` parameters).
    pub sql: String,
    /// Parameters, as text (`None` is NULL).
    pub params: Vec<Option<String>>,
}

/// What one statement returned on one shard.
#[derive(Debug)]
pub struct ShardResult {
    /// Shard index.
    pub shard: usize,
    /// The rows (RETURNING).
    pub rows: Vec<Row>,
    /// Rows affected.
    pub affected: u64,
}

/// A transaction across the shards (see the module documentation).
pub struct WriteTxn {
    shards: ShardSet,
    coordinator: Arc<Coordinator>,
    isolation: Isolation,
    conns: Arc<TxnConns>,
    savepoints: Vec<String>,
    snapshot: Option<Arc<ReadSnapshot>>,
}

impl std::fmt::Debug for WriteTxn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteTxn")
            .field("isolation", &self.isolation)
            .field("shards", &self.conns.shards())
            .finish_non_exhaustive()
    }
}

impl WriteTxn {
    /// A transaction that has not touched any shard yet.
    pub fn new(shards: ShardSet, coordinator: Arc<Coordinator>, isolation: Isolation) -> Self {
        Self {
            shards,
            coordinator,
            isolation,
            conns: Arc::new(TxnConns::default()),
            savepoints: Vec::new(),
            snapshot: None,
        }
    }

    /// Shard transactions opened from now on import this block's read snapshot (of the
    /// shards it has already read), so that a block reads each shard at one point in time.
    pub fn set_snapshot(&mut self, snapshot: Option<Arc<ReadSnapshot>>) {
        self.snapshot = snapshot;
    }

    /// Savepoints already taken by the block before its first write; shard transactions
    /// opened later recreate them so that `ROLLBACK TO` works on every shard.
    pub fn set_savepoints(&mut self, savepoints: Vec<String>) {
        self.savepoints = savepoints;
    }

    /// The shared connections (for scans that must read this transaction's writes).
    pub fn conns(&self) -> Arc<TxnConns> {
        self.conns.clone()
    }

    /// The shards this transaction has touched.
    pub fn touched(&self) -> Vec<usize> {
        self.conns.shards()
    }

    /// The shard set.
    pub fn shard_set(&self) -> &ShardSet {
        &self.shards
    }

    /// The connection of shard `index`, opening its transaction first when needed.
    pub async fn open(&mut self, index: usize) -> Result<Arc<Object>, SqlError> {
        self.open_all(&[index]).await?;
        self.conns.get(index).ok_or_else(|| {
            SqlError::new(
                sqlstate::INTERNAL_ERROR,
                format!("shard {index} is not open"),
            )
        })
    }

    /// Opens the transactions of several shards at once (those not open yet).
    pub async fn open_all(&mut self, indexes: &[usize]) -> Result<(), SqlError> {
        let missing: Vec<usize> = indexes
            .iter()
            .copied()
            .filter(|i| self.conns.get(*i).is_none())
            .collect();
        let opened = join_all(missing.into_iter().map(|i| {
            let begin = self.begin_sql(i);
            let shards = self.shards.clone();
            async move { (i, begin_on(&shards, i, &begin).await) }
        }))
        .await;
        let mut first_error = None;
        for (i, r) in opened {
            match r {
                Ok(c) => self.conns.insert(i, Arc::new(c)),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// What starts the transaction on shard `index`: BEGIN at the isolation level, the
    /// block's snapshot of that shard, the savepoints taken so far.
    fn begin_sql(&self, index: usize) -> String {
        let mut begin = match self.isolation {
            Isolation::ReadCommitted => "BEGIN ISOLATION LEVEL READ COMMITTED".to_string(),
            Isolation::RepeatableRead => "BEGIN ISOLATION LEVEL REPEATABLE READ".to_string(),
        };
        if self.isolation == Isolation::RepeatableRead
            && let Some(id) = self.snapshot.as_ref().and_then(|s| s.id(index))
        {
            begin.push_str(&format!("; SET TRANSACTION SNAPSHOT {}", quote_literal(id)));
        }
        for s in &self.savepoints {
            begin.push_str(&format!("; SAVEPOINT {}", quote_ident(s)));
        }
        begin
    }

    /// Runs `sql` inside this transaction on shard `index` (opened if needed); returns the
    /// rows and the number of rows the statement affected.
    pub async fn query(
        &mut self,
        index: usize,
        sql: &str,
        params: &[Option<String>],
    ) -> Result<(Vec<Row>, u64), SqlError> {
        let conn = self.open(index).await?;
        run_statement(&conn, &self.shards.shard(index).name, sql, params).await
    }

    /// Runs statements inside this transaction: the shards concurrently (all opened
    /// first), each shard's statements in the order given. The first error is returned (what
    /// the others did stays in their shard transactions, which the caller then rolls back).
    pub async fn query_many(
        &mut self,
        work: Vec<ShardStatement>,
    ) -> Result<Vec<ShardResult>, SqlError> {
        let mut per_shard: BTreeMap<usize, Vec<ShardStatement>> = BTreeMap::new();
        for w in work {
            per_shard.entry(w.shard).or_default().push(w);
        }
        let indexes: Vec<usize> = per_shard.keys().copied().collect();
        self.open_all(&indexes).await?;
        let shards = self.shards.clone();
        let conns = self.conns.clone();
        let results = join_all(per_shard.into_iter().map(|(i, statements)| {
            let name = shards.shard(i).name.clone();
            let conn = conns.get(i);
            async move {
                let conn = conn.ok_or_else(|| {
                    SqlError::new(sqlstate::INTERNAL_ERROR, format!("shard {i} is not open"))
                })?;
                let mut out = Vec::with_capacity(statements.len());
                for s in statements {
                    let (rows, affected) = run_statement(&conn, &name, &s.sql, &s.params).await?;
                    out.push(ShardResult {
                        shard: i,
                        rows,
                        affected,
                    });
                }
                Ok::<_, SqlError>(out)
            }
        }))
        .await;
        let mut out = Vec::new();
        for r in results {
            out.extend(r?);
        }
        Ok(out)
    }

    /// Runs `sql` (possibly several statements, no parameters) on the given shards inside
    /// this transaction, concurrently.
    pub async fn batch_on(&mut self, indexes: &[usize], sql: &str) -> Result<(), SqlError> {
        self.open_all(indexes).await?;
        self.batch_on_open(indexes, sql).await
    }

    /// Runs `sql` on those of `indexes` that are open, concurrently.
    async fn batch_on_open(&self, indexes: &[usize], sql: &str) -> Result<(), SqlError> {
        let shards = self.shards.clone();
        let results = join_all(indexes.iter().filter_map(|i| {
            let conn = self.conns.get(*i)?;
            let name = shards.shard(*i).name.clone();
            Some(async move {
                conn.batch_execute(sql)
                    .await
                    .map_err(|e| shard_error(&name, &e))
            })
        }))
        .await;
        results.into_iter().collect()
    }

    /// `SAVEPOINT name` on every open shard (and on shards opened later).
    pub async fn savepoint(&mut self, name: &str) -> Result<(), SqlError> {
        self.on_every_open_shard(&format!("SAVEPOINT {}", quote_ident(name)))
            .await?;
        self.savepoints.push(name.to_string());
        Ok(())
    }

    /// `RELEASE SAVEPOINT name` on every open shard.
    pub async fn release(&mut self, name: &str) -> Result<(), SqlError> {
        self.on_every_open_shard(&format!("RELEASE SAVEPOINT {}", quote_ident(name)))
            .await?;
        if let Some(at) = self.savepoints.iter().rposition(|s| s == name) {
            self.savepoints.truncate(at);
        }
        Ok(())
    }

    /// `ROLLBACK TO SAVEPOINT name` on every open shard (which also leaves a failed state).
    pub async fn rollback_to(&mut self, name: &str) -> Result<(), SqlError> {
        self.on_every_open_shard(&format!("ROLLBACK TO SAVEPOINT {}", quote_ident(name)))
            .await?;
        if let Some(at) = self.savepoints.iter().rposition(|s| s == name) {
            self.savepoints.truncate(at + 1);
        }
        Ok(())
    }

    async fn on_every_open_shard(&self, sql: &str) -> Result<(), SqlError> {
        self.batch_on_open(&self.conns.shards(), sql).await
    }

    /// Commits: nothing to do without shards, a plain COMMIT on one shard, two-phase commit
    /// on several. Runs to its end even when the caller stops waiting (a cancelled
    /// statement never leaves a commit half done).
    pub async fn commit(self) -> Result<(), SqlError> {
        let conns = self.conns.take_all();
        if conns.is_empty() {
            return Ok(());
        }
        let coordinator = self.coordinator.clone();
        let shards = self.shards.clone();
        let task = tokio::spawn(async move { coordinator.commit(&shards, conns).await });
        task.await.map_err(|e| {
            SqlError::new(
                sqlstate::INTERNAL_ERROR,
                format!("commit task failed: {e}; in-doubt recovery will resolve the transaction"),
            )
        })?
    }

    /// Rolls back on every touched shard.
    pub async fn rollback(self) {
        let conns = self.conns.take_all();
        join_all(conns.into_values().map(|conn| async move {
            let idle = conn.batch_execute("ROLLBACK").await.is_ok();
            release(conn, idle);
        }))
        .await;
    }
}

impl Drop for WriteTxn {
    fn drop(&mut self) {
        // Neither committed nor rolled back (the client went away): close the connections,
        // and their shards abort what this transaction wrote.
        for (_, conn) in self.conns.take_all() {
            release(conn, false);
        }
    }
}
