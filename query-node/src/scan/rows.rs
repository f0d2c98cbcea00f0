//! Decoding Postgres result rows (binary format) into Arrow columns.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use datafusion::arrow::array::{
    ArrayRef, BinaryBuilder, BooleanBuilder, Date32Builder, Decimal128Builder, Float32Builder,
    Float64Builder, Int16Builder, Int32Builder, Int64Builder, ListBuilder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use datafusion::arrow::datatypes::DataType;
use postgres_types::{FromSql, Type};
use tokio_postgres::Row;

use crate::catalog::ColumnReader;
use crate::error::{SqlError, sqlstate};
use crate::shard_wire::WireRow;

/// A row of a shard's answer, from either shard client.
pub trait ShardRow {
    /// Column `idx` decoded as `T`.
    fn cell<'a, T: FromSql<'a>>(&'a self, idx: usize) -> Result<T, String>;
    /// The name of column `idx`.
    fn column_name(&self, idx: usize) -> &str;
}

impl ShardRow for Row {
    fn cell<'a, T: FromSql<'a>>(&'a self, idx: usize) -> Result<T, String> {
        self.try_get(idx).map_err(|e| e.to_string())
    }

    fn column_name(&self, idx: usize) -> &str {
        self.columns().get(idx).map_or("?", |c| c.name())
    }
}

impl ShardRow for WireRow {
    fn cell<'a, T: FromSql<'a>>(&'a self, idx: usize) -> Result<T, String> {
        self.try_get(idx)
    }

    fn column_name(&self, idx: usize) -> &str {
        self.columns().get(idx).map_or("?", |c| c.name())
    }
}

/// jsonb (binary: a version byte then the text) or json (text) as borrowed text.
pub struct JsonText<'a>(pub &'a str);

impl<'a> FromSql<'a> for JsonText<'a> {
    fn from_sql(
        ty: &Type,
        raw: &'a [u8],
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        let body = if *ty == Type::JSONB {
            match raw.split_first() {
                Some((1, rest)) => rest,
                Some((v, _)) => return Err(format!("unsupported jsonb version {v}").into()),
                None => return Err("empty jsonb value".into()),
            }
        } else {
            raw
        };
        Ok(JsonText(std::str::from_utf8(body)?))
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::JSONB || *ty == Type::JSON
    }
}

/// A float4[] value in binary format, borrowed: its elements are read straight into a list
/// builder (a multi-dimensional array is read in storage order).
pub struct Float4ArrayBytes<'a>(pub &'a [u8]);

impl<'a> FromSql<'a> for Float4ArrayBytes<'a> {
    fn from_sql(
        _ty: &Type,
        raw: &'a [u8],
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Float4ArrayBytes(raw))
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::FLOAT4_ARRAY
    }
}

fn take_i32(b: &mut &[u8]) -> Result<i32, String> {
    let (head, rest) = b
        .split_first_chunk::<4>()
        .ok_or("truncated float4[] value")?;
    *b = rest;
    Ok(i32::from_be_bytes(*head))
}

/// Appends the elements of a binary float4[] to `b` (one list entry).
fn append_float4_array(b: &mut ListBuilder<Float32Builder>, raw: &[u8]) -> Result<(), String> {
    let mut r = raw;
    let ndim = take_i32(&mut r)?;
    let _has_nulls = take_i32(&mut r)?;
    let _elem_oid = take_i32(&mut r)?;
    let mut count: usize = if ndim == 0 { 0 } else { 1 };
    for _ in 0..ndim {
        let len = take_i32(&mut r)?;
        let _lower = take_i32(&mut r)?;
        count = count.saturating_mul(usize::try_from(len).map_err(|_| "bad array length")?);
    }
    for _ in 0..count {
        let len = take_i32(&mut r)?;
        if len < 0 {
            b.values().append_null();
            continue;
        }
        let bytes: [u8; 4] = r
            .get(..4)
            .and_then(|s| s.try_into().ok())
            .ok_or("truncated float4[] element")?;
        r = &r[4..];
        b.values().append_value(f32::from_be_bytes(bytes));
    }
    b.append(true);
    Ok(())
}

/// An Arrow builder for one column.
pub enum ColumnBuilder {
    Text(StringBuilder),
    Json(StringBuilder),
    Int16(Int16Builder),
    Int32(Int32Builder),
    Int64(Int64Builder),
    Float32(Float32Builder),
    Float64(Float64Builder),
    Decimal(Decimal128Builder, u8, i8),
    Bool(BooleanBuilder),
    Date(Date32Builder),
    Timestamp(TimestampMicrosecondBuilder),
    TimestampTz(TimestampMicrosecondBuilder),
    Bytes(BinaryBuilder),
    Float32List(ListBuilder<Float32Builder>),
}

