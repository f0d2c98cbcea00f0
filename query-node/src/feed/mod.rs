//! The change feed: every committed change of every shard, exactly once and in each shard's
//! commit order, read by logical decoding (`pgoutput`) through the SQL slot functions.
//!
//! Per shard, a [`ShardFeed`] owns one logical replication slot of this process. A drain
//! peeks the slot's pending changes (`pg_logical_slot_peek_binary_changes`, whole
//! transactions only), decodes them ([`pgoutput`]), hands each newly committed transaction to
//! the caller, and only then advances the slot (`pg_replication_slot_advance`). A
//! transaction handed over is remembered by its end LSN and never handed over again, even
//! when advancing failed and the next peek returns it once more. See `docs/design.md`
//! ("Change feed") for slots, their clean-up and the snapshot protocol.

pub mod assemble;
pub mod pgoutput;
pub mod slot;

use std::time::Instant;

use crate::error::{SqlError, sqlstate};
use crate::shards::{Shard, shard_error};
use crate::write::twopc::Identity;
pub use assemble::{RowChange, Transaction};
pub use pgoutput::{Datum, Lsn, Relation};

/// Tunables of a feed.
#[derive(Debug, Clone, Copy)]
pub struct FeedOptions {
    /// Changes one peek asks for (whole transactions are always returned, so a peek may
    /// return more).
    pub batch_changes: u32,
    /// Inactive feed slots lagging more than this are dropped as dead.
    pub slot_max_lag_bytes: u64,
}

impl Default for FeedOptions {
    fn default() -> Self {
        Self {
            batch_changes: 10_000,
            slot_max_lag_bytes: 4 << 30,
        }
    }
}

/// What one drain did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DrainReport {
    /// Transactions handed over.
    pub transactions: usize,
    /// Row changes in them.
    pub changes: usize,
    /// Every transaction committed before this position has now been handed over.
    pub covered: Lsn,
}

/// One shard's change feed.
#[derive(Debug)]
pub struct ShardFeed {
    shard: Shard,
    slot: String,
    options: FeedOptions,
    assembler: assemble::Assembler,
    /// Where the slot started: every transaction committing after it is decoded.
    start: Lsn,
    /// End LSN of the last transaction handed over.
    delivered: Lsn,
    /// Every transaction committed before this has been handed over.
    covered: Lsn,
    /// When `covered` was last read from the shard.
    covered_at: Option<Instant>,
    /// What the slot has confirmed.
    confirmed: Lsn,
}

fn feed_error(shard: &Shard, what: &str, e: impl std::fmt::Display) -> SqlError {
    SqlError::new(
        sqlstate::INTERNAL_ERROR,
        format!("change feed of shard {}: {what}: {e}", shard.name),
    )
}

fn parse_lsn(shard: &Shard, text: &str) -> Result<Lsn, SqlError> {
    Lsn::parse(text).ok_or_else(|| feed_error(shard, "unreadable LSN", text))
}

impl ShardFeed {
    /// Makes sure the shard has the feed's publication, drops the slots of dead nodes, and
    /// creates this process' slot (which waits for the transactions running on the shard to
    /// end: that is when the slot's consistent starting point is reached).
    pub async fn create(
        shard: Shard,
        me: &Identity,
        options: FeedOptions,
    ) -> Result<ShardFeed, SqlError> {
        ensure_publication(&shard).await?;
        let slot = slot::slot_name(me);
        match drop_dead_slots(&shard, &slot, options.slot_max_lag_bytes).await {
            Ok(dropped) if !dropped.is_empty() => {
                tracing::info!(shard = %shard.name, ?dropped, "dropped replication slots of dead nodes")
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(shard = %shard.name, error = %e, "could not clean up replication slots")
            }
        }
        let conn = shard.connect().await?;
        let row = conn
            .query_one(
                "SELECT lsn::text FROM pg_create_logical_replication_slot($1, 'pgoutput')",
                &[&slot],
            )
            .await
            .map_err(|e| shard_error(&shard.name, &e))?;
        let start = parse_lsn(&shard, row.get(0))?;
        tracing::info!(shard = %shard.name, %slot, %start, "change feed slot created");
        Ok(ShardFeed {
            shard,
            slot,
            options,
            assembler: assemble::Assembler::new(),
            start,
            delivered: start,
            covered: start,
            covered_at: None,
            confirmed: start,
        })
    }

