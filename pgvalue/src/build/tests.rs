//! Tests for to_jsonb conversions and the jsonb builders against PostgreSQL.
//! Expected strings were observed from PostgreSQL 15.18 (psql -At, NULL shown as <NULL>).

use super::*;
use crate::psql_render::pg;

#[test]
fn to_jsonb_scalars() {
    pg!(
        to_jsonb_float8("1e100".parse::<f64>().unwrap()),
        "10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    );
    pg!(to_jsonb_float8("NaN".parse::<f64>().unwrap()), "\"NaN\"");
    pg!(
        to_jsonb_float8("inf".parse::<f64>().unwrap()),
        "\"Infinity\""
    );
    pg!(
        to_jsonb_float8("-inf".parse::<f64>().unwrap()),
        "\"-Infinity\""
    );
    pg!(to_jsonb_float8("0.1".parse::<f64>().unwrap()), "0.1");
    pg!(to_jsonb_float8("-0".parse::<f64>().unwrap()), "0");
    pg!(to_jsonb_float8("1e-7".parse::<f64>().unwrap()), "0.0000001");
    pg!(to_jsonb_float8("1.5".parse::<f64>().unwrap()), "1.5");
    pg!(
        to_jsonb_float8("123456789.123".parse::<f64>().unwrap()),
        "123456789.123"
    );
    pg!(
        to_jsonb_float8("1e16".parse::<f64>().unwrap()),
        "10000000000000000"
    );
    pg!(
        to_jsonb_float8("2.5e-5".parse::<f64>().unwrap()),
        "0.000025"
    );
    pg!(
        to_jsonb_float8("1.7976931348623157e308".parse::<f64>().unwrap()),
        "179769313486231570000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    );
    pg!(to_jsonb_float4("1.5".parse::<f32>().unwrap()), "1.5");
    pg!(
        to_jsonb_float4("1e20".parse::<f32>().unwrap()),
        "100000000000000000000"
    );
    pg!(to_jsonb_float4("0.1".parse::<f32>().unwrap()), "0.1");
    pg!(to_jsonb_float4("NaN".parse::<f32>().unwrap()), "\"NaN\"");
    pg!(
        to_jsonb_float4("-inf".parse::<f32>().unwrap()),
        "\"-Infinity\""
    );
    pg!(
        to_jsonb_float4("3.4028235e38".parse::<f32>().unwrap()),
        "340282350000000000000000000000000000000"
    );
    pg!(to_jsonb_float4("1e-5".parse::<f32>().unwrap()), "0.00001");
    pg!(to_jsonb_numeric("1.50"), "1.50");
    pg!(to_jsonb_numeric("NaN"), "\"NaN\"");
    pg!(to_jsonb_numeric("Infinity"), "\"Infinity\"");
    pg!(to_jsonb_numeric("-Infinity"), "\"-Infinity\"");
    pg!(to_jsonb_numeric("  -0.0  "), "0.0");
    pg!(to_jsonb_numeric("1e5"), "100000");
    pg!(
        to_jsonb_numeric("abc"),
        "ERROR:  22P02: invalid input syntax for type numeric: \"abc\""
    );
    pg!(to_jsonb_text("a\"b"), "\"a\\\"b\"");
    pg!(to_jsonb_text(""), "\"\"");
    pg!(to_jsonb_text("line\nnew"), "\"line\\nnew\"");
    pg!(to_jsonb_text("é\\"), "\"é\\\\\"");
    pg!(to_jsonb_bool(true), "true");
    pg!(to_jsonb_int(-42), "-42");
    pg!(to_jsonb_int(i64::MAX), "9223372036854775807");
}

#[test]
fn builders() {
    pg!(
        jsonb_build_object(&[
            Some(to_jsonb_text("a")),
            Some(to_jsonb_int(1)),
            Some(to_jsonb_text("b")),
            Some(to_jsonb_text("x"))
        ]),
        "{\"a\": 1, \"b\": \"x\"}"
    );
    pg!(
        jsonb_build_object(&[
            Some(to_jsonb_text("b")),
            Some(to_jsonb_int(1)),
            Some(to_jsonb_text("a")),
            Some(to_jsonb_int(2)),
            Some(to_jsonb_text("b")),
            Some(to_jsonb_int(3))
        ]),
        "{\"a\": 2, \"b\": 3}"
    );
    pg!(
        jsonb_build_object(&[None, Some(to_jsonb_int(1))]),
        "ERROR:  22023: argument 1: key must not be null"
    );
    pg!(
        jsonb_build_object(&[
            Some(to_jsonb_text("a")),
            Some(to_jsonb_int(1)),
            None,
            Some(to_jsonb_int(1))
        ]),
        "ERROR:  22023: argument 3: key must not be null"
    );
    pg!(
        jsonb_build_object(&[Some(to_jsonb_text("a"))]),
        "ERROR:  22023: argument list must have even number of elements\nHINT:  The arguments of jsonb_build_object() must consist of alternating keys and values."
    );
    pg!(
        jsonb_build_object(&[Some(to_jsonb_int(1)), Some(to_jsonb_int(2))]),
        "{\"1\": 2}"
    );
    pg!(
        jsonb_build_object(&[
            Some(to_jsonb_float8(1.5)),
            Some(to_jsonb_bool(true)),
            Some(to_jsonb_bool(false)),
            None
        ]),
        "{\"1.5\": true, \"false\": null}"
    );
    pg!(
        jsonb_build_object(&[Some(Jsonb::Array(vec![])), Some(to_jsonb_int(2))]),
        "ERROR:  22023: key value must be scalar, not array, composite, or json"
    );
    pg!(jsonb_build_object(&[]), "{}");
    pg!(
        jsonb_build_array(&[
            Some(to_jsonb_int(1)),
            Some(to_jsonb_text("a")),
            None,
            Some(to_jsonb_bool(true))
        ]),
        "[1, \"a\", null, true]"
    );
    pg!(jsonb_build_array(&[]), "[]");
    pg!(
        jsonb_object_agg(&[
            (Some(to_jsonb_text("b")), Some(to_jsonb_int(1))),
            (Some(to_jsonb_text("a")), Some(to_jsonb_int(2))),
            (Some(to_jsonb_text("b")), Some(to_jsonb_int(3)))
        ]),
        "{\"a\": 2, \"b\": 3}"
    );
    pg!(
        jsonb_object_agg(&[
            (Some(to_jsonb_text("b")), Some(to_jsonb_int(1))),
            (None, Some(to_jsonb_int(2)))
        ]),
        "ERROR:  22023: field name must not be null"
    );
    pg!(
        jsonb_object_agg(&[(Some(to_jsonb_text("b")), None)]),
        "{\"b\": null}"
    );
    pg!(jsonb_object_agg(&[]), "<NULL>");
    pg!(
        jsonb_agg(&[Some(to_jsonb_int(1)), None, Some(to_jsonb_int(3))]),
        "[1, null, 3]"
    );
    pg!(jsonb_agg(&[]), "<NULL>");
}
