//! The bulk-ingest benchmark (`docfusion-ingest`): the same listings loaded with `COPY`
//! into one plain PostgreSQL table and with `COPY … FROM STDIN` over the wire into a
//! DocFusionDB collection, timed end to end (commit included), then checked on both sides
//! by count and by a checksum of every (id, document) pair.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use futures::SinkExt;
use tokio::io::AsyncReadExt;
use tokio_postgres::Client;

/// The collection (and baseline table) loaded.
pub const COLLECTION: &str = "ingest";

/// Bytes per read of the input files (and per CopyData batch handed to the client).
const READ_BYTES: usize = 1 << 20;

/// The input files of a run, written before anything is timed.
pub struct Inputs {
    /// One listing per line, with its `id` field: what DocFusionDB reads.
    pub ndjson: PathBuf,
    /// The same listings as Postgres text-format rows `id<TAB>doc`: what the baseline reads.
    pub rows: PathBuf,
    /// Size of the NDJSON file.
    pub bytes: u64,
}

/// Writes `docs` listings of data set `seed` into `dir` (blocking: call from
/// `spawn_blocking`).
pub fn write_inputs(dir: &Path, seed: u64, docs: u64) -> Result<Inputs> {
    let ndjson_path = dir.join("listings.ndjson");
    let rows_path = dir.join("listings.rows");
    let mut ndjson = std::io::BufWriter::new(std::fs::File::create(&ndjson_path)?);
    let mut rows = std::io::BufWriter::new(std::fs::File::create(&rows_path)?);
    let mut bytes = 0u64;
    for index in 0..docs {
        let doc = docfusion_sample::listing(seed, index);
        let id = doc["id"]
            .as_str()
            .context("a listing without id")?
            .to_string();
        let text = doc.to_string();
        bytes += text.len() as u64 + 1;
        writeln!(ndjson, "{text}")?;
        writeln!(rows, "{}\t{}", text_field(&id), text_field(&text))?;
    }
    ndjson.flush()?;
    rows.flush()?;
    Ok(Inputs {
        ndjson: ndjson_path,
        rows: rows_path,
        bytes,
    })
}

/// `value` escaped for COPY's text format.
fn text_field(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

/// Streams the file at `path` into `COPY` statement `sql` on `client`; returns the rows
/// the server reports and the time from the COPY's start to its completion.
pub async fn copy_file(client: &Client, sql: &str, path: &Path) -> Result<(u64, Duration)> {
    let mut file = tokio::fs::File::open(path)
        .await
        .with_context(|| format!("opening {}", path.display()))?;
    let started = Instant::now();
    let sink = client
        .copy_in::<_, Bytes>(sql)
        .await
        .with_context(|| format!("starting {sql}"))?;
    futures::pin_mut!(sink);
    let mut buf = vec![0u8; READ_BYTES];
    loop {
        let n = file.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        sink.as_mut()
            .send(Bytes::copy_from_slice(&buf[..n]))
            .await
            .with_context(|| format!("sending to {sql}"))?;
    }
    let rows = sink
        .finish()
        .await
        .with_context(|| format!("finishing {sql}"))?;
    Ok((rows, started.elapsed()))
}

/// Count and checksum (sum of `hashtext(id || doc::text)`) of a table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Content {
    /// Rows.
    pub rows: i64,
    /// Checksum over every (id, canonical document text).
    pub checksum: i64,
}

impl std::ops::Add for Content {
    type Output = Content;
    fn add(self, other: Content) -> Content {
        Content {
            rows: self.rows + other.rows,
            checksum: self.checksum.wrapping_add(other.checksum),
        }
    }
}

/// What `client`'s server holds in [`COLLECTION`].
pub async fn content(client: &Client) -> Result<Content> {
    let row = client
        .query_one(
            &format!(
                "SELECT count(*), coalesce(sum(hashtext(id || doc::text)::bigint), 0)::bigint FROM {COLLECTION}"
            ),
            &[],
        )
        .await
        .context("counting and checksumming")?;
    Ok(Content {
        rows: row.get(0),
        checksum: row.get(1),
    })
}

/// One side's figures.
#[derive(Debug, Clone, Copy)]
pub struct Side {
    /// Time of the COPY.
    pub elapsed: Duration,
    /// What the side holds afterwards.
    pub content: Content,
}

impl Side {
    /// Documents per second.
    pub fn rate(&self, docs: u64) -> f64 {
        docs as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// The Markdown table of a run, and whether both sides hold exactly the documents sent.
pub fn table(
    docs: u64,
    bytes: u64,
    shards: usize,
    postgres: Side,
    docfusion: Side,
) -> (String, bool) {
    let same = postgres.content == docfusion.content && postgres.content.rows == docs as i64;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| docs | MB | Postgres s | DocFusionDB ({shards} shards) s | Postgres docs/s | DocFusionDB docs/s | ratio (DocFusionDB rate / Postgres rate) | same content |"
    );
    let _ = writeln!(
        out,
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
    );
    let _ = writeln!(
        out,
        "| {docs} | {:.0} | {:.1} | {:.1} | {:.0} | {:.0} | {:.2} | {} |",
        bytes as f64 / 1e6,
        postgres.elapsed.as_secs_f64(),
        docfusion.elapsed.as_secs_f64(),
        postgres.rate(docs),
        docfusion.rate(docs),
        docfusion.rate(docs) / postgres.rate(docs),
        if same {
            "yes (count and checksum)".to_string()
        } else {
            format!(
                "**NO**: Postgres {:?}, DocFusionDB {:?}",
                postgres.content, docfusion.content
            )
        }
    );
    (out, same)
}

/// Fails unless `rows` is what was sent.
pub fn expect_rows(what: &str, rows: u64, docs: u64) -> Result<()> {
    if rows != docs {
        bail!("{what} reported COPY {rows}, expected {docs}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_fields_escape_what_copy_text_format_unescapes() {
        assert_eq!(text_field(r#"{"a": "x\"y\\z"}"#), r#"{"a": "x\\"y\\\\z"}"#);
        assert_eq!(text_field("a\tb\nc"), "a\\tb\\nc");
    }
}