const UNIX_EPOCH_DAYS_FROM_CE: i32 = 719_163;

impl ColumnBuilder {
    /// A builder for a column read by `reader`.
    pub fn new(reader: ColumnReader, capacity: usize) -> Self {
        match reader {
            ColumnReader::Text | ColumnReader::AsText => {
                ColumnBuilder::Text(StringBuilder::with_capacity(capacity, capacity * 16))
            }
            ColumnReader::Jsonb | ColumnReader::Json => {
                ColumnBuilder::Json(StringBuilder::with_capacity(capacity, capacity * 64))
            }
            ColumnReader::Int16 => ColumnBuilder::Int16(Int16Builder::with_capacity(capacity)),
            ColumnReader::Int32 => ColumnBuilder::Int32(Int32Builder::with_capacity(capacity)),
            ColumnReader::Int64 => ColumnBuilder::Int64(Int64Builder::with_capacity(capacity)),
            ColumnReader::Float32 => {
                ColumnBuilder::Float32(Float32Builder::with_capacity(capacity))
            }
            ColumnReader::Float64 => {
                ColumnBuilder::Float64(Float64Builder::with_capacity(capacity))
            }
            ColumnReader::Decimal { precision, scale } => {
                ColumnBuilder::Decimal(Decimal128Builder::with_capacity(capacity), precision, scale)
            }
            ColumnReader::Bool => ColumnBuilder::Bool(BooleanBuilder::with_capacity(capacity)),
            ColumnReader::Date => ColumnBuilder::Date(Date32Builder::with_capacity(capacity)),
            ColumnReader::Timestamp => {
                ColumnBuilder::Timestamp(TimestampMicrosecondBuilder::with_capacity(capacity))
            }
            ColumnReader::TimestampTz => {
                ColumnBuilder::TimestampTz(TimestampMicrosecondBuilder::with_capacity(capacity))
            }
            ColumnReader::Bytes => ColumnBuilder::Bytes(BinaryBuilder::with_capacity(capacity, 0)),
            ColumnReader::Float32Array | ColumnReader::Vector { .. } => ColumnBuilder::Float32List(
                ListBuilder::with_capacity(Float32Builder::new(), capacity),
            ),
        }
    }

    /// Appends column `idx` of `row`.
    pub fn push<R: ShardRow>(&mut self, row: &R, idx: usize) -> Result<(), SqlError> {
        let bad = |e: String| {
            SqlError::new(
                sqlstate::INTERNAL_ERROR,
                format!(
                    "cannot decode column {} from a shard: {e}",
                    row.column_name(idx)
                ),
            )
        };
        match self {
            ColumnBuilder::Text(b) => b.append_option(row.cell::<Option<&str>>(idx).map_err(bad)?),
            ColumnBuilder::Json(b) => {
                b.append_option(row.cell::<Option<JsonText>>(idx).map_err(bad)?.map(|j| j.0))
            }
            ColumnBuilder::Int16(b) => b.append_option(row.cell::<Option<i16>>(idx).map_err(bad)?),
            ColumnBuilder::Int32(b) => b.append_option(row.cell::<Option<i32>>(idx).map_err(bad)?),
            ColumnBuilder::Int64(b) => b.append_option(row.cell::<Option<i64>>(idx).map_err(bad)?),
            ColumnBuilder::Float32(b) => {
                b.append_option(row.cell::<Option<f32>>(idx).map_err(bad)?)
            }
            ColumnBuilder::Float64(b) => {
                b.append_option(row.cell::<Option<f64>>(idx).map_err(bad)?)
            }
            ColumnBuilder::Decimal(b, _, scale) => {
                let text = row.cell::<Option<&str>>(idx).map_err(bad)?;
                match text {
                    None => b.append_null(),
                    Some(t) => b.append_value(parse_decimal(t, *scale).ok_or_else(|| {
                        SqlError::new(
                            sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
                            format!("numeric value {t} does not fit the column's scale {scale}"),
                        )
                    })?),
                }
            }
            ColumnBuilder::Bool(b) => b.append_option(row.cell::<Option<bool>>(idx).map_err(bad)?),
            ColumnBuilder::Date(b) => b.append_option(
                row.cell::<Option<NaiveDate>>(idx)
                    .map_err(bad)?
                    .map(|d| d.num_days_from_ce_i32() - UNIX_EPOCH_DAYS_FROM_CE),
            ),
            ColumnBuilder::Timestamp(b) => b.append_option(
                row.cell::<Option<NaiveDateTime>>(idx)
                    .map_err(bad)?
                    .map(|t| t.and_utc().timestamp_micros()),
            ),
            ColumnBuilder::TimestampTz(b) => b.append_option(
                row.cell::<Option<DateTime<Utc>>>(idx)
                    .map_err(bad)?
                    .map(|t| t.timestamp_micros()),
            ),
            ColumnBuilder::Bytes(b) => {
                b.append_option(row.cell::<Option<&[u8]>>(idx).map_err(bad)?)
            }
            ColumnBuilder::Float32List(b) => {
                match row.cell::<Option<Float4ArrayBytes>>(idx).map_err(bad)? {
                    None => b.append_null(),
                    Some(raw) => append_float4_array(b, raw.0).map_err(|e| {
                        SqlError::new(
                            sqlstate::INTERNAL_ERROR,
                            format!(
                                "cannot decode column {} from a shard: {e}",
                                row.column_name(idx)
                            ),
                        )
                    })?,
                }
            }
        }
        Ok(())
    }

