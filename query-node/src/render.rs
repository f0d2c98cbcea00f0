//! Rendering Arrow values the way Postgres prints them: text (psql, the CLI, the
//! differential tests) and JSON (the HTTP API). jsonb columns are already canonical
//! Postgres text, so they pass through unchanged.

use std::fmt::Write;

use chrono::{DateTime, NaiveDate};
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Date64Type, Decimal128Type, Field, Float16Type, Float32Type, Float64Type,
    Int8Type, Int16Type, Int32Type, Int64Type, TimeUnit, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use docfusion_pgvalue::float_text::{float4_out, float8_out};

use crate::pgtype::TaggedType;

/// The Postgres name of the type a field is shown as.
pub fn pg_type_name(dt: &DataType) -> &'static str {
    match dt {
        DataType::Null => "unknown",
        DataType::Boolean => "boolean",
        DataType::Int8 | DataType::Int16 | DataType::UInt8 => "smallint",
        DataType::Int32 | DataType::UInt16 => "integer",
        DataType::Int64 | DataType::UInt32 | DataType::UInt64 => "bigint",
        DataType::Float16 | DataType::Float32 => "real",
        DataType::Float64 => "double precision",
        DataType::Decimal128(..) | DataType::Decimal256(..) => "numeric",
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "text",
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => "bytea",
        DataType::Date32 | DataType::Date64 => "date",
        DataType::Timestamp(_, None) => "timestamp without time zone",
        DataType::Timestamp(_, Some(_)) => "timestamp with time zone",
        DataType::Time32(_) | DataType::Time64(_) => "time without time zone",
        DataType::Interval(_) | DataType::Duration(_) => "interval",
        DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(..) => "array",
        _ => "unknown",
    }
}

/// The Postgres type name of a field, including jsonb/json tags.
pub fn field_type_name(field: &Field) -> String {
    if crate::vector::is_vector(field) {
        return "vector".to_string();
    }
    match TaggedType::of_field(field) {
        Some(t) => t.name().to_string(),
        None => match field.data_type() {
            DataType::List(inner) | DataType::LargeList(inner) => {
                format!("{}[]", field_type_name(inner))
            }
            other => pg_type_name(other).to_string(),
        },
    }
}

fn timestamp_text(micros: i64, with_tz: bool) -> String {
    let Some(dt) = DateTime::from_timestamp_micros(micros) else {
        return micros.to_string();
    };
    let mut s = dt.format("%Y-%m-%d %H:%M:%S").to_string();
    let frac = micros.rem_euclid(1_000_000);
    if frac != 0 {
        let f = format!("{frac:06}");
        s.push('.');
        s.push_str(f.trim_end_matches('0'));
    }
    if with_tz {
        s.push_str("+00");
    }
    s
}

fn decimal_text(value: i128, scale: i8) -> String {
    if scale <= 0 {
        let mut s = value.to_string();
        for _ in 0..(-scale) {
            s.push('0');
        }
        return s;
    }
    let neg = value < 0;
    let digits = value.unsigned_abs().to_string();
    let scale = scale as usize;
    let padded = if digits.len() <= scale {
        format!("{}{digits}", "0".repeat(scale - digits.len() + 1))
    } else {
        digits
    };
    let (int, frac) = padded.split_at(padded.len() - scale);
    format!("{}{int}.{frac}", if neg { "-" } else { "" })
}

fn pg_array_item(text: &str) -> String {
    let needs_quotes = text.is_empty()
        || text.eq_ignore_ascii_case("null")
        || text
            .chars()
            .any(|c| matches!(c, '{' | '}' | ',' | '"' | '\\') || c.is_whitespace());
    if needs_quotes {
        let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
        format!("\"{escaped}\"")
    } else {
        text.to_string()
    }
}

