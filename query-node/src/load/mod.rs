//! Bulk loading: creating collections on every shard, and loading documents into them —
//! parsed as they stream in ([`reader`]), each routed to the shard that owns its id and
//! written with binary COPY ([`writer`]), the whole load atomic across the shards
//! ([`ingest`]). `COPY … FROM STDIN` over the wire ([`copy`]), the HTTP NDJSON endpoint and
//! `docfusiondb load` all go through here.

pub mod copy;
pub mod document;
pub mod ingest;
pub mod reader;
pub mod writer;

use std::collections::BTreeMap;

use bytes::Bytes;
use futures::future::try_join_all;

pub use document::{PreparedDoc, document_id, prepare_document};
pub use ingest::{Ingest, IngestReport, SkippedLine};
pub use reader::{CsvOptions, DocReader, Format};

use crate::engine::Engine;
use crate::error::SqlError;
use crate::scan::pushdown::quote_ident;
use crate::shards::{ShardSet, shard_error};

/// Largest identifier Postgres keeps (NAMEDATALEN - 1).
const MAX_NAME_LEN: usize = 63;

/// Checks that `name` can be a collection name: lower-case letters, digits and `_`, not
/// starting with a digit, at most 63 bytes, not reserved for the node's bookkeeping.
pub fn validate_collection_name(name: &str) -> Result<(), SqlError> {
    let valid_chars = name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    let first_ok = name
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b == b'_');
    if !valid_chars || !first_ok || name.len() > MAX_NAME_LEN {
        return Err(SqlError::new(
            "42602",
            format!(
                "invalid collection name {name:?}: use 1-63 lower-case letters, digits and underscores, not starting with a digit"
            ),
        ));
    }
    if name.starts_with(crate::catalog::discovery::INTERNAL_PREFIX) {
        return Err(SqlError::new(
            "42602",
            format!("collection name {name:?} is reserved"),
        ));
    }
    Ok(())
}

/// Creates collection `name` on every shard (idempotent). Returns true when any shard did
/// not have it yet.
pub async fn create_collection(shards: &ShardSet, name: &str) -> Result<bool, SqlError> {
    validate_collection_name(name)?;
    // The same collection as `CREATE TABLE name (id text primary key, doc jsonb)` makes.
    let ddl = crate::write::ddl::collection_ddl(name, true, &[]);
    let exists_sql = "SELECT to_regclass($1) IS NOT NULL";
    let created = try_join_all(shards.shards().iter().map(|shard| {
        let ddl = ddl.clone();
        let qualified = format!("public.{}", quote_ident(name));
        async move {
            let conn = shard.connect().await?;
            let existed: bool = conn
                .query_one(exists_sql, &[&qualified])
                .await
                .map_err(|e| shard_error(&shard.name, &e))?
                .get(0);
            conn.batch_execute(&ddl)
                .await
                .map_err(|e| shard_error(&shard.name, &e))?;
            Ok::<bool, SqlError>(!existed)
        }
    }))
    .await?;
    Ok(created.into_iter().any(|c| c))
}

/// What a load wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LoadReport {
    /// Documents written.
    pub inserted: u64,
    /// Documents written per shard name.
    pub per_shard: BTreeMap<String, u64>,
}

/// Loads the NDJSON text `ndjson` into `collection` (which must exist) in one transaction
/// across the shards (two-phase commit when several are written): every document or none.
/// Blank lines are skipped; `first_line` numbers the first line in errors.
pub async fn load_ndjson(
    engine: &Engine,
    collection: &str,
    ndjson: &str,
    id_field: &str,
    first_line: u64,
) -> Result<LoadReport, SqlError> {
    validate_collection_name(collection)?;
    let ingest = Ingest::new(
        engine.shards(),
        collection,
        Format::Ndjson,
        id_field,
        first_line,
        false,
    );
    let body = Bytes::copy_from_slice(ndjson.as_bytes());
    let report = ingest::load_stream(engine, ingest, futures::stream::iter([Ok(body)])).await?;
    Ok(report.written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collection_names_are_checked() {
        assert!(validate_collection_name("listings_2024").is_ok());
        for bad in [
            "",
            "Listings",
            "1abc",
            "a-b",
            "_docfusion_x",
            &"a".repeat(64),
        ] {
            assert_eq!(
                validate_collection_name(bad).unwrap_err().code,
                "42602",
                "{bad}"
            );
        }
    }
}