    /// The finished column, typed as `data_type` (which carries any timezone).
    pub fn finish(self, data_type: &DataType) -> ArrayRef {
        match self {
            ColumnBuilder::Text(mut b) | ColumnBuilder::Json(mut b) => Arc::new(b.finish()),
            ColumnBuilder::Int16(mut b) => Arc::new(b.finish()),
            ColumnBuilder::Int32(mut b) => Arc::new(b.finish()),
            ColumnBuilder::Int64(mut b) => Arc::new(b.finish()),
            ColumnBuilder::Float32(mut b) => Arc::new(b.finish()),
            ColumnBuilder::Float64(mut b) => Arc::new(b.finish()),
            ColumnBuilder::Decimal(mut b, p, s) => Arc::new(
                b.finish()
                    .with_precision_and_scale(p, s)
                    .unwrap_or_else(|_| Decimal128Builder::new().finish()),
            ),
            ColumnBuilder::Bool(mut b) => Arc::new(b.finish()),
            ColumnBuilder::Date(mut b) => Arc::new(b.finish()),
            ColumnBuilder::Timestamp(mut b) => Arc::new(b.finish()),
            ColumnBuilder::TimestampTz(mut b) => {
                let tz = match data_type {
                    DataType::Timestamp(_, Some(tz)) => tz.clone(),
                    _ => "+00:00".into(),
                };
                Arc::new(b.finish().with_timezone(tz))
            }
            ColumnBuilder::Bytes(mut b) => Arc::new(b.finish()),
            ColumnBuilder::Float32List(mut b) => Arc::new(b.finish()),
        }
    }
}

trait DaysFromCe {
    fn num_days_from_ce_i32(&self) -> i32;
}

impl DaysFromCe for NaiveDate {
    fn num_days_from_ce_i32(&self) -> i32 {
        chrono::Datelike::num_days_from_ce(self)
    }
}

/// Parses Postgres numeric text (`-12.340`) into an i128 scaled by `scale`.
pub fn parse_decimal(text: &str, scale: i8) -> Option<i128> {
    let (neg, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    if frac_part.len() > scale as usize && frac_part[scale as usize..].bytes().any(|b| b != b'0') {
        return None;
    }
    let mut value: i128 = 0;
    for b in int_part.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
    }
    let frac = frac_part.as_bytes();
    for i in 0..scale as usize {
        let d = frac.get(i).copied().unwrap_or(b'0');
        if !d.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(i128::from(d - b'0'))?;
    }
    Some(if neg { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_parse_exactly() {
        assert_eq!(parse_decimal("12.34", 2), Some(1234));
        assert_eq!(parse_decimal("-0.5", 2), Some(-50));
        assert_eq!(parse_decimal("7", 3), Some(7000));
        assert_eq!(parse_decimal("1.230", 2), Some(123));
        assert_eq!(parse_decimal("1.234", 2), None);
        assert_eq!(parse_decimal("NaN", 2), None);
    }

    #[test]
    fn epoch_offset_is_right() {
        let d = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        assert_eq!(d.num_days_from_ce_i32() - UNIX_EPOCH_DAYS_FROM_CE, 0);
    }
}
