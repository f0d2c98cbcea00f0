use std::collections::BTreeMap;

use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::{Float64Type, Int64Type};
use rand::{Rng, SeedableRng};

use super::*;

fn relation(extra: &[(&str, u32)]) -> Relation {
    let mut columns = vec![("id", 25), ("doc", 3802), ("version", 20)];
    columns.extend_from_slice(extra);
    crate::feed::pgoutput::test_relation(42, "c", &columns)
}

fn row(id: &str, doc: &str, version: i64) -> Vec<Datum> {
    vec![
        Datum::Text(id.into()),
        Datum::Text(doc.into()),
        Datum::Text(version.to_string()),
    ]
}

/// Every live row as (id, doc, version), sorted by id.
fn contents(store: &TableStore) -> Vec<(String, String, i64)> {
    let mut out = Vec::new();
    for b in store.batches().unwrap() {
        assert_eq!(b.schema(), *store.schema());
        let ids = b.column(0).as_string::<i32>();
        let docs = b.column(1).as_string::<i32>();
        let versions = b.column(2).as_primitive::<Int64Type>();
        for i in 0..b.num_rows() {
            out.push((
                ids.value(i).to_string(),
                docs.value(i).to_string(),
                versions.value(i),
            ));
        }
    }
    out.sort();
    out
}

fn store() -> TableStore {
    TableStore::new(&relation(&[])).unwrap()
}

#[test]
fn only_collections_get_a_store() {
    let mut r = relation(&[]);
    assert!(TableStore::new(&r).is_some());
    r.name = "_docfusion_txn_decisions".into();
    assert!(TableStore::new(&r).is_none());
    let mut r = relation(&[]);
    r.columns[1].type_oid = 25;
    assert!(TableStore::new(&r).is_none(), "doc must be jsonb");
    let mut r = relation(&[]);
    r.namespace = "other".into();
    assert!(TableStore::new(&r).is_none());
}

