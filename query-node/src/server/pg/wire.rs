//! Values on the wire: the Postgres type of each Arrow column (jsonb and json from the field's
//! tag), result values in text (exactly Postgres' output) or binary format, and parameter
//! values from either format into the types the plan expects.

use std::error::Error;
use std::sync::Arc;

use bytes::{BufMut, BytesMut};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use datafusion::arrow::array::{Array, AsArray, Float32Array, ListArray};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Decimal128Type, Field, Float32Type, Float64Type, Int8Type, Int16Type,
    Int32Type, Int64Type, TimeUnit, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use datafusion::scalar::ScalarValue;
use pgwire::api::Type;
use pgwire::api::results::FieldFormat;
use pgwire::types::ToSqlText;
use pgwire::types::format::FormatOptions;
use postgres_types::{FromSql, IsNull, ToSql};

use crate::error::{SqlError, sqlstate};
use crate::pgtype::TaggedType;
use crate::render::pg_text;

type BoxError = Box<dyn Error + Sync + Send>;

/// The Postgres type a column of `field` is sent as.
pub fn pg_type(field: &Field) -> Type {
    // pgvector's type has no fixed oid (each database that installs the extension gives it
    // one): a `vector` goes out as text in pgvector's form.
    if crate::vector::is_vector(field) {
        return Type::TEXT;
    }
    match TaggedType::of_field(field) {
        Some(TaggedType::Jsonb) => return Type::JSONB,
        Some(TaggedType::Json) => return Type::JSON,
        Some(TaggedType::Uuid) => return Type::UUID,
        None => {}
    }
    match field.data_type() {
        DataType::Boolean => Type::BOOL,
        DataType::Int8 | DataType::Int16 | DataType::UInt8 => Type::INT2,
        // Catalog columns that are `oid` in Postgres (datafusion-pg-catalog marks them).
        DataType::Int32 if is_oid(field) => Type::OID,
        DataType::Int32 | DataType::UInt16 => Type::INT4,
        DataType::Int64 | DataType::UInt32 => Type::INT8,
        DataType::UInt64 => Type::NUMERIC,
        DataType::Float16 | DataType::Float32 => Type::FLOAT4,
        DataType::Float64 => Type::FLOAT8,
        DataType::Decimal128(..) | DataType::Decimal256(..) => Type::NUMERIC,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Type::TEXT,
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => Type::BYTEA,
        DataType::Date32 | DataType::Date64 => Type::DATE,
        DataType::Timestamp(_, None) => Type::TIMESTAMP,
        DataType::Timestamp(_, Some(_)) => Type::TIMESTAMPTZ,
        DataType::Time32(_) | DataType::Time64(_) => Type::TIME,
        DataType::Interval(_) | DataType::Duration(_) => Type::INTERVAL,
        DataType::Null => Type::TEXT,
        DataType::List(inner) | DataType::LargeList(inner) => match pg_type(inner) {
            Type::BOOL => Type::BOOL_ARRAY,
            Type::INT2 => Type::INT2_ARRAY,
            Type::INT4 => Type::INT4_ARRAY,
            Type::OID => Type::OID_ARRAY,
            Type::INT8 => Type::INT8_ARRAY,
            Type::FLOAT4 => Type::FLOAT4_ARRAY,
            Type::FLOAT8 => Type::FLOAT8_ARRAY,
            Type::NUMERIC => Type::NUMERIC_ARRAY,
            Type::BYTEA => Type::BYTEA_ARRAY,
            Type::DATE => Type::DATE_ARRAY,
            Type::TIMESTAMP => Type::TIMESTAMP_ARRAY,
            Type::TIMESTAMPTZ => Type::TIMESTAMPTZ_ARRAY,
            Type::JSONB => Type::JSONB_ARRAY,
            Type::JSON => Type::JSON_ARRAY,
            _ => Type::TEXT_ARRAY,
        },
        // Anything else is sent as its text.
        _ => Type::TEXT,
    }
}

