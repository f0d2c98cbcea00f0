//! The JSON functions and operators as DataFusion scalar UDFs: each is a thin binding of a
//! `docfusion_pgvalue` function (which holds the Postgres semantics) to SQL arguments.

use std::sync::Arc;

use datafusion::logical_expr::ScalarUDF;
use docfusion_pgvalue::{
    Jsonb, PgError, build, functions as f, json_text, jsonb_scan, operators as op, path_update,
};

use crate::json::array_literal::parse_text_array;
use crate::json::names;
use crate::json::row_fn::{Arg, OutKind, RowFn, Val};

fn type_error(what: &str) -> PgError {
    PgError::new("42804", format!("argument of {what} has the wrong type"))
}

/// The jsonb value of a jsonb, json or text (unknown literal) argument.
fn jsonb_arg(a: &Arg<'_>) -> Result<Jsonb, PgError> {
    match a {
        Arg::Jsonb(s) | Arg::Json(s) | Arg::Text(s) => Jsonb::parse(s),
        _ => Err(type_error("a jsonb operator")),
    }
}

/// The `to_jsonb` conversion of any SQL value (None for SQL NULL).
pub fn to_jsonb(a: &Arg<'_>) -> Result<Option<Jsonb>, PgError> {
    Ok(Some(match a {
        Arg::Null => return Ok(None),
        Arg::Jsonb(s) | Arg::Json(s) => Jsonb::parse(s)?,
        Arg::Text(s) => build::to_jsonb_text(s),
        Arg::Other(s) => build::to_jsonb_text(s),
        Arg::Int(v) => build::to_jsonb_int(*v),
        Arg::Float(v) => build::to_jsonb_float8(*v),
        Arg::Numeric(s) => build::to_jsonb_numeric(s)?,
        Arg::Bool(b) => build::to_jsonb_bool(*b),
        Arg::TextArray(items) => Jsonb::Array(
            items
                .iter()
                .map(|i| i.as_deref().map_or(Jsonb::Null, build::to_jsonb_text))
                .collect(),
        ),
    }))
}

fn text_arg<'a>(a: &'a Arg<'_>) -> Result<&'a str, PgError> {
    match a {
        Arg::Text(s) => Ok(s),
        Arg::Other(s) => Ok(s),
        _ => Err(type_error("a text parameter")),
    }
}

/// A text[] argument: a list, or a Postgres array literal.
fn text_array_arg(a: &Arg<'_>) -> Result<Vec<Option<String>>, PgError> {
    match a {
        Arg::TextArray(items) => Ok(items.clone()),
        Arg::Text(s) => parse_text_array(s),
        _ => Err(type_error("a text[] parameter")),
    }
}

/// The path of `#>`-style functions: one text[] argument, or several text arguments.
fn path_args(args: &[Arg<'_>]) -> Result<Vec<Option<String>>, PgError> {
    match args {
        [Arg::TextArray(items)] => Ok(items.clone()),
        _ => args
            .iter()
            .map(|a| match a {
                Arg::Null => Ok(None),
                Arg::Int(i) => Ok(Some(i.to_string())),
                other => text_arg(other).map(|s| Some(s.to_string())),
            })
            .collect(),
    }
}

fn borrowed(path: &[Option<String>]) -> Vec<Option<&str>> {
    path.iter().map(|p| p.as_deref()).collect()
}

fn jsonb_val(j: Option<Jsonb>) -> Val {
    j.map_or(Val::Null, |j| Val::Text(j.to_pg_text()))
}

fn index_arg(i: i64) -> i32 {
    // Out-of-range indexes simply find nothing, as in Postgres.
    i32::try_from(i).unwrap_or(if i < 0 { i32::MIN } else { i32::MAX })
}

/// `jsonb -> text` read from the jsonb text without parsing it ([`jsonb_scan`]), where
/// that can decide.
fn scanned_member<'a>(args: &[Arg<'a>]) -> Option<Option<&'a str>> {
    match (&args[0], &args[1]) {
        (Arg::Jsonb(j), key) if !matches!(key, Arg::Int(_)) => {
            jsonb_scan::object_member(j, text_arg(key).ok()?)
        }
        _ => None,
    }
}

/// `jsonb #> text[]` read from the jsonb text ([`jsonb_scan`]), where that can decide.
fn scanned_path<'a>(args: &[Arg<'a>]) -> Option<Option<&'a str>> {
    let Arg::Jsonb(j) = &args[0] else {
        return None;
    };
    let path = path_args(&args[1..]).ok()?;
    let steps = path
        .iter()
        .map(|p| p.as_deref())
        .collect::<Option<Vec<_>>>()?;
    jsonb_scan::extract_path(j, &steps)
}

