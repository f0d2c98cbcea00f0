//! One bulk load, whatever brought the bytes (`COPY … FROM STDIN`, the HTTP NDJSON
//! endpoint): the [`DocReader`] parses them as they arrive, the [`ShardWriter`] routes and
//! writes every document, and a bad line either stops the load (nothing is written) or, when
//! asked, is skipped and reported.

use bytes::Bytes;
use futures::{Stream, StreamExt};

use crate::engine::Engine;
use crate::error::{SqlError, sqlstate};
use crate::load::LoadReport;
use crate::load::document::Doc;
use crate::load::reader::{DocReader, Format};
use crate::load::writer::ShardWriter;
use crate::shards::ShardSet;
use crate::write::{Isolation, WriteTxn};

/// At most this many skipped lines are kept (with reasons) for the report; the count
/// covers all of them.
pub const MAX_REPORTED_SKIPS: usize = 1000;

/// A line left out by a load that skips bad lines.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct SkippedLine {
    /// Its line number.
    pub line: u64,
    /// The SQLSTATE of the reason.
    pub code: String,
    /// Why it was skipped (names the line).
    pub reason: String,
}

/// What a load wrote and skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestReport {
    /// What the shards stored.
    pub written: LoadReport,
    /// Lines skipped (the first [`MAX_REPORTED_SKIPS`]).
    pub skipped: Vec<SkippedLine>,
    /// How many lines were skipped in all.
    pub skipped_count: u64,
}

/// A load in progress (see the module documentation).
pub struct Ingest {
    reader: DocReader,
    writer: ShardWriter,
    skip_bad: bool,
    skips: Skips,
}

/// The lines a load skipped.
#[derive(Default)]
struct Skips {
    lines: Vec<SkippedLine>,
    count: u64,
}

/// What a load does with one line: writes its document, or skips it (when allowed).
fn take(
    writer: &mut ShardWriter,
    skips: &mut Skips,
    skip_bad: bool,
    line: u64,
    doc: Result<Doc<'_>, SqlError>,
) -> Result<(), SqlError> {
    match doc {
        Ok(doc) => {
            writer.add(&doc);
            Ok(())
        }
        Err(e) if skip_bad => {
            skips.count += 1;
            if skips.lines.len() < MAX_REPORTED_SKIPS {
                skips.lines.push(SkippedLine {
                    line,
                    code: e.code.to_string(),
                    reason: e.message,
                });
            }
            Ok(())
        }
        Err(e) => Err(e),
    }
}

impl Ingest {
    /// A load of `format` into `collection` (which must exist). Lines are numbered from
    /// `first_line`; `skip_bad` skips bad lines instead of failing.
    pub fn new(
        shards: &ShardSet,
        collection: &str,
        format: Format,
        id_field: &str,
        first_line: u64,
        skip_bad: bool,
    ) -> Ingest {
        Ingest {
            reader: DocReader::new(format, id_field, first_line),
            writer: ShardWriter::new(shards, collection),
            skip_bad,
            skips: Skips::default(),
        }
    }

    /// Documents read (and sent to their shards) so far.
    pub fn documents(&self) -> u64 {
        self.writer.added()
    }

    /// Reads `chunk` and writes its documents (inside `txn`).
    pub async fn push(&mut self, chunk: &[u8], txn: &mut WriteTxn) -> Result<(), SqlError> {
        let (writer, skips, skip_bad) = (&mut self.writer, &mut self.skips, self.skip_bad);
        self.reader.push(chunk, &mut |line, doc| {
            take(writer, skips, skip_bad, line, doc)
        })?;
        self.writer.flush_full(txn).await
    }

    /// Reads the end of the input and finishes writing (without committing `txn`).
    pub async fn finish(&mut self, txn: &mut WriteTxn) -> Result<IngestReport, SqlError> {
        let (writer, skips, skip_bad) = (&mut self.writer, &mut self.skips, self.skip_bad);
        self.reader
            .finish(&mut |line, doc| take(writer, skips, skip_bad, line, doc))?;
        let written = self.writer.finish(txn).await?;
        let skips = std::mem::take(&mut self.skips);
        Ok(IngestReport {
            written,
            skipped: skips.lines,
            skipped_count: skips.count,
        })
    }

    /// Stops writing; the shards abort what this load sent (roll `txn` back afterwards).
    pub async fn abort(&mut self) {
        self.writer.abort().await;
    }
}

/// Checks that `name` is a collection a load can write to: 42P01 when it does not exist,
/// 0A000 when it is a relational table or a registered file.
pub async fn check_target(engine: &Engine, name: &str) -> Result<(), SqlError> {
    let info = engine.table_for_write(name).await?;
    if info.kind != crate::catalog::TableKind::Collection {
        return Err(SqlError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            format!(
                "{name} is a relational table: bulk loads (COPY FROM STDIN, NDJSON) write documents into collections"
            ),
        ));
    }
    Ok(())
}

/// Loads `chunks` as one transaction across the shards: everything is committed, or
/// nothing (the first error is returned and every shard rolled back).
pub async fn load_stream<S>(
    engine: &Engine,
    mut ingest: Ingest,
    chunks: S,
) -> Result<IngestReport, SqlError>
where
    S: Stream<Item = Result<Bytes, SqlError>>,
{
    engine.admit_write().await?;
    let mut txn = engine.write_txn(Isolation::ReadCommitted);
    let mut chunks = std::pin::pin!(chunks);
    let written = async {
        while let Some(chunk) = chunks.next().await {
            ingest.push(&chunk?, &mut txn).await?;
        }
        ingest.finish(&mut txn).await
    }
    .await;
    match written {
        Ok(report) => {
            txn.commit().await?;
            Ok(report)
        }
        Err(e) => {
            ingest.abort().await;
            txn.rollback().await;
            Err(e)
        }
    }
}
