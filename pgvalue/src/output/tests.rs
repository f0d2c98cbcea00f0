//! Tests for jsonb_out and jsonb_pretty text against PostgreSQL.
//! Expected strings were observed from PostgreSQL 15.18 (psql -At, NULL shown as <NULL>).

use crate::psql_render::{j, pg};

#[test]
fn jsonb_out_spacing_and_escaping() {
    pg!(
        j("{\"a\":1,\"b\":[1,2]}").to_pg_text(),
        "{\"a\": 1, \"b\": [1, 2]}"
    );
    pg!(j("[{\"a\":[]},{}]").to_pg_text(), "[{\"a\": []}, {}]");
    pg!(
        j("\"\\u0001\\u001f\\u007f\\b\\f\\r/\"").to_pg_text(),
        "\"\\u0001\\u001f\u{7f}\\b\\f\\r/\""
    );
    pg!(
        j("\"quote\\\" back\\\\ nl\\n\"").to_pg_text(),
        "\"quote\\\" back\\\\ nl\\n\""
    );
    pg!(
        j("{\"k\\\"ey\":\"v\\u00e9\"}").to_pg_text(),
        "{\"k\\\"ey\": \"vé\"}"
    );
    pg!(
        j("[null,true,false,\"\",0,-1.5]").to_pg_text(),
        "[null, true, false, \"\", 0, -1.5]"
    );
    pg!(j("{\"\\n\":1}").to_pg_text(), "{\"\\n\": 1}");
}

#[test]
fn jsonb_pretty_layout() {
    pg!(
        j("{\"a\":{},\"b\":[],\"c\":[1,{\"d\":[]}], \"e\":\"x\"}").pretty(),
        "{\n    \"a\": {\n    },\n    \"b\": [\n    ],\n    \"c\": [\n        1,\n        {\n            \"d\": [\n            ]\n        }\n    ],\n    \"e\": \"x\"\n}"
    );
    pg!(j("[]").pretty(), "[\n]");
    pg!(j("{}").pretty(), "{\n}");
    pg!(j("1").pretty(), "1");
    pg!(j("\"s\"").pretty(), "\"s\"");
    pg!(j("null").pretty(), "null");
    pg!(j("[[]]").pretty(), "[\n    [\n    ]\n]");
    pg!(
        j("[1,[2,[3]]]").pretty(),
        "[\n    1,\n    [\n        2,\n        [\n            3\n        ]\n    ]\n]"
    );
    pg!(
        j("{\"a\":{\"b\":{\"c\":\"\\t\"}}}").pretty(),
        "{\n    \"a\": {\n        \"b\": {\n            \"c\": \"\\t\"\n        }\n    }\n}"
    );
    pg!(
        j("[{\"a\":1},{\"b\":2}]").pretty(),
        "[\n    {\n        \"a\": 1\n    },\n    {\n        \"b\": 2\n    }\n]"
    );
}