    /// The slot's name.
    pub fn slot(&self) -> &str {
        &self.slot
    }

    /// The shard.
    pub fn shard(&self) -> &Shard {
        &self.shard
    }

    /// The slot's consistent starting point.
    pub fn start(&self) -> Lsn {
        self.start
    }

    /// Every transaction committed before this position has been handed over.
    pub fn covered(&self) -> Lsn {
        self.covered
    }

    /// When [`ShardFeed::covered`] was read from the shard (`None`: never drained).
    pub fn covered_at(&self) -> Option<Instant> {
        self.covered_at
    }

    /// The shard's current position: see [`current_position`].
    pub async fn current_position(&self) -> Result<Lsn, SqlError> {
        current_position(&self.shard).await
    }

    /// Hands every transaction committed since the last drain to `apply`, in commit order,
    /// each exactly once, then confirms them on the slot.
    pub async fn drain(
        &mut self,
        apply: &mut (dyn FnMut(&Transaction) + Send),
    ) -> Result<DrainReport, SqlError> {
        let conn = self.shard.connect().await?;
        let shard = self.shard.clone();
        let err = |e: tokio_postgres::Error| shard_error(&shard.name, &e);
        let asked_at = Instant::now();
        let flushed_sql = conn
            .prepare_cached("SELECT pg_current_wal_flush_lsn()::text")
            .await
            .map_err(err)?;
        let flushed = parse_lsn(
            &shard,
            conn.query_one(&flushed_sql, &[]).await.map_err(err)?.get(0),
        )?;
        let batch = i32::try_from(self.options.batch_changes.max(1)).unwrap_or(i32::MAX);
        let peek = conn
            .prepare_cached(
                "SELECT data FROM pg_logical_slot_peek_binary_changes($1, NULL, $2, \
                 'proto_version', '1', 'publication_names', $3)",
            )
            .await
            .map_err(err)?;
        let mut report = DrainReport::default();
        loop {
            let rows = conn
                .query(&peek, &[&self.slot, &batch, &slot::PUBLICATION])
                .await
                .map_err(err)?;
            // Each peek is a new decoding session: it starts at a transaction boundary.
            self.assembler.reset();
            let mut last_end = None;
            for row in &rows {
                let data: &[u8] = row.get(0);
                let message = pgoutput::decode(data)
                    .map_err(|e| feed_error(&shard, "undecodable message", e))?;
                let Some(txn) = self
                    .assembler
                    .push(message)
                    .map_err(|e| feed_error(&shard, "inconsistent message stream", e))?
                else {
                    continue;
                };
                last_end = Some(txn.end_lsn);
                if txn.end_lsn > self.delivered {
                    apply(&txn);
                    self.delivered = txn.end_lsn;
                    report.transactions += 1;
                    report.changes += txn.changes.len();
                }
            }
            if let Some(end) = last_end {
                self.advance(&conn, end).await?;
            }
            if rows.len() < batch as usize {
                break;
            }
        }
        // The last peek was not cut short: it decoded everything flushed when it began.
        self.covered = self.covered.max(flushed).max(self.delivered);
        self.covered_at = Some(asked_at);
        // Confirming the position even when nothing changed keeps a live slot's lag small,
        // which is how other nodes tell it from a dead one.
        self.advance(&conn, self.covered).await?;
        report.covered = self.covered;
        Ok(report)
    }

    async fn advance(&mut self, conn: &tokio_postgres::Client, to: Lsn) -> Result<(), SqlError> {
        if to <= self.confirmed {
            return Ok(());
        }
        conn.execute(
            "SELECT pg_replication_slot_advance($1, $2::text::pg_lsn)",
            &[&self.slot, &to.to_string()],
        )
        .await
        .map_err(|e| shard_error(&self.shard.name, &e))?;
        self.confirmed = to;
        Ok(())
    }

    /// Drops this process' slot (when the feed is no longer wanted).
    pub async fn drop_slot(self) -> Result<(), SqlError> {
        let conn = self.shard.connect().await?;
        conn.execute("SELECT pg_drop_replication_slot($1)", &[&self.slot])
            .await
            .map_err(|e| shard_error(&self.shard.name, &e))?;
        Ok(())
    }
}