/// The Arrow field a parameter declared by the client as `ty` is bound as.
pub fn field_of_pg_type(ty: &Type) -> Option<Arc<Field>> {
    let dt = match *ty {
        Type::BOOL => DataType::Boolean,
        Type::INT2 => DataType::Int16,
        Type::INT4 => DataType::Int32,
        Type::INT8 => DataType::Int64,
        Type::FLOAT4 => DataType::Float32,
        Type::FLOAT8 => DataType::Float64,
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => DataType::Utf8,
        Type::BYTEA => DataType::Binary,
        Type::DATE => DataType::Date32,
        Type::TIMESTAMP => DataType::Timestamp(TimeUnit::Microsecond, None),
        Type::TIMESTAMPTZ => DataType::Timestamp(TimeUnit::Microsecond, Some("+00:00".into())),
        Type::JSONB => return Some(TaggedType::Jsonb.field("")),
        Type::JSON => return Some(TaggedType::Json.field("")),
        Type::UUID => return Some(TaggedType::Uuid.field("")),
        _ => return None,
    };
    Some(Arc::new(Field::new("", dt, true)))
}

/// True when `field` holds object identifiers (Postgres `oid`).
fn is_oid(field: &Field) -> bool {
    field
        .metadata()
        .contains_key(datafusion_pg_catalog::pg_catalog::oid_field::OID_ALIAS_KEY)
}

/// The Postgres type a parameter of `field` is described as.
pub fn param_pg_type(field: &Field) -> Type {
    match field.data_type() {
        // Postgres describes unknown-typed parameters as text.
        DataType::Null => Type::TEXT,
        _ => pg_type(field),
    }
}

/// Bytes already in their wire form, written as they are.
#[derive(Debug)]
pub struct Raw<'a>(pub Option<&'a [u8]>);

impl ToSql for Raw<'_> {
    fn to_sql(&self, _ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match self.0 {
            None => Ok(IsNull::Yes),
            Some(b) => {
                out.put_slice(b);
                Ok(IsNull::No)
            }
        }
    }
    fn accepts(_ty: &Type) -> bool {
        true
    }
    postgres_types::to_sql_checked!();
}

impl ToSqlText for Raw<'_> {
    fn to_sql_text(
        &self,
        ty: &Type,
        out: &mut BytesMut,
        _format_options: &FormatOptions,
    ) -> Result<IsNull, BoxError> {
        self.to_sql(ty, out)
    }
}

/// `12.3400000000` → `12.34`: a `numeric` without declared scale prints the digits it has.
pub fn trim_numeric(text: &str) -> &str {
    if !text.contains('.') {
        return text;
    }
    text.trim_end_matches('0').trim_end_matches('.')
}

/// Encodes row `row` of `array` (sent as `ty`) in `format` into `out`; false for NULL.
/// `unconstrained` marks a `numeric` column without declared scale.
pub fn encode_value(
    array: &dyn Array,
    row: usize,
    ty: &Type,
    format: FieldFormat,
    unconstrained: bool,
    out: &mut BytesMut,
) -> Result<bool, SqlError> {
    if array.is_null(row) {
        return Ok(false);
    }
    if *ty == Type::TEXT && crate::vector::is_vector_like(array.data_type()) {
        // A `vector` (see `pg_type`): its text is its value in either format.
        return match crate::render::pg_text_of_field(
            &crate::vector::vector_field("", None),
            array,
            row,
        ) {
            Some(text) => {
                out.put_slice(text.as_bytes());
                Ok(true)
            }
            None => Ok(false),
        };
    }
    match format {
        FieldFormat::Text => match pg_text(array, row) {
            None => Ok(false),
            Some(text) => {
                let text = if unconstrained {
                    trim_numeric(&text)
                } else {
                    &text
                };
                out.put_slice(text.as_bytes());
                Ok(true)
            }
        },
        FieldFormat::Binary => encode_binary(array, row, ty, out)
            .map(|is_null| matches!(is_null, IsNull::No))
            .map_err(|e| {
                SqlError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    format!("cannot send a {ty} value in binary format: {e}"),
                )
            }),
    }
}

