//! The `json` type (text kept as written): validation as `json_in` does it, and the `->`, `->>`,
//! `#>`, `#>>` operators returning the original sub-text, as PostgreSQL's `json` versions do.

use crate::error::PgError;
use crate::operators::{parse_path_index, resolve_index};
use crate::parser::{Scalar, Sink, parse_with};

/// A parsed `json` value that remembers where each value sits in the input text.
struct RawNode {
    span: (usize, usize),
    kind: RawKind,
}

enum RawKind {
    Null,
    /// A string with its decoded text.
    String(String),
    /// Numbers and booleans: their token text is their value.
    Other,
    Array(Vec<RawNode>),
    Object(Vec<(String, RawNode)>),
}

struct RawSink;

impl Sink for RawSink {
    type Value = RawNode;

    fn scalar(&mut self, scalar: Scalar<'_>, span: (usize, usize)) -> Result<RawNode, PgError> {
        let kind = match scalar {
            Scalar::Null => RawKind::Null,
            Scalar::String(decoded) => RawKind::String(decoded.unwrap_or_default()),
            Scalar::Bool(_) | Scalar::Number(_) => RawKind::Other,
        };
        Ok(RawNode { span, kind })
    }

    fn array(&mut self, items: Vec<RawNode>, span: (usize, usize)) -> RawNode {
        RawNode {
            span,
            kind: RawKind::Array(items),
        }
    }

    fn object(&mut self, fields: Vec<(String, RawNode)>, span: (usize, usize)) -> RawNode {
        RawNode {
            span,
            kind: RawKind::Object(fields),
        }
    }
}

/// `json_in`: checks that `text` is valid JSON. Strings are not decoded, so (as in PostgreSQL)
/// `\u0000` and unpaired surrogate escapes are accepted here.
pub fn validate_json(text: &str) -> Result<(), PgError> {
    struct Validate;
    impl Sink for Validate {
        type Value = ();
        fn scalar(&mut self, _: Scalar<'_>, _: (usize, usize)) -> Result<(), PgError> {
            Ok(())
        }
        fn array(&mut self, _: Vec<()>, _: (usize, usize)) {}
        fn object(&mut self, _: Vec<(String, ())>, _: (usize, usize)) {}
    }
    parse_with(text, false, Validate)
}

/// One step of a `json` path: a key for objects and, when it parses, an index for arrays.
struct Step<'a> {
    key: Option<&'a str>,
    index: Option<i32>,
}

/// Collects the last node reached by `steps` (PostgreSQL lets later duplicate keys override).
fn find<'n>(node: &'n RawNode, steps: &[Step<'_>], found: &mut Option<&'n RawNode>) {
    let Some((step, rest)) = steps.split_first() else {
        *found = Some(node);
        return;
    };
    match &node.kind {
        RawKind::Object(fields) => {
            for (k, v) in fields {
                if step.key == Some(k.as_str()) {
                    find(v, rest, found);
                }
            }
        }
        RawKind::Array(items) => {
            if let Some(i) = step
                .index
                .and_then(|i| resolve_index(i64::from(i), items.len()))
            {
                find(&items[i], rest, found);
            }
        }
        _ => {}
    }
}

/// Looks up `steps` in `json`, returning the original text or (`as_text`) the unescaped text.
fn lookup(json: &str, steps: &[Step<'_>], as_text: bool) -> Result<Option<String>, PgError> {
    let root = parse_with(json, true, RawSink)?;
    let mut found = None;
    find(&root, steps, &mut found);
    let Some(node) = found else {
        return Ok(None);
    };
    let raw = &json[node.span.0..node.span.1];
    Ok(match (&node.kind, as_text) {
        (RawKind::Null, true) => None,
        (RawKind::String(s), true) => Some(s.clone()),
        // For the whole document PostgreSQL keeps whitespace before a scalar (not after).
        (RawKind::Null | RawKind::String(_) | RawKind::Other, _) if steps.is_empty() => {
            Some(json[..node.span.1].to_string())
        }
        _ => Some(raw.to_string()),
    })
}

/// `json -> text`: the member's original text, e.g. `[1,  2]` stays `[1,  2]`.
pub fn json_object_field(json: &str, key: &str) -> Result<Option<String>, PgError> {
    lookup(
        json,
        &[Step {
            key: Some(key),
            index: None,
        }],
        false,
    )
}

/// `json ->> text`: the member as text (strings unescaped, JSON null → SQL NULL).
pub fn json_object_field_text(json: &str, key: &str) -> Result<Option<String>, PgError> {
    lookup(
        json,
        &[Step {
            key: Some(key),
            index: None,
        }],
        true,
    )
}

/// `json -> int`: an array element's original text (negative counts from the end).
pub fn json_array_element(json: &str, index: i32) -> Result<Option<String>, PgError> {
    lookup(
        json,
        &[Step {
            key: None,
            index: Some(index),
        }],
        false,
    )
}

/// `json ->> int`: an array element as text.
pub fn json_array_element_text(json: &str, index: i32) -> Result<Option<String>, PgError> {
    lookup(
        json,
        &[Step {
            key: None,
            index: Some(index),
        }],
        true,
    )
}

fn path_steps<'a>(path: &[Option<&'a str>]) -> Option<Vec<Step<'a>>> {
    path.iter()
        .map(|s| {
            s.map(|key| Step {
                key: Some(key),
                index: parse_path_index(key).filter(|i| *i != i32::MIN),
            })
        })
        .collect()
}

/// `json #> text[]` (`json_extract_path`): original text at `path`; NULL if any step is NULL.
pub fn json_extract_path(json: &str, path: &[Option<&str>]) -> Result<Option<String>, PgError> {
    match path_steps(path) {
        Some(steps) => lookup(json, &steps, false),
        None => Ok(None),
    }
}

/// `json #>> text[]` (`json_extract_path_text`): text at `path` (strings unescaped).
pub fn json_extract_path_text(
    json: &str,
    path: &[Option<&str>],
) -> Result<Option<String>, PgError> {
    match path_steps(path) {
        Some(steps) => lookup(json, &steps, true),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests;
