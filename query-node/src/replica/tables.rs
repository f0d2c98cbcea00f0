//! The replica of one shard: a [`TableStore`] per collection (by table oid), and how a
//! committed transaction of the shard's feed is applied to them. A collection whose change
//! cannot be applied (its definition changed, or the feed and the replica disagree) is
//! marked broken and no longer served; every other collection goes on.

use std::collections::HashMap;
use std::sync::Arc;

use crate::feed::{Datum, Relation, RowChange, Transaction};
use crate::replica::store::{ApplyMode, StoreError, TableStore};

/// The collections of one shard.
#[derive(Debug, Default)]
pub struct ShardTables {
    tables: HashMap<u32, TableStore>,
    broken: HashMap<u32, String>,
    /// The newest oid seen under each name (a dropped and re-created collection has a new
    /// oid).
    names: HashMap<String, u32>,
    changes_applied: u64,
}

/// Why a collection is not served from a shard's replica.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unserved {
    /// The replica holds no table of that name (it has no rows on this shard).
    Absent,
    /// The table could not be kept current.
    Broken(String),
}

fn id_of(relation: &Relation, row: &[Datum]) -> Option<String> {
    let i = relation.columns.iter().position(|c| c.name == "id")?;
    row.get(i)?.as_text().map(str::to_string)
}

impl ShardTables {
    /// No collections.
    pub fn new() -> Self {
        Self::default()
    }

    /// Row changes applied since start.
    pub fn changes_applied(&self) -> u64 {
        self.changes_applied
    }

    /// Memory held by every collection, in bytes.
    pub fn memory_bytes(&self) -> usize {
        self.tables.values().map(TableStore::memory_bytes).sum()
    }

    /// Memory held by each collection, in bytes, by name.
    pub fn memory_by_collection(&self) -> Vec<(&str, usize)> {
        self.tables
            .values()
            .map(|t| (t.name(), t.memory_bytes()))
            .collect()
    }

    /// Live rows of every collection.
    pub fn row_count(&self) -> usize {
        self.tables.values().map(TableStore::row_count).sum()
    }

    /// The collection `name`, if the replica keeps it current.
    pub fn table(&self, name: &str) -> Result<&TableStore, Unserved> {
        let oid = self.names.get(name).ok_or(Unserved::Absent)?;
        if let Some(why) = self.broken.get(oid) {
            return Err(Unserved::Broken(why.clone()));
        }
        self.tables.get(oid).ok_or(Unserved::Absent)
    }

    /// Starts keeping `relation` (when it is a collection), empty. Returns false when it is
    /// not a collection.
    pub fn add_relation(&mut self, relation: &Relation) -> bool {
        self.table_for(relation).is_some()
    }

    /// Starts keeping `relation` as read from a snapshot: its vectors are collected for one
    /// index build ([`ShardTables::build_vector_indexes`]) instead of inserted row by row.
    pub fn add_snapshot_relation(&mut self, relation: &Relation) -> bool {
        let loading = !self.tables.contains_key(&relation.oid);
        match self.table_for(relation) {
            Some(table) if loading => {
                table.collect_vectors(relation);
                true
            }
            Some(_) => true,
            None => false,
        }
    }

    /// Builds the vector indexes of every collection loaded from a snapshot (CPU-bound:
    /// run it off the async runtime).
    pub fn build_vector_indexes(&mut self) {
        for table in self.tables.values_mut() {
            table.build_vector_indexes();
        }
    }

    /// The store of `relation`, created on first sight; `None` for other tables and for
    /// broken collections.
    fn table_for(&mut self, relation: &Relation) -> Option<&mut TableStore> {
        if self.broken.contains_key(&relation.oid) {
            return None;
        }
        if !self.tables.contains_key(&relation.oid) {
            let store = TableStore::new(relation)?;
            if let Some(previous) = self.names.insert(relation.name.clone(), relation.oid) {
                // Dropped and created again: the old table's rows are gone.
                self.tables.remove(&previous);
                self.broken.remove(&previous);
            }
            self.tables.insert(relation.oid, store);
        }
        let same_shape = self
            .tables
            .get(&relation.oid)
            .is_some_and(|t| t.has_shape_of(relation));
        if !same_shape {
            self.mark_broken(
                relation.oid,
                &relation.name,
                "its definition changed (served from the shards until the node restarts)",
            );
            return None;
        }
        self.tables.get_mut(&relation.oid)
    }

    fn mark_broken(&mut self, oid: u32, name: &str, why: &str) {
        tracing::warn!(collection = %name, reason = %why, "replica stops serving a collection");
        self.tables.remove(&oid);
        self.broken.insert(oid, why.to_string());
    }

    fn apply_to(
        &mut self,
        relation: &Arc<Relation>,
        change: impl FnOnce(&mut TableStore) -> Result<(), StoreError>,
    ) {
        let Some(table) = self.table_for(relation) else {
            return;
        };
        if let Err(e) = change(table) {
            self.mark_broken(relation.oid, &relation.name, &e.to_string());
        }
    }

