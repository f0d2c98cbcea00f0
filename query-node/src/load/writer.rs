//! Writing documents to the shards that own them with binary COPY, inside a [`WriteTxn`]
//! so that a load is atomic across shards. Rows are encoded straight into one buffer per
//! shard; a full buffer goes to that shard's COPY task, which streams it to Postgres while
//! the caller parses on, so the shards are written in parallel and in step with the input.

use std::sync::Arc;

use bytes::{BufMut, Bytes, BytesMut};
use deadpool_postgres::Object;
use futures::SinkExt;
use futures::future::join_all;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::error::{SqlError, sqlstate};
use crate::load::LoadReport;
use crate::load::document::Doc;
use crate::scan::pushdown::quote_ident;
use crate::shard_map::ShardMap;
use crate::shards::{ShardSet, shard_error};
use crate::write::WriteTxn;

/// A shard's buffer is handed to its COPY task once it holds this much.
const FLUSH_BYTES: usize = 256 * 1024;

/// Buffers in flight per shard (back-pressure beyond that: the reader waits).
const CHANNEL_DEPTH: usize = 4;

/// The binary COPY header: signature, flags, header extension length.
const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";

/// The binary COPY trailer: a tuple with -1 fields.
const TRAILER: &[u8] = &[0xff, 0xff];

enum Chunk {
    Data(Bytes),
    End,
}

/// One shard's running COPY.
struct ShardStream {
    tx: mpsc::Sender<Chunk>,
    task: JoinHandle<Result<u64, SqlError>>,
}

/// Routes documents to their shards and writes them (see the module documentation).
pub struct ShardWriter {
    collection: String,
    copy_sql: Arc<str>,
    map: ShardMap,
    names: Vec<String>,
    buffers: Vec<BytesMut>,
    streams: Vec<Option<ShardStream>>,
    added: u64,
}

impl ShardWriter {
    /// A writer into `collection` over `shards`.
    pub fn new(shards: &ShardSet, collection: &str) -> ShardWriter {
        let n = shards.len();
        ShardWriter {
            collection: collection.to_string(),
            copy_sql: format!(
                "COPY {} (id, doc) FROM STDIN (FORMAT binary)",
                quote_ident(collection)
            )
            .into(),
            map: shards.map().clone(),
            names: shards.shards().iter().map(|s| s.name.clone()).collect(),
            buffers: (0..n).map(|_| BytesMut::new()).collect(),
            streams: (0..n).map(|_| None).collect(),
            added: 0,
        }
    }

    /// Documents added so far.
    pub fn added(&self) -> u64 {
        self.added
    }

    /// Encodes `doc` as a binary COPY row for the shard that owns its id.
    pub fn add(&mut self, doc: &Doc<'_>) {
        let shard = self.map.shard_for(&doc.id);
        let buf = &mut self.buffers[shard];
        let pieces = doc.pieces();
        let doc_len: usize = pieces.iter().map(|p| p.len()).sum();
        buf.reserve(2 + 4 + doc.id.len() + 4 + 1 + doc_len);
        buf.put_i16(2);
        // Lengths fit: a line is at most reader::MAX_LINE_BYTES.
        buf.put_i32(doc.id.len() as i32);
        buf.put_slice(doc.id.as_bytes());
        // jsonb's binary form: version 1, then the text.
        buf.put_i32(doc_len as i32 + 1);
        buf.put_u8(1);
        for p in pieces {
            buf.put_slice(p.as_bytes());
        }
        self.added += 1;
    }

    /// Hands every full buffer to its shard's COPY (opening the shard's transaction and
    /// COPY on first use); waits when a shard is behind.
    pub async fn flush_full(&mut self, txn: &mut WriteTxn) -> Result<(), SqlError> {
        for shard in 0..self.buffers.len() {
            if self.buffers[shard].len() >= FLUSH_BYTES {
                self.send(shard, txn).await?;
            }
        }
        Ok(())
    }

    async fn send(&mut self, shard: usize, txn: &mut WriteTxn) -> Result<(), SqlError> {
        if self.streams[shard].is_none() {
            let conn = txn.open(shard).await?;
            let (tx, rx) = mpsc::channel(CHANNEL_DEPTH);
            let task = tokio::spawn(copy_task(
                conn,
                self.names[shard].clone(),
                self.copy_sql.clone(),
                rx,
            ));
            self.streams[shard] = Some(ShardStream { tx, task });
        }
        let data = self.buffers[shard].split().freeze();
        let sent = match &self.streams[shard] {
            Some(s) => s.tx.send(Chunk::Data(data)).await.is_ok(),
            None => false,
        };
        if sent {
            return Ok(());
        }
        // The task stopped early: its result says why.
        let error = match self.streams[shard].take() {
            Some(s) => match s.task.await {
                Ok(Err(e)) => e,
                _ => copy_stopped(&self.names[shard]),
            },
            None => copy_stopped(&self.names[shard]),
        };
        Err(self.explain(error))
    }

