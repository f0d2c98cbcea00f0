//! The jsonb inspection functions: `jsonb_typeof`, `jsonb_array_length`, the set-returning
//! `jsonb_array_elements*` / `jsonb_each*` / `jsonb_object_keys`, `jsonb_strip_nulls`,
//! `jsonb_pretty`.

use crate::error::PgError;
use crate::jsonb::{Jsonb, JsonbObject};

/// `jsonb_typeof`: `object`, `array`, `string`, `number`, `boolean` or `null`.
pub fn jsonb_typeof(value: &Jsonb) -> &'static str {
    value.type_name()
}

/// `jsonb_array_length`: element count; errors on scalars and objects as PostgreSQL does.
pub fn jsonb_array_length(value: &Jsonb) -> Result<i32, PgError> {
    match value {
        Jsonb::Array(items) => Ok(items.len() as i32),
        Jsonb::Object(_) => Err(PgError::invalid_parameter(
            "cannot get array length of a non-array",
        )),
        _ => Err(PgError::invalid_parameter(
            "cannot get array length of a scalar",
        )),
    }
}

fn elements_of(value: &Jsonb) -> Result<&[Jsonb], PgError> {
    match value {
        Jsonb::Array(items) => Ok(items),
        Jsonb::Object(_) => Err(PgError::invalid_parameter(
            "cannot extract elements from an object",
        )),
        _ => Err(PgError::invalid_parameter(
            "cannot extract elements from a scalar",
        )),
    }
}

/// `jsonb_array_elements`: one row per element.
pub fn jsonb_array_elements(value: &Jsonb) -> Result<Vec<Jsonb>, PgError> {
    Ok(elements_of(value)?.to_vec())
}

/// `jsonb_array_elements_text`: one row per element as text (JSON null → SQL NULL).
pub fn jsonb_array_elements_text(value: &Jsonb) -> Result<Vec<Option<String>>, PgError> {
    Ok(elements_of(value)?.iter().map(Jsonb::to_text).collect())
}

fn members_of<'a>(value: &'a Jsonb, function: &str) -> Result<&'a JsonbObject, PgError> {
    value.as_object().ok_or_else(|| {
        PgError::invalid_parameter(format!("cannot call {function} on a non-object"))
    })
}

/// `jsonb_each`: `(key, value)` rows in jsonb key order.
pub fn jsonb_each(value: &Jsonb) -> Result<Vec<(String, Jsonb)>, PgError> {
    Ok(members_of(value, "jsonb_each")?
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect())
}

/// `jsonb_each_text`: `(key, value as text)` rows; JSON null values become SQL NULL.
pub fn jsonb_each_text(value: &Jsonb) -> Result<Vec<(String, Option<String>)>, PgError> {
    Ok(members_of(value, "jsonb_each_text")?
        .iter()
        .map(|(k, v)| (k.clone(), v.to_text()))
        .collect())
}

/// `jsonb_object_keys`: the top-level keys in jsonb key order.
pub fn jsonb_object_keys(value: &Jsonb) -> Result<Vec<String>, PgError> {
    match value {
        Jsonb::Object(o) => Ok(o.keys().cloned().collect()),
        Jsonb::Array(_) => Err(PgError::invalid_parameter(
            "cannot call jsonb_object_keys on an array",
        )),
        _ => Err(PgError::invalid_parameter(
            "cannot call jsonb_object_keys on a scalar",
        )),
    }
}

/// `jsonb_strip_nulls`: removes object members whose value is JSON null, recursively;
/// nulls inside arrays stay.
pub fn jsonb_strip_nulls(value: &Jsonb) -> Jsonb {
    match value {
        Jsonb::Object(o) => Jsonb::Object(JsonbObject::from_pairs(
            o.iter()
                .filter(|(_, v)| !matches!(v, Jsonb::Null))
                .map(|(k, v)| (k.clone(), jsonb_strip_nulls(v))),
        )),
        Jsonb::Array(items) => Jsonb::Array(items.iter().map(jsonb_strip_nulls).collect()),
        scalar => scalar.clone(),
    }
}

/// `jsonb_pretty`: indented text (see [`Jsonb::pretty`]).
pub fn jsonb_pretty(value: &Jsonb) -> String {
    value.pretty()
}

#[cfg(test)]
mod tests;
