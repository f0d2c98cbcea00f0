//! Building jsonb from SQL values: `to_jsonb` for scalar types, `jsonb_build_object`,
//! `jsonb_build_array`, `jsonb_object_agg` and `jsonb_agg`.

use crate::error::PgError;
use crate::float_text::{float4_out, float8_out};
use crate::jsonb::{Jsonb, JsonbObject};
use crate::numeric::{Numeric, NumericInput};

/// `to_jsonb(text)`: a JSON string.
pub fn to_jsonb_text(value: &str) -> Jsonb {
    Jsonb::String(value.to_string())
}

/// `to_jsonb(boolean)`.
pub fn to_jsonb_bool(value: bool) -> Jsonb {
    Jsonb::Bool(value)
}

/// `to_jsonb(smallint|integer|bigint)`.
pub fn to_jsonb_int(value: i64) -> Jsonb {
    Jsonb::from_i64(value)
}

/// Turns a numeric-category output string into jsonb: a number when it is a finite numeric,
/// otherwise (NaN, infinities) a string, as `to_jsonb` does.
fn numeric_text_to_jsonb(text: &str) -> Result<Jsonb, PgError> {
    match Numeric::parse_input(text)? {
        NumericInput::Finite(n) => Ok(Jsonb::Number(n)),
        NumericInput::NaN => Ok(Jsonb::string("NaN")),
        NumericInput::Infinity => Ok(Jsonb::string("Infinity")),
        NumericInput::NegativeInfinity => Ok(Jsonb::string("-Infinity")),
    }
}

/// `to_jsonb(numeric)` from numeric input text: `1.50` → `1.50`, `NaN` → `"NaN"`.
pub fn to_jsonb_numeric(text: &str) -> Result<Jsonb, PgError> {
    numeric_text_to_jsonb(text)
}

/// `to_jsonb(double precision)`: the `float8out` text read as numeric (`1e+100` becomes the
/// full digits); NaN and infinities become strings.
pub fn to_jsonb_float8(value: f64) -> Jsonb {
    numeric_text_to_jsonb(&float8_out(value)).unwrap_or_else(|_| Jsonb::string(float8_out(value)))
}

/// `to_jsonb(real)`: like [`to_jsonb_float8`] with `float4out` text.
pub fn to_jsonb_float4(value: f32) -> Jsonb {
    numeric_text_to_jsonb(&float4_out(value)).unwrap_or_else(|_| Jsonb::string(float4_out(value)))
}

/// The key text of a builder argument; `position` is 1-based for error messages.
fn key_text(key: Option<&Jsonb>, null_error: impl FnOnce() -> PgError) -> Result<String, PgError> {
    match key {
        None | Some(Jsonb::Null) => Err(null_error()),
        Some(Jsonb::String(s)) => Ok(s.clone()),
        Some(Jsonb::Number(n)) => Ok(n.to_string()),
        Some(Jsonb::Bool(b)) => Ok(if *b { "true" } else { "false" }.to_string()),
        Some(Jsonb::Array(_) | Jsonb::Object(_)) => Err(PgError::invalid_parameter(
            "key value must be scalar, not array, composite, or json",
        )),
    }
}

/// `jsonb_build_object(VARIADIC "any")`. Each argument is the `to_jsonb` conversion of the SQL
/// value, `None` for SQL NULL. Keys must be non-NULL scalars (their text is used); NULL values
/// become JSON null; of duplicate keys the last wins.
pub fn jsonb_build_object(args: &[Option<Jsonb>]) -> Result<Jsonb, PgError> {
    if !args.len().is_multiple_of(2) {
        return Err(PgError::invalid_parameter(
            "argument list must have even number of elements",
        )
        .with_hint(
            "The arguments of jsonb_build_object() must consist of alternating keys and values.",
        ));
    }
    let mut pairs = Vec::with_capacity(args.len() / 2);
    for (i, pair) in args.chunks(2).enumerate() {
        let key = key_text(pair[0].as_ref(), || {
            PgError::invalid_parameter(format!("argument {}: key must not be null", 2 * i + 1))
        })?;
        pairs.push((key, pair[1].clone().unwrap_or(Jsonb::Null)));
    }
    Ok(Jsonb::Object(JsonbObject::from_pairs(pairs)))
}

/// `jsonb_build_array(VARIADIC "any")`: SQL NULL arguments (`None`) become JSON null.
pub fn jsonb_build_array(args: &[Option<Jsonb>]) -> Jsonb {
    Jsonb::Array(
        args.iter()
            .map(|a| a.clone().unwrap_or(Jsonb::Null))
            .collect(),
    )
}

/// `jsonb_object_agg(key, value)` over rows in order: `None` (SQL NULL) for no rows; a NULL key
/// is an error; NULL values become JSON null; of duplicate keys the last wins.
pub fn jsonb_object_agg(rows: &[(Option<Jsonb>, Option<Jsonb>)]) -> Result<Option<Jsonb>, PgError> {
    if rows.is_empty() {
        return Ok(None);
    }
    let mut pairs = Vec::with_capacity(rows.len());
    for (key, value) in rows {
        let key = key_text(key.as_ref(), || {
            PgError::invalid_parameter("field name must not be null")
        })?;
        pairs.push((key, value.clone().unwrap_or(Jsonb::Null)));
    }
    Ok(Some(Jsonb::Object(JsonbObject::from_pairs(pairs))))
}

/// `jsonb_agg(value)` over rows in order: `None` (SQL NULL) for no rows; NULLs become JSON null.
pub fn jsonb_agg(rows: &[Option<Jsonb>]) -> Option<Jsonb> {
    if rows.is_empty() {
        return None;
    }
    Some(jsonb_build_array(rows))
}

#[cfg(test)]
mod tests;
