//! Tests for the jsonb operators against PostgreSQL.
//! Expected strings were observed from PostgreSQL 15.18 (psql -At, NULL shown as <NULL>).

use super::*;
use crate::psql_render::{j, pg};

#[test]
fn object_field_and_text() {
    pg!(
        jsonb_object_field(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            "a"
        )
        .cloned(),
        "1"
    );
    pg!(
        jsonb_object_field_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            "a"
        ),
        "1"
    );
    pg!(
        jsonb_object_field(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            "b"
        )
        .cloned(),
        "{\"c\": [1, 2, {\"d\": null}]}"
    );
    pg!(
        jsonb_object_field_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            "b"
        ),
        "{\"c\": [1, 2, {\"d\": null}]}"
    );
    pg!(
        jsonb_object_field(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            "e"
        )
        .cloned(),
        "null"
    );
    pg!(
        jsonb_object_field_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            "e"
        ),
        "<NULL>"
    );
    pg!(
        jsonb_object_field(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            "f"
        )
        .cloned(),
        "\"x\\ty\""
    );
    pg!(
        jsonb_object_field_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            "f"
        ),
        "x\ty"
    );
    pg!(
        jsonb_object_field(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            "zz"
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_object_field_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            "zz"
        ),
        "<NULL>"
    );
    pg!(
        jsonb_object_field(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            ""
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_object_field_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            ""
        ),
        "<NULL>"
    );
    pg!(
        jsonb_object_field(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            "1"
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_object_field_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            "1"
        ),
        "<NULL>"
    );
    pg!(
        jsonb_object_field(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            "k"
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_object_field_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            "k"
        ),
        "<NULL>"
    );
    pg!(
        jsonb_object_field(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), "a").cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_object_field_text(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), "a"),
        "<NULL>"
    );
    pg!(
        jsonb_object_field(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), "b").cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_object_field_text(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), "b"),
        "<NULL>"
    );
    pg!(
        jsonb_object_field(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), "e").cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_object_field_text(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), "e"),
        "<NULL>"
    );
    pg!(
        jsonb_object_field(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), "f").cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_object_field_text(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), "f"),
        "<NULL>"
    );
    pg!(
        jsonb_object_field(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), "zz").cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_object_field_text(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), "zz"),
        "<NULL>"
    );
    pg!(
        jsonb_object_field(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), "").cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_object_field_text(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), ""),
        "<NULL>"
    );
    pg!(
        jsonb_object_field(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), "1").cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_object_field_text(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), "1"),
        "<NULL>"
    );
    pg!(
        jsonb_object_field(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), "k").cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_object_field_text(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), "k"),
        "<NULL>"
    );
    pg!(jsonb_object_field(&j("\"abc\""), "a").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("\"abc\""), "a"), "<NULL>");
    pg!(jsonb_object_field(&j("\"abc\""), "b").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("\"abc\""), "b"), "<NULL>");
    pg!(jsonb_object_field(&j("\"abc\""), "e").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("\"abc\""), "e"), "<NULL>");
    pg!(jsonb_object_field(&j("\"abc\""), "f").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("\"abc\""), "f"), "<NULL>");
    pg!(jsonb_object_field(&j("\"abc\""), "zz").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("\"abc\""), "zz"), "<NULL>");
    pg!(jsonb_object_field(&j("\"abc\""), "").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("\"abc\""), ""), "<NULL>");
    pg!(jsonb_object_field(&j("\"abc\""), "1").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("\"abc\""), "1"), "<NULL>");
    pg!(jsonb_object_field(&j("\"abc\""), "k").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("\"abc\""), "k"), "<NULL>");
    pg!(jsonb_object_field(&j("1"), "a").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("1"), "a"), "<NULL>");
    pg!(jsonb_object_field(&j("1"), "b").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("1"), "b"), "<NULL>");
    pg!(jsonb_object_field(&j("1"), "e").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("1"), "e"), "<NULL>");
    pg!(jsonb_object_field(&j("1"), "f").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("1"), "f"), "<NULL>");
    pg!(jsonb_object_field(&j("1"), "zz").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("1"), "zz"), "<NULL>");
    pg!(jsonb_object_field(&j("1"), "").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("1"), ""), "<NULL>");
    pg!(jsonb_object_field(&j("1"), "1").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("1"), "1"), "<NULL>");
    pg!(jsonb_object_field(&j("1"), "k").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("1"), "k"), "<NULL>");
    pg!(jsonb_object_field(&j("null"), "a").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("null"), "a"), "<NULL>");
    pg!(jsonb_object_field(&j("null"), "b").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("null"), "b"), "<NULL>");
    pg!(jsonb_object_field(&j("null"), "e").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("null"), "e"), "<NULL>");
    pg!(jsonb_object_field(&j("null"), "f").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("null"), "f"), "<NULL>");
    pg!(jsonb_object_field(&j("null"), "zz").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("null"), "zz"), "<NULL>");
    pg!(jsonb_object_field(&j("null"), "").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("null"), ""), "<NULL>");
    pg!(jsonb_object_field(&j("null"), "1").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("null"), "1"), "<NULL>");
    pg!(jsonb_object_field(&j("null"), "k").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("null"), "k"), "<NULL>");
    pg!(jsonb_object_field(&j("{}"), "a").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("{}"), "a"), "<NULL>");
    pg!(jsonb_object_field(&j("{}"), "b").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("{}"), "b"), "<NULL>");
    pg!(jsonb_object_field(&j("{}"), "e").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("{}"), "e"), "<NULL>");
    pg!(jsonb_object_field(&j("{}"), "f").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("{}"), "f"), "<NULL>");
    pg!(jsonb_object_field(&j("{}"), "zz").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("{}"), "zz"), "<NULL>");
    pg!(jsonb_object_field(&j("{}"), "").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("{}"), ""), "<NULL>");
    pg!(jsonb_object_field(&j("{}"), "1").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("{}"), "1"), "<NULL>");
    pg!(jsonb_object_field(&j("{}"), "k").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("{}"), "k"), "<NULL>");
    pg!(jsonb_object_field(&j("[]"), "a").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("[]"), "a"), "<NULL>");
    pg!(jsonb_object_field(&j("[]"), "b").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("[]"), "b"), "<NULL>");
    pg!(jsonb_object_field(&j("[]"), "e").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("[]"), "e"), "<NULL>");
    pg!(jsonb_object_field(&j("[]"), "f").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("[]"), "f"), "<NULL>");
    pg!(jsonb_object_field(&j("[]"), "zz").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("[]"), "zz"), "<NULL>");
    pg!(jsonb_object_field(&j("[]"), "").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("[]"), ""), "<NULL>");
    pg!(jsonb_object_field(&j("[]"), "1").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("[]"), "1"), "<NULL>");
    pg!(jsonb_object_field(&j("[]"), "k").cloned(), "<NULL>");
    pg!(jsonb_object_field_text(&j("[]"), "k"), "<NULL>");
    pg!(
        jsonb_object_field(&j("{\"\":0,\"1\":\"one\"}"), "a").cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_object_field_text(&j("{\"\":0,\"1\":\"one\"}"), "a"),
        "<NULL>"
    );
    pg!(
        jsonb_object_field(&j("{\"\":0,\"1\":\"one\"}"), "b").cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_object_field_text(&j("{\"\":0,\"1\":\"one\"}"), "b"),
        "<NULL>"
    );
    pg!(
        jsonb_object_field(&j("{\"\":0,\"1\":\"one\"}"), "e").cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_object_field_text(&j("{\"\":0,\"1\":\"one\"}"), "e"),
        "<NULL>"
    );
    pg!(
        jsonb_object_field(&j("{\"\":0,\"1\":\"one\"}"), "f").cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_object_field_text(&j("{\"\":0,\"1\":\"one\"}"), "f"),
        "<NULL>"
    );
    pg!(
        jsonb_object_field(&j("{\"\":0,\"1\":\"one\"}"), "zz").cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_object_field_text(&j("{\"\":0,\"1\":\"one\"}"), "zz"),
        "<NULL>"
    );
    pg!(
        jsonb_object_field(&j("{\"\":0,\"1\":\"one\"}"), "").cloned(),
        "0"
    );
    pg!(
        jsonb_object_field_text(&j("{\"\":0,\"1\":\"one\"}"), ""),
        "0"
    );
    pg!(
        jsonb_object_field(&j("{\"\":0,\"1\":\"one\"}"), "1").cloned(),
        "\"one\""
    );
    pg!(
        jsonb_object_field_text(&j("{\"\":0,\"1\":\"one\"}"), "1"),
        "one"
    );
    pg!(
        jsonb_object_field(&j("{\"\":0,\"1\":\"one\"}"), "k").cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_object_field_text(&j("{\"\":0,\"1\":\"one\"}"), "k"),
        "<NULL>"
    );
    pg!(
        jsonb_object_field(&j("[[[\"deep\"]]]"), "a").cloned(),
        "<NULL>"
    );
    pg!(jsonb_object_field_text(&j("[[[\"deep\"]]]"), "a"), "<NULL>");
    pg!(
        jsonb_object_field(&j("[[[\"deep\"]]]"), "b").cloned(),
        "<NULL>"
    );
    pg!(jsonb_object_field_text(&j("[[[\"deep\"]]]"), "b"), "<NULL>");
    pg!(
        jsonb_object_field(&j("[[[\"deep\"]]]"), "e").cloned(),
        "<NULL>"
    );
    pg!(jsonb_object_field_text(&j("[[[\"deep\"]]]"), "e"), "<NULL>");
    pg!(
        jsonb_object_field(&j("[[[\"deep\"]]]"), "f").cloned(),
        "<NULL>"
    );
    pg!(jsonb_object_field_text(&j("[[[\"deep\"]]]"), "f"), "<NULL>");
    pg!(
        jsonb_object_field(&j("[[[\"deep\"]]]"), "zz").cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_object_field_text(&j("[[[\"deep\"]]]"), "zz"),
        "<NULL>"
    );
    pg!(
        jsonb_object_field(&j("[[[\"deep\"]]]"), "").cloned(),
        "<NULL>"
    );
    pg!(jsonb_object_field_text(&j("[[[\"deep\"]]]"), ""), "<NULL>");
    pg!(
        jsonb_object_field(&j("[[[\"deep\"]]]"), "1").cloned(),
        "<NULL>"
    );
    pg!(jsonb_object_field_text(&j("[[[\"deep\"]]]"), "1"), "<NULL>");
    pg!(
        jsonb_object_field(&j("[[[\"deep\"]]]"), "k").cloned(),
        "<NULL>"
    );
    pg!(jsonb_object_field_text(&j("[[[\"deep\"]]]"), "k"), "<NULL>");
}