fn encode_binary(
    array: &dyn Array,
    row: usize,
    ty: &Type,
    out: &mut BytesMut,
) -> Result<IsNull, BoxError> {
    let int = |v: i64, out: &mut BytesMut| -> Result<IsNull, BoxError> {
        match *ty {
            Type::INT2 => i16::try_from(v)?.to_sql(ty, out),
            Type::INT4 => i32::try_from(v)?.to_sql(ty, out),
            // Catalogs keep oids in int4: one above 2^31 is stored as a negative number.
            Type::OID => u32::try_from(v)
                .or_else(|_| i32::try_from(v).map(|x| x as u32))?
                .to_sql(ty, out),
            _ => v.to_sql(ty, out),
        }
    };
    match array.data_type() {
        DataType::Boolean => array.as_boolean().value(row).to_sql(ty, out),
        DataType::Int8 => int(array.as_primitive::<Int8Type>().value(row).into(), out),
        DataType::Int16 => int(array.as_primitive::<Int16Type>().value(row).into(), out),
        DataType::Int32 => int(array.as_primitive::<Int32Type>().value(row).into(), out),
        DataType::Int64 => int(array.as_primitive::<Int64Type>().value(row), out),
        DataType::UInt8 => int(array.as_primitive::<UInt8Type>().value(row).into(), out),
        DataType::UInt16 => int(array.as_primitive::<UInt16Type>().value(row).into(), out),
        DataType::UInt32 => int(array.as_primitive::<UInt32Type>().value(row).into(), out),
        DataType::UInt64 => {
            rust_decimal::Decimal::from(array.as_primitive::<UInt64Type>().value(row))
                .to_sql(ty, out)
        }
        DataType::Float32 => array
            .as_primitive::<Float32Type>()
            .value(row)
            .to_sql(ty, out),
        DataType::Float64 => array
            .as_primitive::<Float64Type>()
            .value(row)
            .to_sql(ty, out),
        DataType::Decimal128(_, scale) => {
            let v = array.as_primitive::<Decimal128Type>().value(row);
            let d = rust_decimal::Decimal::try_from_i128_with_scale(v, (*scale).max(0) as u32)
                .map_err(|e| format!("numeric value out of range for binary format: {e}"))?;
            d.normalize().to_sql(ty, out)
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            let s = match array.data_type() {
                DataType::Utf8 => array.as_string::<i32>().value(row),
                DataType::LargeUtf8 => array.as_string::<i64>().value(row),
                _ => array.as_string_view().value(row),
            };
            if *ty == Type::UUID {
                return uuid::Uuid::parse_str(s)?.to_sql(ty, out);
            }
            if *ty == Type::JSONB {
                // jsonb's binary form: a version byte, then the text.
                out.put_u8(1);
            }
            out.put_slice(s.as_bytes());
            Ok(IsNull::No)
        }
        DataType::Binary => array.as_binary::<i32>().value(row).to_sql(ty, out),
        DataType::LargeBinary => array.as_binary::<i64>().value(row).to_sql(ty, out),
        DataType::Date32 => {
            let days = array.as_primitive::<Date32Type>().value(row);
            let d =
                NaiveDate::from_num_days_from_ce_opt(days + 719_163).ok_or("date out of range")?;
            d.to_sql(ty, out)
        }
        DataType::Timestamp(unit, tz) => {
            let micros = crate::render::timestamp_micros(array, row, unit);
            let dt =
                DateTime::<Utc>::from_timestamp_micros(micros).ok_or("timestamp out of range")?;
            if tz.is_some() {
                dt.to_sql(ty, out)
            } else {
                dt.naive_utc().to_sql(ty, out)
            }
        }
        DataType::List(_) | DataType::LargeList(_) => {
            let values = match array.data_type() {
                DataType::List(_) => array.as_list::<i32>().value(row),
                _ => array.as_list::<i64>().value(row),
            };
            let member = ty.clone();
            let elem = match member.kind() {
                postgres_types::Kind::Array(e) => e.clone(),
                _ => return Err("not an array type".into()),
            };
            let items: Vec<Option<Vec<u8>>> = (0..values.len())
                .map(|i| {
                    if values.is_null(i) {
                        return Ok(None);
                    }
                    let mut b = BytesMut::new();
                    encode_binary(values.as_ref(), i, &elem, &mut b)?;
                    Ok(Some(b.to_vec()))
                })
                .collect::<Result<_, BoxError>>()?;
            write_array(&elem, &items, out);
            Ok(IsNull::No)
        }
        other => Err(format!("no binary encoding for {other}").into()),
    }
}

/// Writes a one-dimensional array in Postgres' binary array format.
fn write_array(elem: &Type, items: &[Option<Vec<u8>>], out: &mut BytesMut) {
    out.put_i32(1); // dimensions
    out.put_i32(i32::from(items.iter().any(Option::is_none))); // has nulls
    out.put_u32(elem.oid());
    out.put_i32(items.len() as i32);
    out.put_i32(1); // lower bound
    for item in items {
        match item {
            None => out.put_i32(-1),
            Some(b) => {
                out.put_i32(b.len() as i32);
                out.put_slice(b);
            }
        }
    }
}

fn bad_param(index: usize, ty: &Type, e: impl std::fmt::Display) -> SqlError {
    SqlError::new(
        sqlstate::INVALID_TEXT_REPRESENTATION,
        format!(
            "invalid value for parameter ${} of type {ty}: {e}",
            index + 1
        ),
    )
}

