//! Tests for the json (text-preserving) type against PostgreSQL.
//! Expected strings were observed from PostgreSQL 15.18 (psql -At, NULL shown as <NULL>).

use super::*;
use crate::psql_render::pg;

#[test]
fn validate_json_like_json_in() {
    pg!(validate_json("{\"a\":1}").map(|()| true), "t");
    pg!(validate_json("\"\\ud800\"").map(|()| true), "t");
    pg!(validate_json("\"\\u0000\"").map(|()| true), "t");
    pg!(
        validate_json("[1,2").map(|()| true),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  The input string ended unexpectedly."
    );
    pg!(
        validate_json("{\"a\" 1}").map(|()| true),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Expected \":\", but found \"1\"."
    );
    pg!(
        validate_json("\"\\u12\"").map(|()| true),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  \"\\u\" must be followed by four hexadecimal digits."
    );
    pg!(validate_json("1e999999999").map(|()| true), "t");
    pg!(validate_json(" {\"a\" : [1,  2] } ").map(|()| true), "t");
    pg!(
        validate_json("tru").map(|()| true),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Token \"tru\" is invalid."
    );
    pg!(
        validate_json("\"a\\x\"").map(|()| true),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Escape sequence \"\\x\" is invalid."
    );
    pg!(
        validate_json("\"\tx\"").map(|()| true),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Character with value 0x09 must be escaped."
    );
    assert!(validate_json("[1]").is_ok());
}