    /// Loads one row of a snapshot.
    pub fn load_row(&mut self, relation: &Arc<Relation>, row: Vec<Datum>) {
        self.apply_to(relation, |t| t.upsert(row, None, ApplyMode::Catchup));
    }

    /// Applies a committed transaction, change by change.
    pub fn apply(&mut self, txn: &Transaction, mode: ApplyMode) {
        for change in &txn.changes {
            self.changes_applied += 1;
            match change {
                RowChange::Insert { relation, new } => {
                    self.apply_to(relation, |t| t.upsert(new.clone(), None, mode));
                }
                RowChange::Update { relation, old, new } => {
                    let old_id = old.as_ref().and_then(|(_, o)| id_of(relation, o));
                    self.apply_to(relation, |t| t.upsert(new.clone(), old_id.as_deref(), mode));
                }
                RowChange::Delete { relation, old } => {
                    let Some(id) = id_of(relation, old) else {
                        continue;
                    };
                    self.apply_to(relation, |t| t.delete(&id));
                }
                RowChange::Truncate { relations } => {
                    for relation in relations {
                        self.apply_to(relation, |t| {
                            t.truncate();
                            Ok(())
                        });
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::Lsn;

    fn rel(oid: u32, name: &str, extra: Option<&str>) -> Arc<Relation> {
        let mut columns = vec![("id", 25), ("doc", 3802), ("version", 20)];
        if let Some(e) = extra {
            columns.push((e, 25));
        }
        Arc::new(crate::feed::pgoutput::test_relation(oid, name, &columns))
    }

    fn t(s: &str) -> Datum {
        Datum::Text(s.into())
    }

    fn txn(changes: Vec<RowChange>) -> Transaction {
        Transaction {
            xid: 1,
            commit_lsn: Lsn(1),
            end_lsn: Lsn(2),
            commit_time: 0,
            changes,
        }
    }

    fn insert(r: &Arc<Relation>, id: &str) -> RowChange {
        RowChange::Insert {
            relation: r.clone(),
            new: vec![t(id), t("{}"), t("1")],
        }
    }

    #[test]
    fn a_transaction_applies_to_its_collections_only() {
        let docs = rel(10, "docs", None);
        let mut other = (*rel(11, "refs", None)).clone();
        other.columns[1].type_oid = 25;
        let other = Arc::new(other);
        let mut s = ShardTables::new();
        s.apply(
            &txn(vec![
                insert(&docs, "a"),
                insert(&docs, "b"),
                insert(&other, "x"),
                RowChange::Update {
                    relation: docs.clone(),
                    old: Some((
                        crate::feed::pgoutput::OldKind::Key,
                        vec![t("b"), Datum::Null, Datum::Null],
                    )),
                    new: vec![t("c"), t("{}"), t("2")],
                },
                RowChange::Delete {
                    relation: docs.clone(),
                    old: vec![t("a"), Datum::Null, Datum::Null],
                },
            ]),
            ApplyMode::Live,
        );
        assert_eq!(s.table("docs").unwrap().row_count(), 1);
        assert_eq!(s.table("refs").unwrap_err(), Unserved::Absent);
        assert_eq!(s.changes_applied(), 5);
        s.apply(
            &txn(vec![RowChange::Truncate {
                relations: vec![docs.clone()],
            }]),
            ApplyMode::Live,
        );
        assert_eq!(s.table("docs").unwrap().row_count(), 0);
    }

    #[test]
    fn a_changed_definition_stops_serving_that_collection_only() {
        let docs = rel(10, "docs", None);
        let more = rel(12, "more", None);
        let mut s = ShardTables::new();
        s.apply(
            &txn(vec![insert(&docs, "a"), insert(&more, "m")]),
            ApplyMode::Live,
        );
        let altered = rel(10, "docs", Some("extra"));
        s.apply(
            &txn(vec![RowChange::Insert {
                relation: altered,
                new: vec![t("b"), t("{}"), t("1"), Datum::Null],
            }]),
            ApplyMode::Live,
        );
        assert!(matches!(s.table("docs"), Err(Unserved::Broken(_))));
        assert_eq!(s.table("more").unwrap().row_count(), 1);
        // Dropped and created again under the same name: a new oid, served again.
        s.apply(
            &txn(vec![insert(&rel(20, "docs", None), "n")]),
            ApplyMode::Live,
        );
        assert_eq!(s.table("docs").unwrap().row_count(), 1);
    }

    #[test]
    fn a_change_the_store_refuses_breaks_the_collection() {
        let docs = rel(10, "docs", None);
        let mut s = ShardTables::new();
        assert!(s.add_relation(&docs));
        s.apply(
            &txn(vec![RowChange::Update {
                relation: docs.clone(),
                old: None,
                new: vec![t("ghost"), Datum::UnchangedToast, t("2")],
            }]),
            ApplyMode::Live,
        );
        let Err(Unserved::Broken(why)) = s.table("docs") else {
            panic!("still served")
        };
        assert!(why.contains("ghost"), "{why}");
    }
}