/// Microseconds since the epoch of row `row` of a timestamp array of `unit`.
pub fn timestamp_micros(array: &dyn Array, row: usize, unit: &TimeUnit) -> i64 {
    match unit {
        TimeUnit::Second => array
            .as_primitive::<TimestampSecondType>()
            .value(row)
            .saturating_mul(1_000_000),
        TimeUnit::Millisecond => array
            .as_primitive::<TimestampMillisecondType>()
            .value(row)
            .saturating_mul(1_000),
        TimeUnit::Microsecond => array.as_primitive::<TimestampMicrosecondType>().value(row),
        TimeUnit::Nanosecond => array.as_primitive::<TimestampNanosecondType>().value(row) / 1_000,
    }
}

/// The Postgres text of row `row` of `array` (`None` for SQL NULL).
pub fn pg_text(array: &dyn Array, row: usize) -> Option<String> {
    if array.is_null(row) {
        return None;
    }
    Some(match array.data_type() {
        DataType::Null => return None,
        DataType::Boolean => if array.as_boolean().value(row) {
            "t"
        } else {
            "f"
        }
        .to_string(),
        DataType::Int8 => array.as_primitive::<Int8Type>().value(row).to_string(),
        DataType::Int16 => array.as_primitive::<Int16Type>().value(row).to_string(),
        DataType::Int32 => array.as_primitive::<Int32Type>().value(row).to_string(),
        DataType::Int64 => array.as_primitive::<Int64Type>().value(row).to_string(),
        DataType::UInt8 => array.as_primitive::<UInt8Type>().value(row).to_string(),
        DataType::UInt16 => array.as_primitive::<UInt16Type>().value(row).to_string(),
        DataType::UInt32 => array.as_primitive::<UInt32Type>().value(row).to_string(),
        DataType::UInt64 => array.as_primitive::<UInt64Type>().value(row).to_string(),
        DataType::Float16 => float4_out(array.as_primitive::<Float16Type>().value(row).to_f32()),
        DataType::Float32 => float4_out(array.as_primitive::<Float32Type>().value(row)),
        DataType::Float64 => float8_out(array.as_primitive::<Float64Type>().value(row)),
        DataType::Decimal128(_, scale) => {
            decimal_text(array.as_primitive::<Decimal128Type>().value(row), *scale)
        }
        DataType::Utf8 => array.as_string::<i32>().value(row).to_string(),
        DataType::LargeUtf8 => array.as_string::<i64>().value(row).to_string(),
        DataType::Utf8View => array.as_string_view().value(row).to_string(),
        DataType::Binary => {
            let bytes = array.as_binary::<i32>().value(row);
            let mut s = String::from("\\x");
            for b in bytes {
                let _ = write!(s, "{b:02x}");
            }
            s
        }
        DataType::Date32 => {
            let days = array.as_primitive::<Date32Type>().value(row);
            NaiveDate::from_num_days_from_ce_opt(days + 719_163)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_else(|| days.to_string())
        }
        DataType::Date64 => {
            let ms = array.as_primitive::<Date64Type>().value(row);
            DateTime::from_timestamp_millis(ms)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_else(|| ms.to_string())
        }
        DataType::Timestamp(unit, tz) => {
            timestamp_text(timestamp_micros(array, row, unit), tz.is_some())
        }
        DataType::List(_) | DataType::LargeList(_) => {
            let values = match array.data_type() {
                DataType::List(_) => array.as_list::<i32>().value(row),
                _ => array.as_list::<i64>().value(row),
            };
            let items: Vec<String> = (0..values.len())
                .map(|i| match pg_text(values.as_ref(), i) {
                    None => "NULL".to_string(),
                    Some(t) => pg_array_item(&t),
                })
                .collect();
            format!("{{{}}}", items.join(","))
        }
        _ => {
            datafusion::arrow::util::display::array_value_to_string(array, row).unwrap_or_default()
        }
    })
}

