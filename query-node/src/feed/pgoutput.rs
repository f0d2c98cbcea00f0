//! A decoder of PostgreSQL's `pgoutput` logical replication messages (protocol version 1,
//! text-format values), as `pg_logical_slot_peek_binary_changes` returns them: one message
//! per row. Only what a change feed needs; streaming and two-phase messages (versions 2+)
//! are refused, since the feed never asks for them.

use std::fmt;

/// A WAL position (`pg_lsn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Lsn(pub u64);

impl Lsn {
    /// Parses Postgres' text form, `16/B374D848`.
    pub fn parse(text: &str) -> Option<Lsn> {
        let (hi, lo) = text.trim().split_once('/')?;
        let hi = u32::from_str_radix(hi, 16).ok()?;
        let lo = u32::from_str_radix(lo, 16).ok()?;
        Some(Lsn((u64::from(hi) << 32) | u64::from(lo)))
    }
}

impl fmt::Display for Lsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:X}/{:X}", self.0 >> 32, self.0 & 0xFFFF_FFFF)
    }
}

/// One column value of a tuple.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Datum {
    /// SQL NULL.
    Null,
    /// A TOASTed value the update did not change: the subscriber keeps its old value.
    UnchangedToast,
    /// The value in the type's text output format.
    Text(String),
}

impl Datum {
    /// The text of a non-null value.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Datum::Text(t) => Some(t),
            _ => None,
        }
    }
}

/// A column of a relation as the publisher describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationColumn {
    /// Part of the replica identity (the primary key by default).
    pub key: bool,
    /// Column name.
    pub name: String,
    /// Type oid.
    pub type_oid: u32,
    /// Type modifier (-1 when none).
    pub type_modifier: i32,
}

/// A relation (table) description, sent before the first change of that table in every
/// decoding session and again whenever its definition changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    /// Table oid.
    pub oid: u32,
    /// Schema (empty for `pg_catalog`).
    pub namespace: String,
    /// Table name.
    pub name: String,
    /// `REPLICA IDENTITY` setting: `d`efault, `n`othing, `f`ull, `i`ndex.
    pub replica_identity: u8,
    /// Columns, in attribute order (dropped and generated columns excluded).
    pub columns: Vec<RelationColumn>,
}

/// Which old-tuple image an update or delete carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OldKind {
    /// Only the replica identity's columns (others are null).
    Key,
    /// The whole old row (`REPLICA IDENTITY FULL`).
    Full,
}

/// One decoded pgoutput message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// Start of a transaction.
    Begin {
        /// LSN of the commit record.
        final_lsn: Lsn,
        /// Commit time, µs since 2000-01-01.
        commit_time: i64,
        /// Transaction id.
        xid: u32,
    },
    /// End of a transaction.
    Commit {
        /// LSN of the commit record.
        commit_lsn: Lsn,
        /// LSN just past the commit record: where the next transaction can start.
        end_lsn: Lsn,
        /// Commit time, µs since 2000-01-01.
        commit_time: i64,
    },
    /// Replication origin of the transaction.
    Origin {
        /// Origin's commit LSN.
        lsn: Lsn,
        /// Origin name.
        name: String,
    },
    /// A relation description.
    Relation(Relation),
    /// A type description (for non-builtin types).
    Type {
        /// Type oid.
        oid: u32,
        /// Schema.
        namespace: String,
        /// Type name.
        name: String,
    },
    /// A row inserted.
    Insert {
        /// Table oid.
        relation: u32,
        /// The new row.
        new: Vec<Datum>,
    },
    /// A row updated.
    Update {
        /// Table oid.
        relation: u32,
        /// The old key or row, when the key changed or the identity is FULL.
        old: Option<(OldKind, Vec<Datum>)>,
        /// The new row.
        new: Vec<Datum>,
    },
    /// A row deleted.
    Delete {
        /// Table oid.
        relation: u32,
        /// The old key (or row).
        old: (OldKind, Vec<Datum>),
    },
    /// Tables truncated.
    Truncate {
        /// `1` = CASCADE, `2` = RESTART IDENTITY.
        options: u8,
        /// Table oids.
        relations: Vec<u32>,
    },
    /// A logical decoding message (`pg_logical_emit_message`).
    LogicalMessage {
        /// Transactional or not.
        transactional: bool,
        /// LSN of the message.
        lsn: Lsn,
        /// Prefix.
        prefix: String,
        /// Content.
        content: Vec<u8>,
    },
}