/// `->>`'s text of what [`scanned_member`] or [`scanned_path`] found (`None`: not
/// decidable without parsing).
fn as_text(found: Option<&str>) -> Option<Option<String>> {
    match found {
        Some(raw) => jsonb_scan::member_text(raw),
        None => Some(None),
    }
}

fn field(args: &[Arg<'_>]) -> Result<Val, PgError> {
    if let Some(found) = scanned_member(args) {
        return Ok(found.map_or(Val::Null, |v| Val::Text(v.to_string())));
    }
    match (&args[0], &args[1]) {
        (Arg::Json(j), Arg::Int(i)) => {
            Ok(json_text::json_array_element(j, index_arg(*i))?.map_or(Val::Null, Val::Text))
        }
        (Arg::Json(j), key) => {
            Ok(json_text::json_object_field(j, text_arg(key)?)?.map_or(Val::Null, Val::Text))
        }
        (j, Arg::Int(i)) => {
            let v = jsonb_arg(j)?;
            Ok(jsonb_val(
                op::jsonb_array_element(&v, index_arg(*i)).cloned(),
            ))
        }
        (j, key) => {
            let v = jsonb_arg(j)?;
            Ok(jsonb_val(
                op::jsonb_object_field(&v, text_arg(key)?).cloned(),
            ))
        }
    }
}

fn field_text(args: &[Arg<'_>]) -> Result<Val, PgError> {
    if let Some(text) = scanned_member(args).and_then(as_text) {
        return Ok(text.map_or(Val::Null, Val::Text));
    }
    let out = match (&args[0], &args[1]) {
        (Arg::Json(j), Arg::Int(i)) => json_text::json_array_element_text(j, index_arg(*i))?,
        (Arg::Json(j), key) => json_text::json_object_field_text(j, text_arg(key)?)?,
        (j, Arg::Int(i)) => op::jsonb_array_element_text(&jsonb_arg(j)?, index_arg(*i)),
        (j, key) => op::jsonb_object_field_text(&jsonb_arg(j)?, text_arg(key)?),
    };
    Ok(out.map_or(Val::Null, Val::Text))
}

fn extract_path(args: &[Arg<'_>]) -> Result<Val, PgError> {
    if let Some(found) = scanned_path(args) {
        return Ok(found.map_or(Val::Null, |v| Val::Text(v.to_string())));
    }
    let path = path_args(&args[1..])?;
    let path = borrowed(&path);
    if let Arg::Json(j) = &args[0] {
        return Ok(json_text::json_extract_path(j, &path)?.map_or(Val::Null, Val::Text));
    }
    let v = jsonb_arg(&args[0])?;
    Ok(jsonb_val(op::jsonb_extract_path(&v, &path).cloned()))
}

fn extract_path_text(args: &[Arg<'_>]) -> Result<Val, PgError> {
    if let Some(text) = scanned_path(args).and_then(as_text) {
        return Ok(text.map_or(Val::Null, Val::Text));
    }
    let path = path_args(&args[1..])?;
    let path = borrowed(&path);
    if let Arg::Json(j) = &args[0] {
        return Ok(json_text::json_extract_path_text(j, &path)?.map_or(Val::Null, Val::Text));
    }
    let v = jsonb_arg(&args[0])?;
    Ok(op::jsonb_extract_path_text(&v, &path).map_or(Val::Null, Val::Text))
}

fn contains(args: &[Arg<'_>]) -> Result<Val, PgError> {
    Ok(Val::Bool(op::jsonb_contains(
        &jsonb_arg(&args[0])?,
        &jsonb_arg(&args[1])?,
    )))
}

fn contained(args: &[Arg<'_>]) -> Result<Val, PgError> {
    Ok(Val::Bool(op::jsonb_contained(
        &jsonb_arg(&args[0])?,
        &jsonb_arg(&args[1])?,
    )))
}

fn exists(args: &[Arg<'_>]) -> Result<Val, PgError> {
    Ok(Val::Bool(op::jsonb_exists(
        &jsonb_arg(&args[0])?,
        text_arg(&args[1])?,
    )))
}

fn exists_any(args: &[Arg<'_>]) -> Result<Val, PgError> {
    let keys = text_array_arg(&args[1])?;
    Ok(Val::Bool(op::jsonb_exists_any(
        &jsonb_arg(&args[0])?,
        &borrowed(&keys),
    )))
}

fn exists_all(args: &[Arg<'_>]) -> Result<Val, PgError> {
    let keys = text_array_arg(&args[1])?;
    Ok(Val::Bool(op::jsonb_exists_all(
        &jsonb_arg(&args[0])?,
        &borrowed(&keys),
    )))
}

fn concat(args: &[Arg<'_>]) -> Result<Val, PgError> {
    Ok(jsonb_val(Some(op::jsonb_concat(
        &jsonb_arg(&args[0])?,
        &jsonb_arg(&args[1])?,
    ))))
}

fn delete(args: &[Arg<'_>]) -> Result<Val, PgError> {
    let v = jsonb_arg(&args[0])?;
    let out = match &args[1] {
        Arg::Int(i) => op::jsonb_delete_idx(&v, index_arg(*i))?,
        Arg::TextArray(keys) => op::jsonb_delete_array(&v, &borrowed(keys))?,
        key => op::jsonb_delete(&v, text_arg(key)?)?,
    };
    Ok(jsonb_val(Some(out)))
}

fn delete_path(args: &[Arg<'_>]) -> Result<Val, PgError> {
    let path = text_array_arg(&args[1])?;
    Ok(jsonb_val(Some(path_update::jsonb_delete_path(
        &jsonb_arg(&args[0])?,
        &borrowed(&path),
    )?)))
}

fn jsonb_in(args: &[Arg<'_>]) -> Result<Val, PgError> {
    Ok(jsonb_val(Some(jsonb_arg(&args[0])?)))
}

fn json_in(args: &[Arg<'_>]) -> Result<Val, PgError> {
    match &args[0] {
        Arg::Text(s) | Arg::Json(s) | Arg::Jsonb(s) => {
            json_text::validate_json(s)?;
            Ok(Val::Text((*s).to_string()))
        }
        _ => Err(type_error("json")),
    }
}

fn scalar_for_cast(args: &[Arg<'_>]) -> Result<Val, PgError> {
    let v = jsonb_arg(&args[0])?;
    let target = text_arg(&args[1])?;
    match (&v, target) {
        (Jsonb::Bool(b), "boolean") => Ok(Val::Text(b.to_string())),
        (Jsonb::Number(n), t) if t != "boolean" => Ok(Val::Text(n.to_string())),
        (Jsonb::Null, _) => Ok(Val::Null),
        (other, t) => Err(PgError::new(
            "22023",
            format!("cannot cast jsonb {} to type {t}", f::jsonb_typeof(other)),
        )),
    }
}

fn compare(args: &[Arg<'_>]) -> Result<Val, PgError> {
    let o = crate::json::compare::jsonb_cmp(&jsonb_arg(&args[0])?, &jsonb_arg(&args[1])?);
    let op = text_arg(&args[2])?;
    use std::cmp::Ordering::*;
    Ok(Val::Bool(match op {
        "=" => o == Equal,
        "<>" | "!=" => o != Equal,
        "<" => o == Less,
        "<=" => o != Greater,
        ">" => o == Greater,
        ">=" => o != Less,
        other => {
            return Err(PgError::new(
                "42883",
                format!("operator does not exist: jsonb {other} jsonb"),
            ));
        }
    }))
}

fn sort_key(args: &[Arg<'_>]) -> Result<Val, PgError> {
    Ok(Val::Bytes(crate::json::compare::jsonb_sort_key(
        &jsonb_arg(&args[0])?,
    )))
}

fn out(args: &[Arg<'_>]) -> Result<Val, PgError> {
    match &args[0] {
        Arg::Jsonb(s) | Arg::Json(s) | Arg::Text(s) => Ok(Val::Text((*s).to_string())),
        other => Err(type_error(&format!("jsonb_out ({other:?})"))),
    }
}

fn uuid_in(args: &[Arg<'_>]) -> Result<Val, PgError> {
    let s = text_arg(&args[0])?;
    // Postgres accepts upper case, braces and missing hyphens, and prints the canonical form.
    uuid::Uuid::parse_str(s.trim())
        .map(|u| Val::Text(u.hyphenated().to_string()))
        .map_err(|_| {
            PgError::new(
                "22P02",
                format!("invalid input syntax for type uuid: \"{s}\""),
            )
        })
}

fn bytea_in(args: &[Arg<'_>]) -> Result<Val, PgError> {
    let s = text_arg(&args[0])?;
    let invalid = || PgError::new("22P02", "invalid input syntax for type bytea");
    if let Some(hex_digits) = s.strip_prefix("\\x") {
        let digits: String = hex_digits.chars().filter(|c| !c.is_whitespace()).collect();
        return hex::decode(digits).map(Val::Bytes).map_err(|_| {
            PgError::new(
                "22P02",
                format!("invalid hexadecimal data in bytea: \"{s}\""),
            )
        });
    }
    // Escape format: \\ is a backslash, \ooo an octal byte, anything else itself.
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            out.push(bytes[i]);
            i += 1;
        } else if bytes.get(i + 1) == Some(&b'\\') {
            out.push(b'\\');
            i += 2;
        } else {
            let octal = bytes.get(i + 1..i + 4).ok_or_else(invalid)?;
            let text = std::str::from_utf8(octal).map_err(|_| invalid())?;
            out.push(u8::from_str_radix(text, 8).map_err(|_| invalid())?);
            i += 4;
        }
    }
    Ok(Val::Bytes(out))
}

fn tagged(args: &[Arg<'_>]) -> Result<Val, PgError> {
    match &args[0] {
        // Already canonical jsonb text (list items produced by our own functions).
        Arg::Text(s) | Arg::Jsonb(s) => Ok(Val::Text((*s).to_string())),
        other => jsonb_arg(other).map(|j| jsonb_val(Some(j))),
    }
}

fn text_array_in(args: &[Arg<'_>]) -> Result<Val, PgError> {
    match &args[0] {
        Arg::TextArray(items) => Ok(Val::List(items.clone())),
        other => Ok(Val::List(parse_text_array(text_arg(other)?)?)),
    }
}

fn typeof_(args: &[Arg<'_>]) -> Result<Val, PgError> {
    Ok(Val::Text(
        f::jsonb_typeof(&jsonb_arg(&args[0])?).to_string(),
    ))
}

fn array_length(args: &[Arg<'_>]) -> Result<Val, PgError> {
    Ok(Val::Int(
        f::jsonb_array_length(&jsonb_arg(&args[0])?)?.into(),
    ))
}

fn strip_nulls(args: &[Arg<'_>]) -> Result<Val, PgError> {
    Ok(jsonb_val(Some(f::jsonb_strip_nulls(&jsonb_arg(&args[0])?))))
}

fn pretty(args: &[Arg<'_>]) -> Result<Val, PgError> {
    Ok(Val::Text(f::jsonb_pretty(&jsonb_arg(&args[0])?)))
}

fn bool_arg(a: Option<&Arg<'_>>, default: bool) -> Result<bool, PgError> {
    match a {
        None => Ok(default),
        Some(Arg::Bool(b)) => Ok(*b),
        Some(_) => Err(type_error("a boolean parameter")),
    }
}

fn set(args: &[Arg<'_>]) -> Result<Val, PgError> {
    let path = text_array_arg(&args[1])?;
    let new_value = jsonb_arg(&args[2])?;
    let create = bool_arg(args.get(3), true)?;
    Ok(jsonb_val(Some(path_update::jsonb_set(
        &jsonb_arg(&args[0])?,
        &borrowed(&path),
        &new_value,
        create,
    )?)))
}

fn insert(args: &[Arg<'_>]) -> Result<Val, PgError> {
    let path = text_array_arg(&args[1])?;
    let new_value = jsonb_arg(&args[2])?;
    let after = bool_arg(args.get(3), false)?;
    Ok(jsonb_val(Some(path_update::jsonb_insert(
        &jsonb_arg(&args[0])?,
        &borrowed(&path),
        &new_value,
        after,
    )?)))
}

fn to_jsonb_fn(args: &[Arg<'_>]) -> Result<Val, PgError> {
    Ok(jsonb_val(to_jsonb(&args[0])?))
}

fn build_object(args: &[Arg<'_>]) -> Result<Val, PgError> {
    if !args.len().is_multiple_of(2) {
        return Err(PgError::new("22023", "argument list must have even number of elements")
            .with_hint("The arguments of jsonb_build_object() must consist of alternating keys and values."));
    }
    let values = args.iter().map(to_jsonb).collect::<Result<Vec<_>, _>>()?;
    Ok(jsonb_val(Some(build::jsonb_build_object(&values)?)))
}

fn build_array(args: &[Arg<'_>]) -> Result<Val, PgError> {
    let values = args.iter().map(to_jsonb).collect::<Result<Vec<_>, _>>()?;
    Ok(jsonb_val(Some(build::jsonb_build_array(&values))))
}

fn array_elements_list(args: &[Arg<'_>]) -> Result<Val, PgError> {
    let items = f::jsonb_array_elements(&jsonb_arg(&args[0])?)?;
    Ok(Val::List(
        items.into_iter().map(|j| Some(j.to_pg_text())).collect(),
    ))
}

fn array_elements_text_list(args: &[Arg<'_>]) -> Result<Val, PgError> {
    Ok(Val::List(f::jsonb_array_elements_text(&jsonb_arg(
        &args[0],
    )?)?))
}

fn object_keys_list(args: &[Arg<'_>]) -> Result<Val, PgError> {
    let keys = f::jsonb_object_keys(&jsonb_arg(&args[0])?)?;
    Ok(Val::List(keys.into_iter().map(Some).collect()))
}

/// Every JSON scalar function.
pub fn all() -> Vec<Arc<ScalarUDF>> {
    const MANY: usize = 100;
    let fns = vec![
        RowFn::new(names::FIELD, 2, 2, OutKind::SameAsFirst, field),
        RowFn::new(names::FIELD_TEXT, 2, 2, OutKind::Text, field_text),
        RowFn::new(
            names::EXTRACT_PATH,
            1,
            MANY,
            OutKind::SameAsFirst,
            extract_path,
        ),
        RowFn::new(
            names::EXTRACT_PATH_TEXT,
            1,
            MANY,
            OutKind::Text,
            extract_path_text,
        ),
        RowFn::new(names::CONTAINS, 2, 2, OutKind::Bool, contains),
        RowFn::new(names::CONTAINED, 2, 2, OutKind::Bool, contained),
        RowFn::new(names::EXISTS, 2, 2, OutKind::Bool, exists),
        RowFn::new(names::EXISTS_ANY, 2, 2, OutKind::Bool, exists_any),
        RowFn::new(names::EXISTS_ALL, 2, 2, OutKind::Bool, exists_all),
        RowFn::new(names::CONCAT, 2, 2, OutKind::Jsonb, concat),
        RowFn::new(names::DELETE, 2, 2, OutKind::Jsonb, delete),
        RowFn::new(names::DELETE_PATH, 2, 2, OutKind::Jsonb, delete_path),
        RowFn::new(names::JSONB_IN, 1, 1, OutKind::Jsonb, jsonb_in),
        RowFn::new(names::JSON_IN, 1, 1, OutKind::Json, json_in),
        RowFn::new(
            names::JSONB_SCALAR_FOR_CAST,
            2,
            2,
            OutKind::Text,
            scalar_for_cast,
        ),
        RowFn::new(names::COMPARE, 3, 3, OutKind::Bool, compare),
        RowFn::new(names::TEXT_ARRAY_IN, 1, 1, OutKind::TextList, text_array_in),
        RowFn::new(names::SORT_KEY, 1, 1, OutKind::Bytes, sort_key),
        RowFn::new(names::JSONB_TAGGED, 1, 1, OutKind::Jsonb, tagged),
        RowFn::new(names::JSONB_OUT, 1, 1, OutKind::Text, out),
        RowFn::new(names::UUID_IN, 1, 1, OutKind::Uuid, uuid_in),
        RowFn::new(names::BYTEA_IN, 1, 1, OutKind::Bytes, bytea_in),
        RowFn::new("jsonb_typeof", 1, 1, OutKind::Text, typeof_),
        RowFn::new("jsonb_array_length", 1, 1, OutKind::Int32, array_length),
        RowFn::new("jsonb_strip_nulls", 1, 1, OutKind::Jsonb, strip_nulls),
        RowFn::new("jsonb_pretty", 1, 1, OutKind::Text, pretty),
        RowFn::new("jsonb_set", 3, 4, OutKind::Jsonb, set),
        RowFn::new("jsonb_insert", 3, 4, OutKind::Jsonb, insert),
        RowFn::new("to_jsonb", 1, 1, OutKind::Jsonb, to_jsonb_fn),
        RowFn::new("jsonb_build_object", 0, MANY, OutKind::Jsonb, build_object).non_strict(),
        RowFn::new("jsonb_build_array", 0, MANY, OutKind::Jsonb, build_array).non_strict(),
        RowFn::new(
            names::ARRAY_ELEMENTS_LIST,
            1,
            1,
            OutKind::JsonbList,
            array_elements_list,
        ),
        RowFn::new(
            names::ARRAY_ELEMENTS_TEXT_LIST,
            1,
            1,
            OutKind::TextList,
            array_elements_text_list,
        ),
        RowFn::new(
            names::OBJECT_KEYS_LIST,
            1,
            1,
            OutKind::TextList,
            object_keys_list,
        ),
    ];
    let mut udfs: Vec<Arc<ScalarUDF>> = fns
        .into_iter()
        .map(|f| Arc::new(ScalarUDF::new_from_impl(f)))
        .collect();
    udfs.extend(crate::json::jsonpath_fns::all());
    udfs
}