/// Appends the JSON form of row `row` of `array` (typed by `field`) to `out`.
pub fn write_json_value(out: &mut String, field: &Field, array: &dyn Array, row: usize) {
    if array.is_null(row) {
        out.push_str("null");
        return;
    }
    if TaggedType::of_field(field).is_some() {
        // Canonical jsonb text (or validated json text) is JSON already.
        if let Some(t) = pg_text(array, row) {
            out.push_str(&t);
        }
        return;
    }
    match array.data_type() {
        DataType::Boolean => out.push_str(if array.as_boolean().value(row) {
            "true"
        } else {
            "false"
        }),
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Decimal128(..) => out.push_str(&pg_text(array, row).unwrap_or_default()),
        DataType::Float16 | DataType::Float32 | DataType::Float64 => {
            let t = pg_text(array, row).unwrap_or_default();
            if t.chars().any(|c| c.is_ascii_alphabetic() && c != 'e') {
                // NaN and Infinity are not JSON numbers.
                write_json_string(out, &t);
            } else {
                out.push_str(&t);
            }
        }
        DataType::List(inner) | DataType::LargeList(inner) => {
            let values = match array.data_type() {
                DataType::List(_) => array.as_list::<i32>().value(row),
                _ => array.as_list::<i64>().value(row),
            };
            out.push('[');
            for i in 0..values.len() {
                if i > 0 {
                    out.push(',');
                }
                write_json_value(out, inner, values.as_ref(), i);
            }
            out.push(']');
        }
        _ => {
            let t = pg_text(array, row).unwrap_or_default();
            write_json_string(out, &t);
        }
    }
}

/// Appends `s` as a JSON string literal.
pub fn write_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The Postgres text of row `row` of `array`, a column of `field`: a `vector` prints as
/// pgvector's `[1,2,3]`, anything else as [`pg_text`] says.
pub fn pg_text_of_field(field: &Field, array: &dyn Array, row: usize) -> Option<String> {
    if crate::vector::is_vector(field) && !array.is_null(row) {
        let column = crate::vector::column::VectorColumn::try_new(array).ok()?;
        if let Ok(Some(v)) = column.get(row) {
            return Some(crate::vector::text::format_vector(v));
        }
    }
    pg_text(array, row)
}

/// All rows of `batches` as Postgres text, row-major.
pub fn batches_to_pg_text(batches: &[RecordBatch]) -> Vec<Vec<Option<String>>> {
    let mut rows = Vec::new();
    for batch in batches {
        for r in 0..batch.num_rows() {
            rows.push(
                batch
                    .columns()
                    .iter()
                    .zip(batch.schema().fields())
                    .map(|(c, f)| pg_text_of_field(f, c.as_ref(), r))
                    .collect(),
            );
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Decimal128Array, Float64Array, TimestampMicrosecondArray};

    #[test]
    fn decimals_render_with_their_scale() {
        assert_eq!(decimal_text(12345, 2), "123.45");
        assert_eq!(decimal_text(-5, 3), "-0.005");
        assert_eq!(decimal_text(7, 0), "7");
        let a = Decimal128Array::from(vec![Some(100)])
            .with_precision_and_scale(10, 2)
            .unwrap();
        assert_eq!(pg_text(&a, 0).unwrap(), "1.00");
    }

    #[test]
    fn timestamps_render_like_postgres() {
        let a =
            TimestampMicrosecondArray::from(vec![1_700_000_000_500_000]).with_timezone("+00:00");
        assert_eq!(pg_text(&a, 0).unwrap(), "2023-11-14 22:13:20.5+00");
        let a = TimestampMicrosecondArray::from(vec![0]);
        assert_eq!(pg_text(&a, 0).unwrap(), "1970-01-01 00:00:00");
    }

    #[test]
    fn floats_render_as_postgres_float8() {
        let a = Float64Array::from(vec![1e16, 0.1, f64::NAN]);
        assert_eq!(pg_text(&a, 0).unwrap(), "1e+16");
        assert_eq!(pg_text(&a, 1).unwrap(), "0.1");
        assert_eq!(pg_text(&a, 2).unwrap(), "NaN");
        let mut s = String::new();
        write_json_value(&mut s, &Field::new("f", DataType::Float64, true), &a, 2);
        assert_eq!(s, "\"NaN\"");
    }

    #[test]
    fn array_items_are_quoted_like_postgres() {
        assert_eq!(pg_array_item("a b"), "\"a b\"");
        assert_eq!(pg_array_item("plain"), "plain");
        assert_eq!(pg_array_item("NULL"), "\"NULL\"");
        assert_eq!(pg_array_item(""), "\"\"");
    }
}