/// The shard's current WAL insert position, with the WAL flushed up to it. Under
/// asynchronous commit a transaction is visible before its commit record is flushed,
/// and decoding only reads flushed WAL: a tiny synchronously committed transaction
/// flushes everything before it, so that a drain can then see every transaction that
/// is visible now. (It must write WAL itself, else its commit is not flushed: a
/// transactional logical message does, and `pgoutput` does not publish it.)
pub async fn current_position(shard: &Shard) -> Result<Lsn, SqlError> {
    let conn = shard.connect().await?;
    let err = |e: tokio_postgres::Error| shard_error(&shard.name, &e);
    // Cached on the pooled connection: a strong read asks this of every shard, and an
    // unprepared statement would cost a second round trip (Parse/Describe) each time.
    let statement = conn
        .prepare_cached(
            "SELECT pg_current_wal_insert_lsn()::text, pg_current_wal_flush_lsn()::text",
        )
        .await
        .map_err(err)?;
    let row = conn.query_one(&statement, &[]).await.map_err(err)?;
    let insert = parse_lsn(shard, row.get(0))?;
    let flush = parse_lsn(shard, row.get(1))?;
    if flush < insert
        && let Err(e) = conn
            .batch_execute(
                "BEGIN; SET LOCAL synchronous_commit = on; \
                 SELECT pg_logical_emit_message(true, 'docfusion_flush', ''); COMMIT;",
            )
            .await
    {
        // Never back to the pool inside a transaction.
        drop(deadpool_postgres::Object::take(conn));
        return Err(err(e));
    }
    Ok(insert)
}

/// True when `e` says the slot is gone (dropped as dead by another node, or invalidated by
/// the shard's `max_slot_wal_keep_size`): the feed must be rebuilt from a snapshot.
pub fn is_slot_lost(e: &SqlError) -> bool {
    e.code == sqlstate::UNDEFINED_OBJECT
        || (e.code == "55000" && e.message.contains("replication slot"))
}

/// Creates the publication `FOR ALL TABLES` when the shard has none yet.
async fn ensure_publication(shard: &Shard) -> Result<(), SqlError> {
    let conn = shard.connect().await?;
    let sql = format!(
        "DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = '{p}') THEN \
         CREATE PUBLICATION {p} FOR ALL TABLES; END IF; END$$",
        p = slot::PUBLICATION
    );
    match conn.batch_execute(&sql).await {
        Ok(()) => Ok(()),
        // Another node created it at the same moment.
        Err(e) if e.as_db_error().is_some_and(|d| d.code().code() == "42710") => Ok(()),
        Err(e) => Err(shard_error(&shard.name, &e)),
    }
}

/// Drops the feed slots of dead nodes on `shard` (see [`slot::slots_to_drop`]); returns
/// their names.
pub async fn drop_dead_slots(
    shard: &Shard,
    mine: &str,
    max_lag_bytes: u64,
) -> Result<Vec<String>, SqlError> {
    let conn = shard.connect().await?;
    let rows = conn
        .query(
            "SELECT slot_name::text, active, \
                    pg_wal_lsn_diff(pg_current_wal_insert_lsn(), confirmed_flush_lsn)::int8 \
             FROM pg_replication_slots \
             WHERE slot_type = 'logical' AND database = current_database() \
               AND starts_with(slot_name::text, $1)",
            &[&slot::SLOT_PREFIX],
        )
        .await
        .map_err(|e| shard_error(&shard.name, &e))?;
    let slots: Vec<slot::SlotState> = rows
        .iter()
        .map(|r| slot::SlotState {
            name: r.get(0),
            active: r.get(1),
            confirmed_lag_bytes: r.get::<_, Option<i64>>(2).map(|l| l.max(0) as u64),
        })
        .collect();
    let mut dropped = Vec::new();
    for name in slot::slots_to_drop(&slots, mine, max_lag_bytes) {
        match conn
            .execute("SELECT pg_drop_replication_slot($1)", &[&name])
            .await
        {
            Ok(_) => dropped.push(name),
            // It became active or was dropped by someone else meanwhile.
            Err(e) => {
                tracing::debug!(shard = %shard.name, slot = %name, error = %shard_error(&shard.name, &e).message, "slot not dropped")
            }
        }
    }
    Ok(dropped)
}
