//! Read snapshots of a transaction block: on its first query, a transaction opens a
//! `REPEATABLE READ` transaction on every shard and exports its snapshot
//! (`pg_export_snapshot()`); every shard scan of the block then runs in its own transaction
//! with `SET TRANSACTION SNAPSHOT`, so all statements of the block see the same data of each
//! shard, however many connections the scans use. COMMIT/ROLLBACK ends the exporting
//! transactions.
//!
//! Each shard's snapshot is taken independently (there is no cluster-wide snapshot): a
//! transaction committed on two shards between the two exports can be seen on one shard and
//! not the other.
//!
//! Once a block writes, the shards it wrote to are read through its own shard transactions
//! (which imported these snapshots when they existed), so that it reads its own writes.

use std::sync::{Arc, Mutex};

use deadpool_postgres::Object;
use futures::future::try_join_all;

use crate::error::SqlError;
use crate::shards::{ShardSet, shard_error};

/// The snapshots of one transaction block, one per shard.
pub struct ReadSnapshot {
    ids: Vec<String>,
    /// The connections holding the exporting transactions open.
    holders: Mutex<Vec<Object>>,
}

impl std::fmt::Debug for ReadSnapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadSnapshot")
            .field("ids", &self.ids)
            .finish_non_exhaustive()
    }
}

impl ReadSnapshot {
    /// Opens a repeatable-read transaction on every shard and exports its snapshot.
    pub async fn take(shards: &ShardSet) -> Result<ReadSnapshot, SqlError> {
        let taken = try_join_all(shards.shards().iter().map(|shard| async move {
            let conn = shard.connect().await?;
            let err = |e: tokio_postgres::Error| shard_error(&shard.name, &e);
            conn.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .await
                .map_err(err)?;
            let row = match conn.query_one("SELECT pg_export_snapshot()", &[]).await {
                Ok(row) => row,
                Err(e) => {
                    // Not back to the pool inside a transaction.
                    drop(Object::take(conn));
                    return Err(err(e));
                }
            };
            let id: String = row.get(0);
            Ok::<_, SqlError>((id, conn))
        }))
        .await?;
        let (ids, holders) = taken.into_iter().unzip();
        Ok(ReadSnapshot {
            ids,
            holders: Mutex::new(holders),
        })
    }

    /// The snapshot id of shard `index`.
    pub fn id(&self, index: usize) -> Option<&str> {
        self.ids.get(index).map(String::as_str)
    }

    /// Ends the exporting transactions and returns their connections to the pools.
    pub async fn release(&self) {
        let holders = match self.holders.lock() {
            Ok(mut h) => std::mem::take(&mut *h),
            Err(_) => return,
        };
        for conn in holders {
            if conn.batch_execute("COMMIT").await.is_err() {
                drop(Object::take(conn));
            }
        }
    }
}

impl Drop for ReadSnapshot {
    fn drop(&mut self) {
        // Not released (the client went away mid-block): close these connections rather
        // than return them to the pools inside a transaction; their shards end it.
        if let Ok(mut h) = self.holders.lock() {
            for conn in h.drain(..) {
                drop(Object::take(conn));
            }
        }
    }
}

/// The session-config extension that tells the shard scans of a transaction block where to
/// read: a shard the block wrote to through the block's own connection, any other shard at
/// the block's snapshot.
#[derive(Debug, Default)]
pub struct SessionSnapshot {
    /// The block's read snapshot.
    pub snapshot: Option<Arc<ReadSnapshot>>,
    /// The block's shard transactions, once it wrote.
    pub writes: Option<Arc<crate::write::TxnConns>>,
}