/// Why a message could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The message ended early.
    #[error("pgoutput message truncated while reading {0}")]
    Truncated(&'static str),
    /// An unknown message type byte.
    #[error("unknown pgoutput message type {0:?}")]
    UnknownMessage(char),
    /// A byte with a fixed set of values had another one.
    #[error("unexpected byte {found:?} for {what}")]
    Unexpected {
        /// What was being read.
        what: &'static str,
        /// The byte found.
        found: char,
    },
    /// Text that is not UTF-8 (shards use UTF-8).
    #[error("{0} is not valid UTF-8")]
    NotUtf8(&'static str),
    /// Bytes left after a complete message.
    #[error("{0} trailing bytes after a pgoutput message")]
    Trailing(usize),
}

/// Reads big-endian fields off a message.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
        if self.bytes.len() < n {
            return Err(DecodeError::Truncated(what));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, DecodeError> {
        Ok(self.take(1, what)?[0])
    }

    fn i16(&mut self, what: &'static str) -> Result<i16, DecodeError> {
        let b = self.take(2, what)?;
        Ok(i16::from_be_bytes([b[0], b[1]]))
    }

    fn i32(&mut self, what: &'static str) -> Result<i32, DecodeError> {
        let b = self.take(4, what)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, DecodeError> {
        Ok(self.i32(what)? as u32)
    }

    fn i64(&mut self, what: &'static str) -> Result<i64, DecodeError> {
        let b = self.take(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(i64::from_be_bytes(a))
    }

    fn lsn(&mut self, what: &'static str) -> Result<Lsn, DecodeError> {
        Ok(Lsn(self.i64(what)? as u64))
    }

    /// A NUL-terminated string.
    fn cstr(&mut self, what: &'static str) -> Result<String, DecodeError> {
        let end = self
            .bytes
            .iter()
            .position(|b| *b == 0)
            .ok_or(DecodeError::Truncated(what))?;
        let s = std::str::from_utf8(&self.bytes[..end]).map_err(|_| DecodeError::NotUtf8(what))?;
        self.bytes = &self.bytes[end + 1..];
        Ok(s.to_string())
    }

    fn tuple(&mut self) -> Result<Vec<Datum>, DecodeError> {
        let n = self.i16("tuple column count")?;
        let mut out = Vec::with_capacity(n.max(0) as usize);
        for _ in 0..n {
            match self.u8("tuple column kind")? {
                b'n' => out.push(Datum::Null),
                b'u' => out.push(Datum::UnchangedToast),
                b't' => {
                    let len = self.i32("value length")?;
                    let len = usize::try_from(len).map_err(|_| DecodeError::Unexpected {
                        what: "value length",
                        found: '-',
                    })?;
                    let bytes = self.take(len, "value")?;
                    let text =
                        std::str::from_utf8(bytes).map_err(|_| DecodeError::NotUtf8("value"))?;
                    out.push(Datum::Text(text.to_string()));
                }
                other => {
                    return Err(DecodeError::Unexpected {
                        what: "tuple column kind (n, u or t)",
                        found: other as char,
                    });
                }
            }
        }
        Ok(out)
    }

    fn old_tuple(&mut self, kind: u8) -> Result<(OldKind, Vec<Datum>), DecodeError> {
        let kind = match kind {
            b'K' => OldKind::Key,
            b'O' => OldKind::Full,
            other => {
                return Err(DecodeError::Unexpected {
                    what: "old tuple kind (K or O)",
                    found: other as char,
                });
            }
        };
        Ok((kind, self.tuple()?))
    }

    fn expect(&mut self, byte: u8, what: &'static str) -> Result<(), DecodeError> {
        let found = self.u8(what)?;
        if found != byte {
            return Err(DecodeError::Unexpected {
                what,
                found: found as char,
            });
        }
        Ok(())
    }
}

/// Decodes one pgoutput message (protocol version 1).
pub fn decode(bytes: &[u8]) -> Result<Message, DecodeError> {
    let mut r = Reader { bytes };
    let kind = r.u8("message type")?;
    let message = match kind {
        b'B' => Message::Begin {
            final_lsn: r.lsn("begin final LSN")?,
            commit_time: r.i64("begin commit time")?,
            xid: r.u32("begin xid")?,
        },
        b'C' => {
            let _flags = r.u8("commit flags")?;
            Message::Commit {
                commit_lsn: r.lsn("commit LSN")?,
                end_lsn: r.lsn("commit end LSN")?,
                commit_time: r.i64("commit time")?,
            }
        }
        b'O' => Message::Origin {
            lsn: r.lsn("origin LSN")?,
            name: r.cstr("origin name")?,
        },
        b'R' => {
            let oid = r.u32("relation oid")?;
            let namespace = r.cstr("relation namespace")?;
            let name = r.cstr("relation name")?;
            let replica_identity = r.u8("replica identity")?;
            let n = r.i16("relation column count")?;
            let mut columns = Vec::with_capacity(n.max(0) as usize);
            for _ in 0..n {
                let flags = r.u8("column flags")?;
                columns.push(RelationColumn {
                    key: flags & 1 == 1,
                    name: r.cstr("column name")?,
                    type_oid: r.u32("column type")?,
                    type_modifier: r.i32("column type modifier")?,
                });
            }
            Message::Relation(Relation {
                oid,
                namespace,
                name,
                replica_identity,
                columns,
            })
        }
        b'Y' => Message::Type {
            oid: r.u32("type oid")?,
            namespace: r.cstr("type namespace")?,
            name: r.cstr("type name")?,
        },
        b'I' => {
            let relation = r.u32("insert relation")?;
            r.expect(b'N', "insert new tuple marker (N)")?;
            Message::Insert {
                relation,
                new: r.tuple()?,
            }
        }
        b'U' => {
            let relation = r.u32("update relation")?;
            let mut marker = r.u8("update tuple marker")?;
            let old = if marker == b'K' || marker == b'O' {
                let old = r.old_tuple(marker)?;
                marker = r.u8("update new tuple marker")?;
                Some(old)
            } else {
                None
            };
            if marker != b'N' {
                return Err(DecodeError::Unexpected {
                    what: "update new tuple marker (N)",
                    found: marker as char,
                });
            }
            Message::Update {
                relation,
                old,
                new: r.tuple()?,
            }
        }
        b'D' => {
            let relation = r.u32("delete relation")?;
            let marker = r.u8("delete tuple marker")?;
            Message::Delete {
                relation,
                old: r.old_tuple(marker)?,
            }
        }
        b'T' => {
            let n = r.i32("truncate relation count")?;
            let options = r.u8("truncate options")?;
            let mut relations = Vec::with_capacity(n.clamp(0, 1024) as usize);
            for _ in 0..n {
                relations.push(r.u32("truncate relation")?);
            }
            Message::Truncate { options, relations }
        }
        b'M' => {
            let flags = r.u8("message flags")?;
            let lsn = r.lsn("message LSN")?;
            let prefix = r.cstr("message prefix")?;
            let len = r.i32("message length")?;
            let len = usize::try_from(len).map_err(|_| DecodeError::Truncated("message"))?;
            Message::LogicalMessage {
                transactional: flags & 1 == 1,
                lsn,
                prefix,
                content: r.take(len, "message content")?.to_vec(),
            }
        }
        other => return Err(DecodeError::UnknownMessage(other as char)),
    };
    if !r.bytes.is_empty() {
        return Err(DecodeError::Trailing(r.bytes.len()));
    }
    Ok(message)
}

/// A relation of `public` whose columns are `(name, type oid)`; `id` is the key (tests).
#[cfg(test)]
pub(crate) fn test_relation(oid: u32, name: &str, columns: &[(&str, u32)]) -> Relation {
    Relation {
        oid,
        namespace: "public".into(),
        name: name.into(),
        replica_identity: b'd',
        columns: columns
            .iter()
            .map(|(n, t)| RelationColumn {
                key: *n == "id",
                name: (*n).into(),
                type_oid: *t,
                type_modifier: -1,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds messages byte by byte, as the publisher's `logicalrep_write_*` functions do.
    #[derive(Default)]
    struct W(Vec<u8>);

    impl W {
        fn u8(mut self, v: u8) -> Self {
            self.0.push(v);
            self
        }
        fn i16(mut self, v: i16) -> Self {
            self.0.extend_from_slice(&v.to_be_bytes());
            self
        }
        fn i32(mut self, v: i32) -> Self {
            self.0.extend_from_slice(&v.to_be_bytes());
            self
        }
        fn i64(mut self, v: i64) -> Self {
            self.0.extend_from_slice(&v.to_be_bytes());
            self
        }
        fn s(mut self, v: &str) -> Self {
            self.0.extend_from_slice(v.as_bytes());
            self.0.push(0);
            self
        }
        fn text(self, v: &str) -> Self {
            let mut w = self.u8(b't').i32(v.len() as i32);
            w.0.extend_from_slice(v.as_bytes());
            w
        }
    }

    #[test]
    fn lsn_text_round_trips() {
        let l = Lsn::parse("16/B374D848").unwrap();
        assert_eq!(l.0, 0x16_B374_D848);
        assert_eq!(l.to_string(), "16/B374D848");
        assert_eq!(Lsn::parse("0/0"), Some(Lsn(0)));
        assert!(Lsn(0x1_0000_0000) > Lsn(0xFFFF_FFFF));
        assert_eq!(Lsn::parse("nope"), None);
        assert_eq!(Lsn::parse("1/"), None);
    }

    #[test]
    fn begin_and_commit() {
        let b = W::default()
            .u8(b'B')
            .i64(0x0001_0000_0020)
            .i64(7_000_000)
            .i32(745);
        assert_eq!(
            decode(&b.0).unwrap(),
            Message::Begin {
                final_lsn: Lsn(0x0001_0000_0020),
                commit_time: 7_000_000,
                xid: 745
            }
        );
        let c = W::default().u8(b'C').u8(0).i64(0x20).i64(0x58).i64(9);
        assert_eq!(
            decode(&c.0).unwrap(),
            Message::Commit {
                commit_lsn: Lsn(0x20),
                end_lsn: Lsn(0x58),
                commit_time: 9
            }
        );
    }

    #[test]
    fn relation_with_key_column() {
        let m = W::default()
            .u8(b'R')
            .i32(16385)
            .s("public")
            .s("docs")
            .u8(b'd')
            .i16(3)
            .u8(1)
            .s("id")
            .i32(25)
            .i32(-1)
            .u8(0)
            .s("doc")
            .i32(3802)
            .i32(-1)
            .u8(0)
            .s("version")
            .i32(20)
            .i32(-1);
        let Message::Relation(r) = decode(&m.0).unwrap() else {
            panic!("not a relation")
        };
        assert_eq!(
            (r.oid, r.namespace.as_str(), r.name.as_str()),
            (16385, "public", "docs")
        );
        assert_eq!(r.replica_identity, b'd');
        assert_eq!(r.columns.len(), 3);
        assert!(r.columns[0].key && !r.columns[1].key);
        assert_eq!(
            r.columns[1],
            RelationColumn {
                key: false,
                name: "doc".into(),
                type_oid: 3802,
                type_modifier: -1
            }
        );
    }

    #[test]
    fn insert_with_null_and_unicode_text() {
        let m = W::default()
            .u8(b'I')
            .i32(16385)
            .u8(b'N')
            .i16(3)
            .text("x")
            .text(r#"{"a": "ü✓"}"#)
            .u8(b'n');
        assert_eq!(
            decode(&m.0).unwrap(),
            Message::Insert {
                relation: 16385,
                new: vec![
                    Datum::Text("x".into()),
                    Datum::Text(r#"{"a": "ü✓"}"#.into()),
                    Datum::Null
                ]
            }
        );
    }

    #[test]
    fn update_plain_with_old_key_and_unchanged_toast() {
        let plain = W::default()
            .u8(b'U')
            .i32(7)
            .u8(b'N')
            .i16(2)
            .text("x")
            .u8(b'u');
        assert_eq!(
            decode(&plain.0).unwrap(),
            Message::Update {
                relation: 7,
                old: None,
                new: vec![Datum::Text("x".into()), Datum::UnchangedToast]
            }
        );
        let keyed = W::default()
            .u8(b'U')
            .i32(7)
            .u8(b'K')
            .i16(2)
            .text("old")
            .u8(b'n')
            .u8(b'N')
            .i16(2)
            .text("new")
            .text("{}");
        assert_eq!(
            decode(&keyed.0).unwrap(),
            Message::Update {
                relation: 7,
                old: Some((OldKind::Key, vec![Datum::Text("old".into()), Datum::Null])),
                new: vec![Datum::Text("new".into()), Datum::Text("{}".into())]
            }
        );
        let full = W::default()
            .u8(b'U')
            .i32(7)
            .u8(b'O')
            .i16(1)
            .text("a")
            .u8(b'N')
            .i16(1)
            .text("b");
        assert!(matches!(
            decode(&full.0).unwrap(),
            Message::Update {
                old: Some((OldKind::Full, _)),
                ..
            }
        ));
    }

    #[test]
    fn delete_and_truncate() {
        let d = W::default()
            .u8(b'D')
            .i32(7)
            .u8(b'K')
            .i16(3)
            .text("x")
            .u8(b'n')
            .u8(b'n');
        assert_eq!(
            decode(&d.0).unwrap(),
            Message::Delete {
                relation: 7,
                old: (
                    OldKind::Key,
                    vec![Datum::Text("x".into()), Datum::Null, Datum::Null]
                )
            }
        );
        let t = W::default().u8(b'T').i32(2).u8(1).i32(7).i32(8);
        assert_eq!(
            decode(&t.0).unwrap(),
            Message::Truncate {
                options: 1,
                relations: vec![7, 8]
            }
        );
    }

    #[test]
    fn origin_type_and_logical_message() {
        let o = W::default().u8(b'O').i64(5).s("node_a");
        assert_eq!(
            decode(&o.0).unwrap(),
            Message::Origin {
                lsn: Lsn(5),
                name: "node_a".into()
            }
        );
        let y = W::default().u8(b'Y').i32(90000).s("public").s("mood");
        assert!(matches!(
            decode(&y.0).unwrap(),
            Message::Type { oid: 90000, .. }
        ));
        let mut m = W::default().u8(b'M').u8(1).i64(3).s("dfx").i32(2);
        m.0.extend_from_slice(b"hi");
        assert_eq!(
            decode(&m.0).unwrap(),
            Message::LogicalMessage {
                transactional: true,
                lsn: Lsn(3),
                prefix: "dfx".into(),
                content: b"hi".to_vec()
            }
        );
    }

    #[test]
    fn malformed_messages_are_refused_not_misread() {
        assert_eq!(decode(&[]), Err(DecodeError::Truncated("message type")));
        assert_eq!(decode(b"Z"), Err(DecodeError::UnknownMessage('Z')));
        let short = W::default().u8(b'B').i64(1);
        assert!(matches!(decode(&short.0), Err(DecodeError::Truncated(_))));
        let bad_kind = W::default().u8(b'I').i32(1).u8(b'N').i16(1).u8(b'x');
        assert!(matches!(
            decode(&bad_kind.0),
            Err(DecodeError::Unexpected { found: 'x', .. })
        ));
        let no_n = W::default().u8(b'I').i32(1).u8(b'K');
        assert!(matches!(
            decode(&no_n.0),
            Err(DecodeError::Unexpected { .. })
        ));
        let long_value = W::default()
            .u8(b'I')
            .i32(1)
            .u8(b'N')
            .i16(1)
            .u8(b't')
            .i32(10);
        assert_eq!(decode(&long_value.0), Err(DecodeError::Truncated("value")));
        let mut trailing = W::default().u8(b'C').u8(0).i64(1).i64(2).i64(3);
        trailing.0.push(0);
        assert_eq!(decode(&trailing.0), Err(DecodeError::Trailing(1)));
        let bad_utf8 = W::default()
            .u8(b'I')
            .i32(1)
            .u8(b'N')
            .i16(1)
            .u8(b't')
            .i32(1)
            .u8(0xff);
        assert_eq!(decode(&bad_utf8.0), Err(DecodeError::NotUtf8("value")));
        let neg_len = W::default()
            .u8(b'I')
            .i32(1)
            .u8(b'N')
            .i16(1)
            .u8(b't')
            .i32(-5);
        assert!(decode(&neg_len.0).is_err());
    }
}
