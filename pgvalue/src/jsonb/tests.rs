//! Tests for the jsonb value model: key order, duplicate handling and object editing.

use super::*;
use crate::psql_render::j;

#[test]
fn keys_order_shorter_first_then_bytewise() {
    // Same order PostgreSQL printed for '{"bb":1,"a":2,"c":null,"a":3,"aa":{}}'::jsonb.
    let obj = JsonbObject::from_pairs(
        ["bb", "a", "c", "a", "aa"]
            .iter()
            .enumerate()
            .map(|(i, k)| (k.to_string(), Jsonb::from_i64(i as i64))),
    );
    let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    assert_eq!(keys, ["a", "c", "aa", "bb"]);
    assert_eq!(
        obj.get("a"),
        Some(&Jsonb::from_i64(3)),
        "last duplicate wins"
    );
    assert_eq!(jsonb_key_order("B", "a"), Ordering::Less);
    assert_eq!(jsonb_key_order("z", "ab"), Ordering::Less);
}

#[test]
fn object_insert_and_remove_keep_order() {
    let mut obj = JsonbObject::new();
    obj.insert("zz".into(), Jsonb::Null);
    obj.insert("a".into(), Jsonb::Bool(true));
    obj.insert("zz".into(), Jsonb::Bool(false));
    assert_eq!(
        Jsonb::Object(obj.clone()).to_pg_text(),
        r#"{"a": true, "zz": false}"#
    );
    assert_eq!(obj.remove("a"), Some(Jsonb::Bool(true)));
    assert_eq!(obj.remove("a"), None);
    assert_eq!(obj.len(), 1);
    assert!(!obj.is_empty());
    assert!(obj.contains_key("zz"));
}

#[test]
fn equality_compares_numbers_by_value() {
    assert_eq!(j("[1.0, {\"a\": 2.50}]"), j("[1, {\"a\": 2.5}]"));
    assert_ne!(j("[1, 2]"), j("[2, 1]"));
    assert_eq!(j("1.50").to_pg_text(), "1.50");
}

#[test]
fn type_names_and_text() {
    assert_eq!(j("{}").type_name(), "object");
    assert_eq!(j("[]").type_name(), "array");
    assert_eq!(j("\"s\"").type_name(), "string");
    assert_eq!(j("1").type_name(), "number");
    assert_eq!(j("false").type_name(), "boolean");
    assert_eq!(j("null").type_name(), "null");
    assert_eq!(j("null").to_text(), None);
    assert_eq!(j("\"a\\\"b\"").to_text().as_deref(), Some("a\"b"));
    assert_eq!(j("[1, \"x\"]").to_text().as_deref(), Some("[1, \"x\"]"));
}
