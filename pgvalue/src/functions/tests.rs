//! Tests for the jsonb inspection functions against PostgreSQL.
//! Expected strings were observed from PostgreSQL 15.18 (psql -At, NULL shown as <NULL>).

use super::*;
use crate::psql_render::{j, pg};

#[test]
fn typeof_and_array_length() {
    pg!(jsonb_typeof(&j("[1,2,[3]]")), "array");
    pg!(jsonb_array_length(&j("[1,2,[3]]")), "3");
    pg!(jsonb_typeof(&j("1")), "number");
    pg!(
        jsonb_array_length(&j("1")),
        "ERROR:  22023: cannot get array length of a scalar"
    );
    pg!(jsonb_typeof(&j("{}")), "object");
    pg!(
        jsonb_array_length(&j("{}")),
        "ERROR:  22023: cannot get array length of a non-array"
    );
    pg!(jsonb_typeof(&j("\"x\"")), "string");
    pg!(
        jsonb_array_length(&j("\"x\"")),
        "ERROR:  22023: cannot get array length of a scalar"
    );
    pg!(jsonb_typeof(&j("null")), "null");
    pg!(
        jsonb_array_length(&j("null")),
        "ERROR:  22023: cannot get array length of a scalar"
    );
    pg!(jsonb_typeof(&j("[]")), "array");
    pg!(jsonb_array_length(&j("[]")), "0");
    pg!(jsonb_typeof(&j("{\"b\":1,\"a\":2,\"aa\":3}")), "object");
    pg!(
        jsonb_array_length(&j("{\"b\":1,\"a\":2,\"aa\":3}")),
        "ERROR:  22023: cannot get array length of a non-array"
    );
    pg!(
        jsonb_typeof(&j("[1,\"a\",null,[2],{\"k\":\"v\"},true]")),
        "array"
    );
    pg!(
        jsonb_array_length(&j("[1,\"a\",null,[2],{\"k\":\"v\"},true]")),
        "6"
    );
    pg!(
        jsonb_typeof(&j(
            "{\"a\":\"x\",\"b\":null,\"c\":[1],\"d\":{\"e\":\"\\n\"}}"
        )),
        "object"
    );
    pg!(
        jsonb_array_length(&j(
            "{\"a\":\"x\",\"b\":null,\"c\":[1],\"d\":{\"e\":\"\\n\"}}"
        )),
        "ERROR:  22023: cannot get array length of a non-array"
    );
    pg!(jsonb_typeof(&j("1.5")), "number");
    pg!(
        jsonb_array_length(&j("1.5")),
        "ERROR:  22023: cannot get array length of a scalar"
    );
    pg!(jsonb_typeof(&j("true")), "boolean");
    pg!(
        jsonb_array_length(&j("true")),
        "ERROR:  22023: cannot get array length of a scalar"
    );
}

