//! The jsonb operators (`->`, `->>`, `#>`, `#>>`, `@>`, `<@`, `?`, `?|`, `?&`, `||`, `-`),
//! named after the PostgreSQL functions that implement them.

use crate::error::PgError;
use crate::jsonb::{Jsonb, JsonbObject};

/// Parses a text-array path step used as an array index, like PostgreSQL's `strtol` check:
/// leading whitespace and a sign are allowed, trailing characters are not, and the value must
/// fit `int4`.
pub(crate) fn parse_path_index(step: &str) -> Option<i32> {
    let t = step.trim_start_matches([' ', '\t', '\n', '\r', '\u{b}', '\u{c}']);
    let (negative, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut v: i64 = 0;
    for b in digits.bytes() {
        v = v.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
    }
    if negative {
        v = -v;
    }
    i32::try_from(v).ok()
}

/// Resolves a possibly negative index against `len` the way `->` does (`None` if out of range).
pub(crate) fn resolve_index(index: i64, len: usize) -> Option<usize> {
    let len = len as i64;
    let i = if index < 0 { index + len } else { index };
    (0..len).contains(&i).then_some(i as usize)
}

/// `jsonb -> text`: the member `key` of an object; `None` (SQL NULL) for a missing key or a
/// non-object.
pub fn jsonb_object_field<'a>(value: &'a Jsonb, key: &str) -> Option<&'a Jsonb> {
    value.as_object()?.get(key)
}

/// `jsonb ->> text`: like [`jsonb_object_field`] but as text (strings unquoted, JSON null → NULL).
pub fn jsonb_object_field_text(value: &Jsonb, key: &str) -> Option<String> {
    jsonb_object_field(value, key)?.to_text()
}

/// `jsonb -> int`: an array element, negative indexes counting from the end.
///
/// As in PostgreSQL, a top-level scalar behaves as a one-element array here
/// (`'"x"'::jsonb -> 0` is `"x"`).
pub fn jsonb_array_element(value: &Jsonb, index: i32) -> Option<&Jsonb> {
    match value {
        Jsonb::Array(items) => resolve_index(i64::from(index), items.len()).map(|i| &items[i]),
        Jsonb::Object(_) => None,
        scalar => resolve_index(i64::from(index), 1).map(|_| scalar),
    }
}

/// `jsonb ->> int`: like [`jsonb_array_element`] but as text.
pub fn jsonb_array_element_text(value: &Jsonb, index: i32) -> Option<String> {
    jsonb_array_element(value, index)?.to_text()
}

/// `jsonb #> text[]` (also `jsonb_extract_path`): follows object keys and array indexes;
/// `None` when a step is missing, NULL, not an integer on an array, or reaches a scalar.
pub fn jsonb_extract_path<'a>(value: &'a Jsonb, path: &[Option<&str>]) -> Option<&'a Jsonb> {
    let mut current = value;
    for step in path {
        let step = (*step)?;
        current = match current {
            Jsonb::Object(obj) => obj.get(step)?,
            Jsonb::Array(items) => {
                let index = parse_path_index(step)?;
                &items[resolve_index(i64::from(index), items.len())?]
            }
            _ => return None,
        };
    }
    Some(current)
}

/// `jsonb #>> text[]` (also `jsonb_extract_path_text`): like [`jsonb_extract_path`] but as text.
pub fn jsonb_extract_path_text(value: &Jsonb, path: &[Option<&str>]) -> Option<String> {
    jsonb_extract_path(value, path)?.to_text()
}

/// Scalar equality as jsonb compares scalars (numbers by value).
fn scalar_equal(a: &Jsonb, b: &Jsonb) -> bool {
    match (a, b) {
        (Jsonb::Null, Jsonb::Null) => true,
        (Jsonb::Bool(x), Jsonb::Bool(y)) => x == y,
        (Jsonb::Number(x), Jsonb::Number(y)) => x == y,
        (Jsonb::String(x), Jsonb::String(y)) => x == y,
        _ => false,
    }
}

/// A top-level value seen as jsonb stores it: scalars are one-element "raw scalar" arrays.
enum Root<'a> {
    Object(&'a JsonbObject),
    Array(&'a [Jsonb], bool),
}

fn root_of(value: &Jsonb) -> Root<'_> {
    match value {
        Jsonb::Object(o) => Root::Object(o),
        Jsonb::Array(items) => Root::Array(items, false),
        scalar => Root::Array(std::slice::from_ref(scalar), true),
    }
}

fn deep_contains(val: Root<'_>, contained: Root<'_>) -> bool {
    match (val, contained) {
        (Root::Object(lhs), Root::Object(rhs)) => {
            if lhs.len() < rhs.len() {
                return false;
            }
            rhs.iter().all(|(key, rv)| match lhs.get(key) {
                None => false,
                Some(lv) => value_contains(lv, rv),
            })
        }
        (Root::Array(lhs, lhs_raw), Root::Array(rhs, rhs_raw)) => {
            if lhs_raw && !rhs_raw {
                return false;
            }
            rhs.iter().all(|rv| {
                if rv.is_scalar() {
                    lhs.iter().any(|lv| lv.is_scalar() && scalar_equal(lv, rv))
                } else {
                    lhs.iter().any(|lv| {
                        !lv.is_scalar() && deep_contains(nested_root(lv), nested_root(rv))
                    })
                }
            })
        }
        _ => false,
    }
}

