//! Finds the collections and relational tables on the shards.

use std::collections::BTreeMap;

use futures::future::try_join_all;

use crate::catalog::table_info::{ColumnInfo, ColumnReader, TableInfo, TableKind};
use crate::error::SqlError;
use crate::shards::{Shard, ShardSet, shard_error};

/// Tables whose names start with this prefix are the node's own bookkeeping.
pub const INTERNAL_PREFIX: &str = "_docfusion";

const COLUMNS_SQL: &str = "
SELECT c.relname::text, a.attname::text, t.typname::text,
       format_type(a.atttypid, a.atttypmod), a.attnotnull,
       coalesce(a.attnum = ANY (i.indkey::int2[]), false) AS in_pk
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
ORDER BY c.relname, a.attnum";

/// Tables as one shard sees them.
async fn tables_on(shard: &Shard) -> Result<BTreeMap<String, TableInfo>, SqlError> {
    let conn = shard.connect().await?;
    let rows = conn
        .query(COLUMNS_SQL, &[])
        .await
        .map_err(|e| shard_error(&shard.name, &e))?;
    let mut columns: BTreeMap<String, (Vec<ColumnInfo>, Vec<String>)> = BTreeMap::new();
    for row in rows {
        let table: String = row.get(0);
        if table.starts_with(INTERNAL_PREFIX) {
            continue;
        }
        let name: String = row.get(1);
        let pg_type: String = row.get(2);
        let formatted_type: String = row.get(3);
        let not_null: bool = row.get(4);
        let in_pk: bool = row.get(5);
        let entry = columns.entry(table).or_default();
        if in_pk {
            entry.1.push(name.clone());
        }
        entry.0.push(ColumnInfo {
            reader: ColumnReader::for_pg_type(&pg_type, &formatted_type),
            name,
            pg_type,
            formatted_type,
            not_null,
        });
    }
    Ok(columns
        .into_iter()
        .map(|(name, (cols, pk))| (name.clone(), TableInfo::new(name, cols, &pk)))
        .collect())
}

/// Discovers the tables that every query can use: collections present with the same shape on
/// every shard, and relational tables on the first shard (reference tables). A collection
/// missing from some shard is left out with a warning naming the shard.
pub async fn discover(shards: &ShardSet) -> Result<BTreeMap<String, TableInfo>, SqlError> {
    let per_shard = try_join_all(shards.shards().iter().map(tables_on)).await?;
    let mut result = BTreeMap::new();
    let Some((first, rest)) = per_shard.split_first() else {
        return Ok(result);
    };
    'tables: for (name, info) in first {
        if info.kind == TableKind::Collection {
            for (i, other) in rest.iter().enumerate() {
                let shard = &shards.shard(i + 1).name;
                match other.get(name) {
                    Some(o) if o.kind == TableKind::Collection && o.columns == info.columns => {}
                    Some(_) => {
                        tracing::warn!(collection = %name, %shard, "collection has a different shape on this shard; not served");
                        continue 'tables;
                    }
                    None => {
                        tracing::warn!(collection = %name, %shard, "collection is missing on this shard; not served");
                        continue 'tables;
                    }
                }
            }
        }
        result.insert(name.clone(), info.clone());
    }
    Ok(result)
}