#[test]
fn set_returning_functions() {
    pg!(
        jsonb_object_keys(&j("[1,2,[3]]")),
        "ERROR:  22023: cannot call jsonb_object_keys on an array"
    );
    pg!(jsonb_array_elements(&j("[1,2,[3]]")), "1\n2\n[3]");
    pg!(jsonb_array_elements_text(&j("[1,2,[3]]")), "1\n2\n[3]");
    pg!(
        jsonb_each(&j("[1,2,[3]]")),
        "ERROR:  22023: cannot call jsonb_each on a non-object"
    );
    pg!(
        jsonb_each_text(&j("[1,2,[3]]")),
        "ERROR:  22023: cannot call jsonb_each_text on a non-object"
    );
    pg!(
        jsonb_object_keys(&j("1")),
        "ERROR:  22023: cannot call jsonb_object_keys on a scalar"
    );
    pg!(
        jsonb_array_elements(&j("1")),
        "ERROR:  22023: cannot extract elements from a scalar"
    );
    pg!(
        jsonb_array_elements_text(&j("1")),
        "ERROR:  22023: cannot extract elements from a scalar"
    );
    pg!(
        jsonb_each(&j("1")),
        "ERROR:  22023: cannot call jsonb_each on a non-object"
    );
    pg!(
        jsonb_each_text(&j("1")),
        "ERROR:  22023: cannot call jsonb_each_text on a non-object"
    );
    pg!(jsonb_object_keys(&j("{}")), "");
    pg!(
        jsonb_array_elements(&j("{}")),
        "ERROR:  22023: cannot extract elements from an object"
    );
    pg!(
        jsonb_array_elements_text(&j("{}")),
        "ERROR:  22023: cannot extract elements from an object"
    );
    pg!(jsonb_each(&j("{}")), "");
    pg!(jsonb_each_text(&j("{}")), "");
    pg!(
        jsonb_object_keys(&j("\"x\"")),
        "ERROR:  22023: cannot call jsonb_object_keys on a scalar"
    );
    pg!(
        jsonb_array_elements(&j("\"x\"")),
        "ERROR:  22023: cannot extract elements from a scalar"
    );
    pg!(
        jsonb_array_elements_text(&j("\"x\"")),
        "ERROR:  22023: cannot extract elements from a scalar"
    );
    pg!(
        jsonb_each(&j("\"x\"")),
        "ERROR:  22023: cannot call jsonb_each on a non-object"
    );
    pg!(
        jsonb_each_text(&j("\"x\"")),
        "ERROR:  22023: cannot call jsonb_each_text on a non-object"
    );
    pg!(
        jsonb_object_keys(&j("null")),
        "ERROR:  22023: cannot call jsonb_object_keys on a scalar"
    );
    pg!(
        jsonb_array_elements(&j("null")),
        "ERROR:  22023: cannot extract elements from a scalar"
    );
    pg!(
        jsonb_array_elements_text(&j("null")),
        "ERROR:  22023: cannot extract elements from a scalar"
    );
    pg!(
        jsonb_each(&j("null")),
        "ERROR:  22023: cannot call jsonb_each on a non-object"
    );
    pg!(
        jsonb_each_text(&j("null")),
        "ERROR:  22023: cannot call jsonb_each_text on a non-object"
    );
    pg!(
        jsonb_object_keys(&j("[]")),
        "ERROR:  22023: cannot call jsonb_object_keys on an array"
    );
    pg!(jsonb_array_elements(&j("[]")), "");
    pg!(jsonb_array_elements_text(&j("[]")), "");
    pg!(
        jsonb_each(&j("[]")),
        "ERROR:  22023: cannot call jsonb_each on a non-object"
    );
    pg!(
        jsonb_each_text(&j("[]")),
        "ERROR:  22023: cannot call jsonb_each_text on a non-object"
    );
    pg!(
        jsonb_object_keys(&j("{\"b\":1,\"a\":2,\"aa\":3}")),
        "a\nb\naa"
    );
    pg!(
        jsonb_array_elements(&j("{\"b\":1,\"a\":2,\"aa\":3}")),
        "ERROR:  22023: cannot extract elements from an object"
    );
    pg!(
        jsonb_array_elements_text(&j("{\"b\":1,\"a\":2,\"aa\":3}")),
        "ERROR:  22023: cannot extract elements from an object"
    );
    pg!(
        jsonb_each(&j("{\"b\":1,\"a\":2,\"aa\":3}")),
        "a|2\nb|1\naa|3"
    );
    pg!(
        jsonb_each_text(&j("{\"b\":1,\"a\":2,\"aa\":3}")),
        "a|2\nb|1\naa|3"
    );
    pg!(
        jsonb_object_keys(&j("[1,\"a\",null,[2],{\"k\":\"v\"},true]")),
        "ERROR:  22023: cannot call jsonb_object_keys on an array"
    );
    pg!(
        jsonb_array_elements(&j("[1,\"a\",null,[2],{\"k\":\"v\"},true]")),
        "1\n\"a\"\nnull\n[2]\n{\"k\": \"v\"}\ntrue"
    );
    pg!(
        jsonb_array_elements_text(&j("[1,\"a\",null,[2],{\"k\":\"v\"},true]")),
        "1\na\n<NULL>\n[2]\n{\"k\": \"v\"}\ntrue"
    );
    pg!(
        jsonb_each(&j("[1,\"a\",null,[2],{\"k\":\"v\"},true]")),
        "ERROR:  22023: cannot call jsonb_each on a non-object"
    );
    pg!(
        jsonb_each_text(&j("[1,\"a\",null,[2],{\"k\":\"v\"},true]")),
        "ERROR:  22023: cannot call jsonb_each_text on a non-object"
    );
    pg!(
        jsonb_object_keys(&j(
            "{\"a\":\"x\",\"b\":null,\"c\":[1],\"d\":{\"e\":\"\\n\"}}"
        )),
        "a\nb\nc\nd"
    );
    pg!(
        jsonb_array_elements(&j(
            "{\"a\":\"x\",\"b\":null,\"c\":[1],\"d\":{\"e\":\"\\n\"}}"
        )),
        "ERROR:  22023: cannot extract elements from an object"
    );
    pg!(
        jsonb_array_elements_text(&j(
            "{\"a\":\"x\",\"b\":null,\"c\":[1],\"d\":{\"e\":\"\\n\"}}"
        )),
        "ERROR:  22023: cannot extract elements from an object"
    );
    pg!(
        jsonb_each(&j(
            "{\"a\":\"x\",\"b\":null,\"c\":[1],\"d\":{\"e\":\"\\n\"}}"
        )),
        "a|\"x\"\nb|null\nc|[1]\nd|{\"e\": \"\\n\"}"
    );
    pg!(
        jsonb_each_text(&j(
            "{\"a\":\"x\",\"b\":null,\"c\":[1],\"d\":{\"e\":\"\\n\"}}"
        )),
        "a|x\nb|<NULL>\nc|[1]\nd|{\"e\": \"\\n\"}"
    );
}