/// Decodes parameter `index` (sent as `ty` in `binary` or text format) into a value of the
/// type `target` the plan expects.
pub fn decode_param(
    index: usize,
    bytes: Option<&[u8]>,
    ty: &Type,
    binary: bool,
    target: &Field,
) -> Result<ScalarValue, SqlError> {
    let target_type = target.data_type();
    let Some(bytes) = bytes else {
        return ScalarValue::try_from(target_type).map_err(|e| SqlError::from_datafusion(&e));
    };
    let value = if binary {
        decode_binary(bytes, ty).map_err(|e| bad_param(index, ty, e))?
    } else {
        let text = std::str::from_utf8(bytes).map_err(|e| bad_param(index, ty, e))?;
        decode_text(text, ty, target_type).map_err(|e| bad_param(index, ty, e))?
    };
    if value.data_type() == *target_type {
        return Ok(value);
    }
    // Text sent in binary format for an array (a vector as `'[1,2,3]'`, an array as
    // `'{1,2}'`): read the text as the text format would.
    if let (ScalarValue::Utf8(Some(text)), DataType::List(_)) = (&value, target_type) {
        return decode_text(text, &Type::UNKNOWN, target_type).map_err(|e| bad_param(index, ty, e));
    }
    value.cast_to(target_type).map_err(|_| {
        SqlError::new(
            sqlstate::DATATYPE_MISMATCH,
            format!(
                "parameter ${} of type {ty} cannot be used where {} is expected",
                index + 1,
                crate::render::pg_type_name(target_type)
            ),
        )
    })
}

fn decode_binary(bytes: &[u8], ty: &Type) -> Result<ScalarValue, BoxError> {
    Ok(match *ty {
        Type::BOOL => ScalarValue::Boolean(Some(bool::from_sql(ty, bytes)?)),
        Type::INT2 => ScalarValue::Int16(Some(i16::from_sql(ty, bytes)?)),
        Type::INT4 => ScalarValue::Int32(Some(i32::from_sql(ty, bytes)?)),
        Type::INT8 => ScalarValue::Int64(Some(i64::from_sql(ty, bytes)?)),
        Type::OID => ScalarValue::Int64(Some(u32::from_sql(ty, bytes)?.into())),
        Type::FLOAT4 => ScalarValue::Float32(Some(f32::from_sql(ty, bytes)?)),
        Type::FLOAT8 => ScalarValue::Float64(Some(f64::from_sql(ty, bytes)?)),
        Type::NUMERIC => {
            let d = rust_decimal::Decimal::from_sql(ty, bytes)?;
            ScalarValue::Decimal128(Some(d.mantissa()), 38, d.scale() as i8)
        }
        Type::BYTEA => ScalarValue::Binary(Some(bytes.to_vec())),
        Type::JSONB => {
            let (version, text) = bytes.split_first().ok_or("empty jsonb value")?;
            if *version != 1 {
                return Err(format!("unsupported jsonb version {version}").into());
            }
            ScalarValue::Utf8(Some(std::str::from_utf8(text)?.to_string()))
        }
        Type::UUID => ScalarValue::Utf8(Some(uuid::Uuid::from_sql(ty, bytes)?.to_string())),
        Type::DATE => {
            let d = NaiveDate::from_sql(ty, bytes)?;
            ScalarValue::Date32(Some(
                (d - NaiveDate::from_ymd_opt(1970, 1, 1).ok_or("epoch")?).num_days() as i32,
            ))
        }
        Type::TIMESTAMP => {
            let t = NaiveDateTime::from_sql(ty, bytes)?;
            ScalarValue::TimestampMicrosecond(Some(t.and_utc().timestamp_micros()), None)
        }
        Type::TIMESTAMPTZ => {
            let t = DateTime::<Utc>::from_sql(ty, bytes)?;
            ScalarValue::TimestampMicrosecond(Some(t.timestamp_micros()), Some("+00:00".into()))
        }
        Type::INT2_ARRAY
        | Type::INT4_ARRAY
        | Type::INT8_ARRAY
        | Type::OID_ARRAY
        | Type::FLOAT4_ARRAY
        | Type::FLOAT8_ARRAY
        | Type::TEXT_ARRAY
        | Type::VARCHAR_ARRAY
        | Type::BOOL_ARRAY => {
            let elem = match ty.kind() {
                postgres_types::Kind::Array(e) => e.clone(),
                _ => return Err("not an array".into()),
            };
            let items = read_array(bytes)?;
            if *ty == Type::FLOAT4_ARRAY {
                // The common case of vector parameters: straight into an Arrow array, with
                // no value-by-value `ScalarValue`.
                let floats = items
                    .iter()
                    .map(|i| i.map(|b| f32::from_sql(&elem, b)).transpose())
                    .collect::<Result<Float32Array, BoxError>>()?;
                let item = Arc::new(Field::new_list_field(DataType::Float32, true));
                let offsets = OffsetBuffer::from_lengths([floats.len()]);
                return Ok(ScalarValue::List(Arc::new(ListArray::new(
                    item,
                    offsets,
                    Arc::new(floats),
                    None,
                ))));
            }
            let values = items
                .iter()
                .map(|i| match i {
                    None => ScalarValue::try_from(&elem_data_type(&elem)).map_err(Into::into),
                    Some(b) => decode_binary(b, &elem),
                })
                .collect::<Result<Vec<_>, BoxError>>()?;
            ScalarValue::List(ScalarValue::new_list_nullable(
                &values,
                &elem_data_type(&elem),
            ))
        }
        // text, varchar, name, unknown, json and anything else sent as its text
        _ => ScalarValue::Utf8(Some(std::str::from_utf8(bytes)?.to_string())),
    })
}

