//! Creating collections on every shard and bulk-loading NDJSON documents into them, each
//! routed to the shard that owns its id, with binary COPY.

use std::collections::BTreeMap;

use bytes::BytesMut;
use docfusion_pgvalue::Jsonb;
use futures::future::try_join_all;
use postgres_types::{IsNull, ToSql, Type, to_sql_checked};
use tokio_postgres::binary_copy::BinaryCopyInWriter;

use crate::error::{SqlError, sqlstate};
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

/// A document ready to be written: its id and canonical jsonb text.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedDoc {
    /// Document id.
    pub id: String,
    /// Canonical jsonb text.
    pub doc: String,
}

/// Parses one NDJSON line into a document, taking its id from `id_field` or generating a
/// UUIDv7 (stored back into the document) where absent. `line_no` is for errors.
pub fn prepare_document(line: &str, id_field: &str, line_no: u64) -> Result<PreparedDoc, SqlError> {
    let at_line = |e: SqlError| SqlError {
        message: format!("line {line_no}: {}", e.message),
        ..e
    };
    let value = Jsonb::parse(line).map_err(|e| at_line(SqlError::from(e)))?;
    let Jsonb::Object(mut object) = value else {
        return Err(SqlError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            format!("line {line_no}: a document must be a JSON object"),
        ));
    };
    let id = document_id(&mut object, id_field).map_err(|reason| {
        SqlError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            format!("line {line_no}: {reason}"),
        )
    })?;
    Ok(PreparedDoc {
        id,
        doc: Jsonb::Object(object).to_pg_text(),
    })
}

/// The id of a document: its `id_field` when that is a non-empty string or a number, else
/// a new UUIDv7, stored into `id_field` (when absent or null). The error says why the field
/// cannot be an id.
pub fn document_id(
    object: &mut docfusion_pgvalue::JsonbObject,
    id_field: &str,
) -> Result<String, String> {
    match object.get(id_field) {
        Some(Jsonb::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(Jsonb::Number(n)) => Ok(n.to_string()),
        None | Some(Jsonb::Null) => {
            let id = uuid::Uuid::now_v7().to_string();
            object.insert(id_field.to_string(), Jsonb::String(id.clone()));
            Ok(id)
        }
        Some(other) => Err(format!(
            "field {id_field:?} must be a non-empty string or a number to be the document id, not {}",
            docfusion_pgvalue::functions::jsonb_typeof(other)
        )),
    }
}

/// A jsonb value sent in binary format: version 1 followed by its text.
#[derive(Debug)]
struct JsonbBinary<'a>(&'a str);

impl ToSql for JsonbBinary<'_> {
    fn to_sql(
        &self,
        _ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        out.extend_from_slice(&[1]);
        out.extend_from_slice(self.0.as_bytes());
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::JSONB
    }

    to_sql_checked!();
}

/// What a load wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LoadReport {
    /// Documents written.
    pub inserted: u64,
    /// Documents written per shard name.
    pub per_shard: BTreeMap<String, u64>,
}

/// Parses every line of `ndjson` (blank lines are skipped; `first_line` numbers the first
/// line for errors) and writes the documents to their shards. Nothing is written when any
/// line is invalid. Each shard's part is written in one transaction.
pub async fn load_ndjson(
    shards: &ShardSet,
    collection: &str,
    ndjson: &str,
    id_field: &str,
    first_line: u64,
) -> Result<LoadReport, SqlError> {
    validate_collection_name(collection)?;
    let mut per_shard: Vec<Vec<PreparedDoc>> = vec![Vec::new(); shards.len()];
    for (i, line) in ndjson.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let doc = prepare_document(line, id_field, first_line + i as u64)?;
        per_shard[shards.map().shard_for(&doc.id)].push(doc);
    }
    let table = quote_ident(collection);
    let copy_sql = format!("COPY {table} (id, doc) FROM STDIN (FORMAT binary)");
    let counts = try_join_all(per_shard.into_iter().enumerate().map(|(index, docs)| {
        let shard = shards.shard(index).clone();
        let copy_sql = copy_sql.clone();
        async move {
            if docs.is_empty() {
                return Ok::<(String, u64), SqlError>((shard.name.clone(), 0));
            }
            let mut conn = shard.connect().await?;
            let err = |e: tokio_postgres::Error| shard_error(&shard.name, &e);
            let tx = conn.transaction().await.map_err(err)?;
            let sink = tx.copy_in(copy_sql.as_str()).await.map_err(err)?;
            let writer = BinaryCopyInWriter::new(sink, &[Type::TEXT, Type::JSONB]);
            futures::pin_mut!(writer);
            for d in &docs {
                writer
                    .as_mut()
                    .write(&[&d.id, &JsonbBinary(&d.doc)])
                    .await
                    .map_err(err)?;
            }
            let n = writer.finish().await.map_err(err)?;
            tx.commit().await.map_err(err)?;
            Ok((shard.name.clone(), n))
        }
    }))
    .await?;
    let mut report = LoadReport::default();
    for (name, n) in counts {
        report.inserted += n;
        report.per_shard.insert(name, n);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_come_from_the_id_field_or_are_generated() {
        let d = prepare_document(r#"{"id": "a-1", "x": 1}"#, "id", 1).unwrap();
        assert_eq!(d.id, "a-1");
        assert_eq!(d.doc, r#"{"x": 1, "id": "a-1"}"#);
        let d = prepare_document(r#"{"sku": 42}"#, "sku", 1).unwrap();
        assert_eq!(d.id, "42");
        let d = prepare_document(r#"{"x": true}"#, "id", 1).unwrap();
        assert_eq!(d.id.len(), 36);
        assert_eq!(uuid::Uuid::parse_str(&d.id).unwrap().get_version_num(), 7);
        assert!(d.doc.contains(&d.id));
    }

    #[test]
    fn bad_lines_name_their_line_number() {
        let e = prepare_document("{\"a\": ", "id", 17).unwrap_err();
        assert_eq!(e.code, "22P02");
        assert!(e.message.starts_with("line 17:"), "{}", e.message);
        let e = prepare_document("[1, 2]", "id", 3).unwrap_err();
        assert!(
            e.message
                .contains("line 3: a document must be a JSON object")
        );
        let e = prepare_document(r#"{"id": [1]}"#, "id", 4).unwrap_err();
        assert!(e.message.contains("must be a non-empty string or a number"));
    }

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