    /// Writes what is buffered, ends every shard's COPY and waits for them; returns what
    /// each shard stored. Nothing is committed: that is the transaction's business.
    pub async fn finish(&mut self, txn: &mut WriteTxn) -> Result<LoadReport, SqlError> {
        for shard in 0..self.buffers.len() {
            if !self.buffers[shard].is_empty() {
                self.send(shard, txn).await?;
            }
        }
        for s in self.streams.iter().flatten() {
            // A task that already stopped reports its error below.
            let _ = s.tx.send(Chunk::End).await;
        }
        let running: Vec<(usize, ShardStream)> = self
            .streams
            .iter_mut()
            .enumerate()
            .filter_map(|(i, s)| s.take().map(|s| (i, s)))
            .collect();
        let results = join_all(running.into_iter().map(|(i, s)| async move {
            let r = match s.task.await {
                Ok(r) => r,
                Err(e) => Err(SqlError::new(
                    sqlstate::INTERNAL_ERROR,
                    format!("COPY task of a shard failed: {e}"),
                )),
            };
            (i, r)
        }))
        .await;
        let mut report = LoadReport::default();
        let mut first_error = None;
        for (i, r) in results {
            match r {
                Ok(n) => {
                    report.inserted += n;
                    report.per_shard.insert(self.names[i].clone(), n);
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) => Err(self.explain(e)),
            None => Ok(report),
        }
    }

    /// Stops every shard's COPY (the shards abort them) and waits until the tasks have
    /// let go of their connections, so that the transaction can be rolled back.
    pub async fn abort(&mut self) {
        let running: Vec<ShardStream> = self.streams.iter_mut().filter_map(Option::take).collect();
        join_all(running.into_iter().map(|s| {
            drop(s.tx);
            s.task
        }))
        .await;
        for b in &mut self.buffers {
            b.clear();
        }
    }

    /// A shard's error in terms of this load: a duplicate key names the document id.
    fn explain(&self, e: SqlError) -> SqlError {
        explain_copy_error(e, &self.collection)
    }
}

/// Turns a shard's unique violation on `id` into an error naming the document id.
pub fn explain_copy_error(e: SqlError, collection: &str) -> SqlError {
    if e.code != "23505" {
        return crate::write::dml::explain_write_error(e, collection);
    }
    let id = e
        .detail
        .as_deref()
        .and_then(|d| d.strip_prefix("Key (id)=("))
        .and_then(|d| d.strip_suffix(") already exists."));
    match id {
        Some(id) => SqlError {
            message: format!(
                "duplicate document id \"{id}\" in collection \"{collection}\": a document with this id is already stored or comes earlier in the load"
            ),
            ..e
        },
        None => e,
    }
}

fn copy_stopped(shard: &str) -> SqlError {
    SqlError::new(
        sqlstate::CONNECTION_FAILURE,
        format!("the COPY into shard {shard} stopped"),
    )
}

/// One shard's COPY: the header, every chunk received, the trailer; the rows Postgres
/// stored. A closed channel without `End` aborts the COPY (dropping the sink sends
/// CopyFail).
async fn copy_task(
    conn: Arc<Object>,
    shard: String,
    sql: Arc<str>,
    mut rx: mpsc::Receiver<Chunk>,
) -> Result<u64, SqlError> {
    let result = copy_rows(&conn, &shard, &sql, &mut rx).await;
    if result.is_err() {
        // If the transaction let go already (its owner went away), close the connection
        // rather than pool it inside a transaction.
        if let Ok(obj) = Arc::try_unwrap(conn) {
            drop(Object::take(obj));
        }
    }
    result
}

async fn copy_rows(
    conn: &Object,
    shard: &str,
    sql: &str,
    rx: &mut mpsc::Receiver<Chunk>,
) -> Result<u64, SqlError> {
    let err = |e: tokio_postgres::Error| shard_error(shard, &e);
    let sink = conn.copy_in::<str, Bytes>(sql).await.map_err(err)?;
    futures::pin_mut!(sink);
    sink.as_mut()
        .feed(Bytes::from_static(HEADER))
        .await
        .map_err(err)?;
    loop {
        match rx.recv().await {
            Some(Chunk::Data(data)) => sink.as_mut().feed(data).await.map_err(err)?,
            Some(Chunk::End) => break,
            None => {
                return Err(SqlError::new(
                    sqlstate::QUERY_CANCELED,
                    format!("the COPY into shard {shard} was aborted"),
                ));
            }
        }
    }
    sink.as_mut()
        .feed(Bytes::from_static(TRAILER))
        .await
        .map_err(err)?;
    sink.finish().await.map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_name_the_document_id() {
        let shard = SqlError::new("23505", "duplicate key value violates unique constraint")
            .with_detail("Key (id)=(a-1) already exists.");
        let e = explain_copy_error(shard, "items");
        assert_eq!(e.code, "23505");
        assert!(
            e.message
                .starts_with("duplicate document id \"a-1\" in collection \"items\""),
            "{}",
            e.message
        );
        assert_eq!(e.detail.as_deref(), Some("Key (id)=(a-1) already exists."));
    }

    #[test]
    fn the_header_is_the_binary_copy_signature() {
        // 11-byte signature, 4-byte flags, 4-byte extension length.
        assert_eq!(HEADER.len(), 19);
        assert_eq!(&HEADER[..11], b"PGCOPY\n\xff\r\n\0");
    }
}