#[test]
fn insert_update_delete() {
    let mut s = store();
    s.upsert(row("a", r#"{"x": 1}"#, 1), None, ApplyMode::Live)
        .unwrap();
    s.upsert(row("b", r#"{"x": 2}"#, 1), None, ApplyMode::Live)
        .unwrap();
    s.upsert(row("a", r#"{"x": 3}"#, 2), None, ApplyMode::Live)
        .unwrap();
    s.delete("b").unwrap();
    s.delete("never-there").unwrap();
    assert_eq!(contents(&s), vec![("a".into(), r#"{"x": 3}"#.into(), 2)]);
    assert_eq!(s.row_count(), 1);
}

#[test]
fn catchup_never_goes_back_to_a_lower_version_live_does() {
    let mut s = store();
    s.upsert(row("a", r#"{"v": 3}"#, 3), None, ApplyMode::Catchup)
        .unwrap();
    // An older image replayed from the feed: ignored while catching up.
    s.upsert(row("a", r#"{"v": 2}"#, 2), None, ApplyMode::Catchup)
        .unwrap();
    assert_eq!(contents(&s)[0].2, 3);
    // The same version again is the same row image: applied (harmless).
    s.upsert(row("a", r#"{"v": 3}"#, 3), None, ApplyMode::Catchup)
        .unwrap();
    assert_eq!(contents(&s).len(), 1);
    // Live, the feed is the truth in commit order, even if someone lowered the version.
    s.upsert(row("a", r#"{"v": 1}"#, 1), None, ApplyMode::Live)
        .unwrap();
    assert_eq!(contents(&s), vec![("a".into(), r#"{"v": 1}"#.into(), 1)]);
}

#[test]
fn unchanged_toast_keeps_the_old_value() {
    let mut s = store().with_freeze_rows(2);
    let big = format!(r#"{{"blob": "{}"}}"#, "x".repeat(100));
    s.upsert(row("a", &big, 1), None, ApplyMode::Live).unwrap();
    s.upsert(row("b", "{}", 1), None, ApplyMode::Live).unwrap();
    assert_eq!(s.segment_count(), 1, "a and b are frozen");
    let update = vec![
        Datum::Text("a".into()),
        Datum::UnchangedToast,
        Datum::Text("2".into()),
    ];
    s.upsert(update.clone(), None, ApplyMode::Live).unwrap();
    assert_eq!(contents(&s)[0], ("a".into(), big.clone(), 2));
    // Of a row the replica does not hold: skipped while catching up, an error live.
    let mut other = update.clone();
    other[0] = Datum::Text("zz".into());
    s.upsert(other.clone(), None, ApplyMode::Catchup).unwrap();
    assert_eq!(
        s.upsert(other, None, ApplyMode::Live),
        Err(StoreError::MissingRow {
            table: "c".into(),
            id: "zz".into()
        })
    );
    assert_eq!(s.row_count(), 2);
}

#[test]
fn an_update_of_the_key_moves_the_row() {
    let mut s = store();
    s.upsert(row("a", "{}", 1), None, ApplyMode::Live).unwrap();
    s.upsert(row("b", r#"{"k": 1}"#, 2), Some("a"), ApplyMode::Live)
        .unwrap();
    assert_eq!(contents(&s), vec![("b".into(), r#"{"k": 1}"#.into(), 2)]);
}

#[test]
fn bad_values_are_refused_and_change_nothing() {
    let mut s = TableStore::new(&relation(&[("n", 23)])).unwrap();
    let mut r = row("a", "{}", 1);
    r.push(Datum::Text("12".into()));
    s.upsert(r, None, ApplyMode::Live).unwrap();
    let mut bad = row("a", r#"{"changed": true}"#, 2);
    bad.push(Datum::Text("twelve".into()));
    let e = s.upsert(bad, None, ApplyMode::Live).unwrap_err();
    assert!(e.to_string().contains("c.n"), "{e}");
    assert_eq!(contents(&s), vec![("a".into(), "{}".into(), 1)]);
    let null_id = vec![
        Datum::Null,
        Datum::Text("{}".into()),
        Datum::Null,
        Datum::Null,
    ];
    assert_eq!(
        s.upsert(null_id, None, ApplyMode::Live),
        Err(StoreError::NullId { table: "c".into() })
    );
}

#[test]
fn typed_extra_columns_read_postgres_text() {
    let mut s = TableStore::new(&relation(&[("f", 701), ("b", 16), ("n", 1700)])).unwrap();
    let mut r = row("a", "{}", 1);
    r.extend([
        Datum::Text("-Infinity".into()),
        Datum::Text("t".into()),
        Datum::Text("1.50".into()),
    ]);
    s.upsert(r, None, ApplyMode::Live).unwrap();
    s.freeze().unwrap();
    let b = &s.batches().unwrap()[0];
    assert_eq!(
        b.column(3).as_primitive::<Float64Type>().value(0),
        f64::NEG_INFINITY
    );
    assert!(b.column(4).as_boolean().value(0));
    assert_eq!(b.column(5).as_primitive::<Float64Type>().value(0), 1.5);
    // A column the replica cannot reproduce exactly is kept as text.
    assert_eq!(reader_for_type(1082, -1), ColumnReader::AsText);
    assert_eq!(reader_for_type(1700, 655366), ColumnReader::AsText);
}

#[test]
fn truncate_empties_everything() {
    let mut s = store().with_freeze_rows(2);
    for i in 0..5 {
        s.upsert(
            row(&format!("d{i}"), r#"{"p": 1}"#, 1),
            None,
            ApplyMode::Live,
        )
        .unwrap();
    }
    s.truncate();
    assert!(contents(&s).is_empty());
    assert!(s.paths().shredded().is_empty());
    s.upsert(row("d1", "{}", 1), None, ApplyMode::Live).unwrap();
    assert_eq!(contents(&s).len(), 1);
}

#[test]
fn shredded_columns_follow_the_live_documents() {
    let mut s = store().with_freeze_rows(3);
    let docs = [
        ("a", r#"{"p": 1, "s": "x"}"#),
        ("b", r#"{"p": 2, "s": "y"}"#),
        ("c", r#"{"p": "three"}"#),
        ("d", r#"{"p": 4, "o": {"k": true}}"#),
    ];
    for (id, d) in docs {
        s.upsert(row(id, d, 1), None, ApplyMode::Live).unwrap();
    }
    // p is a string in c: mixed, not shredded.
    assert_eq!(s.shredded("p").unwrap(), None);
    assert!(s.shredded("s").unwrap().is_some());
    // Without c, p is an integer path again: the segment frozen with c computes it.
    s.delete("c").unwrap();
    let (ty, arrays) = s.shredded("p").unwrap().unwrap();
    assert_eq!(ty, ShredType::Int64);
    let batches = s.batches().unwrap();
    assert_eq!(arrays.len(), batches.len());
    let mut pairs = Vec::new();
    for (b, a) in batches.iter().zip(&arrays) {
        assert_eq!(b.num_rows(), a.len());
        let ids = b.column(0).as_string::<i32>();
        let p = a.as_primitive::<Int64Type>();
        for i in 0..b.num_rows() {
            pairs.push((ids.value(i).to_string(), p.value(i)));
        }
    }
    pairs.sort();
    assert_eq!(
        pairs,
        vec![("a".into(), 1), ("b".into(), 2), ("d".into(), 4)]
    );
    let (ty, _) = s.shredded("o.k").unwrap().unwrap();
    assert_eq!(ty, ShredType::Boolean);
}

/// Random inserts, updates and deletes over few ids, against a plain map: the store always
/// holds exactly the map's rows, whatever segments, holes and compactions it went through.
#[test]
fn random_changes_match_a_plain_map() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut s = store().with_freeze_rows(16);
    let mut model: BTreeMap<String, (String, i64)> = BTreeMap::new();
    for step in 0..5_000 {
        let id = format!("id{}", rng.random_range(0..60));
        match rng.random_range(0..10) {
            0..=5 => {
                let version = model.get(&id).map_or(1, |(_, v)| v + 1);
                let doc = format!(r#"{{"n": {step}, "t": "s{}"}}"#, step % 7);
                s.upsert(row(&id, &doc, version), None, ApplyMode::Live)
                    .unwrap();
                model.insert(id, (doc, version));
            }
            6..=8 => {
                s.delete(&id).unwrap();
                model.remove(&id);
            }
            _ => {
                if rng.random_range(0..20) == 0 {
                    s.truncate();
                    model.clear();
                }
            }
        }
        if step % 25 == 0 {
            let expected: Vec<_> = model
                .iter()
                .map(|(k, (d, v))| (k.clone(), d.clone(), *v))
                .collect();
            assert_eq!(contents(&s), expected, "after step {step}");
            // Rows by id, from segments and the tail (and ids not held), in the order asked:
            // the same rows as read back from their text.
            let wanted: Vec<String> = (0..12)
                .map(|_| format!("id{}", rng.random_range(0..70)))
                .collect();
            let wanted: Vec<&str> = wanted.iter().map(String::as_str).collect();
            let got = s.rows_by_id(&wanted).unwrap();
            assert_eq!(got, s.rows_by_id_from_text(&wanted).unwrap(), "step {step}");
            let held = wanted.iter().filter(|id| model.contains_key(**id)).count();
            assert_eq!(got.num_rows(), held, "step {step}");
        }
    }
    let expected: Vec<_> = model
        .iter()
        .map(|(k, (d, v))| (k.clone(), d.clone(), *v))
        .collect();
    assert_eq!(contents(&s), expected);
    assert_eq!(s.row_count(), model.len());
    assert!(s.memory_bytes() > 0 || model.is_empty());
    let n_type = s.paths().shredded().get("n").copied();
    assert_eq!(n_type, (!model.is_empty()).then_some(ShredType::Int64));
}

/// (id, presence) of every live row, sorted by id.
fn presence_by_id(s: &TableStore, path: &str) -> Vec<(String, Option<bool>)> {
    let batches = s.batches().unwrap();
    let arrays = s.presence(path).unwrap();
    assert_eq!(arrays.len(), batches.len());
    let mut out = Vec::new();
    for (b, a) in batches.iter().zip(&arrays) {
        assert_eq!(b.num_rows(), a.len());
        let ids = b.column(0).as_string::<i32>();
        let p = a.as_boolean();
        for i in 0..b.num_rows() {
            out.push((ids.value(i).to_string(), p.is_valid(i).then(|| p.value(i))));
        }
    }
    out.sort();
    out
}

#[test]
fn presence_is_whatever_the_value_and_null_without_an_object_parent() {
    // Segment 1: a, b, c; segment 2: d, e, f (none has `k` nor `o.z`); tail: g.
    let mut s = store().with_freeze_rows(3);
    let docs = [
        ("a", r#"{"k": 1, "o": {"n": 1}}"#),
        ("b", r#"{"k": null, "o": 5}"#),
        ("c", r#"{"k": "mixed", "o": {"n": null, "z": []}}"#),
        ("d", r#"{"x": 1, "o": {"n": 2}}"#),
        ("e", r#"[1, "k"]"#),
        ("f", r#"{"o": {}}"#),
        ("g", r#"{"k": {"deep": true}}"#),
    ];
    for (id, d) in docs {
        s.upsert(row(id, d, 1), None, ApplyMode::Live).unwrap();
    }
    let t = |id: &str, v: Option<bool>| (id.to_string(), v);
    // A top-level key: present whatever its type (null included); absent in segment 2
    // (from a sibling's column), NULL for the array document (`?` has other rules there).
    assert_eq!(
        presence_by_id(&s, "k"),
        vec![
            t("a", Some(true)),
            t("b", Some(true)),
            t("c", Some(true)),
            t("d", Some(false)),
            t("e", None),
            t("f", Some(false)),
            t("g", Some(true)),
        ]
    );
    // A nested key: NULL where the parent is missing or not an object; `f`'s empty object
    // has no child path at all in segment 2, and `d`'s `o` has a sibling `o.n`.
    assert_eq!(
        presence_by_id(&s, "o.z"),
        vec![
            t("a", Some(false)),
            t("b", None),
            t("c", Some(true)),
            t("d", Some(false)),
            t("e", None),
            t("f", Some(false)),
            t("g", None),
        ]
    );
    // Dead rows leave the columns with their batches.
    s.delete("c").unwrap();
    s.delete("d").unwrap();
    assert_eq!(
        presence_by_id(&s, "o.z"),
        vec![
            t("a", Some(false)),
            t("b", None),
            t("e", None),
            t("f", Some(false)),
            t("g", None),
        ]
    );
}

/// (id, value of the shredded integer path) of every live row, sorted by id; `None` when the
/// path is not shredded.
fn shredded_by_id(s: &TableStore, path: &str) -> Option<Vec<(String, i64)>> {
    let batches = s.batches().unwrap();
    let (ty, arrays) = s.shredded(path).unwrap()?;
    assert_eq!(ty, ShredType::Int64);
    assert_eq!(arrays.len(), batches.len());
    let mut out = Vec::new();
    for (b, a) in batches.iter().zip(&arrays) {
        let ids = b.column(0).as_string::<i32>();
        let n = a.as_primitive::<Int64Type>();
        for i in 0..b.num_rows() {
            out.push((ids.value(i).to_string(), n.value(i)));
        }
    }
    out.sort();
    Some(out)
}

/// Scans reuse the tail's Arrow form until the tail changes: every kind of change is seen
/// by the next scan, in the rows, the shredded columns and the presence columns.
#[test]
fn the_tail_cache_follows_every_change() {
    let mut s = store();
    let pairs = |v: &[(&str, i64)]| -> Option<Vec<(String, i64)>> {
        Some(v.iter().map(|(k, n)| (k.to_string(), *n)).collect())
    };
    let present = |v: &[(&str, bool)]| -> Vec<(String, Option<bool>)> {
        v.iter().map(|(k, p)| (k.to_string(), Some(*p))).collect()
    };
    s.upsert(row("a", r#"{"n": 1}"#, 1), None, ApplyMode::Live)
        .unwrap();
    s.upsert(row("b", r#"{"n": 2, "o": {}}"#, 1), None, ApplyMode::Live)
        .unwrap();
    let before_scan = s.memory_bytes();
    assert_eq!(shredded_by_id(&s, "n"), pairs(&[("a", 1), ("b", 2)]));
    assert_eq!(
        presence_by_id(&s, "o"),
        present(&[("a", false), ("b", true)])
    );
    assert!(s.memory_bytes() > before_scan, "the cache is counted");
    // Read twice: the same answer from the cache.
    assert_eq!(shredded_by_id(&s, "n"), pairs(&[("a", 1), ("b", 2)]));

    s.upsert(row("a", r#"{"n": 10, "o": {}}"#, 2), None, ApplyMode::Live)
        .unwrap();
    assert_eq!(shredded_by_id(&s, "n"), pairs(&[("a", 10), ("b", 2)]));
    assert_eq!(
        presence_by_id(&s, "o"),
        present(&[("a", true), ("b", true)])
    );

    s.delete("b").unwrap();
    assert_eq!(contents(&s).len(), 1);
    assert_eq!(shredded_by_id(&s, "n"), pairs(&[("a", 10)]));
    assert_eq!(presence_by_id(&s, "o"), present(&[("a", true)]));

    s.upsert(row("c", r#"{"n": 3}"#, 1), None, ApplyMode::Live)
        .unwrap();
    assert_eq!(shredded_by_id(&s, "n"), pairs(&[("a", 10), ("c", 3)]));
    // A string makes the path mixed: no typed column any more.
    s.upsert(row("c", r#"{"n": "x"}"#, 2), None, ApplyMode::Live)
        .unwrap();
    assert_eq!(shredded_by_id(&s, "n"), None);

    s.truncate();
    assert!(contents(&s).is_empty());
    assert!(presence_by_id(&s, "o").is_empty());
    s.upsert(row("d", r#"{"n": 4}"#, 1), None, ApplyMode::Live)
        .unwrap();
    assert_eq!(shredded_by_id(&s, "n"), pairs(&[("d", 4)]));
    // Frozen into a segment: the tail is empty and its cache gone.
    s.freeze().unwrap();
    assert_eq!(s.segment_count(), 1);
    assert_eq!(shredded_by_id(&s, "n"), pairs(&[("d", 4)]));
}

/// The size counts the tail's rows as they are now: it is summed once per change of the
/// tail and every change is seen.
#[test]
fn the_size_follows_the_tail() {
    let mut s = store();
    let empty = s.memory_bytes();
    assert_eq!(s.memory_bytes(), empty, "asking again changes nothing");
    let big = format!(r#"{{"s": "{}"}}"#, "x".repeat(10_000));
    s.upsert(row("a", &big, 1), None, ApplyMode::Live).unwrap();
    let one = s.memory_bytes();
    assert!(one >= empty + 10_000, "{one} bytes after a 10 KB row");
    s.upsert(row("b", &big, 1), None, ApplyMode::Live).unwrap();
    let two = s.memory_bytes();
    assert!(two >= one + 10_000, "{two} bytes after a second 10 KB row");
    s.upsert(row("b", r#"{"s": "y"}"#, 2), None, ApplyMode::Live)
        .unwrap();
    assert!(s.memory_bytes() < two - 9_000, "a row made smaller");
    s.delete("a").unwrap();
    assert!(s.memory_bytes() < one - 9_000, "a row deleted");
    s.truncate();
    assert!(s.memory_bytes() <= empty + 64, "truncated");
}