#[test]
fn strip_nulls_and_pretty() {
    pg!(
        jsonb_strip_nulls(&j(
            "{\"a\":null,\"b\":[null,{\"c\":null,\"d\":1}],\"e\":{}}"
        )),
        "{\"b\": [null, {\"d\": 1}], \"e\": {}}"
    );
    pg!(
        jsonb_pretty(&j(
            "{\"a\":null,\"b\":[null,{\"c\":null,\"d\":1}],\"e\":{}}"
        )),
        "{\n    \"a\": null,\n    \"b\": [\n        null,\n        {\n            \"c\": null,\n            \"d\": 1\n        }\n    ],\n    \"e\": {\n    }\n}"
    );
    pg!(jsonb_strip_nulls(&j("null")), "null");
    pg!(jsonb_pretty(&j("null")), "null");
    pg!(jsonb_strip_nulls(&j("[null]")), "[null]");
    pg!(jsonb_pretty(&j("[null]")), "[\n    null\n]");
    pg!(jsonb_strip_nulls(&j("{\"a\":{\"b\":null}}")), "{\"a\": {}}");
    pg!(
        jsonb_pretty(&j("{\"a\":{\"b\":null}}")),
        "{\n    \"a\": {\n        \"b\": null\n    }\n}"
    );
    pg!(jsonb_strip_nulls(&j("[{\"a\":null},null]")), "[{}, null]");
    pg!(
        jsonb_pretty(&j("[{\"a\":null},null]")),
        "[\n    {\n        \"a\": null\n    },\n    null\n]"
    );
    pg!(jsonb_strip_nulls(&j("1")), "1");
    pg!(jsonb_pretty(&j("1")), "1");
    pg!(jsonb_strip_nulls(&j("[1,2,[3]]")), "[1, 2, [3]]");
    pg!(
        jsonb_pretty(&j("[1,2,[3]]")),
        "[\n    1,\n    2,\n    [\n        3\n    ]\n]"
    );
    pg!(jsonb_strip_nulls(&j("1")), "1");
    pg!(jsonb_pretty(&j("1")), "1");
    pg!(jsonb_strip_nulls(&j("{}")), "{}");
    pg!(jsonb_pretty(&j("{}")), "{\n}");
    pg!(jsonb_strip_nulls(&j("\"x\"")), "\"x\"");
    pg!(jsonb_pretty(&j("\"x\"")), "\"x\"");
    pg!(jsonb_strip_nulls(&j("null")), "null");
    pg!(jsonb_pretty(&j("null")), "null");
    pg!(jsonb_strip_nulls(&j("[]")), "[]");
    pg!(jsonb_pretty(&j("[]")), "[\n]");
    pg!(
        jsonb_strip_nulls(&j("{\"b\":1,\"a\":2,\"aa\":3}")),
        "{\"a\": 2, \"b\": 1, \"aa\": 3}"
    );
    pg!(
        jsonb_pretty(&j("{\"b\":1,\"a\":2,\"aa\":3}")),
        "{\n    \"a\": 2,\n    \"b\": 1,\n    \"aa\": 3\n}"
    );
    pg!(
        jsonb_strip_nulls(&j("[1,\"a\",null,[2],{\"k\":\"v\"},true]")),
        "[1, \"a\", null, [2], {\"k\": \"v\"}, true]"
    );
    pg!(
        jsonb_pretty(&j("[1,\"a\",null,[2],{\"k\":\"v\"},true]")),
        "[\n    1,\n    \"a\",\n    null,\n    [\n        2\n    ],\n    {\n        \"k\": \"v\"\n    },\n    true\n]"
    );
    pg!(
        jsonb_strip_nulls(&j(
            "{\"a\":\"x\",\"b\":null,\"c\":[1],\"d\":{\"e\":\"\\n\"}}"
        )),
        "{\"a\": \"x\", \"c\": [1], \"d\": {\"e\": \"\\n\"}}"
    );
    pg!(
        jsonb_pretty(&j(
            "{\"a\":\"x\",\"b\":null,\"c\":[1],\"d\":{\"e\":\"\\n\"}}"
        )),
        "{\n    \"a\": \"x\",\n    \"b\": null,\n    \"c\": [\n        1\n    ],\n    \"d\": {\n        \"e\": \"\\n\"\n    }\n}"
    );
}