fn elem_data_type(elem: &Type) -> DataType {
    if *elem == Type::OID {
        // What `decode_binary` reads an oid into.
        return DataType::Int64;
    }
    field_of_pg_type(elem)
        .map(|f| f.data_type().clone())
        .unwrap_or(DataType::Utf8)
}

/// Reads a one-dimensional binary array.
fn read_array(mut b: &[u8]) -> Result<Vec<Option<&[u8]>>, BoxError> {
    fn i32_of(b: &mut &[u8]) -> Result<i32, BoxError> {
        if b.len() < 4 {
            return Err("truncated array".into());
        }
        let (head, rest) = b.split_at(4);
        *b = rest;
        Ok(i32::from_be_bytes([head[0], head[1], head[2], head[3]]))
    }
    let dims = i32_of(&mut b)?;
    let _has_nulls = i32_of(&mut b)?;
    let _elem_oid = i32_of(&mut b)?;
    if dims == 0 {
        return Ok(Vec::new());
    }
    if dims != 1 {
        return Err("only one-dimensional arrays are supported".into());
    }
    let len = i32_of(&mut b)?;
    let _lower = i32_of(&mut b)?;
    let mut items = Vec::with_capacity(len.max(0) as usize);
    for _ in 0..len {
        let n = i32_of(&mut b)?;
        if n < 0 {
            items.push(None);
        } else {
            let n = n as usize;
            if b.len() < n {
                return Err("truncated array".into());
            }
            let (v, rest) = b.split_at(n);
            items.push(Some(v));
            b = rest;
        }
    }
    Ok(items)
}