fn nested_root(value: &Jsonb) -> Root<'_> {
    match value {
        Jsonb::Object(o) => Root::Object(o),
        Jsonb::Array(items) => Root::Array(items, false),
        scalar => Root::Array(std::slice::from_ref(scalar), false),
    }
}

/// Containment of a nested object member value.
fn value_contains(lhs: &Jsonb, rhs: &Jsonb) -> bool {
    match (lhs.is_scalar(), rhs.is_scalar()) {
        (true, true) => scalar_equal(lhs, rhs),
        (false, false) => deep_contains(nested_root(lhs), nested_root(rhs)),
        _ => false,
    }
}

/// `jsonb @> jsonb`: whether `value` contains `contained` (arrays ignore order and duplicates;
/// a top-level array contains a top-level scalar equal to one of its elements).
pub fn jsonb_contains(value: &Jsonb, contained: &Jsonb) -> bool {
    deep_contains(root_of(value), root_of(contained))
}

/// `jsonb <@ jsonb`: whether `value` is contained in `container`.
pub fn jsonb_contained(value: &Jsonb, container: &Jsonb) -> bool {
    jsonb_contains(container, value)
}

/// `jsonb ? text` (also `jsonb_exists`): `key` is a top-level object key or a top-level string
/// array element (or the top-level string scalar itself).
pub fn jsonb_exists(value: &Jsonb, key: &str) -> bool {
    match root_of(value) {
        Root::Object(o) => o.contains_key(key),
        Root::Array(items, _) => items
            .iter()
            .any(|item| matches!(item, Jsonb::String(s) if s == key)),
    }
}

/// `jsonb ?| text[]` (also `jsonb_exists_any`): any of the non-NULL `keys` exists.
pub fn jsonb_exists_any(value: &Jsonb, keys: &[Option<&str>]) -> bool {
    keys.iter().flatten().any(|k| jsonb_exists(value, k))
}

/// `jsonb ?& text[]` (also `jsonb_exists_all`): all of the non-NULL `keys` exist.
pub fn jsonb_exists_all(value: &Jsonb, keys: &[Option<&str>]) -> bool {
    keys.iter().flatten().all(|k| jsonb_exists(value, k))
}

fn is_empty_container(value: &Jsonb) -> bool {
    match value {
        Jsonb::Array(a) => a.is_empty(),
        Jsonb::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// `jsonb || jsonb`: merges two objects (right side wins), otherwise concatenates as arrays,
/// wrapping a non-array operand as one element. When both sides are objects or both are
/// non-objects, an empty side yields the other side unchanged unless that one is a scalar.
pub fn jsonb_concat(left: &Jsonb, right: &Jsonb) -> Jsonb {
    let is_object = |v: &Jsonb| matches!(v, Jsonb::Object(_));
    if is_object(left) == is_object(right) {
        if is_empty_container(left) && !right.is_scalar() {
            return right.clone();
        }
        if is_empty_container(right) && !left.is_scalar() {
            return left.clone();
        }
    }
    if let (Jsonb::Object(l), Jsonb::Object(r)) = (left, right) {
        let mut merged = l.clone();
        for (k, v) in r.iter() {
            merged.insert(k.clone(), v.clone());
        }
        return Jsonb::Object(merged);
    }
    let mut items = Vec::new();
    for side in [left, right] {
        match side {
            Jsonb::Array(a) => items.extend(a.iter().cloned()),
            other => items.push(other.clone()),
        }
    }
    Jsonb::Array(items)
}

fn cannot_delete_from_scalar() -> PgError {
    PgError::invalid_parameter("cannot delete from scalar")
}

/// `jsonb - text`: removes an object key, or every string array element equal to `key`.
pub fn jsonb_delete(value: &Jsonb, key: &str) -> Result<Jsonb, PgError> {
    jsonb_delete_array(value, &[Some(key)])
}

/// `jsonb - text[]`: removes every listed key (or matching string elements); NULLs are ignored.
pub fn jsonb_delete_array(value: &Jsonb, keys: &[Option<&str>]) -> Result<Jsonb, PgError> {
    let wanted = |k: &str| keys.iter().flatten().any(|x| *x == k);
    match value {
        Jsonb::Object(o) => Ok(Jsonb::Object(JsonbObject::from_pairs(
            o.iter()
                .filter(|(k, _)| !wanted(k))
                .map(|(k, v)| (k.clone(), v.clone())),
        ))),
        Jsonb::Array(items) => Ok(Jsonb::Array(
            items
                .iter()
                .filter(|item| !matches!(item, Jsonb::String(s) if wanted(s)))
                .cloned()
                .collect(),
        )),
        _ => Err(cannot_delete_from_scalar()),
    }
}

/// `jsonb - int`: removes one array element (negative counts from the end; out of range is a
/// no-op). Errors on scalars and objects as PostgreSQL does.
pub fn jsonb_delete_idx(value: &Jsonb, index: i32) -> Result<Jsonb, PgError> {
    match value {
        Jsonb::Array(items) => {
            let mut items = items.clone();
            if let Some(i) = resolve_index(i64::from(index), items.len()) {
                items.remove(i);
            }
            Ok(Jsonb::Array(items))
        }
        Jsonb::Object(_) => Err(PgError::invalid_parameter(
            "cannot delete from object using integer index",
        )),
        _ => Err(cannot_delete_from_scalar()),
    }
}

#[cfg(test)]
mod tests;
