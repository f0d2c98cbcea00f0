//! Turns the stream of pgoutput messages of one shard into whole committed transactions:
//! changes resolved against the relation descriptions sent before them, delivered only once
//! their commit is seen.

use std::collections::HashMap;
use std::sync::Arc;

use crate::feed::pgoutput::{Datum, Lsn, Message, OldKind, Relation};

/// One row change of a committed transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowChange {
    /// A new row.
    Insert {
        /// The table.
        relation: Arc<Relation>,
        /// The row, one datum per relation column.
        new: Vec<Datum>,
    },
    /// A changed row.
    Update {
        /// The table.
        relation: Arc<Relation>,
        /// The old key or row when the key changed (or the identity is FULL).
        old: Option<(OldKind, Vec<Datum>)>,
        /// The new row (may hold [`Datum::UnchangedToast`]).
        new: Vec<Datum>,
    },
    /// A removed row.
    Delete {
        /// The table.
        relation: Arc<Relation>,
        /// Its key (or whole row).
        old: Vec<Datum>,
    },
    /// Every row of these tables removed.
    Truncate {
        /// The tables.
        relations: Vec<Arc<Relation>>,
    },
}

/// A committed transaction of one shard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    /// Transaction id.
    pub xid: u32,
    /// LSN of the commit record: the commit order of the shard.
    pub commit_lsn: Lsn,
    /// LSN just past the commit record; the slot is advanced to it once this is applied.
    pub end_lsn: Lsn,
    /// Commit time, µs since 2000-01-01.
    pub commit_time: i64,
    /// Its row changes, in the order they were made.
    pub changes: Vec<RowChange>,
}

/// Why the message stream could not be assembled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssembleError {
    /// A change outside BEGIN … COMMIT.
    #[error("a {0} change arrived outside a transaction")]
    OutsideTransaction(&'static str),
    /// BEGIN inside an open transaction.
    #[error("BEGIN of transaction {0} while another transaction was open")]
    NestedBegin(u32),
    /// A change of a table whose description was never sent.
    #[error("a change of relation {0} arrived before its description")]
    UnknownRelation(u32),
    /// A tuple whose width differs from its relation's.
    #[error("a change of {table} has {got} columns, its description {expected}")]
    WidthMismatch {
        /// The table.
        table: String,
        /// Columns in the description.
        expected: usize,
        /// Columns in the tuple.
        got: usize,
    },
    /// A COMMIT whose LSN is not the BEGIN's.
    #[error("COMMIT at {commit} does not match BEGIN's commit LSN {begin}")]
    CommitMismatch {
        /// LSN announced by BEGIN.
        begin: Lsn,
        /// LSN in COMMIT.
        commit: Lsn,
    },
}

/// The assembly state of one shard's feed: the relation descriptions seen so far and the
/// transaction being read.
#[derive(Debug, Default)]
pub struct Assembler {
    relations: HashMap<u32, Arc<Relation>>,
    open: Option<Transaction>,
}

impl Assembler {
    /// An assembler that knows no relation yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// True while a transaction has begun and not yet committed.
    pub fn in_transaction(&self) -> bool {
        self.open.is_some()
    }

    /// Drops a partly read transaction (a peek ended mid-way because of an error; the next
    /// peek sends it again from its BEGIN).
    pub fn reset(&mut self) {
        self.open = None;
    }

    fn relation(&self, oid: u32) -> Result<Arc<Relation>, AssembleError> {
        self.relations
            .get(&oid)
            .cloned()
            .ok_or(AssembleError::UnknownRelation(oid))
    }

    fn open(&mut self, what: &'static str) -> Result<&mut Transaction, AssembleError> {
        self.open
            .as_mut()
            .ok_or(AssembleError::OutsideTransaction(what))
    }

    /// Takes one message; returns the transaction it completes, if any.
    pub fn push(&mut self, message: Message) -> Result<Option<Transaction>, AssembleError> {
        let change = match message {
            Message::Begin {
                final_lsn,
                commit_time,
                xid,
            } => {
                if self.open.is_some() {
                    return Err(AssembleError::NestedBegin(xid));
                }
                self.open = Some(Transaction {
                    xid,
                    commit_lsn: final_lsn,
                    end_lsn: final_lsn,
                    commit_time,
                    changes: Vec::new(),
                });
                return Ok(None);
            }
            Message::Commit {
                commit_lsn,
                end_lsn,
                commit_time,
            } => {
                let mut txn = self
                    .open
                    .take()
                    .ok_or(AssembleError::OutsideTransaction("COMMIT"))?;
                if txn.commit_lsn != commit_lsn {
                    return Err(AssembleError::CommitMismatch {
                        begin: txn.commit_lsn,
                        commit: commit_lsn,
                    });
                }
                txn.end_lsn = end_lsn;
                txn.commit_time = commit_time;
                return Ok(Some(txn));
            }
            Message::Relation(r) => {
                self.relations.insert(r.oid, Arc::new(r));
                return Ok(None);
            }
            Message::Origin { .. } | Message::Type { .. } | Message::LogicalMessage { .. } => {
                return Ok(None);
            }
            Message::Insert { relation, new } => {
                let relation = self.relation(relation)?;
                check_width(&relation, &new)?;
                RowChange::Insert { relation, new }
            }
            Message::Update { relation, old, new } => {
                let relation = self.relation(relation)?;
                check_width(&relation, &new)?;
                if let Some((_, o)) = &old {
                    check_width(&relation, o)?;
                }
                RowChange::Update { relation, old, new }
            }
            Message::Delete { relation, old } => {
                let relation = self.relation(relation)?;
                check_width(&relation, &old.1)?;
                RowChange::Delete {
                    relation,
                    old: old.1,
                }
            }
            Message::Truncate { relations, .. } => RowChange::Truncate {
                relations: relations
                    .into_iter()
                    .map(|oid| self.relation(oid))
                    .collect::<Result<_, _>>()?,
            },
        };
        let what = match &change {
            RowChange::Insert { .. } => "INSERT",
            RowChange::Update { .. } => "UPDATE",
            RowChange::Delete { .. } => "DELETE",
            RowChange::Truncate { .. } => "TRUNCATE",
        };
        self.open(what)?.changes.push(change);
        Ok(None)
    }
}