fn decode_text(text: &str, ty: &Type, target: &DataType) -> Result<ScalarValue, BoxError> {
    Ok(match *ty {
        Type::BYTEA => {
            let hex_digits = text
                .strip_prefix("\\x")
                .ok_or("bytea text must be in hex format (\\x…)")?;
            ScalarValue::Binary(Some(hex::decode(hex_digits)?))
        }
        Type::BOOL => ScalarValue::Boolean(Some(match text.trim().to_ascii_lowercase().as_str() {
            "t" | "true" | "yes" | "on" | "1" | "y" => true,
            "f" | "false" | "no" | "off" | "0" | "n" => false,
            other => {
                return Err(format!("invalid input syntax for type boolean: \"{other}\"").into());
            }
        })),
        Type::TIMESTAMPTZ | Type::TIMESTAMP => {
            let t = text.trim();
            // Postgres prints offsets as +HH; Arrow wants +HH:MM.
            let fixed = match t.rfind(['+', '-']) {
                Some(i) if i > 10 && t.len() - i == 3 => format!("{t}:00"),
                _ => t.to_string(),
            };
            ScalarValue::Utf8(Some(fixed))
        }
        _ => match target {
            // A vector parameter in pgvector's text form (`[1,2,3]`); `{1,2,3}` reads as an
            // array below.
            DataType::List(inner)
                if inner.data_type() == &DataType::Float32
                    && text.trim_start().starts_with('[') =>
            {
                let v = crate::vector::text::parse_vector(text).map_err(|e| e.message)?;
                let values: Vec<ScalarValue> = v
                    .into_iter()
                    .map(|x| ScalarValue::Float32(Some(x)))
                    .collect();
                ScalarValue::List(ScalarValue::new_list_nullable(&values, &DataType::Float32))
            }
            DataType::List(inner) => {
                let items =
                    crate::json::array_literal::parse_text_array(text).map_err(|e| e.message)?;
                let values = items
                    .into_iter()
                    .map(|i| match i {
                        None => ScalarValue::try_from(inner.data_type()),
                        Some(s) => ScalarValue::Utf8(Some(s)).cast_to(inner.data_type()),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                ScalarValue::List(ScalarValue::new_list_nullable(&values, inner.data_type()))
            }
            _ => ScalarValue::Utf8(Some(text.to_string())),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unconstrained_numerics_print_their_digits() {
        assert_eq!(trim_numeric("12.3400000000"), "12.34");
        assert_eq!(trim_numeric("12.0000000000"), "12");
        assert_eq!(trim_numeric("1200"), "1200");
        assert_eq!(trim_numeric("-0.5000000000"), "-0.5");
    }

    #[test]
    fn text_array_parameters_decode_to_lists() {
        let f = Field::new(
            "",
            DataType::List(Arc::new(Field::new("item", DataType::Int64, true))),
            true,
        );
        let v = decode_param(0, Some(b"{1, 2,NULL}"), &Type::UNKNOWN, false, &f).unwrap();
        assert_eq!(
            v,
            ScalarValue::List(ScalarValue::new_list_nullable(
                &[
                    ScalarValue::Int64(Some(1)),
                    ScalarValue::Int64(Some(2)),
                    ScalarValue::Int64(None)
                ],
                &DataType::Int64
            ))
        );
        assert!(decode_param(0, Some(b"1,2"), &Type::UNKNOWN, false, &f).is_err());
    }

    #[test]
    fn binary_arrays_round_trip() {
        let mut out = BytesMut::new();
        let items = vec![Some(7i64.to_be_bytes().to_vec()), None];
        write_array(&Type::INT8, &items, &mut out);
        let expected: Vec<Option<&[u8]>> = items.iter().map(|i| i.as_deref()).collect();
        assert_eq!(read_array(&out).unwrap(), expected);
        let v = decode_binary(&out, &Type::INT8_ARRAY).unwrap();
        assert_eq!(
            v,
            ScalarValue::List(ScalarValue::new_list_nullable(
                &[ScalarValue::Int64(Some(7)), ScalarValue::Int64(None)],
                &DataType::Int64
            ))
        );
        // float4[] (vector parameters) takes a direct path: the same value as the generic one.
        let mut out = BytesMut::new();
        let items = vec![
            Some(1.5f32.to_be_bytes().to_vec()),
            None,
            Some((-0.25f32).to_be_bytes().to_vec()),
        ];
        write_array(&Type::FLOAT4, &items, &mut out);
        let v = decode_binary(&out, &Type::FLOAT4_ARRAY).unwrap();
        assert_eq!(
            v,
            ScalarValue::List(ScalarValue::new_list_nullable(
                &[
                    ScalarValue::Float32(Some(1.5)),
                    ScalarValue::Float32(None),
                    ScalarValue::Float32(Some(-0.25))
                ],
                &DataType::Float32
            ))
        );
        let mut truncated = out.to_vec();
        truncated.pop();
        assert!(decode_binary(&truncated, &Type::FLOAT4_ARRAY).is_err());
    }

    #[test]
    fn parameters_decode_to_the_planned_type() {
        let f = Field::new("", DataType::Int64, true);
        let v = decode_param(0, Some(b"42"), &Type::UNKNOWN, false, &f).unwrap();
        assert_eq!(v, ScalarValue::Int64(Some(42)));
        let e = decode_param(0, Some(b"x"), &Type::UNKNOWN, false, &f).unwrap_err();
        assert_eq!(e.code, "42804");
        let jsonb = TaggedType::Jsonb.field("");
        let v = decode_param(1, Some(b"\x01{\"a\": 1}"), &Type::JSONB, true, &jsonb).unwrap();
        assert_eq!(v, ScalarValue::Utf8(Some("{\"a\": 1}".into())));
        let e = decode_param(1, Some(b"\x02{}"), &Type::JSONB, true, &jsonb).unwrap_err();
        assert!(e.message.contains("parameter $2"), "{}", e.message);
        let null = decode_param(0, None, &Type::INT4, true, &f).unwrap();
        assert_eq!(null, ScalarValue::Int64(None));
    }
}