#[test]
fn array_element_and_text() {
    pg!(
        jsonb_array_element(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            0
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_array_element_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            0
        ),
        "<NULL>"
    );
    pg!(
        jsonb_array_element(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            1
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_array_element_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            1
        ),
        "<NULL>"
    );
    pg!(
        jsonb_array_element(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            3
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_array_element_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            3
        ),
        "<NULL>"
    );
    pg!(
        jsonb_array_element(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            -1
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_array_element_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            -1
        ),
        "<NULL>"
    );
    pg!(
        jsonb_array_element(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            -5
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_array_element_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            -5
        ),
        "<NULL>"
    );
    pg!(
        jsonb_array_element(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            -6
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_array_element_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            -6
        ),
        "<NULL>"
    );
    pg!(
        jsonb_array_element(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            5
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_array_element_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            5
        ),
        "<NULL>"
    );
    pg!(
        jsonb_array_element(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            100
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_array_element_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            100
        ),
        "<NULL>"
    );
    pg!(
        jsonb_array_element(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            -2147483648
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_array_element_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            -2147483648
        ),
        "<NULL>"
    );
    pg!(
        jsonb_array_element(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), 0).cloned(),
        "1"
    );
    pg!(
        jsonb_array_element_text(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), 0),
        "1"
    );
    pg!(
        jsonb_array_element(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), 1).cloned(),
        "\"a\""
    );
    pg!(
        jsonb_array_element_text(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), 1),
        "a"
    );
    pg!(
        jsonb_array_element(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), 3).cloned(),
        "[2, 3]"
    );
    pg!(
        jsonb_array_element_text(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), 3),
        "[2, 3]"
    );
    pg!(
        jsonb_array_element(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), -1).cloned(),
        "{\"k\": \"v\"}"
    );
    pg!(
        jsonb_array_element_text(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), -1),
        "{\"k\": \"v\"}"
    );
    pg!(
        jsonb_array_element(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), -5).cloned(),
        "1"
    );
    pg!(
        jsonb_array_element_text(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), -5),
        "1"
    );
    pg!(
        jsonb_array_element(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), -6).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_array_element_text(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), -6),
        "<NULL>"
    );
    pg!(
        jsonb_array_element(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), 5).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_array_element_text(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), 5),
        "<NULL>"
    );
    pg!(
        jsonb_array_element(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), 100).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_array_element_text(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), 100),
        "<NULL>"
    );
    pg!(
        jsonb_array_element(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), -2147483648).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_array_element_text(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), -2147483648),
        "<NULL>"
    );
    pg!(jsonb_array_element(&j("\"abc\""), 0).cloned(), "\"abc\"");
    pg!(jsonb_array_element_text(&j("\"abc\""), 0), "abc");
    pg!(jsonb_array_element(&j("\"abc\""), 1).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("\"abc\""), 1), "<NULL>");
    pg!(jsonb_array_element(&j("\"abc\""), 3).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("\"abc\""), 3), "<NULL>");
    pg!(jsonb_array_element(&j("\"abc\""), -1).cloned(), "\"abc\"");
    pg!(jsonb_array_element_text(&j("\"abc\""), -1), "abc");
    pg!(jsonb_array_element(&j("\"abc\""), -5).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("\"abc\""), -5), "<NULL>");
    pg!(jsonb_array_element(&j("\"abc\""), -6).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("\"abc\""), -6), "<NULL>");
    pg!(jsonb_array_element(&j("\"abc\""), 5).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("\"abc\""), 5), "<NULL>");
    pg!(jsonb_array_element(&j("\"abc\""), 100).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("\"abc\""), 100), "<NULL>");
    pg!(
        jsonb_array_element(&j("\"abc\""), -2147483648).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_array_element_text(&j("\"abc\""), -2147483648),
        "<NULL>"
    );
    pg!(jsonb_array_element(&j("1"), 0).cloned(), "1");
    pg!(jsonb_array_element_text(&j("1"), 0), "1");
    pg!(jsonb_array_element(&j("1"), 1).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("1"), 1), "<NULL>");
    pg!(jsonb_array_element(&j("1"), 3).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("1"), 3), "<NULL>");
    pg!(jsonb_array_element(&j("1"), -1).cloned(), "1");
    pg!(jsonb_array_element_text(&j("1"), -1), "1");
    pg!(jsonb_array_element(&j("1"), -5).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("1"), -5), "<NULL>");
    pg!(jsonb_array_element(&j("1"), -6).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("1"), -6), "<NULL>");
    pg!(jsonb_array_element(&j("1"), 5).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("1"), 5), "<NULL>");
    pg!(jsonb_array_element(&j("1"), 100).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("1"), 100), "<NULL>");
    pg!(jsonb_array_element(&j("1"), -2147483648).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("1"), -2147483648), "<NULL>");
    pg!(jsonb_array_element(&j("null"), 0).cloned(), "null");
    pg!(jsonb_array_element_text(&j("null"), 0), "<NULL>");
    pg!(jsonb_array_element(&j("null"), 1).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("null"), 1), "<NULL>");
    pg!(jsonb_array_element(&j("null"), 3).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("null"), 3), "<NULL>");
    pg!(jsonb_array_element(&j("null"), -1).cloned(), "null");
    pg!(jsonb_array_element_text(&j("null"), -1), "<NULL>");
    pg!(jsonb_array_element(&j("null"), -5).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("null"), -5), "<NULL>");
    pg!(jsonb_array_element(&j("null"), -6).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("null"), -6), "<NULL>");
    pg!(jsonb_array_element(&j("null"), 5).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("null"), 5), "<NULL>");
    pg!(jsonb_array_element(&j("null"), 100).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("null"), 100), "<NULL>");
    pg!(
        jsonb_array_element(&j("null"), -2147483648).cloned(),
        "<NULL>"
    );
    pg!(jsonb_array_element_text(&j("null"), -2147483648), "<NULL>");
    pg!(jsonb_array_element(&j("{}"), 0).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("{}"), 0), "<NULL>");
    pg!(jsonb_array_element(&j("{}"), 1).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("{}"), 1), "<NULL>");
    pg!(jsonb_array_element(&j("{}"), 3).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("{}"), 3), "<NULL>");
    pg!(jsonb_array_element(&j("{}"), -1).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("{}"), -1), "<NULL>");
    pg!(jsonb_array_element(&j("{}"), -5).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("{}"), -5), "<NULL>");
    pg!(jsonb_array_element(&j("{}"), -6).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("{}"), -6), "<NULL>");
    pg!(jsonb_array_element(&j("{}"), 5).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("{}"), 5), "<NULL>");
    pg!(jsonb_array_element(&j("{}"), 100).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("{}"), 100), "<NULL>");
    pg!(
        jsonb_array_element(&j("{}"), -2147483648).cloned(),
        "<NULL>"
    );
    pg!(jsonb_array_element_text(&j("{}"), -2147483648), "<NULL>");
    pg!(jsonb_array_element(&j("[]"), 0).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("[]"), 0), "<NULL>");
    pg!(jsonb_array_element(&j("[]"), 1).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("[]"), 1), "<NULL>");
    pg!(jsonb_array_element(&j("[]"), 3).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("[]"), 3), "<NULL>");
    pg!(jsonb_array_element(&j("[]"), -1).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("[]"), -1), "<NULL>");
    pg!(jsonb_array_element(&j("[]"), -5).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("[]"), -5), "<NULL>");
    pg!(jsonb_array_element(&j("[]"), -6).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("[]"), -6), "<NULL>");
    pg!(jsonb_array_element(&j("[]"), 5).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("[]"), 5), "<NULL>");
    pg!(jsonb_array_element(&j("[]"), 100).cloned(), "<NULL>");
    pg!(jsonb_array_element_text(&j("[]"), 100), "<NULL>");
    pg!(
        jsonb_array_element(&j("[]"), -2147483648).cloned(),
        "<NULL>"
    );
    pg!(jsonb_array_element_text(&j("[]"), -2147483648), "<NULL>");
    pg!(
        jsonb_array_element(&j("{\"\":0,\"1\":\"one\"}"), 0).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_array_element_text(&j("{\"\":0,\"1\":\"one\"}"), 0),
        "<NULL>"
    );
    pg!(
        jsonb_array_element(&j("{\"\":0,\"1\":\"one\"}"), 1).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_array_element_text(&j("{\"\":0,\"1\":\"one\"}"), 1),
        "<NULL>"
    );
    pg!(
        jsonb_array_element(&j("{\"\":0,\"1\":\"one\"}"), 3).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_array_element_text(&j("{\"\":0,\"1\":\"one\"}"), 3),
        "<NULL>"
    );
    pg!(
        jsonb_array_element(&j("{\"\":0,\"1\":\"one\"}"), -1).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_array_element_text(&j("{\"\":0,\"1\":\"one\"}"), -1),
        "<NULL>"
    );
    pg!(
        jsonb_array_element(&j("{\"\":0,\"1\":\"one\"}"), -5).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_array_element_text(&j("{\"\":0,\"1\":\"one\"}"), -5),
        "<NULL>"
    );
    pg!(
        jsonb_array_element(&j("{\"\":0,\"1\":\"one\"}"), -6).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_array_element_text(&j("{\"\":0,\"1\":\"one\"}"), -6),
        "<NULL>"
    );
    pg!(
        jsonb_array_element(&j("{\"\":0,\"1\":\"one\"}"), 5).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_array_element_text(&j("{\"\":0,\"1\":\"one\"}"), 5),
        "<NULL>"
    );
    pg!(
        jsonb_array_element(&j("{\"\":0,\"1\":\"one\"}"), 100).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_array_element_text(&j("{\"\":0,\"1\":\"one\"}"), 100),
        "<NULL>"
    );
    pg!(
        jsonb_array_element(&j("{\"\":0,\"1\":\"one\"}"), -2147483648).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_array_element_text(&j("{\"\":0,\"1\":\"one\"}"), -2147483648),
        "<NULL>"
    );
    pg!(
        jsonb_array_element(&j("[[[\"deep\"]]]"), 0).cloned(),
        "[[\"deep\"]]"
    );
    pg!(
        jsonb_array_element_text(&j("[[[\"deep\"]]]"), 0),
        "[[\"deep\"]]"
    );
    pg!(
        jsonb_array_element(&j("[[[\"deep\"]]]"), 1).cloned(),
        "<NULL>"
    );
    pg!(jsonb_array_element_text(&j("[[[\"deep\"]]]"), 1), "<NULL>");
    pg!(
        jsonb_array_element(&j("[[[\"deep\"]]]"), 3).cloned(),
        "<NULL>"
    );
    pg!(jsonb_array_element_text(&j("[[[\"deep\"]]]"), 3), "<NULL>");
    pg!(
        jsonb_array_element(&j("[[[\"deep\"]]]"), -1).cloned(),
        "[[\"deep\"]]"
    );
    pg!(
        jsonb_array_element_text(&j("[[[\"deep\"]]]"), -1),
        "[[\"deep\"]]"
    );
    pg!(
        jsonb_array_element(&j("[[[\"deep\"]]]"), -5).cloned(),
        "<NULL>"
    );
    pg!(jsonb_array_element_text(&j("[[[\"deep\"]]]"), -5), "<NULL>");
    pg!(
        jsonb_array_element(&j("[[[\"deep\"]]]"), -6).cloned(),
        "<NULL>"
    );
    pg!(jsonb_array_element_text(&j("[[[\"deep\"]]]"), -6), "<NULL>");
    pg!(
        jsonb_array_element(&j("[[[\"deep\"]]]"), 5).cloned(),
        "<NULL>"
    );
    pg!(jsonb_array_element_text(&j("[[[\"deep\"]]]"), 5), "<NULL>");
    pg!(
        jsonb_array_element(&j("[[[\"deep\"]]]"), 100).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_array_element_text(&j("[[[\"deep\"]]]"), 100),
        "<NULL>"
    );
    pg!(
        jsonb_array_element(&j("[[[\"deep\"]]]"), -2147483648).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_array_element_text(&j("[[[\"deep\"]]]"), -2147483648),
        "<NULL>"
    );
}