fn check_width(relation: &Relation, tuple: &[Datum]) -> Result<(), AssembleError> {
    if tuple.len() != relation.columns.len() {
        return Err(AssembleError::WidthMismatch {
            table: relation.name.clone(),
            expected: relation.columns.len(),
            got: tuple.len(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(oid: u32, name: &str) -> Message {
        Message::Relation(crate::feed::pgoutput::test_relation(
            oid,
            name,
            &[("id", 25), ("doc", 3802)],
        ))
    }

    fn t(s: &str) -> Datum {
        Datum::Text(s.into())
    }

    fn begin(lsn: u64, xid: u32) -> Message {
        Message::Begin {
            final_lsn: Lsn(lsn),
            commit_time: 0,
            xid,
        }
    }

    fn commit(lsn: u64, end: u64) -> Message {
        Message::Commit {
            commit_lsn: Lsn(lsn),
            end_lsn: Lsn(end),
            commit_time: 1,
        }
    }

    #[test]
    fn a_transaction_is_delivered_whole_at_commit() {
        let mut a = Assembler::new();
        assert_eq!(a.push(rel(1, "docs")).unwrap(), None);
        assert_eq!(a.push(begin(100, 7)).unwrap(), None);
        assert!(a.in_transaction());
        let insert = Message::Insert {
            relation: 1,
            new: vec![t("x"), t("{}")],
        };
        assert_eq!(a.push(insert).unwrap(), None);
        let delete = Message::Delete {
            relation: 1,
            old: (OldKind::Key, vec![t("y"), Datum::Null]),
        };
        assert_eq!(a.push(delete).unwrap(), None);
        let txn = a.push(commit(100, 140)).unwrap().unwrap();
        assert!(!a.in_transaction());
        assert_eq!(
            (txn.xid, txn.commit_lsn, txn.end_lsn),
            (7, Lsn(100), Lsn(140))
        );
        assert_eq!(txn.changes.len(), 2);
        match &txn.changes[1] {
            RowChange::Delete { relation, old } => {
                assert_eq!(relation.name, "docs");
                assert_eq!(old[0], t("y"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn relation_descriptions_are_replaced_when_resent() {
        let mut a = Assembler::new();
        a.push(rel(1, "old_name")).unwrap();
        a.push(rel(1, "new_name")).unwrap();
        a.push(begin(5, 1)).unwrap();
        a.push(Message::Truncate {
            options: 0,
            relations: vec![1],
        })
        .unwrap();
        let txn = a.push(commit(5, 9)).unwrap().unwrap();
        let RowChange::Truncate { relations } = &txn.changes[0] else {
            panic!()
        };
        assert_eq!(relations[0].name, "new_name");
    }

    #[test]
    fn broken_streams_are_errors() {
        let mut a = Assembler::new();
        let insert = Message::Insert {
            relation: 1,
            new: vec![t("x"), t("{}")],
        };
        a.push(rel(1, "docs")).unwrap();
        assert_eq!(
            a.push(insert.clone()),
            Err(AssembleError::OutsideTransaction("INSERT"))
        );
        assert_eq!(
            a.push(commit(1, 2)),
            Err(AssembleError::OutsideTransaction("COMMIT"))
        );
        a.push(begin(10, 3)).unwrap();
        assert_eq!(a.push(begin(11, 4)), Err(AssembleError::NestedBegin(4)));
        assert_eq!(
            a.push(Message::Insert {
                relation: 2,
                new: vec![]
            }),
            Err(AssembleError::UnknownRelation(2))
        );
        assert!(matches!(
            a.push(Message::Insert {
                relation: 1,
                new: vec![t("x")]
            }),
            Err(AssembleError::WidthMismatch {
                expected: 2,
                got: 1,
                ..
            })
        ));
        assert!(matches!(
            a.push(commit(11, 12)),
            Err(AssembleError::CommitMismatch { .. })
        ));
        a.reset();
        assert!(!a.in_transaction());
    }

    #[test]
    fn empty_transactions_are_delivered_empty() {
        let mut a = Assembler::new();
        a.push(begin(3, 1)).unwrap();
        let txn = a.push(commit(3, 4)).unwrap().unwrap();
        assert!(txn.changes.is_empty());
    }
}