#[test]
fn json_field_access() {
    pg!(
        json_object_field(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            "a"
        ),
        "{\"z\": 0}"
    );
    pg!(
        json_object_field_text(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            "a"
        ),
        "{\"z\": 0}"
    );
    pg!(
        json_object_field(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            "b"
        ),
        "\"x\\ty\""
    );
    pg!(
        json_object_field_text(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            "b"
        ),
        "x\ty"
    );
    pg!(
        json_object_field(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            "c"
        ),
        "null"
    );
    pg!(
        json_object_field_text(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            "c"
        ),
        "<NULL>"
    );
    pg!(
        json_object_field(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            "d"
        ),
        "1.50e1"
    );
    pg!(
        json_object_field_text(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            "d"
        ),
        "1.50e1"
    );
    pg!(
        json_object_field(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            "e"
        ),
        "true"
    );
    pg!(
        json_object_field_text(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            "e"
        ),
        "true"
    );
    pg!(
        json_object_field(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            "zz"
        ),
        "<NULL>"
    );
    pg!(
        json_object_field_text(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            "zz"
        ),
        "<NULL>"
    );
    pg!(
        json_object_field(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            ""
        ),
        "<NULL>"
    );
    pg!(
        json_object_field_text(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            ""
        ),
        "<NULL>"
    );
    pg!(
        json_array_element(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            0
        ),
        "<NULL>"
    );
    pg!(
        json_array_element_text(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            0
        ),
        "<NULL>"
    );
    pg!(
        json_array_element(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            1
        ),
        "<NULL>"
    );
    pg!(
        json_array_element_text(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            1
        ),
        "<NULL>"
    );
    pg!(
        json_array_element(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            -1
        ),
        "<NULL>"
    );
    pg!(
        json_array_element_text(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            -1
        ),
        "<NULL>"
    );
    pg!(
        json_array_element(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            4
        ),
        "<NULL>"
    );
    pg!(
        json_array_element_text(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            4
        ),
        "<NULL>"
    );
    pg!(
        json_array_element(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            -6
        ),
        "<NULL>"
    );
    pg!(
        json_array_element_text(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            -6
        ),
        "<NULL>"
    );
    pg!(
        json_object_field("[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]", "a"),
        "<NULL>"
    );
    pg!(
        json_object_field_text("[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]", "a"),
        "<NULL>"
    );
    pg!(
        json_object_field("[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]", "b"),
        "<NULL>"
    );
    pg!(
        json_object_field_text("[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]", "b"),
        "<NULL>"
    );
    pg!(
        json_object_field("[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]", "c"),
        "<NULL>"
    );
    pg!(
        json_object_field_text("[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]", "c"),
        "<NULL>"
    );
    pg!(
        json_object_field("[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]", "d"),
        "<NULL>"
    );
    pg!(
        json_object_field_text("[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]", "d"),
        "<NULL>"
    );
    pg!(
        json_object_field("[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]", "e"),
        "<NULL>"
    );
    pg!(
        json_object_field_text("[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]", "e"),
        "<NULL>"
    );
    pg!(
        json_object_field("[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]", "zz"),
        "<NULL>"
    );
    pg!(
        json_object_field_text("[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]", "zz"),
        "<NULL>"
    );
    pg!(
        json_object_field("[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]", ""),
        "<NULL>"
    );
    pg!(
        json_object_field_text("[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]", ""),
        "<NULL>"
    );
    pg!(
        json_array_element("[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]", 0),
        "1"
    );
    pg!(
        json_array_element_text("[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]", 0),
        "1"
    );
    pg!(
        json_array_element("[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]", 1),
        "[2, 3 ]"
    );
    pg!(
        json_array_element_text("[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]", 1),
        "[2, 3 ]"
    );
    pg!(
        json_array_element("[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]", -1),
        "{\"k\": \"v\"}"
    );
    pg!(
        json_array_element_text("[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]", -1),
        "{\"k\": \"v\"}"
    );
    pg!(
        json_array_element("[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]", 4),
        "{\"k\": \"v\"}"
    );
    pg!(
        json_array_element_text("[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]", 4),
        "{\"k\": \"v\"}"
    );
    pg!(
        json_array_element("[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]", -6),
        "<NULL>"
    );
    pg!(
        json_array_element_text("[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]", -6),
        "<NULL>"
    );
    pg!(json_object_field("\"abc\"", "a"), "<NULL>");
    pg!(json_object_field_text("\"abc\"", "a"), "<NULL>");
    pg!(json_object_field("\"abc\"", "b"), "<NULL>");
    pg!(json_object_field_text("\"abc\"", "b"), "<NULL>");
    pg!(json_object_field("\"abc\"", "c"), "<NULL>");
    pg!(json_object_field_text("\"abc\"", "c"), "<NULL>");
    pg!(json_object_field("\"abc\"", "d"), "<NULL>");
    pg!(json_object_field_text("\"abc\"", "d"), "<NULL>");
    pg!(json_object_field("\"abc\"", "e"), "<NULL>");
    pg!(json_object_field_text("\"abc\"", "e"), "<NULL>");
    pg!(json_object_field("\"abc\"", "zz"), "<NULL>");
    pg!(json_object_field_text("\"abc\"", "zz"), "<NULL>");
    pg!(json_object_field("\"abc\"", ""), "<NULL>");
    pg!(json_object_field_text("\"abc\"", ""), "<NULL>");
    pg!(json_array_element("\"abc\"", 0), "<NULL>");
    pg!(json_array_element_text("\"abc\"", 0), "<NULL>");
    pg!(json_array_element("\"abc\"", 1), "<NULL>");
    pg!(json_array_element_text("\"abc\"", 1), "<NULL>");
    pg!(json_array_element("\"abc\"", -1), "<NULL>");
    pg!(json_array_element_text("\"abc\"", -1), "<NULL>");
    pg!(json_array_element("\"abc\"", 4), "<NULL>");
    pg!(json_array_element_text("\"abc\"", 4), "<NULL>");
    pg!(json_array_element("\"abc\"", -6), "<NULL>");
    pg!(json_array_element_text("\"abc\"", -6), "<NULL>");
    pg!(json_object_field(" null ", "a"), "<NULL>");
    pg!(json_object_field_text(" null ", "a"), "<NULL>");
    pg!(json_object_field(" null ", "b"), "<NULL>");
    pg!(json_object_field_text(" null ", "b"), "<NULL>");
    pg!(json_object_field(" null ", "c"), "<NULL>");
    pg!(json_object_field_text(" null ", "c"), "<NULL>");
    pg!(json_object_field(" null ", "d"), "<NULL>");
    pg!(json_object_field_text(" null ", "d"), "<NULL>");
    pg!(json_object_field(" null ", "e"), "<NULL>");
    pg!(json_object_field_text(" null ", "e"), "<NULL>");
    pg!(json_object_field(" null ", "zz"), "<NULL>");
    pg!(json_object_field_text(" null ", "zz"), "<NULL>");
    pg!(json_object_field(" null ", ""), "<NULL>");
    pg!(json_object_field_text(" null ", ""), "<NULL>");
    pg!(json_array_element(" null ", 0), "<NULL>");
    pg!(json_array_element_text(" null ", 0), "<NULL>");
    pg!(json_array_element(" null ", 1), "<NULL>");
    pg!(json_array_element_text(" null ", 1), "<NULL>");
    pg!(json_array_element(" null ", -1), "<NULL>");
    pg!(json_array_element_text(" null ", -1), "<NULL>");
    pg!(json_array_element(" null ", 4), "<NULL>");
    pg!(json_array_element_text(" null ", 4), "<NULL>");
    pg!(json_array_element(" null ", -6), "<NULL>");
    pg!(json_array_element_text(" null ", -6), "<NULL>");
    pg!(json_object_field(" 5 ", "a"), "<NULL>");
    pg!(json_object_field_text(" 5 ", "a"), "<NULL>");
    pg!(json_object_field(" 5 ", "b"), "<NULL>");
    pg!(json_object_field_text(" 5 ", "b"), "<NULL>");
    pg!(json_object_field(" 5 ", "c"), "<NULL>");
    pg!(json_object_field_text(" 5 ", "c"), "<NULL>");
    pg!(json_object_field(" 5 ", "d"), "<NULL>");
    pg!(json_object_field_text(" 5 ", "d"), "<NULL>");
    pg!(json_object_field(" 5 ", "e"), "<NULL>");
    pg!(json_object_field_text(" 5 ", "e"), "<NULL>");
    pg!(json_object_field(" 5 ", "zz"), "<NULL>");
    pg!(json_object_field_text(" 5 ", "zz"), "<NULL>");
    pg!(json_object_field(" 5 ", ""), "<NULL>");
    pg!(json_object_field_text(" 5 ", ""), "<NULL>");
    pg!(json_array_element(" 5 ", 0), "<NULL>");
    pg!(json_array_element_text(" 5 ", 0), "<NULL>");
    pg!(json_array_element(" 5 ", 1), "<NULL>");
    pg!(json_array_element_text(" 5 ", 1), "<NULL>");
    pg!(json_array_element(" 5 ", -1), "<NULL>");
    pg!(json_array_element_text(" 5 ", -1), "<NULL>");
    pg!(json_array_element(" 5 ", 4), "<NULL>");
    pg!(json_array_element_text(" 5 ", 4), "<NULL>");
    pg!(json_array_element(" 5 ", -6), "<NULL>");
    pg!(json_array_element_text(" 5 ", -6), "<NULL>");
    pg!(
        json_object_field("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", "a"),
        "{\"c\":2}"
    );
    pg!(
        json_object_field_text("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", "a"),
        "{\"c\":2}"
    );
    pg!(
        json_object_field("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", "b"),
        "<NULL>"
    );
    pg!(
        json_object_field_text("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", "b"),
        "<NULL>"
    );
    pg!(
        json_object_field("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", "c"),
        "<NULL>"
    );
    pg!(
        json_object_field_text("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", "c"),
        "<NULL>"
    );
    pg!(
        json_object_field("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", "d"),
        "<NULL>"
    );
    pg!(
        json_object_field_text("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", "d"),
        "<NULL>"
    );
    pg!(
        json_object_field("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", "e"),
        "<NULL>"
    );
    pg!(
        json_object_field_text("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", "e"),
        "<NULL>"
    );
    pg!(
        json_object_field("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", "zz"),
        "<NULL>"
    );
    pg!(
        json_object_field_text("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", "zz"),
        "<NULL>"
    );
    pg!(
        json_object_field("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", ""),
        "<NULL>"
    );
    pg!(
        json_object_field_text("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", ""),
        "<NULL>"
    );
    pg!(
        json_array_element("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", 0),
        "<NULL>"
    );
    pg!(
        json_array_element_text("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", 0),
        "<NULL>"
    );
    pg!(
        json_array_element("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", 1),
        "<NULL>"
    );
    pg!(
        json_array_element_text("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", 1),
        "<NULL>"
    );
    pg!(
        json_array_element("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", -1),
        "<NULL>"
    );
    pg!(
        json_array_element_text("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", -1),
        "<NULL>"
    );
    pg!(
        json_array_element("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", 4),
        "<NULL>"
    );
    pg!(
        json_array_element_text("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", 4),
        "<NULL>"
    );
    pg!(
        json_array_element("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", -6),
        "<NULL>"
    );
    pg!(
        json_array_element_text("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", -6),
        "<NULL>"
    );
    pg!(json_object_field("{\"a\":1,\"a\":null}", "a"), "null");
    pg!(
        json_object_field_text("{\"a\":1,\"a\":null}", "a"),
        "<NULL>"
    );
    pg!(json_object_field("{\"a\":1,\"a\":null}", "b"), "<NULL>");
    pg!(
        json_object_field_text("{\"a\":1,\"a\":null}", "b"),
        "<NULL>"
    );
    pg!(json_object_field("{\"a\":1,\"a\":null}", "c"), "<NULL>");
    pg!(
        json_object_field_text("{\"a\":1,\"a\":null}", "c"),
        "<NULL>"
    );
    pg!(json_object_field("{\"a\":1,\"a\":null}", "d"), "<NULL>");
    pg!(
        json_object_field_text("{\"a\":1,\"a\":null}", "d"),
        "<NULL>"
    );
    pg!(json_object_field("{\"a\":1,\"a\":null}", "e"), "<NULL>");
    pg!(
        json_object_field_text("{\"a\":1,\"a\":null}", "e"),
        "<NULL>"
    );
    pg!(json_object_field("{\"a\":1,\"a\":null}", "zz"), "<NULL>");
    pg!(
        json_object_field_text("{\"a\":1,\"a\":null}", "zz"),
        "<NULL>"
    );
    pg!(json_object_field("{\"a\":1,\"a\":null}", ""), "<NULL>");
    pg!(json_object_field_text("{\"a\":1,\"a\":null}", ""), "<NULL>");
    pg!(json_array_element("{\"a\":1,\"a\":null}", 0), "<NULL>");
    pg!(json_array_element_text("{\"a\":1,\"a\":null}", 0), "<NULL>");
    pg!(json_array_element("{\"a\":1,\"a\":null}", 1), "<NULL>");
    pg!(json_array_element_text("{\"a\":1,\"a\":null}", 1), "<NULL>");
    pg!(json_array_element("{\"a\":1,\"a\":null}", -1), "<NULL>");
    pg!(
        json_array_element_text("{\"a\":1,\"a\":null}", -1),
        "<NULL>"
    );
    pg!(json_array_element("{\"a\":1,\"a\":null}", 4), "<NULL>");
    pg!(json_array_element_text("{\"a\":1,\"a\":null}", 4), "<NULL>");
    pg!(json_array_element("{\"a\":1,\"a\":null}", -6), "<NULL>");
    pg!(
        json_array_element_text("{\"a\":1,\"a\":null}", -6),
        "<NULL>"
    );
    pg!(
        json_object_field("{\"\\u0000\":1}", "a"),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_object_field_text("{\"\\u0000\":1}", "a"),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_object_field("{\"\\u0000\":1}", "b"),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_object_field_text("{\"\\u0000\":1}", "b"),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_object_field("{\"\\u0000\":1}", "c"),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_object_field_text("{\"\\u0000\":1}", "c"),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_object_field("{\"\\u0000\":1}", "d"),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_object_field_text("{\"\\u0000\":1}", "d"),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_object_field("{\"\\u0000\":1}", "e"),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_object_field_text("{\"\\u0000\":1}", "e"),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_object_field("{\"\\u0000\":1}", "zz"),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_object_field_text("{\"\\u0000\":1}", "zz"),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_object_field("{\"\\u0000\":1}", ""),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_object_field_text("{\"\\u0000\":1}", ""),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_array_element("{\"\\u0000\":1}", 0),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_array_element_text("{\"\\u0000\":1}", 0),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_array_element("{\"\\u0000\":1}", 1),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_array_element_text("{\"\\u0000\":1}", 1),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_array_element("{\"\\u0000\":1}", -1),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_array_element_text("{\"\\u0000\":1}", -1),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_array_element("{\"\\u0000\":1}", 4),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_array_element_text("{\"\\u0000\":1}", 4),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_array_element("{\"\\u0000\":1}", -6),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_array_element_text("{\"\\u0000\":1}", -6),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_object_field("[\"\\ud800\"]", "a"),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_object_field_text("[\"\\ud800\"]", "a"),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_object_field("[\"\\ud800\"]", "b"),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_object_field_text("[\"\\ud800\"]", "b"),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_object_field("[\"\\ud800\"]", "c"),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_object_field_text("[\"\\ud800\"]", "c"),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_object_field("[\"\\ud800\"]", "d"),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_object_field_text("[\"\\ud800\"]", "d"),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_object_field("[\"\\ud800\"]", "e"),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_object_field_text("[\"\\ud800\"]", "e"),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_object_field("[\"\\ud800\"]", "zz"),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_object_field_text("[\"\\ud800\"]", "zz"),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_object_field("[\"\\ud800\"]", ""),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_object_field_text("[\"\\ud800\"]", ""),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_array_element("[\"\\ud800\"]", 0),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_array_element_text("[\"\\ud800\"]", 0),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_array_element("[\"\\ud800\"]", 1),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_array_element_text("[\"\\ud800\"]", 1),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_array_element("[\"\\ud800\"]", -1),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_array_element_text("[\"\\ud800\"]", -1),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_array_element("[\"\\ud800\"]", 4),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_array_element_text("[\"\\ud800\"]", 4),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_array_element("[\"\\ud800\"]", -6),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_array_element_text("[\"\\ud800\"]", -6),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(json_object_field("{\"\":1}", "a"), "<NULL>");
    pg!(json_object_field_text("{\"\":1}", "a"), "<NULL>");
    pg!(json_object_field("{\"\":1}", "b"), "<NULL>");
    pg!(json_object_field_text("{\"\":1}", "b"), "<NULL>");
    pg!(json_object_field("{\"\":1}", "c"), "<NULL>");
    pg!(json_object_field_text("{\"\":1}", "c"), "<NULL>");
    pg!(json_object_field("{\"\":1}", "d"), "<NULL>");
    pg!(json_object_field_text("{\"\":1}", "d"), "<NULL>");
    pg!(json_object_field("{\"\":1}", "e"), "<NULL>");
    pg!(json_object_field_text("{\"\":1}", "e"), "<NULL>");
    pg!(json_object_field("{\"\":1}", "zz"), "<NULL>");
    pg!(json_object_field_text("{\"\":1}", "zz"), "<NULL>");
    pg!(json_object_field("{\"\":1}", ""), "1");
    pg!(json_object_field_text("{\"\":1}", ""), "1");
    pg!(json_array_element("{\"\":1}", 0), "<NULL>");
    pg!(json_array_element_text("{\"\":1}", 0), "<NULL>");
    pg!(json_array_element("{\"\":1}", 1), "<NULL>");
    pg!(json_array_element_text("{\"\":1}", 1), "<NULL>");
    pg!(json_array_element("{\"\":1}", -1), "<NULL>");
    pg!(json_array_element_text("{\"\":1}", -1), "<NULL>");
    pg!(json_array_element("{\"\":1}", 4), "<NULL>");
    pg!(json_array_element_text("{\"\":1}", 4), "<NULL>");
    pg!(json_array_element("{\"\":1}", -6), "<NULL>");
    pg!(json_array_element_text("{\"\":1}", -6), "<NULL>");
    pg!(json_object_field("{\"a\":\"\\u00e9\"}", "a"), "\"\\u00e9\"");
    pg!(json_object_field_text("{\"a\":\"\\u00e9\"}", "a"), "é");
    pg!(json_object_field("{\"a\":\"\\u00e9\"}", "b"), "<NULL>");
    pg!(json_object_field_text("{\"a\":\"\\u00e9\"}", "b"), "<NULL>");
    pg!(json_object_field("{\"a\":\"\\u00e9\"}", "c"), "<NULL>");
    pg!(json_object_field_text("{\"a\":\"\\u00e9\"}", "c"), "<NULL>");
    pg!(json_object_field("{\"a\":\"\\u00e9\"}", "d"), "<NULL>");
    pg!(json_object_field_text("{\"a\":\"\\u00e9\"}", "d"), "<NULL>");
    pg!(json_object_field("{\"a\":\"\\u00e9\"}", "e"), "<NULL>");
    pg!(json_object_field_text("{\"a\":\"\\u00e9\"}", "e"), "<NULL>");
    pg!(json_object_field("{\"a\":\"\\u00e9\"}", "zz"), "<NULL>");
    pg!(
        json_object_field_text("{\"a\":\"\\u00e9\"}", "zz"),
        "<NULL>"
    );
    pg!(json_object_field("{\"a\":\"\\u00e9\"}", ""), "<NULL>");
    pg!(json_object_field_text("{\"a\":\"\\u00e9\"}", ""), "<NULL>");
    pg!(json_array_element("{\"a\":\"\\u00e9\"}", 0), "<NULL>");
    pg!(json_array_element_text("{\"a\":\"\\u00e9\"}", 0), "<NULL>");
    pg!(json_array_element("{\"a\":\"\\u00e9\"}", 1), "<NULL>");
    pg!(json_array_element_text("{\"a\":\"\\u00e9\"}", 1), "<NULL>");
    pg!(json_array_element("{\"a\":\"\\u00e9\"}", -1), "<NULL>");
    pg!(json_array_element_text("{\"a\":\"\\u00e9\"}", -1), "<NULL>");
    pg!(json_array_element("{\"a\":\"\\u00e9\"}", 4), "<NULL>");
    pg!(json_array_element_text("{\"a\":\"\\u00e9\"}", 4), "<NULL>");
    pg!(json_array_element("{\"a\":\"\\u00e9\"}", -6), "<NULL>");
    pg!(json_array_element_text("{\"a\":\"\\u00e9\"}", -6), "<NULL>");
}

#[test]
fn json_path_access() {
    pg!(
        json_extract_path(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            &[]
        ),
        "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}"
    );
    pg!(
        json_extract_path_text(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            &[]
        ),
        "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}"
    );
    pg!(
        json_extract_path(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            &[Some("a")]
        ),
        "{\"z\": 0}"
    );
    pg!(
        json_extract_path_text(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            &[Some("a")]
        ),
        "{\"z\": 0}"
    );
    pg!(
        json_extract_path(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            &[Some("a"), Some("1")]
        ),
        "2"
    );
    pg!(
        json_extract_path_text(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            &[Some("a"), Some("1")]
        ),
        "2"
    );
    pg!(
        json_extract_path(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            &[Some("a"), Some("-1")]
        ),
        "2"
    );
    pg!(
        json_extract_path_text(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            &[Some("a"), Some("-1")]
        ),
        "2"
    );
    pg!(
        json_extract_path(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            &[Some("a"), Some("z")]
        ),
        "0"
    );
    pg!(
        json_extract_path_text(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            &[Some("a"), Some("z")]
        ),
        "0"
    );
    pg!(
        json_extract_path(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            &[Some("a"), Some("b")]
        ),
        "<NULL>"
    );
    pg!(
        json_extract_path_text(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            &[Some("a"), Some("b")]
        ),
        "<NULL>"
    );
    pg!(
        json_extract_path(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            &[Some("1"), Some("1")]
        ),
        "<NULL>"
    );
    pg!(
        json_extract_path_text(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            &[Some("1"), Some("1")]
        ),
        "<NULL>"
    );
    pg!(
        json_extract_path(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            &[Some("4"), Some("k")]
        ),
        "<NULL>"
    );
    pg!(
        json_extract_path_text(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            &[Some("4"), Some("k")]
        ),
        "<NULL>"
    );
    pg!(
        json_extract_path(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            &[Some("a"), None]
        ),
        "<NULL>"
    );
    pg!(
        json_extract_path_text(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            &[Some("a"), None]
        ),
        "<NULL>"
    );
    pg!(
        json_extract_path(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            &[Some("a"), Some("x")]
        ),
        "<NULL>"
    );
    pg!(
        json_extract_path_text(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            &[Some("a"), Some("x")]
        ),
        "<NULL>"
    );
    pg!(
        json_extract_path(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            &[Some("1"), Some(" 0")]
        ),
        "<NULL>"
    );
    pg!(
        json_extract_path_text(
            "{\"a\": [1,  2] , \"b\" :  \"x\\ty\", \"c\": null, \"d\": 1.50e1, \"e\": true, \"a\": {\"z\": 0}}",
            &[Some("1"), Some(" 0")]
        ),
        "<NULL>"
    );
    pg!(
        json_extract_path("[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]", &[]),
        "[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]"
    );
    pg!(
        json_extract_path_text("[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]", &[]),
        "[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]"
    );
    pg!(
        json_extract_path("[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]", &[Some("a")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]", &[Some("a")]),
        "<NULL>"
    );
    pg!(
        json_extract_path(
            "[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]",
            &[Some("a"), Some("1")]
        ),
        "<NULL>"
    );
    pg!(
        json_extract_path_text(
            "[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]",
            &[Some("a"), Some("1")]
        ),
        "<NULL>"
    );
    pg!(
        json_extract_path(
            "[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]",
            &[Some("a"), Some("-1")]
        ),
        "<NULL>"
    );
    pg!(
        json_extract_path_text(
            "[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]",
            &[Some("a"), Some("-1")]
        ),
        "<NULL>"
    );
    pg!(
        json_extract_path(
            "[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]",
            &[Some("a"), Some("z")]
        ),
        "<NULL>"
    );
    pg!(
        json_extract_path_text(
            "[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]",
            &[Some("a"), Some("z")]
        ),
        "<NULL>"
    );
    pg!(
        json_extract_path(
            "[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]",
            &[Some("a"), Some("b")]
        ),
        "<NULL>"
    );
    pg!(
        json_extract_path_text(
            "[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]",
            &[Some("a"), Some("b")]
        ),
        "<NULL>"
    );
    pg!(
        json_extract_path(
            "[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]",
            &[Some("1"), Some("1")]
        ),
        "3"
    );
    pg!(
        json_extract_path_text(
            "[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]",
            &[Some("1"), Some("1")]
        ),
        "3"
    );
    pg!(
        json_extract_path(
            "[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]",
            &[Some("4"), Some("k")]
        ),
        "\"v\""
    );
    pg!(
        json_extract_path_text(
            "[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]",
            &[Some("4"), Some("k")]
        ),
        "v"
    );
    pg!(
        json_extract_path(
            "[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]",
            &[Some("a"), None]
        ),
        "<NULL>"
    );
    pg!(
        json_extract_path_text(
            "[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]",
            &[Some("a"), None]
        ),
        "<NULL>"
    );
    pg!(
        json_extract_path(
            "[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]",
            &[Some("a"), Some("x")]
        ),
        "<NULL>"
    );
    pg!(
        json_extract_path_text(
            "[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]",
            &[Some("a"), Some("x")]
        ),
        "<NULL>"
    );
    pg!(
        json_extract_path(
            "[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]",
            &[Some("1"), Some(" 0")]
        ),
        "2"
    );
    pg!(
        json_extract_path_text(
            "[1, [2, 3 ], \"s\", null, {\"k\": \"v\"}]",
            &[Some("1"), Some(" 0")]
        ),
        "2"
    );
    pg!(json_extract_path("\"abc\"", &[]), "\"abc\"");
    pg!(json_extract_path_text("\"abc\"", &[]), "abc");
    pg!(json_extract_path("\"abc\"", &[Some("a")]), "<NULL>");
    pg!(json_extract_path_text("\"abc\"", &[Some("a")]), "<NULL>");
    pg!(
        json_extract_path("\"abc\"", &[Some("a"), Some("1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("\"abc\"", &[Some("a"), Some("1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("\"abc\"", &[Some("a"), Some("-1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("\"abc\"", &[Some("a"), Some("-1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("\"abc\"", &[Some("a"), Some("z")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("\"abc\"", &[Some("a"), Some("z")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("\"abc\"", &[Some("a"), Some("b")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("\"abc\"", &[Some("a"), Some("b")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("\"abc\"", &[Some("1"), Some("1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("\"abc\"", &[Some("1"), Some("1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("\"abc\"", &[Some("4"), Some("k")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("\"abc\"", &[Some("4"), Some("k")]),
        "<NULL>"
    );
    pg!(json_extract_path("\"abc\"", &[Some("a"), None]), "<NULL>");
    pg!(
        json_extract_path_text("\"abc\"", &[Some("a"), None]),
        "<NULL>"
    );
    pg!(
        json_extract_path("\"abc\"", &[Some("a"), Some("x")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("\"abc\"", &[Some("a"), Some("x")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("\"abc\"", &[Some("1"), Some(" 0")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("\"abc\"", &[Some("1"), Some(" 0")]),
        "<NULL>"
    );
    pg!(json_extract_path(" null ", &[]), " null");
    pg!(json_extract_path_text(" null ", &[]), "<NULL>");
    pg!(json_extract_path(" null ", &[Some("a")]), "<NULL>");
    pg!(json_extract_path_text(" null ", &[Some("a")]), "<NULL>");
    pg!(
        json_extract_path(" null ", &[Some("a"), Some("1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text(" null ", &[Some("a"), Some("1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path(" null ", &[Some("a"), Some("-1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text(" null ", &[Some("a"), Some("-1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path(" null ", &[Some("a"), Some("z")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text(" null ", &[Some("a"), Some("z")]),
        "<NULL>"
    );
    pg!(
        json_extract_path(" null ", &[Some("a"), Some("b")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text(" null ", &[Some("a"), Some("b")]),
        "<NULL>"
    );
    pg!(
        json_extract_path(" null ", &[Some("1"), Some("1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text(" null ", &[Some("1"), Some("1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path(" null ", &[Some("4"), Some("k")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text(" null ", &[Some("4"), Some("k")]),
        "<NULL>"
    );
    pg!(json_extract_path(" null ", &[Some("a"), None]), "<NULL>");
    pg!(
        json_extract_path_text(" null ", &[Some("a"), None]),
        "<NULL>"
    );
    pg!(
        json_extract_path(" null ", &[Some("a"), Some("x")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text(" null ", &[Some("a"), Some("x")]),
        "<NULL>"
    );
    pg!(
        json_extract_path(" null ", &[Some("1"), Some(" 0")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text(" null ", &[Some("1"), Some(" 0")]),
        "<NULL>"
    );
    pg!(json_extract_path(" 5 ", &[]), " 5");
    pg!(json_extract_path_text(" 5 ", &[]), " 5");
    pg!(json_extract_path(" 5 ", &[Some("a")]), "<NULL>");
    pg!(json_extract_path_text(" 5 ", &[Some("a")]), "<NULL>");
    pg!(json_extract_path(" 5 ", &[Some("a"), Some("1")]), "<NULL>");
    pg!(
        json_extract_path_text(" 5 ", &[Some("a"), Some("1")]),
        "<NULL>"
    );
    pg!(json_extract_path(" 5 ", &[Some("a"), Some("-1")]), "<NULL>");
    pg!(
        json_extract_path_text(" 5 ", &[Some("a"), Some("-1")]),
        "<NULL>"
    );
    pg!(json_extract_path(" 5 ", &[Some("a"), Some("z")]), "<NULL>");
    pg!(
        json_extract_path_text(" 5 ", &[Some("a"), Some("z")]),
        "<NULL>"
    );
    pg!(json_extract_path(" 5 ", &[Some("a"), Some("b")]), "<NULL>");
    pg!(
        json_extract_path_text(" 5 ", &[Some("a"), Some("b")]),
        "<NULL>"
    );
    pg!(json_extract_path(" 5 ", &[Some("1"), Some("1")]), "<NULL>");
    pg!(
        json_extract_path_text(" 5 ", &[Some("1"), Some("1")]),
        "<NULL>"
    );
    pg!(json_extract_path(" 5 ", &[Some("4"), Some("k")]), "<NULL>");
    pg!(
        json_extract_path_text(" 5 ", &[Some("4"), Some("k")]),
        "<NULL>"
    );
    pg!(json_extract_path(" 5 ", &[Some("a"), None]), "<NULL>");
    pg!(json_extract_path_text(" 5 ", &[Some("a"), None]), "<NULL>");
    pg!(json_extract_path(" 5 ", &[Some("a"), Some("x")]), "<NULL>");
    pg!(
        json_extract_path_text(" 5 ", &[Some("a"), Some("x")]),
        "<NULL>"
    );
    pg!(json_extract_path(" 5 ", &[Some("1"), Some(" 0")]), "<NULL>");
    pg!(
        json_extract_path_text(" 5 ", &[Some("1"), Some(" 0")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", &[]),
        "{\"a\":{\"b\":1},\"a\":{\"c\":2}}"
    );
    pg!(
        json_extract_path_text("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", &[]),
        "{\"a\":{\"b\":1},\"a\":{\"c\":2}}"
    );
    pg!(
        json_extract_path("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", &[Some("a")]),
        "{\"c\":2}"
    );
    pg!(
        json_extract_path_text("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", &[Some("a")]),
        "{\"c\":2}"
    );
    pg!(
        json_extract_path("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", &[Some("a"), Some("1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", &[Some("a"), Some("1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path(
            "{\"a\":{\"b\":1},\"a\":{\"c\":2}}",
            &[Some("a"), Some("-1")]
        ),
        "<NULL>"
    );
    pg!(
        json_extract_path_text(
            "{\"a\":{\"b\":1},\"a\":{\"c\":2}}",
            &[Some("a"), Some("-1")]
        ),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", &[Some("a"), Some("z")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", &[Some("a"), Some("z")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", &[Some("a"), Some("b")]),
        "1"
    );
    pg!(
        json_extract_path_text("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", &[Some("a"), Some("b")]),
        "1"
    );
    pg!(
        json_extract_path("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", &[Some("1"), Some("1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", &[Some("1"), Some("1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", &[Some("4"), Some("k")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", &[Some("4"), Some("k")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", &[Some("a"), None]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", &[Some("a"), None]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", &[Some("a"), Some("x")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", &[Some("a"), Some("x")]),
        "<NULL>"
    );
    pg!(
        json_extract_path(
            "{\"a\":{\"b\":1},\"a\":{\"c\":2}}",
            &[Some("1"), Some(" 0")]
        ),
        "<NULL>"
    );
    pg!(
        json_extract_path_text(
            "{\"a\":{\"b\":1},\"a\":{\"c\":2}}",
            &[Some("1"), Some(" 0")]
        ),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"a\":1,\"a\":null}", &[]),
        "{\"a\":1,\"a\":null}"
    );
    pg!(
        json_extract_path_text("{\"a\":1,\"a\":null}", &[]),
        "{\"a\":1,\"a\":null}"
    );
    pg!(
        json_extract_path("{\"a\":1,\"a\":null}", &[Some("a")]),
        "null"
    );
    pg!(
        json_extract_path_text("{\"a\":1,\"a\":null}", &[Some("a")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"a\":1,\"a\":null}", &[Some("a"), Some("1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"a\":1,\"a\":null}", &[Some("a"), Some("1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"a\":1,\"a\":null}", &[Some("a"), Some("-1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"a\":1,\"a\":null}", &[Some("a"), Some("-1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"a\":1,\"a\":null}", &[Some("a"), Some("z")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"a\":1,\"a\":null}", &[Some("a"), Some("z")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"a\":1,\"a\":null}", &[Some("a"), Some("b")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"a\":1,\"a\":null}", &[Some("a"), Some("b")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"a\":1,\"a\":null}", &[Some("1"), Some("1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"a\":1,\"a\":null}", &[Some("1"), Some("1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"a\":1,\"a\":null}", &[Some("4"), Some("k")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"a\":1,\"a\":null}", &[Some("4"), Some("k")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"a\":1,\"a\":null}", &[Some("a"), None]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"a\":1,\"a\":null}", &[Some("a"), None]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"a\":1,\"a\":null}", &[Some("a"), Some("x")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"a\":1,\"a\":null}", &[Some("a"), Some("x")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"a\":1,\"a\":null}", &[Some("1"), Some(" 0")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"a\":1,\"a\":null}", &[Some("1"), Some(" 0")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"\\u0000\":1}", &[]),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_extract_path_text("{\"\\u0000\":1}", &[]),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_extract_path("{\"\\u0000\":1}", &[Some("a")]),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_extract_path_text("{\"\\u0000\":1}", &[Some("a")]),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_extract_path("{\"\\u0000\":1}", &[Some("a"), Some("1")]),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_extract_path_text("{\"\\u0000\":1}", &[Some("a"), Some("1")]),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_extract_path("{\"\\u0000\":1}", &[Some("a"), Some("-1")]),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_extract_path_text("{\"\\u0000\":1}", &[Some("a"), Some("-1")]),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_extract_path("{\"\\u0000\":1}", &[Some("a"), Some("z")]),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_extract_path_text("{\"\\u0000\":1}", &[Some("a"), Some("z")]),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_extract_path("{\"\\u0000\":1}", &[Some("a"), Some("b")]),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_extract_path_text("{\"\\u0000\":1}", &[Some("a"), Some("b")]),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_extract_path("{\"\\u0000\":1}", &[Some("1"), Some("1")]),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_extract_path_text("{\"\\u0000\":1}", &[Some("1"), Some("1")]),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_extract_path("{\"\\u0000\":1}", &[Some("4"), Some("k")]),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_extract_path_text("{\"\\u0000\":1}", &[Some("4"), Some("k")]),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_extract_path("{\"\\u0000\":1}", &[Some("a"), None]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"\\u0000\":1}", &[Some("a"), None]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"\\u0000\":1}", &[Some("a"), Some("x")]),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_extract_path_text("{\"\\u0000\":1}", &[Some("a"), Some("x")]),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_extract_path("{\"\\u0000\":1}", &[Some("1"), Some(" 0")]),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_extract_path_text("{\"\\u0000\":1}", &[Some("1"), Some(" 0")]),
        "ERROR:  22P05: unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text."
    );
    pg!(
        json_extract_path("[\"\\ud800\"]", &[]),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_extract_path_text("[\"\\ud800\"]", &[]),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_extract_path("[\"\\ud800\"]", &[Some("a")]),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_extract_path_text("[\"\\ud800\"]", &[Some("a")]),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_extract_path("[\"\\ud800\"]", &[Some("a"), Some("1")]),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_extract_path_text("[\"\\ud800\"]", &[Some("a"), Some("1")]),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_extract_path("[\"\\ud800\"]", &[Some("a"), Some("-1")]),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_extract_path_text("[\"\\ud800\"]", &[Some("a"), Some("-1")]),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_extract_path("[\"\\ud800\"]", &[Some("a"), Some("z")]),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_extract_path_text("[\"\\ud800\"]", &[Some("a"), Some("z")]),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_extract_path("[\"\\ud800\"]", &[Some("a"), Some("b")]),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_extract_path_text("[\"\\ud800\"]", &[Some("a"), Some("b")]),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_extract_path("[\"\\ud800\"]", &[Some("1"), Some("1")]),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_extract_path_text("[\"\\ud800\"]", &[Some("1"), Some("1")]),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_extract_path("[\"\\ud800\"]", &[Some("4"), Some("k")]),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_extract_path_text("[\"\\ud800\"]", &[Some("4"), Some("k")]),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_extract_path("[\"\\ud800\"]", &[Some("a"), None]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("[\"\\ud800\"]", &[Some("a"), None]),
        "<NULL>"
    );
    pg!(
        json_extract_path("[\"\\ud800\"]", &[Some("a"), Some("x")]),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_extract_path_text("[\"\\ud800\"]", &[Some("a"), Some("x")]),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_extract_path("[\"\\ud800\"]", &[Some("1"), Some(" 0")]),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(
        json_extract_path_text("[\"\\ud800\"]", &[Some("1"), Some(" 0")]),
        "ERROR:  22P02: invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
    );
    pg!(json_extract_path("{\"\":1}", &[]), "{\"\":1}");
    pg!(json_extract_path_text("{\"\":1}", &[]), "{\"\":1}");
    pg!(json_extract_path("{\"\":1}", &[Some("a")]), "<NULL>");
    pg!(json_extract_path_text("{\"\":1}", &[Some("a")]), "<NULL>");
    pg!(
        json_extract_path("{\"\":1}", &[Some("a"), Some("1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"\":1}", &[Some("a"), Some("1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"\":1}", &[Some("a"), Some("-1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"\":1}", &[Some("a"), Some("-1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"\":1}", &[Some("a"), Some("z")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"\":1}", &[Some("a"), Some("z")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"\":1}", &[Some("a"), Some("b")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"\":1}", &[Some("a"), Some("b")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"\":1}", &[Some("1"), Some("1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"\":1}", &[Some("1"), Some("1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"\":1}", &[Some("4"), Some("k")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"\":1}", &[Some("4"), Some("k")]),
        "<NULL>"
    );
    pg!(json_extract_path("{\"\":1}", &[Some("a"), None]), "<NULL>");
    pg!(
        json_extract_path_text("{\"\":1}", &[Some("a"), None]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"\":1}", &[Some("a"), Some("x")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"\":1}", &[Some("a"), Some("x")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"\":1}", &[Some("1"), Some(" 0")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"\":1}", &[Some("1"), Some(" 0")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"a\":\"\\u00e9\"}", &[]),
        "{\"a\":\"\\u00e9\"}"
    );
    pg!(
        json_extract_path_text("{\"a\":\"\\u00e9\"}", &[]),
        "{\"a\":\"\\u00e9\"}"
    );
    pg!(
        json_extract_path("{\"a\":\"\\u00e9\"}", &[Some("a")]),
        "\"\\u00e9\""
    );
    pg!(
        json_extract_path_text("{\"a\":\"\\u00e9\"}", &[Some("a")]),
        "é"
    );
    pg!(
        json_extract_path("{\"a\":\"\\u00e9\"}", &[Some("a"), Some("1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"a\":\"\\u00e9\"}", &[Some("a"), Some("1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"a\":\"\\u00e9\"}", &[Some("a"), Some("-1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"a\":\"\\u00e9\"}", &[Some("a"), Some("-1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"a\":\"\\u00e9\"}", &[Some("a"), Some("z")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"a\":\"\\u00e9\"}", &[Some("a"), Some("z")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"a\":\"\\u00e9\"}", &[Some("a"), Some("b")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"a\":\"\\u00e9\"}", &[Some("a"), Some("b")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"a\":\"\\u00e9\"}", &[Some("1"), Some("1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"a\":\"\\u00e9\"}", &[Some("1"), Some("1")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"a\":\"\\u00e9\"}", &[Some("4"), Some("k")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"a\":\"\\u00e9\"}", &[Some("4"), Some("k")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"a\":\"\\u00e9\"}", &[Some("a"), None]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"a\":\"\\u00e9\"}", &[Some("a"), None]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"a\":\"\\u00e9\"}", &[Some("a"), Some("x")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"a\":\"\\u00e9\"}", &[Some("a"), Some("x")]),
        "<NULL>"
    );
    pg!(
        json_extract_path("{\"a\":\"\\u00e9\"}", &[Some("1"), Some(" 0")]),
        "<NULL>"
    );
    pg!(
        json_extract_path_text("{\"a\":\"\\u00e9\"}", &[Some("1"), Some(" 0")]),
        "<NULL>"
    );
}