#[test]
fn extract_path_and_text() {
    pg!(
        jsonb_extract_path(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[]
        )
        .cloned(),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, {\"d\": null}]}, \"e\": null, \"f\": \"x\\ty\"}"
    );
    pg!(
        jsonb_extract_path_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[]
        ),
        "{\"a\": 1, \"b\": {\"c\": [1, 2, {\"d\": null}]}, \"e\": null, \"f\": \"x\\ty\"}"
    );
    pg!(
        jsonb_extract_path(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("a")]
        )
        .cloned(),
        "1"
    );
    pg!(
        jsonb_extract_path_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("a")]
        ),
        "1"
    );
    pg!(
        jsonb_extract_path(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("b"), Some("c"), Some("2"), Some("d")]
        )
        .cloned(),
        "null"
    );
    pg!(
        jsonb_extract_path_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("b"), Some("c"), Some("2"), Some("d")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("b"), Some("c"), Some("-1")]
        )
        .cloned(),
        "{\"d\": null}"
    );
    pg!(
        jsonb_extract_path_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("b"), Some("c"), Some("-1")]
        ),
        "{\"d\": null}"
    );
    pg!(
        jsonb_extract_path(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("b"), Some("c"), Some("x")]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("b"), Some("c"), Some("x")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("b"), Some("c"), Some(" 1")]
        )
        .cloned(),
        "2"
    );
    pg!(
        jsonb_extract_path_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("b"), Some("c"), Some(" 1")]
        ),
        "2"
    );
    pg!(
        jsonb_extract_path(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("b"), Some("c"), Some("1 ")]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("b"), Some("c"), Some("1 ")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("b"), Some("c"), Some("+1")]
        )
        .cloned(),
        "2"
    );
    pg!(
        jsonb_extract_path_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("b"), Some("c"), Some("+1")]
        ),
        "2"
    );
    pg!(
        jsonb_extract_path(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("b"), Some("c"), Some("99999999999")]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("b"), Some("c"), Some("99999999999")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("3"), Some("1")]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("3"), Some("1")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("3"), Some("-2")]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("3"), Some("-2")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("4"), Some("k")]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("4"), Some("k")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[None]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[None]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("b"), None]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("b"), None]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("a"), Some("x")]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("a"), Some("x")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("0")]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("0")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("0"), Some("0"), Some("0")]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("0"), Some("0"), Some("0")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("1")]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("1")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("e")]
        )
        .cloned(),
        "null"
    );
    pg!(
        jsonb_extract_path_text(
            &j("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":null,\"f\":\"x\\ty\"}"),
            &[Some("e")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), &[]).cloned(),
        "[1, \"a\", null, [2, 3], {\"k\": \"v\"}]"
    );
    pg!(
        jsonb_extract_path_text(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), &[]),
        "[1, \"a\", null, [2, 3], {\"k\": \"v\"}]"
    );
    pg!(
        jsonb_extract_path(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), &[Some("a")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), &[Some("a")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"),
            &[Some("b"), Some("c"), Some("2"), Some("d")]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"),
            &[Some("b"), Some("c"), Some("2"), Some("d")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"),
            &[Some("b"), Some("c"), Some("-1")]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"),
            &[Some("b"), Some("c"), Some("-1")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"),
            &[Some("b"), Some("c"), Some("x")]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"),
            &[Some("b"), Some("c"), Some("x")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"),
            &[Some("b"), Some("c"), Some(" 1")]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"),
            &[Some("b"), Some("c"), Some(" 1")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"),
            &[Some("b"), Some("c"), Some("1 ")]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"),
            &[Some("b"), Some("c"), Some("1 ")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"),
            &[Some("b"), Some("c"), Some("+1")]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"),
            &[Some("b"), Some("c"), Some("+1")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"),
            &[Some("b"), Some("c"), Some("99999999999")]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"),
            &[Some("b"), Some("c"), Some("99999999999")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"),
            &[Some("3"), Some("1")]
        )
        .cloned(),
        "3"
    );
    pg!(
        jsonb_extract_path_text(
            &j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"),
            &[Some("3"), Some("1")]
        ),
        "3"
    );
    pg!(
        jsonb_extract_path(
            &j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"),
            &[Some("3"), Some("-2")]
        )
        .cloned(),
        "2"
    );
    pg!(
        jsonb_extract_path_text(
            &j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"),
            &[Some("3"), Some("-2")]
        ),
        "2"
    );
    pg!(
        jsonb_extract_path(
            &j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"),
            &[Some("4"), Some("k")]
        )
        .cloned(),
        "\"v\""
    );
    pg!(
        jsonb_extract_path_text(
            &j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"),
            &[Some("4"), Some("k")]
        ),
        "v"
    );
    pg!(
        jsonb_extract_path(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), &[None]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), &[None]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), &[Some("b"), None]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), &[Some("b"), None]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"),
            &[Some("a"), Some("x")]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"),
            &[Some("a"), Some("x")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), &[Some("0")]).cloned(),
        "1"
    );
    pg!(
        jsonb_extract_path_text(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), &[Some("0")]),
        "1"
    );
    pg!(
        jsonb_extract_path(
            &j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"),
            &[Some("0"), Some("0"), Some("0")]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"),
            &[Some("0"), Some("0"), Some("0")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), &[Some("1")]).cloned(),
        "\"a\""
    );
    pg!(
        jsonb_extract_path_text(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), &[Some("1")]),
        "a"
    );
    pg!(
        jsonb_extract_path(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), &[Some("e")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[1,\"a\",null,[2,3],{\"k\":\"v\"}]"), &[Some("e")]),
        "<NULL>"
    );
    pg!(jsonb_extract_path(&j("\"abc\""), &[]).cloned(), "\"abc\"");
    pg!(jsonb_extract_path_text(&j("\"abc\""), &[]), "abc");
    pg!(
        jsonb_extract_path(&j("\"abc\""), &[Some("a")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("\"abc\""), &[Some("a")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("\"abc\""), &[Some("b"), Some("c"), Some("2"), Some("d")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("\"abc\""), &[Some("b"), Some("c"), Some("2"), Some("d")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("\"abc\""), &[Some("b"), Some("c"), Some("-1")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("\"abc\""), &[Some("b"), Some("c"), Some("-1")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("\"abc\""), &[Some("b"), Some("c"), Some("x")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("\"abc\""), &[Some("b"), Some("c"), Some("x")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("\"abc\""), &[Some("b"), Some("c"), Some(" 1")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("\"abc\""), &[Some("b"), Some("c"), Some(" 1")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("\"abc\""), &[Some("b"), Some("c"), Some("1 ")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("\"abc\""), &[Some("b"), Some("c"), Some("1 ")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("\"abc\""), &[Some("b"), Some("c"), Some("+1")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("\"abc\""), &[Some("b"), Some("c"), Some("+1")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("\"abc\""), &[Some("b"), Some("c"), Some("99999999999")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("\"abc\""), &[Some("b"), Some("c"), Some("99999999999")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("\"abc\""), &[Some("3"), Some("1")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("\"abc\""), &[Some("3"), Some("1")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("\"abc\""), &[Some("3"), Some("-2")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("\"abc\""), &[Some("3"), Some("-2")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("\"abc\""), &[Some("4"), Some("k")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("\"abc\""), &[Some("4"), Some("k")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("\"abc\""), &[None]).cloned(),
        "<NULL>"
    );
    pg!(jsonb_extract_path_text(&j("\"abc\""), &[None]), "<NULL>");
    pg!(
        jsonb_extract_path(&j("\"abc\""), &[Some("b"), None]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("\"abc\""), &[Some("b"), None]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("\"abc\""), &[Some("a"), Some("x")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("\"abc\""), &[Some("a"), Some("x")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("\"abc\""), &[Some("0")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("\"abc\""), &[Some("0")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("\"abc\""), &[Some("0"), Some("0"), Some("0")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("\"abc\""), &[Some("0"), Some("0"), Some("0")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("\"abc\""), &[Some("1")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("\"abc\""), &[Some("1")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("\"abc\""), &[Some("e")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("\"abc\""), &[Some("e")]),
        "<NULL>"
    );
    pg!(jsonb_extract_path(&j("1"), &[]).cloned(), "1");
    pg!(jsonb_extract_path_text(&j("1"), &[]), "1");
    pg!(jsonb_extract_path(&j("1"), &[Some("a")]).cloned(), "<NULL>");
    pg!(jsonb_extract_path_text(&j("1"), &[Some("a")]), "<NULL>");
    pg!(
        jsonb_extract_path(&j("1"), &[Some("b"), Some("c"), Some("2"), Some("d")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("1"), &[Some("b"), Some("c"), Some("2"), Some("d")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("1"), &[Some("b"), Some("c"), Some("-1")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("1"), &[Some("b"), Some("c"), Some("-1")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("1"), &[Some("b"), Some("c"), Some("x")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("1"), &[Some("b"), Some("c"), Some("x")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("1"), &[Some("b"), Some("c"), Some(" 1")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("1"), &[Some("b"), Some("c"), Some(" 1")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("1"), &[Some("b"), Some("c"), Some("1 ")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("1"), &[Some("b"), Some("c"), Some("1 ")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("1"), &[Some("b"), Some("c"), Some("+1")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("1"), &[Some("b"), Some("c"), Some("+1")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("1"), &[Some("b"), Some("c"), Some("99999999999")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("1"), &[Some("b"), Some("c"), Some("99999999999")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("1"), &[Some("3"), Some("1")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("1"), &[Some("3"), Some("1")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("1"), &[Some("3"), Some("-2")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("1"), &[Some("3"), Some("-2")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("1"), &[Some("4"), Some("k")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("1"), &[Some("4"), Some("k")]),
        "<NULL>"
    );
    pg!(jsonb_extract_path(&j("1"), &[None]).cloned(), "<NULL>");
    pg!(jsonb_extract_path_text(&j("1"), &[None]), "<NULL>");
    pg!(
        jsonb_extract_path(&j("1"), &[Some("b"), None]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("1"), &[Some("b"), None]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("1"), &[Some("a"), Some("x")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("1"), &[Some("a"), Some("x")]),
        "<NULL>"
    );
    pg!(jsonb_extract_path(&j("1"), &[Some("0")]).cloned(), "<NULL>");
    pg!(jsonb_extract_path_text(&j("1"), &[Some("0")]), "<NULL>");
    pg!(
        jsonb_extract_path(&j("1"), &[Some("0"), Some("0"), Some("0")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("1"), &[Some("0"), Some("0"), Some("0")]),
        "<NULL>"
    );
    pg!(jsonb_extract_path(&j("1"), &[Some("1")]).cloned(), "<NULL>");
    pg!(jsonb_extract_path_text(&j("1"), &[Some("1")]), "<NULL>");
    pg!(jsonb_extract_path(&j("1"), &[Some("e")]).cloned(), "<NULL>");
    pg!(jsonb_extract_path_text(&j("1"), &[Some("e")]), "<NULL>");
    pg!(jsonb_extract_path(&j("null"), &[]).cloned(), "null");
    pg!(jsonb_extract_path_text(&j("null"), &[]), "<NULL>");
    pg!(
        jsonb_extract_path(&j("null"), &[Some("a")]).cloned(),
        "<NULL>"
    );
    pg!(jsonb_extract_path_text(&j("null"), &[Some("a")]), "<NULL>");
    pg!(
        jsonb_extract_path(&j("null"), &[Some("b"), Some("c"), Some("2"), Some("d")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("null"), &[Some("b"), Some("c"), Some("2"), Some("d")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("null"), &[Some("b"), Some("c"), Some("-1")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("null"), &[Some("b"), Some("c"), Some("-1")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("null"), &[Some("b"), Some("c"), Some("x")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("null"), &[Some("b"), Some("c"), Some("x")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("null"), &[Some("b"), Some("c"), Some(" 1")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("null"), &[Some("b"), Some("c"), Some(" 1")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("null"), &[Some("b"), Some("c"), Some("1 ")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("null"), &[Some("b"), Some("c"), Some("1 ")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("null"), &[Some("b"), Some("c"), Some("+1")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("null"), &[Some("b"), Some("c"), Some("+1")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("null"), &[Some("b"), Some("c"), Some("99999999999")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("null"), &[Some("b"), Some("c"), Some("99999999999")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("null"), &[Some("3"), Some("1")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("null"), &[Some("3"), Some("1")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("null"), &[Some("3"), Some("-2")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("null"), &[Some("3"), Some("-2")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("null"), &[Some("4"), Some("k")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("null"), &[Some("4"), Some("k")]),
        "<NULL>"
    );
    pg!(jsonb_extract_path(&j("null"), &[None]).cloned(), "<NULL>");
    pg!(jsonb_extract_path_text(&j("null"), &[None]), "<NULL>");
    pg!(
        jsonb_extract_path(&j("null"), &[Some("b"), None]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("null"), &[Some("b"), None]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("null"), &[Some("a"), Some("x")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("null"), &[Some("a"), Some("x")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("null"), &[Some("0")]).cloned(),
        "<NULL>"
    );
    pg!(jsonb_extract_path_text(&j("null"), &[Some("0")]), "<NULL>");
    pg!(
        jsonb_extract_path(&j("null"), &[Some("0"), Some("0"), Some("0")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("null"), &[Some("0"), Some("0"), Some("0")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("null"), &[Some("1")]).cloned(),
        "<NULL>"
    );
    pg!(jsonb_extract_path_text(&j("null"), &[Some("1")]), "<NULL>");
    pg!(
        jsonb_extract_path(&j("null"), &[Some("e")]).cloned(),
        "<NULL>"
    );
    pg!(jsonb_extract_path_text(&j("null"), &[Some("e")]), "<NULL>");
    pg!(jsonb_extract_path(&j("{}"), &[]).cloned(), "{}");
    pg!(jsonb_extract_path_text(&j("{}"), &[]), "{}");
    pg!(
        jsonb_extract_path(&j("{}"), &[Some("a")]).cloned(),
        "<NULL>"
    );
    pg!(jsonb_extract_path_text(&j("{}"), &[Some("a")]), "<NULL>");
    pg!(
        jsonb_extract_path(&j("{}"), &[Some("b"), Some("c"), Some("2"), Some("d")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("{}"), &[Some("b"), Some("c"), Some("2"), Some("d")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("{}"), &[Some("b"), Some("c"), Some("-1")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("{}"), &[Some("b"), Some("c"), Some("-1")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("{}"), &[Some("b"), Some("c"), Some("x")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("{}"), &[Some("b"), Some("c"), Some("x")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("{}"), &[Some("b"), Some("c"), Some(" 1")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("{}"), &[Some("b"), Some("c"), Some(" 1")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("{}"), &[Some("b"), Some("c"), Some("1 ")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("{}"), &[Some("b"), Some("c"), Some("1 ")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("{}"), &[Some("b"), Some("c"), Some("+1")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("{}"), &[Some("b"), Some("c"), Some("+1")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("{}"), &[Some("b"), Some("c"), Some("99999999999")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("{}"), &[Some("b"), Some("c"), Some("99999999999")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("{}"), &[Some("3"), Some("1")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("{}"), &[Some("3"), Some("1")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("{}"), &[Some("3"), Some("-2")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("{}"), &[Some("3"), Some("-2")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("{}"), &[Some("4"), Some("k")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("{}"), &[Some("4"), Some("k")]),
        "<NULL>"
    );
    pg!(jsonb_extract_path(&j("{}"), &[None]).cloned(), "<NULL>");
    pg!(jsonb_extract_path_text(&j("{}"), &[None]), "<NULL>");
    pg!(
        jsonb_extract_path(&j("{}"), &[Some("b"), None]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("{}"), &[Some("b"), None]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("{}"), &[Some("a"), Some("x")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("{}"), &[Some("a"), Some("x")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("{}"), &[Some("0")]).cloned(),
        "<NULL>"
    );
    pg!(jsonb_extract_path_text(&j("{}"), &[Some("0")]), "<NULL>");
    pg!(
        jsonb_extract_path(&j("{}"), &[Some("0"), Some("0"), Some("0")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("{}"), &[Some("0"), Some("0"), Some("0")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("{}"), &[Some("1")]).cloned(),
        "<NULL>"
    );
    pg!(jsonb_extract_path_text(&j("{}"), &[Some("1")]), "<NULL>");
    pg!(
        jsonb_extract_path(&j("{}"), &[Some("e")]).cloned(),
        "<NULL>"
    );
    pg!(jsonb_extract_path_text(&j("{}"), &[Some("e")]), "<NULL>");
    pg!(jsonb_extract_path(&j("[]"), &[]).cloned(), "[]");
    pg!(jsonb_extract_path_text(&j("[]"), &[]), "[]");
    pg!(
        jsonb_extract_path(&j("[]"), &[Some("a")]).cloned(),
        "<NULL>"
    );
    pg!(jsonb_extract_path_text(&j("[]"), &[Some("a")]), "<NULL>");
    pg!(
        jsonb_extract_path(&j("[]"), &[Some("b"), Some("c"), Some("2"), Some("d")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[]"), &[Some("b"), Some("c"), Some("2"), Some("d")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("[]"), &[Some("b"), Some("c"), Some("-1")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[]"), &[Some("b"), Some("c"), Some("-1")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("[]"), &[Some("b"), Some("c"), Some("x")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[]"), &[Some("b"), Some("c"), Some("x")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("[]"), &[Some("b"), Some("c"), Some(" 1")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[]"), &[Some("b"), Some("c"), Some(" 1")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("[]"), &[Some("b"), Some("c"), Some("1 ")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[]"), &[Some("b"), Some("c"), Some("1 ")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("[]"), &[Some("b"), Some("c"), Some("+1")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[]"), &[Some("b"), Some("c"), Some("+1")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("[]"), &[Some("b"), Some("c"), Some("99999999999")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[]"), &[Some("b"), Some("c"), Some("99999999999")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("[]"), &[Some("3"), Some("1")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[]"), &[Some("3"), Some("1")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("[]"), &[Some("3"), Some("-2")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[]"), &[Some("3"), Some("-2")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("[]"), &[Some("4"), Some("k")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[]"), &[Some("4"), Some("k")]),
        "<NULL>"
    );
    pg!(jsonb_extract_path(&j("[]"), &[None]).cloned(), "<NULL>");
    pg!(jsonb_extract_path_text(&j("[]"), &[None]), "<NULL>");
    pg!(
        jsonb_extract_path(&j("[]"), &[Some("b"), None]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[]"), &[Some("b"), None]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("[]"), &[Some("a"), Some("x")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[]"), &[Some("a"), Some("x")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("[]"), &[Some("0")]).cloned(),
        "<NULL>"
    );
    pg!(jsonb_extract_path_text(&j("[]"), &[Some("0")]), "<NULL>");
    pg!(
        jsonb_extract_path(&j("[]"), &[Some("0"), Some("0"), Some("0")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[]"), &[Some("0"), Some("0"), Some("0")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("[]"), &[Some("1")]).cloned(),
        "<NULL>"
    );
    pg!(jsonb_extract_path_text(&j("[]"), &[Some("1")]), "<NULL>");
    pg!(
        jsonb_extract_path(&j("[]"), &[Some("e")]).cloned(),
        "<NULL>"
    );
    pg!(jsonb_extract_path_text(&j("[]"), &[Some("e")]), "<NULL>");
    pg!(
        jsonb_extract_path(&j("{\"\":0,\"1\":\"one\"}"), &[]).cloned(),
        "{\"\": 0, \"1\": \"one\"}"
    );
    pg!(
        jsonb_extract_path_text(&j("{\"\":0,\"1\":\"one\"}"), &[]),
        "{\"\": 0, \"1\": \"one\"}"
    );
    pg!(
        jsonb_extract_path(&j("{\"\":0,\"1\":\"one\"}"), &[Some("a")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("{\"\":0,\"1\":\"one\"}"), &[Some("a")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("{\"\":0,\"1\":\"one\"}"),
            &[Some("b"), Some("c"), Some("2"), Some("d")]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("{\"\":0,\"1\":\"one\"}"),
            &[Some("b"), Some("c"), Some("2"), Some("d")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("{\"\":0,\"1\":\"one\"}"),
            &[Some("b"), Some("c"), Some("-1")]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("{\"\":0,\"1\":\"one\"}"),
            &[Some("b"), Some("c"), Some("-1")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("{\"\":0,\"1\":\"one\"}"),
            &[Some("b"), Some("c"), Some("x")]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("{\"\":0,\"1\":\"one\"}"),
            &[Some("b"), Some("c"), Some("x")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("{\"\":0,\"1\":\"one\"}"),
            &[Some("b"), Some("c"), Some(" 1")]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("{\"\":0,\"1\":\"one\"}"),
            &[Some("b"), Some("c"), Some(" 1")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("{\"\":0,\"1\":\"one\"}"),
            &[Some("b"), Some("c"), Some("1 ")]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("{\"\":0,\"1\":\"one\"}"),
            &[Some("b"), Some("c"), Some("1 ")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("{\"\":0,\"1\":\"one\"}"),
            &[Some("b"), Some("c"), Some("+1")]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("{\"\":0,\"1\":\"one\"}"),
            &[Some("b"), Some("c"), Some("+1")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("{\"\":0,\"1\":\"one\"}"),
            &[Some("b"), Some("c"), Some("99999999999")]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("{\"\":0,\"1\":\"one\"}"),
            &[Some("b"), Some("c"), Some("99999999999")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("{\"\":0,\"1\":\"one\"}"), &[Some("3"), Some("1")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("{\"\":0,\"1\":\"one\"}"), &[Some("3"), Some("1")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("{\"\":0,\"1\":\"one\"}"), &[Some("3"), Some("-2")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("{\"\":0,\"1\":\"one\"}"), &[Some("3"), Some("-2")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("{\"\":0,\"1\":\"one\"}"), &[Some("4"), Some("k")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("{\"\":0,\"1\":\"one\"}"), &[Some("4"), Some("k")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("{\"\":0,\"1\":\"one\"}"), &[None]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("{\"\":0,\"1\":\"one\"}"), &[None]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("{\"\":0,\"1\":\"one\"}"), &[Some("b"), None]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("{\"\":0,\"1\":\"one\"}"), &[Some("b"), None]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("{\"\":0,\"1\":\"one\"}"), &[Some("a"), Some("x")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("{\"\":0,\"1\":\"one\"}"), &[Some("a"), Some("x")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("{\"\":0,\"1\":\"one\"}"), &[Some("0")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("{\"\":0,\"1\":\"one\"}"), &[Some("0")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("{\"\":0,\"1\":\"one\"}"),
            &[Some("0"), Some("0"), Some("0")]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("{\"\":0,\"1\":\"one\"}"),
            &[Some("0"), Some("0"), Some("0")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("{\"\":0,\"1\":\"one\"}"), &[Some("1")]).cloned(),
        "\"one\""
    );
    pg!(
        jsonb_extract_path_text(&j("{\"\":0,\"1\":\"one\"}"), &[Some("1")]),
        "one"
    );
    pg!(
        jsonb_extract_path(&j("{\"\":0,\"1\":\"one\"}"), &[Some("e")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("{\"\":0,\"1\":\"one\"}"), &[Some("e")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("[[[\"deep\"]]]"), &[]).cloned(),
        "[[[\"deep\"]]]"
    );
    pg!(
        jsonb_extract_path_text(&j("[[[\"deep\"]]]"), &[]),
        "[[[\"deep\"]]]"
    );
    pg!(
        jsonb_extract_path(&j("[[[\"deep\"]]]"), &[Some("a")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[[[\"deep\"]]]"), &[Some("a")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("[[[\"deep\"]]]"),
            &[Some("b"), Some("c"), Some("2"), Some("d")]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("[[[\"deep\"]]]"),
            &[Some("b"), Some("c"), Some("2"), Some("d")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("[[[\"deep\"]]]"), &[Some("b"), Some("c"), Some("-1")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[[[\"deep\"]]]"), &[Some("b"), Some("c"), Some("-1")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("[[[\"deep\"]]]"), &[Some("b"), Some("c"), Some("x")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[[[\"deep\"]]]"), &[Some("b"), Some("c"), Some("x")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("[[[\"deep\"]]]"), &[Some("b"), Some("c"), Some(" 1")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[[[\"deep\"]]]"), &[Some("b"), Some("c"), Some(" 1")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("[[[\"deep\"]]]"), &[Some("b"), Some("c"), Some("1 ")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[[[\"deep\"]]]"), &[Some("b"), Some("c"), Some("1 ")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("[[[\"deep\"]]]"), &[Some("b"), Some("c"), Some("+1")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[[[\"deep\"]]]"), &[Some("b"), Some("c"), Some("+1")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(
            &j("[[[\"deep\"]]]"),
            &[Some("b"), Some("c"), Some("99999999999")]
        )
        .cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(
            &j("[[[\"deep\"]]]"),
            &[Some("b"), Some("c"), Some("99999999999")]
        ),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("[[[\"deep\"]]]"), &[Some("3"), Some("1")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[[[\"deep\"]]]"), &[Some("3"), Some("1")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("[[[\"deep\"]]]"), &[Some("3"), Some("-2")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[[[\"deep\"]]]"), &[Some("3"), Some("-2")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("[[[\"deep\"]]]"), &[Some("4"), Some("k")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[[[\"deep\"]]]"), &[Some("4"), Some("k")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("[[[\"deep\"]]]"), &[None]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[[[\"deep\"]]]"), &[None]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("[[[\"deep\"]]]"), &[Some("b"), None]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[[[\"deep\"]]]"), &[Some("b"), None]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("[[[\"deep\"]]]"), &[Some("a"), Some("x")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[[[\"deep\"]]]"), &[Some("a"), Some("x")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("[[[\"deep\"]]]"), &[Some("0")]).cloned(),
        "[[\"deep\"]]"
    );
    pg!(
        jsonb_extract_path_text(&j("[[[\"deep\"]]]"), &[Some("0")]),
        "[[\"deep\"]]"
    );
    pg!(
        jsonb_extract_path(&j("[[[\"deep\"]]]"), &[Some("0"), Some("0"), Some("0")]).cloned(),
        "\"deep\""
    );
    pg!(
        jsonb_extract_path_text(&j("[[[\"deep\"]]]"), &[Some("0"), Some("0"), Some("0")]),
        "deep"
    );
    pg!(
        jsonb_extract_path(&j("[[[\"deep\"]]]"), &[Some("1")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[[[\"deep\"]]]"), &[Some("1")]),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path(&j("[[[\"deep\"]]]"), &[Some("e")]).cloned(),
        "<NULL>"
    );
    pg!(
        jsonb_extract_path_text(&j("[[[\"deep\"]]]"), &[Some("e")]),
        "<NULL>"
    );
}

#[test]
fn containment() {
    pg!(jsonb_contains(&j("[1,2,[3]]"), &j("[[3]]")), "t");
    pg!(jsonb_contained(&j("[[3]]"), &j("[1,2,[3]]")), "t");
    pg!(jsonb_contains(&j("[1,2,[3]]"), &j("[3]")), "f");
    pg!(jsonb_contained(&j("[3]"), &j("[1,2,[3]]")), "f");
    pg!(jsonb_contains(&j("[1,2,3]"), &j("3")), "t");
    pg!(jsonb_contained(&j("3"), &j("[1,2,3]")), "t");
    pg!(jsonb_contains(&j("3"), &j("[3]")), "f");
    pg!(jsonb_contained(&j("[3]"), &j("3")), "f");
    pg!(jsonb_contains(&j("[[1,2]]"), &j("[1]")), "f");
    pg!(jsonb_contained(&j("[1]"), &j("[[1,2]]")), "f");
    pg!(jsonb_contains(&j("[[1,2]]"), &j("[[1]]")), "t");
    pg!(jsonb_contained(&j("[[1]]"), &j("[[1,2]]")), "t");
    pg!(
        jsonb_contains(&j("{\"a\":[1,2]}"), &j("{\"a\":[2,2,1]}")),
        "t"
    );
    pg!(
        jsonb_contained(&j("{\"a\":[2,2,1]}"), &j("{\"a\":[1,2]}")),
        "t"
    );
    pg!(
        jsonb_contains(&j("{\"a\":{\"b\":1,\"c\":2}}"), &j("{\"a\":{\"b\":1}}")),
        "t"
    );
    pg!(
        jsonb_contained(&j("{\"a\":{\"b\":1}}"), &j("{\"a\":{\"b\":1,\"c\":2}}")),
        "t"
    );
    pg!(jsonb_contains(&j("{\"a\":1}"), &j("{}")), "t");
    pg!(jsonb_contained(&j("{}"), &j("{\"a\":1}")), "t");
    pg!(jsonb_contains(&j("[]"), &j("[]")), "t");
    pg!(jsonb_contained(&j("[]"), &j("[]")), "t");
    pg!(jsonb_contains(&j("{}"), &j("[]")), "f");
    pg!(jsonb_contained(&j("[]"), &j("{}")), "f");
    pg!(jsonb_contains(&j("[]"), &j("{}")), "f");
    pg!(jsonb_contained(&j("{}"), &j("[]")), "f");
    pg!(jsonb_contains(&j("[1]"), &j("1.0")), "t");
    pg!(jsonb_contained(&j("1.0"), &j("[1]")), "t");
    pg!(jsonb_contains(&j("1"), &j("1.00")), "t");
    pg!(jsonb_contained(&j("1.00"), &j("1")), "t");
    pg!(jsonb_contains(&j("\"a\""), &j("\"a\"")), "t");
    pg!(jsonb_contained(&j("\"a\""), &j("\"a\"")), "t");
    pg!(jsonb_contains(&j("\"a\""), &j("[\"a\"]")), "f");
    pg!(jsonb_contained(&j("[\"a\"]"), &j("\"a\"")), "f");
    pg!(
        jsonb_contains(&j("[{\"a\":1,\"b\":2}]"), &j("[{\"a\":1}]")),
        "t"
    );
    pg!(
        jsonb_contained(&j("[{\"a\":1}]"), &j("[{\"a\":1,\"b\":2}]")),
        "t"
    );
    pg!(
        jsonb_contains(&j("{\"a\":1}"), &j("{\"a\":1,\"b\":2}")),
        "f"
    );
    pg!(
        jsonb_contained(&j("{\"a\":1,\"b\":2}"), &j("{\"a\":1}")),
        "f"
    );
    pg!(jsonb_contains(&j("{\"a\":[1]}"), &j("{\"a\":1}")), "f");
    pg!(jsonb_contained(&j("{\"a\":1}"), &j("{\"a\":[1]}")), "f");
    pg!(jsonb_contains(&j("{\"a\":1}"), &j("{\"a\":[1]}")), "f");
    pg!(jsonb_contained(&j("{\"a\":[1]}"), &j("{\"a\":1}")), "f");
    pg!(
        jsonb_contains(
            &j("{\"a\":{\"b\":[1,{\"c\":2}]}}"),
            &j("{\"a\":{\"b\":[{\"c\":2}]}}")
        ),
        "t"
    );
    pg!(
        jsonb_contained(
            &j("{\"a\":{\"b\":[{\"c\":2}]}}"),
            &j("{\"a\":{\"b\":[1,{\"c\":2}]}}")
        ),
        "t"
    );
    pg!(jsonb_contains(&j("null"), &j("null")), "t");
    pg!(jsonb_contained(&j("null"), &j("null")), "t");
    pg!(jsonb_contains(&j("[null]"), &j("null")), "t");
    pg!(jsonb_contained(&j("null"), &j("[null]")), "t");
    pg!(jsonb_contains(&j("{\"a\":null}"), &j("{\"a\":null}")), "t");
    pg!(jsonb_contained(&j("{\"a\":null}"), &j("{\"a\":null}")), "t");
    pg!(jsonb_contains(&j("[1,\"1\"]"), &j("[\"1\"]")), "t");
    pg!(jsonb_contained(&j("[\"1\"]"), &j("[1,\"1\"]")), "t");
    pg!(jsonb_contains(&j("[\"1\"]"), &j("[1]")), "f");
    pg!(jsonb_contained(&j("[1]"), &j("[\"1\"]")), "f");
    pg!(jsonb_contains(&j("[{\"a\":[]}]"), &j("[{}]")), "t");
    pg!(jsonb_contained(&j("[{}]"), &j("[{\"a\":[]}]")), "t");
    pg!(jsonb_contains(&j("[{}]"), &j("[[]]")), "f");
    pg!(jsonb_contained(&j("[[]]"), &j("[{}]")), "f");
    pg!(jsonb_contains(&j("[[]]"), &j("[[]]")), "t");
    pg!(jsonb_contained(&j("[[]]"), &j("[[]]")), "t");
    pg!(jsonb_contains(&j("true"), &j("true")), "t");
    pg!(jsonb_contained(&j("true"), &j("true")), "t");
    pg!(jsonb_contains(&j("[true]"), &j("[false]")), "f");
    pg!(jsonb_contained(&j("[false]"), &j("[true]")), "f");
    pg!(
        jsonb_contains(&j("{\"a\":[[1,2],[3]]}"), &j("{\"a\":[[3,3]]}")),
        "t"
    );
    pg!(
        jsonb_contained(&j("{\"a\":[[3,3]]}"), &j("{\"a\":[[1,2],[3]]}")),
        "t"
    );
    pg!(jsonb_contains(&j("[1,2,3]"), &j("[]")), "t");
    pg!(jsonb_contained(&j("[]"), &j("[1,2,3]")), "t");
    pg!(jsonb_contains(&j("{\"a\":{}}"), &j("{\"a\":[]}")), "f");
    pg!(jsonb_contained(&j("{\"a\":[]}"), &j("{\"a\":{}}")), "f");
}

#[test]
fn key_existence() {
    pg!(jsonb_exists(&j("[\"a\",{\"a\":1}]"), "a"), "t");
    pg!(jsonb_exists(&j("[\"a\",{\"a\":1}]"), "b"), "f");
    pg!(jsonb_exists(&j("[\"a\",{\"a\":1}]"), "1"), "f");
    pg!(jsonb_exists(&j("[\"a\",{\"a\":1}]"), ""), "f");
    pg!(
        jsonb_exists_any(&j("[\"a\",{\"a\":1}]"), &[Some("x"), Some("b")]),
        "f"
    );
    pg!(
        jsonb_exists_all(&j("[\"a\",{\"a\":1}]"), &[Some("x"), Some("b")]),
        "f"
    );
    pg!(
        jsonb_exists_any(&j("[\"a\",{\"a\":1}]"), &[Some("a"), Some("b")]),
        "t"
    );
    pg!(
        jsonb_exists_all(&j("[\"a\",{\"a\":1}]"), &[Some("a"), Some("b")]),
        "f"
    );
    pg!(jsonb_exists_any(&j("[\"a\",{\"a\":1}]"), &[]), "f");
    pg!(jsonb_exists_all(&j("[\"a\",{\"a\":1}]"), &[]), "t");
    pg!(
        jsonb_exists_any(&j("[\"a\",{\"a\":1}]"), &[None, Some("a")]),
        "t"
    );
    pg!(
        jsonb_exists_all(&j("[\"a\",{\"a\":1}]"), &[None, Some("a")]),
        "t"
    );
    pg!(jsonb_exists_any(&j("[\"a\",{\"a\":1}]"), &[None]), "f");
    pg!(jsonb_exists_all(&j("[\"a\",{\"a\":1}]"), &[None]), "t");
    pg!(jsonb_exists_any(&j("[\"a\",{\"a\":1}]"), &[Some("a")]), "t");
    pg!(jsonb_exists_all(&j("[\"a\",{\"a\":1}]"), &[Some("a")]), "t");
    pg!(jsonb_exists(&j("\"a\""), "a"), "t");
    pg!(jsonb_exists(&j("\"a\""), "b"), "f");
    pg!(jsonb_exists(&j("\"a\""), "1"), "f");
    pg!(jsonb_exists(&j("\"a\""), ""), "f");
    pg!(jsonb_exists_any(&j("\"a\""), &[Some("x"), Some("b")]), "f");
    pg!(jsonb_exists_all(&j("\"a\""), &[Some("x"), Some("b")]), "f");
    pg!(jsonb_exists_any(&j("\"a\""), &[Some("a"), Some("b")]), "t");
    pg!(jsonb_exists_all(&j("\"a\""), &[Some("a"), Some("b")]), "f");
    pg!(jsonb_exists_any(&j("\"a\""), &[]), "f");
    pg!(jsonb_exists_all(&j("\"a\""), &[]), "t");
    pg!(jsonb_exists_any(&j("\"a\""), &[None, Some("a")]), "t");
    pg!(jsonb_exists_all(&j("\"a\""), &[None, Some("a")]), "t");
    pg!(jsonb_exists_any(&j("\"a\""), &[None]), "f");
    pg!(jsonb_exists_all(&j("\"a\""), &[None]), "t");
    pg!(jsonb_exists_any(&j("\"a\""), &[Some("a")]), "t");
    pg!(jsonb_exists_all(&j("\"a\""), &[Some("a")]), "t");
    pg!(jsonb_exists(&j("{\"a\":null,\"b\":2}"), "a"), "t");
    pg!(jsonb_exists(&j("{\"a\":null,\"b\":2}"), "b"), "t");
    pg!(jsonb_exists(&j("{\"a\":null,\"b\":2}"), "1"), "f");
    pg!(jsonb_exists(&j("{\"a\":null,\"b\":2}"), ""), "f");
    pg!(
        jsonb_exists_any(&j("{\"a\":null,\"b\":2}"), &[Some("x"), Some("b")]),
        "t"
    );
    pg!(
        jsonb_exists_all(&j("{\"a\":null,\"b\":2}"), &[Some("x"), Some("b")]),
        "f"
    );
    pg!(
        jsonb_exists_any(&j("{\"a\":null,\"b\":2}"), &[Some("a"), Some("b")]),
        "t"
    );
    pg!(
        jsonb_exists_all(&j("{\"a\":null,\"b\":2}"), &[Some("a"), Some("b")]),
        "t"
    );
    pg!(jsonb_exists_any(&j("{\"a\":null,\"b\":2}"), &[]), "f");
    pg!(jsonb_exists_all(&j("{\"a\":null,\"b\":2}"), &[]), "t");
    pg!(
        jsonb_exists_any(&j("{\"a\":null,\"b\":2}"), &[None, Some("a")]),
        "t"
    );
    pg!(
        jsonb_exists_all(&j("{\"a\":null,\"b\":2}"), &[None, Some("a")]),
        "t"
    );
    pg!(jsonb_exists_any(&j("{\"a\":null,\"b\":2}"), &[None]), "f");
    pg!(jsonb_exists_all(&j("{\"a\":null,\"b\":2}"), &[None]), "t");
    pg!(
        jsonb_exists_any(&j("{\"a\":null,\"b\":2}"), &[Some("a")]),
        "t"
    );
    pg!(
        jsonb_exists_all(&j("{\"a\":null,\"b\":2}"), &[Some("a")]),
        "t"
    );
    pg!(jsonb_exists(&j("[[\"a\"]]"), "a"), "f");
    pg!(jsonb_exists(&j("[[\"a\"]]"), "b"), "f");
    pg!(jsonb_exists(&j("[[\"a\"]]"), "1"), "f");
    pg!(jsonb_exists(&j("[[\"a\"]]"), ""), "f");
    pg!(
        jsonb_exists_any(&j("[[\"a\"]]"), &[Some("x"), Some("b")]),
        "f"
    );
    pg!(
        jsonb_exists_all(&j("[[\"a\"]]"), &[Some("x"), Some("b")]),
        "f"
    );
    pg!(
        jsonb_exists_any(&j("[[\"a\"]]"), &[Some("a"), Some("b")]),
        "f"
    );
    pg!(
        jsonb_exists_all(&j("[[\"a\"]]"), &[Some("a"), Some("b")]),
        "f"
    );
    pg!(jsonb_exists_any(&j("[[\"a\"]]"), &[]), "f");
    pg!(jsonb_exists_all(&j("[[\"a\"]]"), &[]), "t");
    pg!(jsonb_exists_any(&j("[[\"a\"]]"), &[None, Some("a")]), "f");
    pg!(jsonb_exists_all(&j("[[\"a\"]]"), &[None, Some("a")]), "f");
    pg!(jsonb_exists_any(&j("[[\"a\"]]"), &[None]), "f");
    pg!(jsonb_exists_all(&j("[[\"a\"]]"), &[None]), "t");
    pg!(jsonb_exists_any(&j("[[\"a\"]]"), &[Some("a")]), "f");
    pg!(jsonb_exists_all(&j("[[\"a\"]]"), &[Some("a")]), "f");
    pg!(jsonb_exists(&j("[1,\"b\"]"), "a"), "f");
    pg!(jsonb_exists(&j("[1,\"b\"]"), "b"), "t");
    pg!(jsonb_exists(&j("[1,\"b\"]"), "1"), "f");
    pg!(jsonb_exists(&j("[1,\"b\"]"), ""), "f");
    pg!(
        jsonb_exists_any(&j("[1,\"b\"]"), &[Some("x"), Some("b")]),
        "t"
    );
    pg!(
        jsonb_exists_all(&j("[1,\"b\"]"), &[Some("x"), Some("b")]),
        "f"
    );
    pg!(
        jsonb_exists_any(&j("[1,\"b\"]"), &[Some("a"), Some("b")]),
        "t"
    );
    pg!(
        jsonb_exists_all(&j("[1,\"b\"]"), &[Some("a"), Some("b")]),
        "f"
    );
    pg!(jsonb_exists_any(&j("[1,\"b\"]"), &[]), "f");
    pg!(jsonb_exists_all(&j("[1,\"b\"]"), &[]), "t");
    pg!(jsonb_exists_any(&j("[1,\"b\"]"), &[None, Some("a")]), "f");
    pg!(jsonb_exists_all(&j("[1,\"b\"]"), &[None, Some("a")]), "f");
    pg!(jsonb_exists_any(&j("[1,\"b\"]"), &[None]), "f");
    pg!(jsonb_exists_all(&j("[1,\"b\"]"), &[None]), "t");
    pg!(jsonb_exists_any(&j("[1,\"b\"]"), &[Some("a")]), "f");
    pg!(jsonb_exists_all(&j("[1,\"b\"]"), &[Some("a")]), "f");
    pg!(jsonb_exists(&j("{}"), "a"), "f");
    pg!(jsonb_exists(&j("{}"), "b"), "f");
    pg!(jsonb_exists(&j("{}"), "1"), "f");
    pg!(jsonb_exists(&j("{}"), ""), "f");
    pg!(jsonb_exists_any(&j("{}"), &[Some("x"), Some("b")]), "f");
    pg!(jsonb_exists_all(&j("{}"), &[Some("x"), Some("b")]), "f");
    pg!(jsonb_exists_any(&j("{}"), &[Some("a"), Some("b")]), "f");
    pg!(jsonb_exists_all(&j("{}"), &[Some("a"), Some("b")]), "f");
    pg!(jsonb_exists_any(&j("{}"), &[]), "f");
    pg!(jsonb_exists_all(&j("{}"), &[]), "t");
    pg!(jsonb_exists_any(&j("{}"), &[None, Some("a")]), "f");
    pg!(jsonb_exists_all(&j("{}"), &[None, Some("a")]), "f");
    pg!(jsonb_exists_any(&j("{}"), &[None]), "f");
    pg!(jsonb_exists_all(&j("{}"), &[None]), "t");
    pg!(jsonb_exists_any(&j("{}"), &[Some("a")]), "f");
    pg!(jsonb_exists_all(&j("{}"), &[Some("a")]), "f");
    pg!(jsonb_exists(&j("1"), "a"), "f");
    pg!(jsonb_exists(&j("1"), "b"), "f");
    pg!(jsonb_exists(&j("1"), "1"), "f");
    pg!(jsonb_exists(&j("1"), ""), "f");
    pg!(jsonb_exists_any(&j("1"), &[Some("x"), Some("b")]), "f");
    pg!(jsonb_exists_all(&j("1"), &[Some("x"), Some("b")]), "f");
    pg!(jsonb_exists_any(&j("1"), &[Some("a"), Some("b")]), "f");
    pg!(jsonb_exists_all(&j("1"), &[Some("a"), Some("b")]), "f");
    pg!(jsonb_exists_any(&j("1"), &[]), "f");
    pg!(jsonb_exists_all(&j("1"), &[]), "t");
    pg!(jsonb_exists_any(&j("1"), &[None, Some("a")]), "f");
    pg!(jsonb_exists_all(&j("1"), &[None, Some("a")]), "f");
    pg!(jsonb_exists_any(&j("1"), &[None]), "f");
    pg!(jsonb_exists_all(&j("1"), &[None]), "t");
    pg!(jsonb_exists_any(&j("1"), &[Some("a")]), "f");
    pg!(jsonb_exists_all(&j("1"), &[Some("a")]), "f");
    pg!(jsonb_exists(&j("null"), "a"), "f");
    pg!(jsonb_exists(&j("null"), "b"), "f");
    pg!(jsonb_exists(&j("null"), "1"), "f");
    pg!(jsonb_exists(&j("null"), ""), "f");
    pg!(jsonb_exists_any(&j("null"), &[Some("x"), Some("b")]), "f");
    pg!(jsonb_exists_all(&j("null"), &[Some("x"), Some("b")]), "f");
    pg!(jsonb_exists_any(&j("null"), &[Some("a"), Some("b")]), "f");
    pg!(jsonb_exists_all(&j("null"), &[Some("a"), Some("b")]), "f");
    pg!(jsonb_exists_any(&j("null"), &[]), "f");
    pg!(jsonb_exists_all(&j("null"), &[]), "t");
    pg!(jsonb_exists_any(&j("null"), &[None, Some("a")]), "f");
    pg!(jsonb_exists_all(&j("null"), &[None, Some("a")]), "f");
    pg!(jsonb_exists_any(&j("null"), &[None]), "f");
    pg!(jsonb_exists_all(&j("null"), &[None]), "t");
    pg!(jsonb_exists_any(&j("null"), &[Some("a")]), "f");
    pg!(jsonb_exists_all(&j("null"), &[Some("a")]), "f");
}

#[test]
fn concatenation() {
    pg!(jsonb_concat(&j("[1,2]"), &j("[1,2]")), "[1, 2, 1, 2]");
    pg!(jsonb_concat(&j("[1,2]"), &j("3")), "[1, 2, 3]");
    pg!(jsonb_concat(&j("[1,2]"), &j("\"x\"")), "[1, 2, \"x\"]");
    pg!(
        jsonb_concat(&j("[1,2]"), &j("{\"a\":1,\"b\":2}")),
        "[1, 2, {\"a\": 1, \"b\": 2}]"
    );
    pg!(
        jsonb_concat(&j("[1,2]"), &j("{\"b\":3,\"c\":4}")),
        "[1, 2, {\"b\": 3, \"c\": 4}]"
    );
    pg!(jsonb_concat(&j("[1,2]"), &j("[]")), "[1, 2]");
    pg!(jsonb_concat(&j("[1,2]"), &j("{}")), "[1, 2, {}]");
    pg!(jsonb_concat(&j("[1,2]"), &j("null")), "[1, 2, null]");
    pg!(jsonb_concat(&j("[1,2]"), &j("[[1]]")), "[1, 2, [1]]");
    pg!(jsonb_concat(&j("3"), &j("[1,2]")), "[3, 1, 2]");
    pg!(jsonb_concat(&j("3"), &j("3")), "[3, 3]");
    pg!(jsonb_concat(&j("3"), &j("\"x\"")), "[3, \"x\"]");
    pg!(
        jsonb_concat(&j("3"), &j("{\"a\":1,\"b\":2}")),
        "[3, {\"a\": 1, \"b\": 2}]"
    );
    pg!(
        jsonb_concat(&j("3"), &j("{\"b\":3,\"c\":4}")),
        "[3, {\"b\": 3, \"c\": 4}]"
    );
    pg!(jsonb_concat(&j("3"), &j("[]")), "[3]");
    pg!(jsonb_concat(&j("3"), &j("{}")), "[3, {}]");
    pg!(jsonb_concat(&j("3"), &j("null")), "[3, null]");
    pg!(jsonb_concat(&j("3"), &j("[[1]]")), "[3, [1]]");
    pg!(jsonb_concat(&j("\"x\""), &j("[1,2]")), "[\"x\", 1, 2]");
    pg!(jsonb_concat(&j("\"x\""), &j("3")), "[\"x\", 3]");
    pg!(jsonb_concat(&j("\"x\""), &j("\"x\"")), "[\"x\", \"x\"]");
    pg!(
        jsonb_concat(&j("\"x\""), &j("{\"a\":1,\"b\":2}")),
        "[\"x\", {\"a\": 1, \"b\": 2}]"
    );
    pg!(
        jsonb_concat(&j("\"x\""), &j("{\"b\":3,\"c\":4}")),
        "[\"x\", {\"b\": 3, \"c\": 4}]"
    );
    pg!(jsonb_concat(&j("\"x\""), &j("[]")), "[\"x\"]");
    pg!(jsonb_concat(&j("\"x\""), &j("{}")), "[\"x\", {}]");
    pg!(jsonb_concat(&j("\"x\""), &j("null")), "[\"x\", null]");
    pg!(jsonb_concat(&j("\"x\""), &j("[[1]]")), "[\"x\", [1]]");
    pg!(
        jsonb_concat(&j("{\"a\":1,\"b\":2}"), &j("[1,2]")),
        "[{\"a\": 1, \"b\": 2}, 1, 2]"
    );
    pg!(
        jsonb_concat(&j("{\"a\":1,\"b\":2}"), &j("3")),
        "[{\"a\": 1, \"b\": 2}, 3]"
    );
    pg!(
        jsonb_concat(&j("{\"a\":1,\"b\":2}"), &j("\"x\"")),
        "[{\"a\": 1, \"b\": 2}, \"x\"]"
    );
    pg!(
        jsonb_concat(&j("{\"a\":1,\"b\":2}"), &j("{\"a\":1,\"b\":2}")),
        "{\"a\": 1, \"b\": 2}"
    );
    pg!(
        jsonb_concat(&j("{\"a\":1,\"b\":2}"), &j("{\"b\":3,\"c\":4}")),
        "{\"a\": 1, \"b\": 3, \"c\": 4}"
    );
    pg!(
        jsonb_concat(&j("{\"a\":1,\"b\":2}"), &j("[]")),
        "[{\"a\": 1, \"b\": 2}]"
    );
    pg!(
        jsonb_concat(&j("{\"a\":1,\"b\":2}"), &j("{}")),
        "{\"a\": 1, \"b\": 2}"
    );
    pg!(
        jsonb_concat(&j("{\"a\":1,\"b\":2}"), &j("null")),
        "[{\"a\": 1, \"b\": 2}, null]"
    );
    pg!(
        jsonb_concat(&j("{\"a\":1,\"b\":2}"), &j("[[1]]")),
        "[{\"a\": 1, \"b\": 2}, [1]]"
    );
    pg!(
        jsonb_concat(&j("{\"b\":3,\"c\":4}"), &j("[1,2]")),
        "[{\"b\": 3, \"c\": 4}, 1, 2]"
    );
    pg!(
        jsonb_concat(&j("{\"b\":3,\"c\":4}"), &j("3")),
        "[{\"b\": 3, \"c\": 4}, 3]"
    );
    pg!(
        jsonb_concat(&j("{\"b\":3,\"c\":4}"), &j("\"x\"")),
        "[{\"b\": 3, \"c\": 4}, \"x\"]"
    );
    pg!(
        jsonb_concat(&j("{\"b\":3,\"c\":4}"), &j("{\"a\":1,\"b\":2}")),
        "{\"a\": 1, \"b\": 2, \"c\": 4}"
    );
    pg!(
        jsonb_concat(&j("{\"b\":3,\"c\":4}"), &j("{\"b\":3,\"c\":4}")),
        "{\"b\": 3, \"c\": 4}"
    );
    pg!(
        jsonb_concat(&j("{\"b\":3,\"c\":4}"), &j("[]")),
        "[{\"b\": 3, \"c\": 4}]"
    );
    pg!(
        jsonb_concat(&j("{\"b\":3,\"c\":4}"), &j("{}")),
        "{\"b\": 3, \"c\": 4}"
    );
    pg!(
        jsonb_concat(&j("{\"b\":3,\"c\":4}"), &j("null")),
        "[{\"b\": 3, \"c\": 4}, null]"
    );
    pg!(
        jsonb_concat(&j("{\"b\":3,\"c\":4}"), &j("[[1]]")),
        "[{\"b\": 3, \"c\": 4}, [1]]"
    );
    pg!(jsonb_concat(&j("[]"), &j("[1,2]")), "[1, 2]");
    pg!(jsonb_concat(&j("[]"), &j("3")), "[3]");
    pg!(jsonb_concat(&j("[]"), &j("\"x\"")), "[\"x\"]");
    pg!(
        jsonb_concat(&j("[]"), &j("{\"a\":1,\"b\":2}")),
        "[{\"a\": 1, \"b\": 2}]"
    );
    pg!(
        jsonb_concat(&j("[]"), &j("{\"b\":3,\"c\":4}")),
        "[{\"b\": 3, \"c\": 4}]"
    );
    pg!(jsonb_concat(&j("[]"), &j("[]")), "[]");
    pg!(jsonb_concat(&j("[]"), &j("{}")), "[{}]");
    pg!(jsonb_concat(&j("[]"), &j("null")), "[null]");
    pg!(jsonb_concat(&j("[]"), &j("[[1]]")), "[[1]]");
    pg!(jsonb_concat(&j("{}"), &j("[1,2]")), "[{}, 1, 2]");
    pg!(jsonb_concat(&j("{}"), &j("3")), "[{}, 3]");
    pg!(jsonb_concat(&j("{}"), &j("\"x\"")), "[{}, \"x\"]");
    pg!(
        jsonb_concat(&j("{}"), &j("{\"a\":1,\"b\":2}")),
        "{\"a\": 1, \"b\": 2}"
    );
    pg!(
        jsonb_concat(&j("{}"), &j("{\"b\":3,\"c\":4}")),
        "{\"b\": 3, \"c\": 4}"
    );
    pg!(jsonb_concat(&j("{}"), &j("[]")), "[{}]");
    pg!(jsonb_concat(&j("{}"), &j("{}")), "{}");
    pg!(jsonb_concat(&j("{}"), &j("null")), "[{}, null]");
    pg!(jsonb_concat(&j("{}"), &j("[[1]]")), "[{}, [1]]");
    pg!(jsonb_concat(&j("null"), &j("[1,2]")), "[null, 1, 2]");
    pg!(jsonb_concat(&j("null"), &j("3")), "[null, 3]");
    pg!(jsonb_concat(&j("null"), &j("\"x\"")), "[null, \"x\"]");
    pg!(
        jsonb_concat(&j("null"), &j("{\"a\":1,\"b\":2}")),
        "[null, {\"a\": 1, \"b\": 2}]"
    );
    pg!(
        jsonb_concat(&j("null"), &j("{\"b\":3,\"c\":4}")),
        "[null, {\"b\": 3, \"c\": 4}]"
    );
    pg!(jsonb_concat(&j("null"), &j("[]")), "[null]");
    pg!(jsonb_concat(&j("null"), &j("{}")), "[null, {}]");
    pg!(jsonb_concat(&j("null"), &j("null")), "[null, null]");
    pg!(jsonb_concat(&j("null"), &j("[[1]]")), "[null, [1]]");
    pg!(jsonb_concat(&j("[[1]]"), &j("[1,2]")), "[[1], 1, 2]");
    pg!(jsonb_concat(&j("[[1]]"), &j("3")), "[[1], 3]");
    pg!(jsonb_concat(&j("[[1]]"), &j("\"x\"")), "[[1], \"x\"]");
    pg!(
        jsonb_concat(&j("[[1]]"), &j("{\"a\":1,\"b\":2}")),
        "[[1], {\"a\": 1, \"b\": 2}]"
    );
    pg!(
        jsonb_concat(&j("[[1]]"), &j("{\"b\":3,\"c\":4}")),
        "[[1], {\"b\": 3, \"c\": 4}]"
    );
    pg!(jsonb_concat(&j("[[1]]"), &j("[]")), "[[1]]");
    pg!(jsonb_concat(&j("[[1]]"), &j("{}")), "[[1], {}]");
    pg!(jsonb_concat(&j("[[1]]"), &j("null")), "[[1], null]");
    pg!(jsonb_concat(&j("[[1]]"), &j("[[1]]")), "[[1], [1]]");
}

#[test]
fn deletion() {
    pg!(
        jsonb_delete(&j("{\"a\":1,\"b\":2,\"c\":3}"), "a"),
        "{\"b\": 2, \"c\": 3}"
    );
    pg!(
        jsonb_delete(&j("{\"a\":1,\"b\":2,\"c\":3}"), "zz"),
        "{\"a\": 1, \"b\": 2, \"c\": 3}"
    );
    pg!(
        jsonb_delete_array(
            &j("{\"a\":1,\"b\":2,\"c\":3}"),
            &[Some("a"), Some("c"), Some("zz")]
        ),
        "{\"b\": 2}"
    );
    pg!(
        jsonb_delete_array(&j("{\"a\":1,\"b\":2,\"c\":3}"), &[]),
        "{\"a\": 1, \"b\": 2, \"c\": 3}"
    );
    pg!(
        jsonb_delete_array(&j("{\"a\":1,\"b\":2,\"c\":3}"), &[None, Some("b")]),
        "{\"a\": 1, \"c\": 3}"
    );
    pg!(
        jsonb_delete_idx(&j("{\"a\":1,\"b\":2,\"c\":3}"), 0),
        "ERROR:  22023: cannot delete from object using integer index"
    );
    pg!(
        jsonb_delete_idx(&j("{\"a\":1,\"b\":2,\"c\":3}"), -1),
        "ERROR:  22023: cannot delete from object using integer index"
    );
    pg!(
        jsonb_delete_idx(&j("{\"a\":1,\"b\":2,\"c\":3}"), 2),
        "ERROR:  22023: cannot delete from object using integer index"
    );
    pg!(
        jsonb_delete_idx(&j("{\"a\":1,\"b\":2,\"c\":3}"), 5),
        "ERROR:  22023: cannot delete from object using integer index"
    );
    pg!(
        jsonb_delete_idx(&j("{\"a\":1,\"b\":2,\"c\":3}"), -5),
        "ERROR:  22023: cannot delete from object using integer index"
    );
    pg!(jsonb_delete(&j("[\"a\",\"b\",1,\"a\"]"), "a"), "[\"b\", 1]");
    pg!(
        jsonb_delete(&j("[\"a\",\"b\",1,\"a\"]"), "zz"),
        "[\"a\", \"b\", 1, \"a\"]"
    );
    pg!(
        jsonb_delete_array(
            &j("[\"a\",\"b\",1,\"a\"]"),
            &[Some("a"), Some("c"), Some("zz")]
        ),
        "[\"b\", 1]"
    );
    pg!(
        jsonb_delete_array(&j("[\"a\",\"b\",1,\"a\"]"), &[]),
        "[\"a\", \"b\", 1, \"a\"]"
    );
    pg!(
        jsonb_delete_array(&j("[\"a\",\"b\",1,\"a\"]"), &[None, Some("b")]),
        "[\"a\", 1, \"a\"]"
    );
    pg!(
        jsonb_delete_idx(&j("[\"a\",\"b\",1,\"a\"]"), 0),
        "[\"b\", 1, \"a\"]"
    );
    pg!(
        jsonb_delete_idx(&j("[\"a\",\"b\",1,\"a\"]"), -1),
        "[\"a\", \"b\", 1]"
    );
    pg!(
        jsonb_delete_idx(&j("[\"a\",\"b\",1,\"a\"]"), 2),
        "[\"a\", \"b\", \"a\"]"
    );
    pg!(
        jsonb_delete_idx(&j("[\"a\",\"b\",1,\"a\"]"), 5),
        "[\"a\", \"b\", 1, \"a\"]"
    );
    pg!(
        jsonb_delete_idx(&j("[\"a\",\"b\",1,\"a\"]"), -5),
        "[\"a\", \"b\", 1, \"a\"]"
    );
    pg!(
        jsonb_delete(&j("\"a\""), "a"),
        "ERROR:  22023: cannot delete from scalar"
    );
    pg!(
        jsonb_delete(&j("\"a\""), "zz"),
        "ERROR:  22023: cannot delete from scalar"
    );
    pg!(
        jsonb_delete_array(&j("\"a\""), &[Some("a"), Some("c"), Some("zz")]),
        "ERROR:  22023: cannot delete from scalar"
    );
    pg!(
        jsonb_delete_array(&j("\"a\""), &[]),
        "ERROR:  22023: cannot delete from scalar"
    );
    pg!(
        jsonb_delete_array(&j("\"a\""), &[None, Some("b")]),
        "ERROR:  22023: cannot delete from scalar"
    );
    pg!(
        jsonb_delete_idx(&j("\"a\""), 0),
        "ERROR:  22023: cannot delete from scalar"
    );
    pg!(
        jsonb_delete_idx(&j("\"a\""), -1),
        "ERROR:  22023: cannot delete from scalar"
    );
    pg!(
        jsonb_delete_idx(&j("\"a\""), 2),
        "ERROR:  22023: cannot delete from scalar"
    );
    pg!(
        jsonb_delete_idx(&j("\"a\""), 5),
        "ERROR:  22023: cannot delete from scalar"
    );
    pg!(
        jsonb_delete_idx(&j("\"a\""), -5),
        "ERROR:  22023: cannot delete from scalar"
    );
    pg!(
        jsonb_delete(&j("1"), "a"),
        "ERROR:  22023: cannot delete from scalar"
    );
    pg!(
        jsonb_delete(&j("1"), "zz"),
        "ERROR:  22023: cannot delete from scalar"
    );
    pg!(
        jsonb_delete_array(&j("1"), &[Some("a"), Some("c"), Some("zz")]),
        "ERROR:  22023: cannot delete from scalar"
    );
    pg!(
        jsonb_delete_array(&j("1"), &[]),
        "ERROR:  22023: cannot delete from scalar"
    );
    pg!(
        jsonb_delete_array(&j("1"), &[None, Some("b")]),
        "ERROR:  22023: cannot delete from scalar"
    );
    pg!(
        jsonb_delete_idx(&j("1"), 0),
        "ERROR:  22023: cannot delete from scalar"
    );
    pg!(
        jsonb_delete_idx(&j("1"), -1),
        "ERROR:  22023: cannot delete from scalar"
    );
    pg!(
        jsonb_delete_idx(&j("1"), 2),
        "ERROR:  22023: cannot delete from scalar"
    );
    pg!(
        jsonb_delete_idx(&j("1"), 5),
        "ERROR:  22023: cannot delete from scalar"
    );
    pg!(
        jsonb_delete_idx(&j("1"), -5),
        "ERROR:  22023: cannot delete from scalar"
    );
    pg!(jsonb_delete(&j("{}"), "a"), "{}");
    pg!(jsonb_delete(&j("{}"), "zz"), "{}");
    pg!(
        jsonb_delete_array(&j("{}"), &[Some("a"), Some("c"), Some("zz")]),
        "{}"
    );
    pg!(jsonb_delete_array(&j("{}"), &[]), "{}");
    pg!(jsonb_delete_array(&j("{}"), &[None, Some("b")]), "{}");
    pg!(
        jsonb_delete_idx(&j("{}"), 0),
        "ERROR:  22023: cannot delete from object using integer index"
    );
    pg!(
        jsonb_delete_idx(&j("{}"), -1),
        "ERROR:  22023: cannot delete from object using integer index"
    );
    pg!(
        jsonb_delete_idx(&j("{}"), 2),
        "ERROR:  22023: cannot delete from object using integer index"
    );
    pg!(
        jsonb_delete_idx(&j("{}"), 5),
        "ERROR:  22023: cannot delete from object using integer index"
    );
    pg!(
        jsonb_delete_idx(&j("{}"), -5),
        "ERROR:  22023: cannot delete from object using integer index"
    );
    pg!(jsonb_delete(&j("[]"), "a"), "[]");
    pg!(jsonb_delete(&j("[]"), "zz"), "[]");
    pg!(
        jsonb_delete_array(&j("[]"), &[Some("a"), Some("c"), Some("zz")]),
        "[]"
    );
    pg!(jsonb_delete_array(&j("[]"), &[]), "[]");
    pg!(jsonb_delete_array(&j("[]"), &[None, Some("b")]), "[]");
    pg!(jsonb_delete_idx(&j("[]"), 0), "[]");
    pg!(jsonb_delete_idx(&j("[]"), -1), "[]");
    pg!(jsonb_delete_idx(&j("[]"), 2), "[]");
    pg!(jsonb_delete_idx(&j("[]"), 5), "[]");
    pg!(jsonb_delete_idx(&j("[]"), -5), "[]");
    pg!(
        jsonb_delete(&j("null"), "a"),
        "ERROR:  22023: cannot delete from scalar"
    );
    pg!(
        jsonb_delete(&j("null"), "zz"),
        "ERROR:  22023: cannot delete from scalar"
    );
    pg!(
        jsonb_delete_array(&j("null"), &[Some("a"), Some("c"), Some("zz")]),
        "ERROR:  22023: cannot delete from scalar"
    );
    pg!(
        jsonb_delete_array(&j("null"), &[]),
        "ERROR:  22023: cannot delete from scalar"
    );
    pg!(
        jsonb_delete_array(&j("null"), &[None, Some("b")]),
        "ERROR:  22023: cannot delete from scalar"
    );
    pg!(
        jsonb_delete_idx(&j("null"), 0),
        "ERROR:  22023: cannot delete from scalar"
    );
    pg!(
        jsonb_delete_idx(&j("null"), -1),
        "ERROR:  22023: cannot delete from scalar"
    );
    pg!(
        jsonb_delete_idx(&j("null"), 2),
        "ERROR:  22023: cannot delete from scalar"
    );
    pg!(
        jsonb_delete_idx(&j("null"), 5),
        "ERROR:  22023: cannot delete from scalar"
    );
    pg!(
        jsonb_delete_idx(&j("null"), -5),
        "ERROR:  22023: cannot delete from scalar"
    );
    pg!(jsonb_delete(&j("[[\"a\"]]"), "a"), "[[\"a\"]]");
    pg!(jsonb_delete(&j("[[\"a\"]]"), "zz"), "[[\"a\"]]");
    pg!(
        jsonb_delete_array(&j("[[\"a\"]]"), &[Some("a"), Some("c"), Some("zz")]),
        "[[\"a\"]]"
    );
    pg!(jsonb_delete_array(&j("[[\"a\"]]"), &[]), "[[\"a\"]]");
    pg!(
        jsonb_delete_array(&j("[[\"a\"]]"), &[None, Some("b")]),
        "[[\"a\"]]"
    );
    pg!(jsonb_delete_idx(&j("[[\"a\"]]"), 0), "[]");
    pg!(jsonb_delete_idx(&j("[[\"a\"]]"), -1), "[]");
    pg!(jsonb_delete_idx(&j("[[\"a\"]]"), 2), "[[\"a\"]]");
    pg!(jsonb_delete_idx(&j("[[\"a\"]]"), 5), "[[\"a\"]]");
    pg!(jsonb_delete_idx(&j("[[\"a\"]]"), -5), "[[\"a\"]]");
}
