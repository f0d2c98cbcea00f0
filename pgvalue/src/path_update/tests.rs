//! Tests for jsonb_set, jsonb_set_lax, jsonb_insert and #- against PostgreSQL.
//! Expected strings were observed from PostgreSQL 15.18 (psql -At, NULL shown as <NULL>).

use super::*;
use crate::psql_render::{j, pg};

#[test]
fn jsonb_set_cases() {
    pg!(
        jsonb_set(&j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"), &[], &j("9"), true),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_set(&j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"), &[], &j("9"), false),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("a")],
            &j("9"),
            true
        ),
        "{\"a\": 9, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("a")],
            &j("9"),
            false
        ),
        "{\"a\": 9, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("z")],
            &j("9"),
            true
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}, \"z\": 9}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("z")],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("b"), Some("c"), Some("0")],
            &j("9"),
            true
        ),
        "{\"a\": 1, \"b\": {\"c\": [9, 2, 3]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("b"), Some("c"), Some("0")],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [9, 2, 3]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("b"), Some("c"), Some("-1")],
            &j("9"),
            true
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 9]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("b"), Some("c"), Some("-1")],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 9]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("b"), Some("c"), Some("5")],
            &j("9"),
            true
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3, 9]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("b"), Some("c"), Some("5")],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("b"), Some("c"), Some("-9")],
            &j("9"),
            true
        ),
        "{\"a\": 1, \"b\": {\"c\": [9, 1, 2, 3]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("b"), Some("c"), Some("-9")],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("b"), Some("c"), Some("x")],
            &j("9"),
            true
        ),
        "ERROR:  22P02: path element at position 3 is not an integer: \"x\""
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("b"), Some("c"), Some("x")],
            &j("9"),
            false
        ),
        "ERROR:  22P02: path element at position 3 is not an integer: \"x\""
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("b"), Some("z"), Some("q")],
            &j("9"),
            true
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("b"), Some("z"), Some("q")],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("a"), Some("q")],
            &j("9"),
            true
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("a"), Some("q")],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[None],
            &j("9"),
            true
        ),
        "ERROR:  22004: path element at position 1 is null"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[None],
            &j("9"),
            false
        ),
        "ERROR:  22004: path element at position 1 is null"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("z"), None],
            &j("9"),
            true
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("z"), None],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("a"), None],
            &j("9"),
            true
        ),
        "ERROR:  22004: path element at position 2 is null"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("a"), None],
            &j("9"),
            false
        ),
        "ERROR:  22004: path element at position 2 is null"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("0")],
            &j("9"),
            true
        ),
        "{\"0\": 9, \"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("0")],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("5")],
            &j("9"),
            true
        ),
        "{\"5\": 9, \"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("5")],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("-1")],
            &j("9"),
            true
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}, \"-1\": 9}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("-1")],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("-9")],
            &j("9"),
            true
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}, \"-9\": 9}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("-9")],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("x")],
            &j("9"),
            true
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}, \"x\": 9}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("x")],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("1"), Some("x")],
            &j("9"),
            true
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("1"), Some("x")],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("1"), Some("x"), Some("0")],
            &j("9"),
            true
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("1"), Some("x"), Some("0")],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("0"), Some("0")],
            &j("9"),
            true
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("0"), Some("0")],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("0"), None],
            &j("9"),
            true
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_set(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("0"), None],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(jsonb_set(&j("[1,2,3]"), &[], &j("9"), true), "[1, 2, 3]");
    pg!(jsonb_set(&j("[1,2,3]"), &[], &j("9"), false), "[1, 2, 3]");
    pg!(
        jsonb_set(&j("[1,2,3]"), &[Some("a")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_set(&j("[1,2,3]"), &[Some("a")], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_set(&j("[1,2,3]"), &[Some("z")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"z\""
    );
    pg!(
        jsonb_set(&j("[1,2,3]"), &[Some("z")], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"z\""
    );
    pg!(
        jsonb_set(
            &j("[1,2,3]"),
            &[Some("b"), Some("c"), Some("0")],
            &j("9"),
            true
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_set(
            &j("[1,2,3]"),
            &[Some("b"), Some("c"), Some("0")],
            &j("9"),
            false
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_set(
            &j("[1,2,3]"),
            &[Some("b"), Some("c"), Some("-1")],
            &j("9"),
            true
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_set(
            &j("[1,2,3]"),
            &[Some("b"), Some("c"), Some("-1")],
            &j("9"),
            false
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_set(
            &j("[1,2,3]"),
            &[Some("b"), Some("c"), Some("5")],
            &j("9"),
            true
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_set(
            &j("[1,2,3]"),
            &[Some("b"), Some("c"), Some("5")],
            &j("9"),
            false
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_set(
            &j("[1,2,3]"),
            &[Some("b"), Some("c"), Some("-9")],
            &j("9"),
            true
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_set(
            &j("[1,2,3]"),
            &[Some("b"), Some("c"), Some("-9")],
            &j("9"),
            false
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_set(
            &j("[1,2,3]"),
            &[Some("b"), Some("c"), Some("x")],
            &j("9"),
            true
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_set(
            &j("[1,2,3]"),
            &[Some("b"), Some("c"), Some("x")],
            &j("9"),
            false
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_set(
            &j("[1,2,3]"),
            &[Some("b"), Some("z"), Some("q")],
            &j("9"),
            true
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_set(
            &j("[1,2,3]"),
            &[Some("b"), Some("z"), Some("q")],
            &j("9"),
            false
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_set(&j("[1,2,3]"), &[Some("a"), Some("q")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_set(&j("[1,2,3]"), &[Some("a"), Some("q")], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_set(&j("[1,2,3]"), &[None], &j("9"), true),
        "ERROR:  22004: path element at position 1 is null"
    );
    pg!(
        jsonb_set(&j("[1,2,3]"), &[None], &j("9"), false),
        "ERROR:  22004: path element at position 1 is null"
    );
    pg!(
        jsonb_set(&j("[1,2,3]"), &[Some("z"), None], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"z\""
    );
    pg!(
        jsonb_set(&j("[1,2,3]"), &[Some("z"), None], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"z\""
    );
    pg!(
        jsonb_set(&j("[1,2,3]"), &[Some("a"), None], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_set(&j("[1,2,3]"), &[Some("a"), None], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_set(&j("[1,2,3]"), &[Some("0")], &j("9"), true),
        "[9, 2, 3]"
    );
    pg!(
        jsonb_set(&j("[1,2,3]"), &[Some("0")], &j("9"), false),
        "[9, 2, 3]"
    );
    pg!(
        jsonb_set(&j("[1,2,3]"), &[Some("5")], &j("9"), true),
        "[1, 2, 3, 9]"
    );
    pg!(
        jsonb_set(&j("[1,2,3]"), &[Some("5")], &j("9"), false),
        "[1, 2, 3]"
    );
    pg!(
        jsonb_set(&j("[1,2,3]"), &[Some("-1")], &j("9"), true),
        "[1, 2, 9]"
    );
    pg!(
        jsonb_set(&j("[1,2,3]"), &[Some("-1")], &j("9"), false),
        "[1, 2, 9]"
    );
    pg!(
        jsonb_set(&j("[1,2,3]"), &[Some("-9")], &j("9"), true),
        "[9, 1, 2, 3]"
    );
    pg!(
        jsonb_set(&j("[1,2,3]"), &[Some("-9")], &j("9"), false),
        "[1, 2, 3]"
    );
    pg!(
        jsonb_set(&j("[1,2,3]"), &[Some("x")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"x\""
    );
    pg!(
        jsonb_set(&j("[1,2,3]"), &[Some("x")], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"x\""
    );
    pg!(
        jsonb_set(&j("[1,2,3]"), &[Some("1"), Some("x")], &j("9"), true),
        "[1, 2, 3]"
    );
    pg!(
        jsonb_set(&j("[1,2,3]"), &[Some("1"), Some("x")], &j("9"), false),
        "[1, 2, 3]"
    );
    pg!(
        jsonb_set(
            &j("[1,2,3]"),
            &[Some("1"), Some("x"), Some("0")],
            &j("9"),
            true
        ),
        "[1, 2, 3]"
    );
    pg!(
        jsonb_set(
            &j("[1,2,3]"),
            &[Some("1"), Some("x"), Some("0")],
            &j("9"),
            false
        ),
        "[1, 2, 3]"
    );
    pg!(
        jsonb_set(&j("[1,2,3]"), &[Some("0"), Some("0")], &j("9"), true),
        "[1, 2, 3]"
    );
    pg!(
        jsonb_set(&j("[1,2,3]"), &[Some("0"), Some("0")], &j("9"), false),
        "[1, 2, 3]"
    );
    pg!(
        jsonb_set(&j("[1,2,3]"), &[Some("0"), None], &j("9"), true),
        "ERROR:  22004: path element at position 2 is null"
    );
    pg!(
        jsonb_set(&j("[1,2,3]"), &[Some("0"), None], &j("9"), false),
        "ERROR:  22004: path element at position 2 is null"
    );
    pg!(jsonb_set(&j("[]"), &[], &j("9"), true), "[]");
    pg!(jsonb_set(&j("[]"), &[], &j("9"), false), "[]");
    pg!(
        jsonb_set(&j("[]"), &[Some("a")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(jsonb_set(&j("[]"), &[Some("a")], &j("9"), false), "[]");
    pg!(
        jsonb_set(&j("[]"), &[Some("z")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"z\""
    );
    pg!(jsonb_set(&j("[]"), &[Some("z")], &j("9"), false), "[]");
    pg!(
        jsonb_set(&j("[]"), &[Some("b"), Some("c"), Some("0")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_set(&j("[]"), &[Some("b"), Some("c"), Some("0")], &j("9"), false),
        "[]"
    );
    pg!(
        jsonb_set(&j("[]"), &[Some("b"), Some("c"), Some("-1")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_set(
            &j("[]"),
            &[Some("b"), Some("c"), Some("-1")],
            &j("9"),
            false
        ),
        "[]"
    );
    pg!(
        jsonb_set(&j("[]"), &[Some("b"), Some("c"), Some("5")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_set(&j("[]"), &[Some("b"), Some("c"), Some("5")], &j("9"), false),
        "[]"
    );
    pg!(
        jsonb_set(&j("[]"), &[Some("b"), Some("c"), Some("-9")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_set(
            &j("[]"),
            &[Some("b"), Some("c"), Some("-9")],
            &j("9"),
            false
        ),
        "[]"
    );
    pg!(
        jsonb_set(&j("[]"), &[Some("b"), Some("c"), Some("x")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_set(&j("[]"), &[Some("b"), Some("c"), Some("x")], &j("9"), false),
        "[]"
    );
    pg!(
        jsonb_set(&j("[]"), &[Some("b"), Some("z"), Some("q")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_set(&j("[]"), &[Some("b"), Some("z"), Some("q")], &j("9"), false),
        "[]"
    );
    pg!(
        jsonb_set(&j("[]"), &[Some("a"), Some("q")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_set(&j("[]"), &[Some("a"), Some("q")], &j("9"), false),
        "[]"
    );
    pg!(
        jsonb_set(&j("[]"), &[None], &j("9"), true),
        "ERROR:  22004: path element at position 1 is null"
    );
    pg!(jsonb_set(&j("[]"), &[None], &j("9"), false), "[]");
    pg!(
        jsonb_set(&j("[]"), &[Some("z"), None], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"z\""
    );
    pg!(
        jsonb_set(&j("[]"), &[Some("z"), None], &j("9"), false),
        "[]"
    );
    pg!(
        jsonb_set(&j("[]"), &[Some("a"), None], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_set(&j("[]"), &[Some("a"), None], &j("9"), false),
        "[]"
    );
    pg!(jsonb_set(&j("[]"), &[Some("0")], &j("9"), true), "[9]");
    pg!(jsonb_set(&j("[]"), &[Some("0")], &j("9"), false), "[]");
    pg!(jsonb_set(&j("[]"), &[Some("5")], &j("9"), true), "[9]");
    pg!(jsonb_set(&j("[]"), &[Some("5")], &j("9"), false), "[]");
    pg!(jsonb_set(&j("[]"), &[Some("-1")], &j("9"), true), "[9]");
    pg!(jsonb_set(&j("[]"), &[Some("-1")], &j("9"), false), "[]");
    pg!(jsonb_set(&j("[]"), &[Some("-9")], &j("9"), true), "[9]");
    pg!(jsonb_set(&j("[]"), &[Some("-9")], &j("9"), false), "[]");
    pg!(
        jsonb_set(&j("[]"), &[Some("x")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"x\""
    );
    pg!(jsonb_set(&j("[]"), &[Some("x")], &j("9"), false), "[]");
    pg!(
        jsonb_set(&j("[]"), &[Some("1"), Some("x")], &j("9"), true),
        "[]"
    );
    pg!(
        jsonb_set(&j("[]"), &[Some("1"), Some("x")], &j("9"), false),
        "[]"
    );
    pg!(
        jsonb_set(&j("[]"), &[Some("1"), Some("x"), Some("0")], &j("9"), true),
        "[]"
    );
    pg!(
        jsonb_set(&j("[]"), &[Some("1"), Some("x"), Some("0")], &j("9"), false),
        "[]"
    );
    pg!(
        jsonb_set(&j("[]"), &[Some("0"), Some("0")], &j("9"), true),
        "[]"
    );
    pg!(
        jsonb_set(&j("[]"), &[Some("0"), Some("0")], &j("9"), false),
        "[]"
    );
    pg!(jsonb_set(&j("[]"), &[Some("0"), None], &j("9"), true), "[]");
    pg!(
        jsonb_set(&j("[]"), &[Some("0"), None], &j("9"), false),
        "[]"
    );
    pg!(jsonb_set(&j("{}"), &[], &j("9"), true), "{}");
    pg!(jsonb_set(&j("{}"), &[], &j("9"), false), "{}");
    pg!(
        jsonb_set(&j("{}"), &[Some("a")], &j("9"), true),
        "{\"a\": 9}"
    );
    pg!(jsonb_set(&j("{}"), &[Some("a")], &j("9"), false), "{}");
    pg!(
        jsonb_set(&j("{}"), &[Some("z")], &j("9"), true),
        "{\"z\": 9}"
    );
    pg!(jsonb_set(&j("{}"), &[Some("z")], &j("9"), false), "{}");
    pg!(
        jsonb_set(&j("{}"), &[Some("b"), Some("c"), Some("0")], &j("9"), true),
        "{}"
    );
    pg!(
        jsonb_set(&j("{}"), &[Some("b"), Some("c"), Some("0")], &j("9"), false),
        "{}"
    );
    pg!(
        jsonb_set(&j("{}"), &[Some("b"), Some("c"), Some("-1")], &j("9"), true),
        "{}"
    );
    pg!(
        jsonb_set(
            &j("{}"),
            &[Some("b"), Some("c"), Some("-1")],
            &j("9"),
            false
        ),
        "{}"
    );
    pg!(
        jsonb_set(&j("{}"), &[Some("b"), Some("c"), Some("5")], &j("9"), true),
        "{}"
    );
    pg!(
        jsonb_set(&j("{}"), &[Some("b"), Some("c"), Some("5")], &j("9"), false),
        "{}"
    );
    pg!(
        jsonb_set(&j("{}"), &[Some("b"), Some("c"), Some("-9")], &j("9"), true),
        "{}"
    );
    pg!(
        jsonb_set(
            &j("{}"),
            &[Some("b"), Some("c"), Some("-9")],
            &j("9"),
            false
        ),
        "{}"
    );
    pg!(
        jsonb_set(&j("{}"), &[Some("b"), Some("c"), Some("x")], &j("9"), true),
        "{}"
    );
    pg!(
        jsonb_set(&j("{}"), &[Some("b"), Some("c"), Some("x")], &j("9"), false),
        "{}"
    );
    pg!(
        jsonb_set(&j("{}"), &[Some("b"), Some("z"), Some("q")], &j("9"), true),
        "{}"
    );
    pg!(
        jsonb_set(&j("{}"), &[Some("b"), Some("z"), Some("q")], &j("9"), false),
        "{}"
    );
    pg!(
        jsonb_set(&j("{}"), &[Some("a"), Some("q")], &j("9"), true),
        "{}"
    );
    pg!(
        jsonb_set(&j("{}"), &[Some("a"), Some("q")], &j("9"), false),
        "{}"
    );
    pg!(
        jsonb_set(&j("{}"), &[None], &j("9"), true),
        "ERROR:  22004: path element at position 1 is null"
    );
    pg!(jsonb_set(&j("{}"), &[None], &j("9"), false), "{}");
    pg!(jsonb_set(&j("{}"), &[Some("z"), None], &j("9"), true), "{}");
    pg!(
        jsonb_set(&j("{}"), &[Some("z"), None], &j("9"), false),
        "{}"
    );
    pg!(jsonb_set(&j("{}"), &[Some("a"), None], &j("9"), true), "{}");
    pg!(
        jsonb_set(&j("{}"), &[Some("a"), None], &j("9"), false),
        "{}"
    );
    pg!(
        jsonb_set(&j("{}"), &[Some("0")], &j("9"), true),
        "{\"0\": 9}"
    );
    pg!(jsonb_set(&j("{}"), &[Some("0")], &j("9"), false), "{}");
    pg!(
        jsonb_set(&j("{}"), &[Some("5")], &j("9"), true),
        "{\"5\": 9}"
    );
    pg!(jsonb_set(&j("{}"), &[Some("5")], &j("9"), false), "{}");
    pg!(
        jsonb_set(&j("{}"), &[Some("-1")], &j("9"), true),
        "{\"-1\": 9}"
    );
    pg!(jsonb_set(&j("{}"), &[Some("-1")], &j("9"), false), "{}");
    pg!(
        jsonb_set(&j("{}"), &[Some("-9")], &j("9"), true),
        "{\"-9\": 9}"
    );
    pg!(jsonb_set(&j("{}"), &[Some("-9")], &j("9"), false), "{}");
    pg!(
        jsonb_set(&j("{}"), &[Some("x")], &j("9"), true),
        "{\"x\": 9}"
    );
    pg!(jsonb_set(&j("{}"), &[Some("x")], &j("9"), false), "{}");
    pg!(
        jsonb_set(&j("{}"), &[Some("1"), Some("x")], &j("9"), true),
        "{}"
    );
    pg!(
        jsonb_set(&j("{}"), &[Some("1"), Some("x")], &j("9"), false),
        "{}"
    );
    pg!(
        jsonb_set(&j("{}"), &[Some("1"), Some("x"), Some("0")], &j("9"), true),
        "{}"
    );
    pg!(
        jsonb_set(&j("{}"), &[Some("1"), Some("x"), Some("0")], &j("9"), false),
        "{}"
    );
    pg!(
        jsonb_set(&j("{}"), &[Some("0"), Some("0")], &j("9"), true),
        "{}"
    );
    pg!(
        jsonb_set(&j("{}"), &[Some("0"), Some("0")], &j("9"), false),
        "{}"
    );
    pg!(jsonb_set(&j("{}"), &[Some("0"), None], &j("9"), true), "{}");
    pg!(
        jsonb_set(&j("{}"), &[Some("0"), None], &j("9"), false),
        "{}"
    );
    pg!(
        jsonb_set(&j("1"), &[], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("a")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("a")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("z")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("z")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("b"), Some("c"), Some("0")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("b"), Some("c"), Some("0")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("b"), Some("c"), Some("-1")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("b"), Some("c"), Some("-1")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("b"), Some("c"), Some("5")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("b"), Some("c"), Some("5")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("b"), Some("c"), Some("-9")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("b"), Some("c"), Some("-9")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("b"), Some("c"), Some("x")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("b"), Some("c"), Some("x")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("b"), Some("z"), Some("q")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("b"), Some("z"), Some("q")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("a"), Some("q")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("a"), Some("q")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[None], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[None], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("z"), None], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("z"), None], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("a"), None], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("a"), None], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("0")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("0")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("5")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("5")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("-1")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("-1")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("-9")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("-9")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("x")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("x")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("1"), Some("x")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("1"), Some("x")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("1"), Some("x"), Some("0")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("1"), Some("x"), Some("0")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("0"), Some("0")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("0"), Some("0")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("0"), None], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("1"), &[Some("0"), None], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("\"s\""), &[], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("\"s\""), &[], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("\"s\""), &[Some("a")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("\"s\""), &[Some("a")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("\"s\""), &[Some("z")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("\"s\""), &[Some("z")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(
            &j("\"s\""),
            &[Some("b"), Some("c"), Some("0")],
            &j("9"),
            true
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(
            &j("\"s\""),
            &[Some("b"), Some("c"), Some("0")],
            &j("9"),
            false
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(
            &j("\"s\""),
            &[Some("b"), Some("c"), Some("-1")],
            &j("9"),
            true
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(
            &j("\"s\""),
            &[Some("b"), Some("c"), Some("-1")],
            &j("9"),
            false
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(
            &j("\"s\""),
            &[Some("b"), Some("c"), Some("5")],
            &j("9"),
            true
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(
            &j("\"s\""),
            &[Some("b"), Some("c"), Some("5")],
            &j("9"),
            false
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(
            &j("\"s\""),
            &[Some("b"), Some("c"), Some("-9")],
            &j("9"),
            true
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(
            &j("\"s\""),
            &[Some("b"), Some("c"), Some("-9")],
            &j("9"),
            false
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(
            &j("\"s\""),
            &[Some("b"), Some("c"), Some("x")],
            &j("9"),
            true
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(
            &j("\"s\""),
            &[Some("b"), Some("c"), Some("x")],
            &j("9"),
            false
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(
            &j("\"s\""),
            &[Some("b"), Some("z"), Some("q")],
            &j("9"),
            true
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(
            &j("\"s\""),
            &[Some("b"), Some("z"), Some("q")],
            &j("9"),
            false
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("\"s\""), &[Some("a"), Some("q")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("\"s\""), &[Some("a"), Some("q")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("\"s\""), &[None], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("\"s\""), &[None], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("\"s\""), &[Some("z"), None], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("\"s\""), &[Some("z"), None], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("\"s\""), &[Some("a"), None], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("\"s\""), &[Some("a"), None], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("\"s\""), &[Some("0")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("\"s\""), &[Some("0")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("\"s\""), &[Some("5")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("\"s\""), &[Some("5")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("\"s\""), &[Some("-1")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("\"s\""), &[Some("-1")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("\"s\""), &[Some("-9")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("\"s\""), &[Some("-9")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("\"s\""), &[Some("x")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("\"s\""), &[Some("x")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("\"s\""), &[Some("1"), Some("x")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("\"s\""), &[Some("1"), Some("x")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(
            &j("\"s\""),
            &[Some("1"), Some("x"), Some("0")],
            &j("9"),
            true
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(
            &j("\"s\""),
            &[Some("1"), Some("x"), Some("0")],
            &j("9"),
            false
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("\"s\""), &[Some("0"), Some("0")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("\"s\""), &[Some("0"), Some("0")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("\"s\""), &[Some("0"), None], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("\"s\""), &[Some("0"), None], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("null"), &[], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("null"), &[], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("null"), &[Some("a")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("null"), &[Some("a")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("null"), &[Some("z")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("null"), &[Some("z")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(
            &j("null"),
            &[Some("b"), Some("c"), Some("0")],
            &j("9"),
            true
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(
            &j("null"),
            &[Some("b"), Some("c"), Some("0")],
            &j("9"),
            false
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(
            &j("null"),
            &[Some("b"), Some("c"), Some("-1")],
            &j("9"),
            true
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(
            &j("null"),
            &[Some("b"), Some("c"), Some("-1")],
            &j("9"),
            false
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(
            &j("null"),
            &[Some("b"), Some("c"), Some("5")],
            &j("9"),
            true
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(
            &j("null"),
            &[Some("b"), Some("c"), Some("5")],
            &j("9"),
            false
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(
            &j("null"),
            &[Some("b"), Some("c"), Some("-9")],
            &j("9"),
            true
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(
            &j("null"),
            &[Some("b"), Some("c"), Some("-9")],
            &j("9"),
            false
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(
            &j("null"),
            &[Some("b"), Some("c"), Some("x")],
            &j("9"),
            true
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(
            &j("null"),
            &[Some("b"), Some("c"), Some("x")],
            &j("9"),
            false
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(
            &j("null"),
            &[Some("b"), Some("z"), Some("q")],
            &j("9"),
            true
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(
            &j("null"),
            &[Some("b"), Some("z"), Some("q")],
            &j("9"),
            false
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("null"), &[Some("a"), Some("q")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("null"), &[Some("a"), Some("q")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("null"), &[None], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("null"), &[None], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("null"), &[Some("z"), None], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("null"), &[Some("z"), None], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("null"), &[Some("a"), None], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("null"), &[Some("a"), None], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("null"), &[Some("0")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("null"), &[Some("0")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("null"), &[Some("5")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("null"), &[Some("5")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("null"), &[Some("-1")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("null"), &[Some("-1")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("null"), &[Some("-9")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("null"), &[Some("-9")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("null"), &[Some("x")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("null"), &[Some("x")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("null"), &[Some("1"), Some("x")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("null"), &[Some("1"), Some("x")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(
            &j("null"),
            &[Some("1"), Some("x"), Some("0")],
            &j("9"),
            true
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(
            &j("null"),
            &[Some("1"), Some("x"), Some("0")],
            &j("9"),
            false
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("null"), &[Some("0"), Some("0")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("null"), &[Some("0"), Some("0")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("null"), &[Some("0"), None], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("null"), &[Some("0"), None], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_set(&j("[[1],{\"x\":[]}]"), &[], &j("9"), true),
        "[[1], {\"x\": []}]"
    );
    pg!(
        jsonb_set(&j("[[1],{\"x\":[]}]"), &[], &j("9"), false),
        "[[1], {\"x\": []}]"
    );
    pg!(
        jsonb_set(&j("[[1],{\"x\":[]}]"), &[Some("a")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_set(&j("[[1],{\"x\":[]}]"), &[Some("a")], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_set(&j("[[1],{\"x\":[]}]"), &[Some("z")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"z\""
    );
    pg!(
        jsonb_set(&j("[[1],{\"x\":[]}]"), &[Some("z")], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"z\""
    );
    pg!(
        jsonb_set(
            &j("[[1],{\"x\":[]}]"),
            &[Some("b"), Some("c"), Some("0")],
            &j("9"),
            true
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_set(
            &j("[[1],{\"x\":[]}]"),
            &[Some("b"), Some("c"), Some("0")],
            &j("9"),
            false
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_set(
            &j("[[1],{\"x\":[]}]"),
            &[Some("b"), Some("c"), Some("-1")],
            &j("9"),
            true
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_set(
            &j("[[1],{\"x\":[]}]"),
            &[Some("b"), Some("c"), Some("-1")],
            &j("9"),
            false
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_set(
            &j("[[1],{\"x\":[]}]"),
            &[Some("b"), Some("c"), Some("5")],
            &j("9"),
            true
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_set(
            &j("[[1],{\"x\":[]}]"),
            &[Some("b"), Some("c"), Some("5")],
            &j("9"),
            false
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_set(
            &j("[[1],{\"x\":[]}]"),
            &[Some("b"), Some("c"), Some("-9")],
            &j("9"),
            true
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_set(
            &j("[[1],{\"x\":[]}]"),
            &[Some("b"), Some("c"), Some("-9")],
            &j("9"),
            false
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_set(
            &j("[[1],{\"x\":[]}]"),
            &[Some("b"), Some("c"), Some("x")],
            &j("9"),
            true
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_set(
            &j("[[1],{\"x\":[]}]"),
            &[Some("b"), Some("c"), Some("x")],
            &j("9"),
            false
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_set(
            &j("[[1],{\"x\":[]}]"),
            &[Some("b"), Some("z"), Some("q")],
            &j("9"),
            true
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_set(
            &j("[[1],{\"x\":[]}]"),
            &[Some("b"), Some("z"), Some("q")],
            &j("9"),
            false
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_set(
            &j("[[1],{\"x\":[]}]"),
            &[Some("a"), Some("q")],
            &j("9"),
            true
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_set(
            &j("[[1],{\"x\":[]}]"),
            &[Some("a"), Some("q")],
            &j("9"),
            false
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_set(&j("[[1],{\"x\":[]}]"), &[None], &j("9"), true),
        "ERROR:  22004: path element at position 1 is null"
    );
    pg!(
        jsonb_set(&j("[[1],{\"x\":[]}]"), &[None], &j("9"), false),
        "ERROR:  22004: path element at position 1 is null"
    );
    pg!(
        jsonb_set(&j("[[1],{\"x\":[]}]"), &[Some("z"), None], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"z\""
    );
    pg!(
        jsonb_set(&j("[[1],{\"x\":[]}]"), &[Some("z"), None], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"z\""
    );
    pg!(
        jsonb_set(&j("[[1],{\"x\":[]}]"), &[Some("a"), None], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_set(&j("[[1],{\"x\":[]}]"), &[Some("a"), None], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_set(&j("[[1],{\"x\":[]}]"), &[Some("0")], &j("9"), true),
        "[9, {\"x\": []}]"
    );
    pg!(
        jsonb_set(&j("[[1],{\"x\":[]}]"), &[Some("0")], &j("9"), false),
        "[9, {\"x\": []}]"
    );
    pg!(
        jsonb_set(&j("[[1],{\"x\":[]}]"), &[Some("5")], &j("9"), true),
        "[[1], {\"x\": []}, 9]"
    );
    pg!(
        jsonb_set(&j("[[1],{\"x\":[]}]"), &[Some("5")], &j("9"), false),
        "[[1], {\"x\": []}]"
    );
    pg!(
        jsonb_set(&j("[[1],{\"x\":[]}]"), &[Some("-1")], &j("9"), true),
        "[[1], 9]"
    );
    pg!(
        jsonb_set(&j("[[1],{\"x\":[]}]"), &[Some("-1")], &j("9"), false),
        "[[1], 9]"
    );
    pg!(
        jsonb_set(&j("[[1],{\"x\":[]}]"), &[Some("-9")], &j("9"), true),
        "[9, [1], {\"x\": []}]"
    );
    pg!(
        jsonb_set(&j("[[1],{\"x\":[]}]"), &[Some("-9")], &j("9"), false),
        "[[1], {\"x\": []}]"
    );
    pg!(
        jsonb_set(&j("[[1],{\"x\":[]}]"), &[Some("x")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"x\""
    );
    pg!(
        jsonb_set(&j("[[1],{\"x\":[]}]"), &[Some("x")], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"x\""
    );
    pg!(
        jsonb_set(
            &j("[[1],{\"x\":[]}]"),
            &[Some("1"), Some("x")],
            &j("9"),
            true
        ),
        "[[1], {\"x\": 9}]"
    );
    pg!(
        jsonb_set(
            &j("[[1],{\"x\":[]}]"),
            &[Some("1"), Some("x")],
            &j("9"),
            false
        ),
        "[[1], {\"x\": 9}]"
    );
    pg!(
        jsonb_set(
            &j("[[1],{\"x\":[]}]"),
            &[Some("1"), Some("x"), Some("0")],
            &j("9"),
            true
        ),
        "[[1], {\"x\": [9]}]"
    );
    pg!(
        jsonb_set(
            &j("[[1],{\"x\":[]}]"),
            &[Some("1"), Some("x"), Some("0")],
            &j("9"),
            false
        ),
        "[[1], {\"x\": []}]"
    );
    pg!(
        jsonb_set(
            &j("[[1],{\"x\":[]}]"),
            &[Some("0"), Some("0")],
            &j("9"),
            true
        ),
        "[[9], {\"x\": []}]"
    );
    pg!(
        jsonb_set(
            &j("[[1],{\"x\":[]}]"),
            &[Some("0"), Some("0")],
            &j("9"),
            false
        ),
        "[[9], {\"x\": []}]"
    );
    pg!(
        jsonb_set(&j("[[1],{\"x\":[]}]"), &[Some("0"), None], &j("9"), true),
        "ERROR:  22004: path element at position 2 is null"
    );
    pg!(
        jsonb_set(&j("[[1],{\"x\":[]}]"), &[Some("0"), None], &j("9"), false),
        "ERROR:  22004: path element at position 2 is null"
    );
}

#[test]
fn jsonb_insert_cases() {
    pg!(
        jsonb_insert(&j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"), &[], &j("9"), false),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_insert(&j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"), &[], &j("9"), true),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("a")],
            &j("9"),
            false
        ),
        "ERROR:  22023: cannot replace existing key\nHINT:  Try using the function jsonb_set to replace key value."
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("a")],
            &j("9"),
            true
        ),
        "ERROR:  22023: cannot replace existing key\nHINT:  Try using the function jsonb_set to replace key value."
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("z")],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}, \"z\": 9}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("z")],
            &j("9"),
            true
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}, \"z\": 9}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("b"), Some("c"), Some("0")],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [9, 1, 2, 3]}}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("b"), Some("c"), Some("0")],
            &j("9"),
            true
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 9, 2, 3]}}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("b"), Some("c"), Some("-1")],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 9, 3]}}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("b"), Some("c"), Some("-1")],
            &j("9"),
            true
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3, 9]}}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("b"), Some("c"), Some("5")],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3, 9]}}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("b"), Some("c"), Some("5")],
            &j("9"),
            true
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3, 9]}}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("b"), Some("c"), Some("-9")],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [9, 1, 2, 3]}}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("b"), Some("c"), Some("-9")],
            &j("9"),
            true
        ),
        "{\"a\": 1, \"b\": {\"c\": [9, 1, 2, 3]}}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("b"), Some("c"), Some("x")],
            &j("9"),
            false
        ),
        "ERROR:  22P02: path element at position 3 is not an integer: \"x\""
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("b"), Some("c"), Some("x")],
            &j("9"),
            true
        ),
        "ERROR:  22P02: path element at position 3 is not an integer: \"x\""
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("b"), Some("z"), Some("q")],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("b"), Some("z"), Some("q")],
            &j("9"),
            true
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("a"), Some("q")],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("a"), Some("q")],
            &j("9"),
            true
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[None],
            &j("9"),
            false
        ),
        "ERROR:  22004: path element at position 1 is null"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[None],
            &j("9"),
            true
        ),
        "ERROR:  22004: path element at position 1 is null"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("z"), None],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("z"), None],
            &j("9"),
            true
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("a"), None],
            &j("9"),
            false
        ),
        "ERROR:  22004: path element at position 2 is null"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("a"), None],
            &j("9"),
            true
        ),
        "ERROR:  22004: path element at position 2 is null"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("0")],
            &j("9"),
            false
        ),
        "{\"0\": 9, \"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("0")],
            &j("9"),
            true
        ),
        "{\"0\": 9, \"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("5")],
            &j("9"),
            false
        ),
        "{\"5\": 9, \"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("5")],
            &j("9"),
            true
        ),
        "{\"5\": 9, \"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("-1")],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}, \"-1\": 9}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("-1")],
            &j("9"),
            true
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}, \"-1\": 9}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("-9")],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}, \"-9\": 9}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("-9")],
            &j("9"),
            true
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}, \"-9\": 9}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("x")],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}, \"x\": 9}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("x")],
            &j("9"),
            true
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}, \"x\": 9}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("1"), Some("x")],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("1"), Some("x")],
            &j("9"),
            true
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("1"), Some("x"), Some("0")],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("1"), Some("x"), Some("0")],
            &j("9"),
            true
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("0"), Some("0")],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("0"), Some("0")],
            &j("9"),
            true
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("0"), None],
            &j("9"),
            false
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_insert(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("0"), None],
            &j("9"),
            true
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_insert(&j("[1,2,3]"), &[], &j("9"), false),
        "[1, 2, 3]"
    );
    pg!(jsonb_insert(&j("[1,2,3]"), &[], &j("9"), true), "[1, 2, 3]");
    pg!(
        jsonb_insert(&j("[1,2,3]"), &[Some("a")], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_insert(&j("[1,2,3]"), &[Some("a")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_insert(&j("[1,2,3]"), &[Some("z")], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"z\""
    );
    pg!(
        jsonb_insert(&j("[1,2,3]"), &[Some("z")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"z\""
    );
    pg!(
        jsonb_insert(
            &j("[1,2,3]"),
            &[Some("b"), Some("c"), Some("0")],
            &j("9"),
            false
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(
            &j("[1,2,3]"),
            &[Some("b"), Some("c"), Some("0")],
            &j("9"),
            true
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(
            &j("[1,2,3]"),
            &[Some("b"), Some("c"), Some("-1")],
            &j("9"),
            false
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(
            &j("[1,2,3]"),
            &[Some("b"), Some("c"), Some("-1")],
            &j("9"),
            true
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(
            &j("[1,2,3]"),
            &[Some("b"), Some("c"), Some("5")],
            &j("9"),
            false
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(
            &j("[1,2,3]"),
            &[Some("b"), Some("c"), Some("5")],
            &j("9"),
            true
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(
            &j("[1,2,3]"),
            &[Some("b"), Some("c"), Some("-9")],
            &j("9"),
            false
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(
            &j("[1,2,3]"),
            &[Some("b"), Some("c"), Some("-9")],
            &j("9"),
            true
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(
            &j("[1,2,3]"),
            &[Some("b"), Some("c"), Some("x")],
            &j("9"),
            false
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(
            &j("[1,2,3]"),
            &[Some("b"), Some("c"), Some("x")],
            &j("9"),
            true
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(
            &j("[1,2,3]"),
            &[Some("b"), Some("z"), Some("q")],
            &j("9"),
            false
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(
            &j("[1,2,3]"),
            &[Some("b"), Some("z"), Some("q")],
            &j("9"),
            true
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(&j("[1,2,3]"), &[Some("a"), Some("q")], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_insert(&j("[1,2,3]"), &[Some("a"), Some("q")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_insert(&j("[1,2,3]"), &[None], &j("9"), false),
        "ERROR:  22004: path element at position 1 is null"
    );
    pg!(
        jsonb_insert(&j("[1,2,3]"), &[None], &j("9"), true),
        "ERROR:  22004: path element at position 1 is null"
    );
    pg!(
        jsonb_insert(&j("[1,2,3]"), &[Some("z"), None], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"z\""
    );
    pg!(
        jsonb_insert(&j("[1,2,3]"), &[Some("z"), None], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"z\""
    );
    pg!(
        jsonb_insert(&j("[1,2,3]"), &[Some("a"), None], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_insert(&j("[1,2,3]"), &[Some("a"), None], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_insert(&j("[1,2,3]"), &[Some("0")], &j("9"), false),
        "[9, 1, 2, 3]"
    );
    pg!(
        jsonb_insert(&j("[1,2,3]"), &[Some("0")], &j("9"), true),
        "[1, 9, 2, 3]"
    );
    pg!(
        jsonb_insert(&j("[1,2,3]"), &[Some("5")], &j("9"), false),
        "[1, 2, 3, 9]"
    );
    pg!(
        jsonb_insert(&j("[1,2,3]"), &[Some("5")], &j("9"), true),
        "[1, 2, 3, 9]"
    );
    pg!(
        jsonb_insert(&j("[1,2,3]"), &[Some("-1")], &j("9"), false),
        "[1, 2, 9, 3]"
    );
    pg!(
        jsonb_insert(&j("[1,2,3]"), &[Some("-1")], &j("9"), true),
        "[1, 2, 3, 9]"
    );
    pg!(
        jsonb_insert(&j("[1,2,3]"), &[Some("-9")], &j("9"), false),
        "[9, 1, 2, 3]"
    );
    pg!(
        jsonb_insert(&j("[1,2,3]"), &[Some("-9")], &j("9"), true),
        "[9, 1, 2, 3]"
    );
    pg!(
        jsonb_insert(&j("[1,2,3]"), &[Some("x")], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"x\""
    );
    pg!(
        jsonb_insert(&j("[1,2,3]"), &[Some("x")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"x\""
    );
    pg!(
        jsonb_insert(&j("[1,2,3]"), &[Some("1"), Some("x")], &j("9"), false),
        "[1, 2, 3]"
    );
    pg!(
        jsonb_insert(&j("[1,2,3]"), &[Some("1"), Some("x")], &j("9"), true),
        "[1, 2, 3]"
    );
    pg!(
        jsonb_insert(
            &j("[1,2,3]"),
            &[Some("1"), Some("x"), Some("0")],
            &j("9"),
            false
        ),
        "[1, 2, 3]"
    );
    pg!(
        jsonb_insert(
            &j("[1,2,3]"),
            &[Some("1"), Some("x"), Some("0")],
            &j("9"),
            true
        ),
        "[1, 2, 3]"
    );
    pg!(
        jsonb_insert(&j("[1,2,3]"), &[Some("0"), Some("0")], &j("9"), false),
        "[1, 2, 3]"
    );
    pg!(
        jsonb_insert(&j("[1,2,3]"), &[Some("0"), Some("0")], &j("9"), true),
        "[1, 2, 3]"
    );
    pg!(
        jsonb_insert(&j("[1,2,3]"), &[Some("0"), None], &j("9"), false),
        "ERROR:  22004: path element at position 2 is null"
    );
    pg!(
        jsonb_insert(&j("[1,2,3]"), &[Some("0"), None], &j("9"), true),
        "ERROR:  22004: path element at position 2 is null"
    );
    pg!(jsonb_insert(&j("[]"), &[], &j("9"), false), "[]");
    pg!(jsonb_insert(&j("[]"), &[], &j("9"), true), "[]");
    pg!(
        jsonb_insert(&j("[]"), &[Some("a")], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_insert(&j("[]"), &[Some("a")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_insert(&j("[]"), &[Some("z")], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"z\""
    );
    pg!(
        jsonb_insert(&j("[]"), &[Some("z")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"z\""
    );
    pg!(
        jsonb_insert(&j("[]"), &[Some("b"), Some("c"), Some("0")], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(&j("[]"), &[Some("b"), Some("c"), Some("0")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(
            &j("[]"),
            &[Some("b"), Some("c"), Some("-1")],
            &j("9"),
            false
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(&j("[]"), &[Some("b"), Some("c"), Some("-1")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(&j("[]"), &[Some("b"), Some("c"), Some("5")], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(&j("[]"), &[Some("b"), Some("c"), Some("5")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(
            &j("[]"),
            &[Some("b"), Some("c"), Some("-9")],
            &j("9"),
            false
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(&j("[]"), &[Some("b"), Some("c"), Some("-9")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(&j("[]"), &[Some("b"), Some("c"), Some("x")], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(&j("[]"), &[Some("b"), Some("c"), Some("x")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(&j("[]"), &[Some("b"), Some("z"), Some("q")], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(&j("[]"), &[Some("b"), Some("z"), Some("q")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(&j("[]"), &[Some("a"), Some("q")], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_insert(&j("[]"), &[Some("a"), Some("q")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_insert(&j("[]"), &[None], &j("9"), false),
        "ERROR:  22004: path element at position 1 is null"
    );
    pg!(
        jsonb_insert(&j("[]"), &[None], &j("9"), true),
        "ERROR:  22004: path element at position 1 is null"
    );
    pg!(
        jsonb_insert(&j("[]"), &[Some("z"), None], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"z\""
    );
    pg!(
        jsonb_insert(&j("[]"), &[Some("z"), None], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"z\""
    );
    pg!(
        jsonb_insert(&j("[]"), &[Some("a"), None], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_insert(&j("[]"), &[Some("a"), None], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(jsonb_insert(&j("[]"), &[Some("0")], &j("9"), false), "[9]");
    pg!(jsonb_insert(&j("[]"), &[Some("0")], &j("9"), true), "[9]");
    pg!(jsonb_insert(&j("[]"), &[Some("5")], &j("9"), false), "[9]");
    pg!(jsonb_insert(&j("[]"), &[Some("5")], &j("9"), true), "[9]");
    pg!(jsonb_insert(&j("[]"), &[Some("-1")], &j("9"), false), "[9]");
    pg!(jsonb_insert(&j("[]"), &[Some("-1")], &j("9"), true), "[9]");
    pg!(jsonb_insert(&j("[]"), &[Some("-9")], &j("9"), false), "[9]");
    pg!(jsonb_insert(&j("[]"), &[Some("-9")], &j("9"), true), "[9]");
    pg!(
        jsonb_insert(&j("[]"), &[Some("x")], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"x\""
    );
    pg!(
        jsonb_insert(&j("[]"), &[Some("x")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"x\""
    );
    pg!(
        jsonb_insert(&j("[]"), &[Some("1"), Some("x")], &j("9"), false),
        "[]"
    );
    pg!(
        jsonb_insert(&j("[]"), &[Some("1"), Some("x")], &j("9"), true),
        "[]"
    );
    pg!(
        jsonb_insert(&j("[]"), &[Some("1"), Some("x"), Some("0")], &j("9"), false),
        "[]"
    );
    pg!(
        jsonb_insert(&j("[]"), &[Some("1"), Some("x"), Some("0")], &j("9"), true),
        "[]"
    );
    pg!(
        jsonb_insert(&j("[]"), &[Some("0"), Some("0")], &j("9"), false),
        "[]"
    );
    pg!(
        jsonb_insert(&j("[]"), &[Some("0"), Some("0")], &j("9"), true),
        "[]"
    );
    pg!(
        jsonb_insert(&j("[]"), &[Some("0"), None], &j("9"), false),
        "[]"
    );
    pg!(
        jsonb_insert(&j("[]"), &[Some("0"), None], &j("9"), true),
        "[]"
    );
    pg!(jsonb_insert(&j("{}"), &[], &j("9"), false), "{}");
    pg!(jsonb_insert(&j("{}"), &[], &j("9"), true), "{}");
    pg!(
        jsonb_insert(&j("{}"), &[Some("a")], &j("9"), false),
        "{\"a\": 9}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("a")], &j("9"), true),
        "{\"a\": 9}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("z")], &j("9"), false),
        "{\"z\": 9}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("z")], &j("9"), true),
        "{\"z\": 9}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("b"), Some("c"), Some("0")], &j("9"), false),
        "{}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("b"), Some("c"), Some("0")], &j("9"), true),
        "{}"
    );
    pg!(
        jsonb_insert(
            &j("{}"),
            &[Some("b"), Some("c"), Some("-1")],
            &j("9"),
            false
        ),
        "{}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("b"), Some("c"), Some("-1")], &j("9"), true),
        "{}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("b"), Some("c"), Some("5")], &j("9"), false),
        "{}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("b"), Some("c"), Some("5")], &j("9"), true),
        "{}"
    );
    pg!(
        jsonb_insert(
            &j("{}"),
            &[Some("b"), Some("c"), Some("-9")],
            &j("9"),
            false
        ),
        "{}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("b"), Some("c"), Some("-9")], &j("9"), true),
        "{}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("b"), Some("c"), Some("x")], &j("9"), false),
        "{}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("b"), Some("c"), Some("x")], &j("9"), true),
        "{}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("b"), Some("z"), Some("q")], &j("9"), false),
        "{}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("b"), Some("z"), Some("q")], &j("9"), true),
        "{}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("a"), Some("q")], &j("9"), false),
        "{}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("a"), Some("q")], &j("9"), true),
        "{}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[None], &j("9"), false),
        "ERROR:  22004: path element at position 1 is null"
    );
    pg!(
        jsonb_insert(&j("{}"), &[None], &j("9"), true),
        "ERROR:  22004: path element at position 1 is null"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("z"), None], &j("9"), false),
        "{}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("z"), None], &j("9"), true),
        "{}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("a"), None], &j("9"), false),
        "{}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("a"), None], &j("9"), true),
        "{}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("0")], &j("9"), false),
        "{\"0\": 9}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("0")], &j("9"), true),
        "{\"0\": 9}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("5")], &j("9"), false),
        "{\"5\": 9}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("5")], &j("9"), true),
        "{\"5\": 9}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("-1")], &j("9"), false),
        "{\"-1\": 9}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("-1")], &j("9"), true),
        "{\"-1\": 9}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("-9")], &j("9"), false),
        "{\"-9\": 9}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("-9")], &j("9"), true),
        "{\"-9\": 9}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("x")], &j("9"), false),
        "{\"x\": 9}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("x")], &j("9"), true),
        "{\"x\": 9}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("1"), Some("x")], &j("9"), false),
        "{}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("1"), Some("x")], &j("9"), true),
        "{}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("1"), Some("x"), Some("0")], &j("9"), false),
        "{}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("1"), Some("x"), Some("0")], &j("9"), true),
        "{}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("0"), Some("0")], &j("9"), false),
        "{}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("0"), Some("0")], &j("9"), true),
        "{}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("0"), None], &j("9"), false),
        "{}"
    );
    pg!(
        jsonb_insert(&j("{}"), &[Some("0"), None], &j("9"), true),
        "{}"
    );
    pg!(
        jsonb_insert(&j("1"), &[], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("a")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("a")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("z")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("z")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("b"), Some("c"), Some("0")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("b"), Some("c"), Some("0")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("b"), Some("c"), Some("-1")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("b"), Some("c"), Some("-1")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("b"), Some("c"), Some("5")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("b"), Some("c"), Some("5")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("b"), Some("c"), Some("-9")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("b"), Some("c"), Some("-9")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("b"), Some("c"), Some("x")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("b"), Some("c"), Some("x")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("b"), Some("z"), Some("q")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("b"), Some("z"), Some("q")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("a"), Some("q")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("a"), Some("q")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[None], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[None], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("z"), None], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("z"), None], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("a"), None], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("a"), None], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("0")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("0")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("5")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("5")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("-1")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("-1")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("-9")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("-9")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("x")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("x")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("1"), Some("x")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("1"), Some("x")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("1"), Some("x"), Some("0")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("1"), Some("x"), Some("0")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("0"), Some("0")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("0"), Some("0")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("0"), None], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("1"), &[Some("0"), None], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("\"s\""), &[], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("\"s\""), &[], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("\"s\""), &[Some("a")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("\"s\""), &[Some("a")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("\"s\""), &[Some("z")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("\"s\""), &[Some("z")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(
            &j("\"s\""),
            &[Some("b"), Some("c"), Some("0")],
            &j("9"),
            false
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(
            &j("\"s\""),
            &[Some("b"), Some("c"), Some("0")],
            &j("9"),
            true
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(
            &j("\"s\""),
            &[Some("b"), Some("c"), Some("-1")],
            &j("9"),
            false
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(
            &j("\"s\""),
            &[Some("b"), Some("c"), Some("-1")],
            &j("9"),
            true
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(
            &j("\"s\""),
            &[Some("b"), Some("c"), Some("5")],
            &j("9"),
            false
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(
            &j("\"s\""),
            &[Some("b"), Some("c"), Some("5")],
            &j("9"),
            true
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(
            &j("\"s\""),
            &[Some("b"), Some("c"), Some("-9")],
            &j("9"),
            false
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(
            &j("\"s\""),
            &[Some("b"), Some("c"), Some("-9")],
            &j("9"),
            true
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(
            &j("\"s\""),
            &[Some("b"), Some("c"), Some("x")],
            &j("9"),
            false
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(
            &j("\"s\""),
            &[Some("b"), Some("c"), Some("x")],
            &j("9"),
            true
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(
            &j("\"s\""),
            &[Some("b"), Some("z"), Some("q")],
            &j("9"),
            false
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(
            &j("\"s\""),
            &[Some("b"), Some("z"), Some("q")],
            &j("9"),
            true
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("\"s\""), &[Some("a"), Some("q")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("\"s\""), &[Some("a"), Some("q")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("\"s\""), &[None], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("\"s\""), &[None], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("\"s\""), &[Some("z"), None], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("\"s\""), &[Some("z"), None], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("\"s\""), &[Some("a"), None], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("\"s\""), &[Some("a"), None], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("\"s\""), &[Some("0")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("\"s\""), &[Some("0")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("\"s\""), &[Some("5")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("\"s\""), &[Some("5")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("\"s\""), &[Some("-1")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("\"s\""), &[Some("-1")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("\"s\""), &[Some("-9")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("\"s\""), &[Some("-9")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("\"s\""), &[Some("x")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("\"s\""), &[Some("x")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("\"s\""), &[Some("1"), Some("x")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("\"s\""), &[Some("1"), Some("x")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(
            &j("\"s\""),
            &[Some("1"), Some("x"), Some("0")],
            &j("9"),
            false
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(
            &j("\"s\""),
            &[Some("1"), Some("x"), Some("0")],
            &j("9"),
            true
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("\"s\""), &[Some("0"), Some("0")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("\"s\""), &[Some("0"), Some("0")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("\"s\""), &[Some("0"), None], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("\"s\""), &[Some("0"), None], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("null"), &[], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("null"), &[], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("null"), &[Some("a")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("null"), &[Some("a")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("null"), &[Some("z")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("null"), &[Some("z")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(
            &j("null"),
            &[Some("b"), Some("c"), Some("0")],
            &j("9"),
            false
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(
            &j("null"),
            &[Some("b"), Some("c"), Some("0")],
            &j("9"),
            true
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(
            &j("null"),
            &[Some("b"), Some("c"), Some("-1")],
            &j("9"),
            false
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(
            &j("null"),
            &[Some("b"), Some("c"), Some("-1")],
            &j("9"),
            true
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(
            &j("null"),
            &[Some("b"), Some("c"), Some("5")],
            &j("9"),
            false
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(
            &j("null"),
            &[Some("b"), Some("c"), Some("5")],
            &j("9"),
            true
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(
            &j("null"),
            &[Some("b"), Some("c"), Some("-9")],
            &j("9"),
            false
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(
            &j("null"),
            &[Some("b"), Some("c"), Some("-9")],
            &j("9"),
            true
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(
            &j("null"),
            &[Some("b"), Some("c"), Some("x")],
            &j("9"),
            false
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(
            &j("null"),
            &[Some("b"), Some("c"), Some("x")],
            &j("9"),
            true
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(
            &j("null"),
            &[Some("b"), Some("z"), Some("q")],
            &j("9"),
            false
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(
            &j("null"),
            &[Some("b"), Some("z"), Some("q")],
            &j("9"),
            true
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("null"), &[Some("a"), Some("q")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("null"), &[Some("a"), Some("q")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("null"), &[None], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("null"), &[None], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("null"), &[Some("z"), None], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("null"), &[Some("z"), None], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("null"), &[Some("a"), None], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("null"), &[Some("a"), None], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("null"), &[Some("0")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("null"), &[Some("0")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("null"), &[Some("5")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("null"), &[Some("5")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("null"), &[Some("-1")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("null"), &[Some("-1")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("null"), &[Some("-9")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("null"), &[Some("-9")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("null"), &[Some("x")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("null"), &[Some("x")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("null"), &[Some("1"), Some("x")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("null"), &[Some("1"), Some("x")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(
            &j("null"),
            &[Some("1"), Some("x"), Some("0")],
            &j("9"),
            false
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(
            &j("null"),
            &[Some("1"), Some("x"), Some("0")],
            &j("9"),
            true
        ),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("null"), &[Some("0"), Some("0")], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("null"), &[Some("0"), Some("0")], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("null"), &[Some("0"), None], &j("9"), false),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("null"), &[Some("0"), None], &j("9"), true),
        "ERROR:  22023: cannot set path in scalar"
    );
    pg!(
        jsonb_insert(&j("[[1],{\"x\":[]}]"), &[], &j("9"), false),
        "[[1], {\"x\": []}]"
    );
    pg!(
        jsonb_insert(&j("[[1],{\"x\":[]}]"), &[], &j("9"), true),
        "[[1], {\"x\": []}]"
    );
    pg!(
        jsonb_insert(&j("[[1],{\"x\":[]}]"), &[Some("a")], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_insert(&j("[[1],{\"x\":[]}]"), &[Some("a")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_insert(&j("[[1],{\"x\":[]}]"), &[Some("z")], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"z\""
    );
    pg!(
        jsonb_insert(&j("[[1],{\"x\":[]}]"), &[Some("z")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"z\""
    );
    pg!(
        jsonb_insert(
            &j("[[1],{\"x\":[]}]"),
            &[Some("b"), Some("c"), Some("0")],
            &j("9"),
            false
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(
            &j("[[1],{\"x\":[]}]"),
            &[Some("b"), Some("c"), Some("0")],
            &j("9"),
            true
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(
            &j("[[1],{\"x\":[]}]"),
            &[Some("b"), Some("c"), Some("-1")],
            &j("9"),
            false
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(
            &j("[[1],{\"x\":[]}]"),
            &[Some("b"), Some("c"), Some("-1")],
            &j("9"),
            true
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(
            &j("[[1],{\"x\":[]}]"),
            &[Some("b"), Some("c"), Some("5")],
            &j("9"),
            false
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(
            &j("[[1],{\"x\":[]}]"),
            &[Some("b"), Some("c"), Some("5")],
            &j("9"),
            true
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(
            &j("[[1],{\"x\":[]}]"),
            &[Some("b"), Some("c"), Some("-9")],
            &j("9"),
            false
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(
            &j("[[1],{\"x\":[]}]"),
            &[Some("b"), Some("c"), Some("-9")],
            &j("9"),
            true
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(
            &j("[[1],{\"x\":[]}]"),
            &[Some("b"), Some("c"), Some("x")],
            &j("9"),
            false
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(
            &j("[[1],{\"x\":[]}]"),
            &[Some("b"), Some("c"), Some("x")],
            &j("9"),
            true
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(
            &j("[[1],{\"x\":[]}]"),
            &[Some("b"), Some("z"), Some("q")],
            &j("9"),
            false
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(
            &j("[[1],{\"x\":[]}]"),
            &[Some("b"), Some("z"), Some("q")],
            &j("9"),
            true
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_insert(
            &j("[[1],{\"x\":[]}]"),
            &[Some("a"), Some("q")],
            &j("9"),
            false
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_insert(
            &j("[[1],{\"x\":[]}]"),
            &[Some("a"), Some("q")],
            &j("9"),
            true
        ),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_insert(&j("[[1],{\"x\":[]}]"), &[None], &j("9"), false),
        "ERROR:  22004: path element at position 1 is null"
    );
    pg!(
        jsonb_insert(&j("[[1],{\"x\":[]}]"), &[None], &j("9"), true),
        "ERROR:  22004: path element at position 1 is null"
    );
    pg!(
        jsonb_insert(&j("[[1],{\"x\":[]}]"), &[Some("z"), None], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"z\""
    );
    pg!(
        jsonb_insert(&j("[[1],{\"x\":[]}]"), &[Some("z"), None], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"z\""
    );
    pg!(
        jsonb_insert(&j("[[1],{\"x\":[]}]"), &[Some("a"), None], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_insert(&j("[[1],{\"x\":[]}]"), &[Some("a"), None], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_insert(&j("[[1],{\"x\":[]}]"), &[Some("0")], &j("9"), false),
        "[9, [1], {\"x\": []}]"
    );
    pg!(
        jsonb_insert(&j("[[1],{\"x\":[]}]"), &[Some("0")], &j("9"), true),
        "[[1], 9, {\"x\": []}]"
    );
    pg!(
        jsonb_insert(&j("[[1],{\"x\":[]}]"), &[Some("5")], &j("9"), false),
        "[[1], {\"x\": []}, 9]"
    );
    pg!(
        jsonb_insert(&j("[[1],{\"x\":[]}]"), &[Some("5")], &j("9"), true),
        "[[1], {\"x\": []}, 9]"
    );
    pg!(
        jsonb_insert(&j("[[1],{\"x\":[]}]"), &[Some("-1")], &j("9"), false),
        "[[1], 9, {\"x\": []}]"
    );
    pg!(
        jsonb_insert(&j("[[1],{\"x\":[]}]"), &[Some("-1")], &j("9"), true),
        "[[1], {\"x\": []}, 9]"
    );
    pg!(
        jsonb_insert(&j("[[1],{\"x\":[]}]"), &[Some("-9")], &j("9"), false),
        "[9, [1], {\"x\": []}]"
    );
    pg!(
        jsonb_insert(&j("[[1],{\"x\":[]}]"), &[Some("-9")], &j("9"), true),
        "[9, [1], {\"x\": []}]"
    );
    pg!(
        jsonb_insert(&j("[[1],{\"x\":[]}]"), &[Some("x")], &j("9"), false),
        "ERROR:  22P02: path element at position 1 is not an integer: \"x\""
    );
    pg!(
        jsonb_insert(&j("[[1],{\"x\":[]}]"), &[Some("x")], &j("9"), true),
        "ERROR:  22P02: path element at position 1 is not an integer: \"x\""
    );
    pg!(
        jsonb_insert(
            &j("[[1],{\"x\":[]}]"),
            &[Some("1"), Some("x")],
            &j("9"),
            false
        ),
        "ERROR:  22023: cannot replace existing key\nHINT:  Try using the function jsonb_set to replace key value."
    );
    pg!(
        jsonb_insert(
            &j("[[1],{\"x\":[]}]"),
            &[Some("1"), Some("x")],
            &j("9"),
            true
        ),
        "ERROR:  22023: cannot replace existing key\nHINT:  Try using the function jsonb_set to replace key value."
    );
    pg!(
        jsonb_insert(
            &j("[[1],{\"x\":[]}]"),
            &[Some("1"), Some("x"), Some("0")],
            &j("9"),
            false
        ),
        "[[1], {\"x\": [9]}]"
    );
    pg!(
        jsonb_insert(
            &j("[[1],{\"x\":[]}]"),
            &[Some("1"), Some("x"), Some("0")],
            &j("9"),
            true
        ),
        "[[1], {\"x\": [9]}]"
    );
    pg!(
        jsonb_insert(
            &j("[[1],{\"x\":[]}]"),
            &[Some("0"), Some("0")],
            &j("9"),
            false
        ),
        "[[9, 1], {\"x\": []}]"
    );
    pg!(
        jsonb_insert(
            &j("[[1],{\"x\":[]}]"),
            &[Some("0"), Some("0")],
            &j("9"),
            true
        ),
        "[[1, 9], {\"x\": []}]"
    );
    pg!(
        jsonb_insert(&j("[[1],{\"x\":[]}]"), &[Some("0"), None], &j("9"), false),
        "ERROR:  22004: path element at position 2 is null"
    );
    pg!(
        jsonb_insert(&j("[[1],{\"x\":[]}]"), &[Some("0"), None], &j("9"), true),
        "ERROR:  22004: path element at position 2 is null"
    );
}

#[test]
fn delete_path_cases() {
    pg!(
        jsonb_delete_path(&j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"), &[]),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_delete_path(&j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"), &[Some("a")]),
        "{\"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_delete_path(&j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"), &[Some("z")]),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_delete_path(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("b"), Some("c"), Some("0")]
        ),
        "{\"a\": 1, \"b\": {\"c\": [2, 3]}}"
    );
    pg!(
        jsonb_delete_path(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("b"), Some("c"), Some("-1")]
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2]}}"
    );
    pg!(
        jsonb_delete_path(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("b"), Some("c"), Some("5")]
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_delete_path(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("b"), Some("c"), Some("-9")]
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_delete_path(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("b"), Some("c"), Some("x")]
        ),
        "ERROR:  22P02: path element at position 3 is not an integer: \"x\""
    );
    pg!(
        jsonb_delete_path(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("b"), Some("z"), Some("q")]
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_delete_path(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("a"), Some("q")]
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_delete_path(&j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"), &[None]),
        "ERROR:  22004: path element at position 1 is null"
    );
    pg!(
        jsonb_delete_path(&j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"), &[Some("z"), None]),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_delete_path(&j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"), &[Some("a"), None]),
        "ERROR:  22004: path element at position 2 is null"
    );
    pg!(
        jsonb_delete_path(&j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"), &[Some("0")]),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_delete_path(&j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"), &[Some("5")]),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_delete_path(&j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"), &[Some("-1")]),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_delete_path(&j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"), &[Some("-9")]),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_delete_path(&j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"), &[Some("x")]),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_delete_path(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("1"), Some("x")]
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_delete_path(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("1"), Some("x"), Some("0")]
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_delete_path(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"),
            &[Some("0"), Some("0")]
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(
        jsonb_delete_path(&j("{\"a\":1,\"b\":{\"c\":[1,2,3]}}"), &[Some("0"), None]),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}}"
    );
    pg!(jsonb_delete_path(&j("[1,2,3]"), &[]), "[1, 2, 3]");
    pg!(
        jsonb_delete_path(&j("[1,2,3]"), &[Some("a")]),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_delete_path(&j("[1,2,3]"), &[Some("z")]),
        "ERROR:  22P02: path element at position 1 is not an integer: \"z\""
    );
    pg!(
        jsonb_delete_path(&j("[1,2,3]"), &[Some("b"), Some("c"), Some("0")]),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_delete_path(&j("[1,2,3]"), &[Some("b"), Some("c"), Some("-1")]),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_delete_path(&j("[1,2,3]"), &[Some("b"), Some("c"), Some("5")]),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_delete_path(&j("[1,2,3]"), &[Some("b"), Some("c"), Some("-9")]),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_delete_path(&j("[1,2,3]"), &[Some("b"), Some("c"), Some("x")]),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_delete_path(&j("[1,2,3]"), &[Some("b"), Some("z"), Some("q")]),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_delete_path(&j("[1,2,3]"), &[Some("a"), Some("q")]),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_delete_path(&j("[1,2,3]"), &[None]),
        "ERROR:  22004: path element at position 1 is null"
    );
    pg!(
        jsonb_delete_path(&j("[1,2,3]"), &[Some("z"), None]),
        "ERROR:  22P02: path element at position 1 is not an integer: \"z\""
    );
    pg!(
        jsonb_delete_path(&j("[1,2,3]"), &[Some("a"), None]),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(jsonb_delete_path(&j("[1,2,3]"), &[Some("0")]), "[2, 3]");
    pg!(jsonb_delete_path(&j("[1,2,3]"), &[Some("5")]), "[1, 2, 3]");
    pg!(jsonb_delete_path(&j("[1,2,3]"), &[Some("-1")]), "[1, 2]");
    pg!(jsonb_delete_path(&j("[1,2,3]"), &[Some("-9")]), "[1, 2, 3]");
    pg!(
        jsonb_delete_path(&j("[1,2,3]"), &[Some("x")]),
        "ERROR:  22P02: path element at position 1 is not an integer: \"x\""
    );
    pg!(
        jsonb_delete_path(&j("[1,2,3]"), &[Some("1"), Some("x")]),
        "[1, 2, 3]"
    );
    pg!(
        jsonb_delete_path(&j("[1,2,3]"), &[Some("1"), Some("x"), Some("0")]),
        "[1, 2, 3]"
    );
    pg!(
        jsonb_delete_path(&j("[1,2,3]"), &[Some("0"), Some("0")]),
        "[1, 2, 3]"
    );
    pg!(
        jsonb_delete_path(&j("[1,2,3]"), &[Some("0"), None]),
        "ERROR:  22004: path element at position 2 is null"
    );
    pg!(jsonb_delete_path(&j("[]"), &[]), "[]");
    pg!(jsonb_delete_path(&j("[]"), &[Some("a")]), "[]");
    pg!(jsonb_delete_path(&j("[]"), &[Some("z")]), "[]");
    pg!(
        jsonb_delete_path(&j("[]"), &[Some("b"), Some("c"), Some("0")]),
        "[]"
    );
    pg!(
        jsonb_delete_path(&j("[]"), &[Some("b"), Some("c"), Some("-1")]),
        "[]"
    );
    pg!(
        jsonb_delete_path(&j("[]"), &[Some("b"), Some("c"), Some("5")]),
        "[]"
    );
    pg!(
        jsonb_delete_path(&j("[]"), &[Some("b"), Some("c"), Some("-9")]),
        "[]"
    );
    pg!(
        jsonb_delete_path(&j("[]"), &[Some("b"), Some("c"), Some("x")]),
        "[]"
    );
    pg!(
        jsonb_delete_path(&j("[]"), &[Some("b"), Some("z"), Some("q")]),
        "[]"
    );
    pg!(jsonb_delete_path(&j("[]"), &[Some("a"), Some("q")]), "[]");
    pg!(jsonb_delete_path(&j("[]"), &[None]), "[]");
    pg!(jsonb_delete_path(&j("[]"), &[Some("z"), None]), "[]");
    pg!(jsonb_delete_path(&j("[]"), &[Some("a"), None]), "[]");
    pg!(jsonb_delete_path(&j("[]"), &[Some("0")]), "[]");
    pg!(jsonb_delete_path(&j("[]"), &[Some("5")]), "[]");
    pg!(jsonb_delete_path(&j("[]"), &[Some("-1")]), "[]");
    pg!(jsonb_delete_path(&j("[]"), &[Some("-9")]), "[]");
    pg!(jsonb_delete_path(&j("[]"), &[Some("x")]), "[]");
    pg!(jsonb_delete_path(&j("[]"), &[Some("1"), Some("x")]), "[]");
    pg!(
        jsonb_delete_path(&j("[]"), &[Some("1"), Some("x"), Some("0")]),
        "[]"
    );
    pg!(jsonb_delete_path(&j("[]"), &[Some("0"), Some("0")]), "[]");
    pg!(jsonb_delete_path(&j("[]"), &[Some("0"), None]), "[]");
    pg!(jsonb_delete_path(&j("{}"), &[]), "{}");
    pg!(jsonb_delete_path(&j("{}"), &[Some("a")]), "{}");
    pg!(jsonb_delete_path(&j("{}"), &[Some("z")]), "{}");
    pg!(
        jsonb_delete_path(&j("{}"), &[Some("b"), Some("c"), Some("0")]),
        "{}"
    );
    pg!(
        jsonb_delete_path(&j("{}"), &[Some("b"), Some("c"), Some("-1")]),
        "{}"
    );
    pg!(
        jsonb_delete_path(&j("{}"), &[Some("b"), Some("c"), Some("5")]),
        "{}"
    );
    pg!(
        jsonb_delete_path(&j("{}"), &[Some("b"), Some("c"), Some("-9")]),
        "{}"
    );
    pg!(
        jsonb_delete_path(&j("{}"), &[Some("b"), Some("c"), Some("x")]),
        "{}"
    );
    pg!(
        jsonb_delete_path(&j("{}"), &[Some("b"), Some("z"), Some("q")]),
        "{}"
    );
    pg!(jsonb_delete_path(&j("{}"), &[Some("a"), Some("q")]), "{}");
    pg!(jsonb_delete_path(&j("{}"), &[None]), "{}");
    pg!(jsonb_delete_path(&j("{}"), &[Some("z"), None]), "{}");
    pg!(jsonb_delete_path(&j("{}"), &[Some("a"), None]), "{}");
    pg!(jsonb_delete_path(&j("{}"), &[Some("0")]), "{}");
    pg!(jsonb_delete_path(&j("{}"), &[Some("5")]), "{}");
    pg!(jsonb_delete_path(&j("{}"), &[Some("-1")]), "{}");
    pg!(jsonb_delete_path(&j("{}"), &[Some("-9")]), "{}");
    pg!(jsonb_delete_path(&j("{}"), &[Some("x")]), "{}");
    pg!(jsonb_delete_path(&j("{}"), &[Some("1"), Some("x")]), "{}");
    pg!(
        jsonb_delete_path(&j("{}"), &[Some("1"), Some("x"), Some("0")]),
        "{}"
    );
    pg!(jsonb_delete_path(&j("{}"), &[Some("0"), Some("0")]), "{}");
    pg!(jsonb_delete_path(&j("{}"), &[Some("0"), None]), "{}");
    pg!(
        jsonb_delete_path(&j("1"), &[]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("1"), &[Some("a")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("1"), &[Some("z")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("1"), &[Some("b"), Some("c"), Some("0")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("1"), &[Some("b"), Some("c"), Some("-1")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("1"), &[Some("b"), Some("c"), Some("5")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("1"), &[Some("b"), Some("c"), Some("-9")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("1"), &[Some("b"), Some("c"), Some("x")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("1"), &[Some("b"), Some("z"), Some("q")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("1"), &[Some("a"), Some("q")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("1"), &[None]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("1"), &[Some("z"), None]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("1"), &[Some("a"), None]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("1"), &[Some("0")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("1"), &[Some("5")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("1"), &[Some("-1")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("1"), &[Some("-9")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("1"), &[Some("x")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("1"), &[Some("1"), Some("x")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("1"), &[Some("1"), Some("x"), Some("0")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("1"), &[Some("0"), Some("0")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("1"), &[Some("0"), None]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("\"s\""), &[]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("\"s\""), &[Some("a")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("\"s\""), &[Some("z")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("\"s\""), &[Some("b"), Some("c"), Some("0")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("\"s\""), &[Some("b"), Some("c"), Some("-1")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("\"s\""), &[Some("b"), Some("c"), Some("5")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("\"s\""), &[Some("b"), Some("c"), Some("-9")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("\"s\""), &[Some("b"), Some("c"), Some("x")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("\"s\""), &[Some("b"), Some("z"), Some("q")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("\"s\""), &[Some("a"), Some("q")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("\"s\""), &[None]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("\"s\""), &[Some("z"), None]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("\"s\""), &[Some("a"), None]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("\"s\""), &[Some("0")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("\"s\""), &[Some("5")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("\"s\""), &[Some("-1")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("\"s\""), &[Some("-9")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("\"s\""), &[Some("x")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("\"s\""), &[Some("1"), Some("x")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("\"s\""), &[Some("1"), Some("x"), Some("0")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("\"s\""), &[Some("0"), Some("0")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("\"s\""), &[Some("0"), None]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("null"), &[]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("null"), &[Some("a")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("null"), &[Some("z")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("null"), &[Some("b"), Some("c"), Some("0")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("null"), &[Some("b"), Some("c"), Some("-1")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("null"), &[Some("b"), Some("c"), Some("5")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("null"), &[Some("b"), Some("c"), Some("-9")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("null"), &[Some("b"), Some("c"), Some("x")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("null"), &[Some("b"), Some("z"), Some("q")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("null"), &[Some("a"), Some("q")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("null"), &[None]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("null"), &[Some("z"), None]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("null"), &[Some("a"), None]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("null"), &[Some("0")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("null"), &[Some("5")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("null"), &[Some("-1")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("null"), &[Some("-9")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("null"), &[Some("x")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("null"), &[Some("1"), Some("x")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("null"), &[Some("1"), Some("x"), Some("0")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("null"), &[Some("0"), Some("0")]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("null"), &[Some("0"), None]),
        "ERROR:  22023: cannot delete path in scalar"
    );
    pg!(
        jsonb_delete_path(&j("[[1],{\"x\":[]}]"), &[]),
        "[[1], {\"x\": []}]"
    );
    pg!(
        jsonb_delete_path(&j("[[1],{\"x\":[]}]"), &[Some("a")]),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_delete_path(&j("[[1],{\"x\":[]}]"), &[Some("z")]),
        "ERROR:  22P02: path element at position 1 is not an integer: \"z\""
    );
    pg!(
        jsonb_delete_path(&j("[[1],{\"x\":[]}]"), &[Some("b"), Some("c"), Some("0")]),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_delete_path(&j("[[1],{\"x\":[]}]"), &[Some("b"), Some("c"), Some("-1")]),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_delete_path(&j("[[1],{\"x\":[]}]"), &[Some("b"), Some("c"), Some("5")]),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_delete_path(&j("[[1],{\"x\":[]}]"), &[Some("b"), Some("c"), Some("-9")]),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_delete_path(&j("[[1],{\"x\":[]}]"), &[Some("b"), Some("c"), Some("x")]),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_delete_path(&j("[[1],{\"x\":[]}]"), &[Some("b"), Some("z"), Some("q")]),
        "ERROR:  22P02: path element at position 1 is not an integer: \"b\""
    );
    pg!(
        jsonb_delete_path(&j("[[1],{\"x\":[]}]"), &[Some("a"), Some("q")]),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_delete_path(&j("[[1],{\"x\":[]}]"), &[None]),
        "ERROR:  22004: path element at position 1 is null"
    );
    pg!(
        jsonb_delete_path(&j("[[1],{\"x\":[]}]"), &[Some("z"), None]),
        "ERROR:  22P02: path element at position 1 is not an integer: \"z\""
    );
    pg!(
        jsonb_delete_path(&j("[[1],{\"x\":[]}]"), &[Some("a"), None]),
        "ERROR:  22P02: path element at position 1 is not an integer: \"a\""
    );
    pg!(
        jsonb_delete_path(&j("[[1],{\"x\":[]}]"), &[Some("0")]),
        "[{\"x\": []}]"
    );
    pg!(
        jsonb_delete_path(&j("[[1],{\"x\":[]}]"), &[Some("5")]),
        "[[1], {\"x\": []}]"
    );
    pg!(
        jsonb_delete_path(&j("[[1],{\"x\":[]}]"), &[Some("-1")]),
        "[[1]]"
    );
    pg!(
        jsonb_delete_path(&j("[[1],{\"x\":[]}]"), &[Some("-9")]),
        "[[1], {\"x\": []}]"
    );
    pg!(
        jsonb_delete_path(&j("[[1],{\"x\":[]}]"), &[Some("x")]),
        "ERROR:  22P02: path element at position 1 is not an integer: \"x\""
    );
    pg!(
        jsonb_delete_path(&j("[[1],{\"x\":[]}]"), &[Some("1"), Some("x")]),
        "[[1], {}]"
    );
    pg!(
        jsonb_delete_path(&j("[[1],{\"x\":[]}]"), &[Some("1"), Some("x"), Some("0")]),
        "[[1], {\"x\": []}]"
    );
    pg!(
        jsonb_delete_path(&j("[[1],{\"x\":[]}]"), &[Some("0"), Some("0")]),
        "[[], {\"x\": []}]"
    );
    pg!(
        jsonb_delete_path(&j("[[1],{\"x\":[]}]"), &[Some("0"), None]),
        "ERROR:  22004: path element at position 2 is null"
    );
}

#[test]
fn jsonb_set_lax_cases() {
    pg!(
        NullValueTreatment::parse("raise_exception").and_then(|t| jsonb_set_lax(
            &j("{\"a\":1}"),
            &[Some("a")],
            None,
            true,
            t
        )),
        "ERROR:  22004: JSON value must not be null\nDETAIL:  Exception was raised because null_value_treatment is \"raise_exception\".\nHINT:  To avoid, either change the null_value_treatment argument or ensure that an SQL NULL is not passed."
    );
    pg!(
        NullValueTreatment::parse("raise_exception").and_then(|t| jsonb_set_lax(
            &j("{\"a\":1}"),
            &[Some("z")],
            None,
            true,
            t
        )),
        "ERROR:  22004: JSON value must not be null\nDETAIL:  Exception was raised because null_value_treatment is \"raise_exception\".\nHINT:  To avoid, either change the null_value_treatment argument or ensure that an SQL NULL is not passed."
    );
    pg!(
        NullValueTreatment::parse("raise_exception").and_then(|t| jsonb_set_lax(
            &j("{\"a\":1}"),
            &[Some("a")],
            Some(&j("2")),
            true,
            t
        )),
        "{\"a\": 2}"
    );
    pg!(
        NullValueTreatment::parse("use_json_null").and_then(|t| jsonb_set_lax(
            &j("{\"a\":1}"),
            &[Some("a")],
            None,
            true,
            t
        )),
        "{\"a\": null}"
    );
    pg!(
        NullValueTreatment::parse("use_json_null").and_then(|t| jsonb_set_lax(
            &j("{\"a\":1}"),
            &[Some("z")],
            None,
            true,
            t
        )),
        "{\"a\": 1, \"z\": null}"
    );
    pg!(
        NullValueTreatment::parse("use_json_null").and_then(|t| jsonb_set_lax(
            &j("{\"a\":1}"),
            &[Some("a")],
            Some(&j("2")),
            true,
            t
        )),
        "{\"a\": 2}"
    );
    pg!(
        NullValueTreatment::parse("delete_key").and_then(|t| jsonb_set_lax(
            &j("{\"a\":1}"),
            &[Some("a")],
            None,
            true,
            t
        )),
        "{}"
    );
    pg!(
        NullValueTreatment::parse("delete_key").and_then(|t| jsonb_set_lax(
            &j("{\"a\":1}"),
            &[Some("z")],
            None,
            true,
            t
        )),
        "{\"a\": 1}"
    );
    pg!(
        NullValueTreatment::parse("delete_key").and_then(|t| jsonb_set_lax(
            &j("{\"a\":1}"),
            &[Some("a")],
            Some(&j("2")),
            true,
            t
        )),
        "{\"a\": 2}"
    );
    pg!(
        NullValueTreatment::parse("return_target").and_then(|t| jsonb_set_lax(
            &j("{\"a\":1}"),
            &[Some("a")],
            None,
            true,
            t
        )),
        "{\"a\": 1}"
    );
    pg!(
        NullValueTreatment::parse("return_target").and_then(|t| jsonb_set_lax(
            &j("{\"a\":1}"),
            &[Some("z")],
            None,
            true,
            t
        )),
        "{\"a\": 1}"
    );
    pg!(
        NullValueTreatment::parse("return_target").and_then(|t| jsonb_set_lax(
            &j("{\"a\":1}"),
            &[Some("a")],
            Some(&j("2")),
            true,
            t
        )),
        "{\"a\": 2}"
    );
    pg!(
        NullValueTreatment::parse("bogus").map(|_| true),
        "ERROR:  22023: null_value_treatment must be \"delete_key\", \"return_target\", \"use_json_null\", or \"raise_exception\""
    );
}
