//! A quick look at a JSON document for bulk loading: checks the text exactly as `jsonb_in`
//! would (same errors), without building the value, and reports what a loader needs — the
//! top-level type, one top-level field (the document id), and where the object closes.

use crate::error::PgError;
use crate::numeric::Numeric;
use crate::parser::{Scalar, Sink, parse_with};

/// The value of the looked-up field of a top-level object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    /// The object has no such field.
    Absent,
    /// JSON `null`.
    Null,
    /// A string (decoded).
    String(String),
    /// A number, in `numeric`'s canonical text (as `jsonb` would print it).
    Number(String),
    /// Anything else: its `jsonb_typeof` name (`boolean`, `array`, `object`).
    Other(&'static str),
}

/// What [`outline`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outline {
    /// `jsonb_typeof` of the whole value: `object`, `array`, `string`, `number`, …
    pub type_name: &'static str,
    /// The field asked for (only looked up in a top-level object; the last one wins when
    /// the key repeats, as in `jsonb`).
    pub field: FieldValue,
    /// For an object: byte offset of its closing `}` in the text.
    pub close: usize,
    /// For an object: true when it has no members.
    pub empty: bool,
}

/// Values as the outline sink keeps them: only what the top level may need.
enum Lite {
    Null,
    Bool,
    /// Byte span of the number token.
    Number(usize, usize),
    String(String),
    Array,
    Object {
        field: Box<FieldValue>,
        close: usize,
        empty: bool,
    },
}

struct OutlineSink<'a> {
    input: &'a str,
    field: &'a str,
}

/// Numbers that could exceed `numeric`'s limits (an exponent, or very many digits) are
/// checked by converting them; others are valid once lexed.
fn check_number(text: &str) -> Result<(), PgError> {
    if text.len() > 1000 || text.bytes().any(|b| b == b'e' || b == b'E') {
        Numeric::parse_json_number(text)?;
    }
    Ok(())
}

impl Sink for OutlineSink<'_> {
    type Value = Lite;

    fn scalar(&mut self, scalar: Scalar<'_>, span: (usize, usize)) -> Result<Lite, PgError> {
        Ok(match scalar {
            Scalar::Null => Lite::Null,
            Scalar::Bool(_) => Lite::Bool,
            Scalar::Number(text) => {
                check_number(text)?;
                Lite::Number(span.0, span.1)
            }
            Scalar::String(decoded) => Lite::String(decoded.unwrap_or_default()),
        })
    }

    fn array(&mut self, _items: Vec<Lite>, _span: (usize, usize)) -> Lite {
        Lite::Array
    }

    fn object(&mut self, fields: Vec<(String, Lite)>, span: (usize, usize)) -> Lite {
        let empty = fields.is_empty();
        let found = fields.into_iter().rev().find(|(k, _)| k == self.field);
        let field = match found {
            None => FieldValue::Absent,
            Some((_, v)) => match v {
                Lite::Null => FieldValue::Null,
                Lite::Bool => FieldValue::Other("boolean"),
                // Lexed and checked already: converting cannot fail, but stay total.
                Lite::Number(s, e) => match Numeric::parse_json_number(&self.input[s..e]) {
                    Ok(n) => FieldValue::Number(n.to_string()),
                    Err(_) => FieldValue::Other("number"),
                },
                Lite::String(s) => FieldValue::String(s),
                Lite::Array => FieldValue::Other("array"),
                Lite::Object { .. } => FieldValue::Other("object"),
            },
        };
        Lite::Object {
            field: Box::new(field),
            close: span.1.saturating_sub(1),
            empty,
        }
    }
}

/// Checks `text` as `jsonb_in` does (the same errors, `22P02`/`22P05`/`22003`/`54001`) and
/// outlines it, looking up `field` when it is an object.
pub fn outline(text: &str, field: &str) -> Result<Outline, PgError> {
    let value = parse_with(text, true, OutlineSink { input: text, field })?;
    let (type_name, field, close, empty) = match value {
        Lite::Object {
            field,
            close,
            empty,
        } => ("object", *field, close, empty),
        Lite::Null => ("null", FieldValue::Absent, 0, false),
        Lite::Bool => ("boolean", FieldValue::Absent, 0, false),
        Lite::Number(..) => ("number", FieldValue::Absent, 0, false),
        Lite::String(_) => ("string", FieldValue::Absent, 0, false),
        Lite::Array => ("array", FieldValue::Absent, 0, false),
    };
    Ok(Outline {
        type_name,
        field,
        close,
        empty,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Jsonb;

    #[test]
    fn objects_report_their_field_and_closing_brace() {
        let text = r#"{"id": "a\u0031", "n": {"id": 5}} "#;
        let o = outline(text, "id").unwrap();
        assert_eq!(o.type_name, "object");
        assert_eq!(o.field, FieldValue::String("a1".into()));
        assert_eq!(&text[o.close..o.close + 1], "}");
        assert_eq!(o.close, text.trim_end().len() - 1);
        assert!(!o.empty);
        // The inner "id" is not the document's.
        assert_eq!(
            outline(r#"{"x": {"id": 5}}"#, "id").unwrap().field,
            FieldValue::Absent
        );
        assert!(outline("{}", "id").unwrap().empty);
    }

    #[test]
    fn numbers_take_numeric_canonical_text_and_the_last_key_wins() {
        let o = outline(r#"{"id": 1, "id": 12.50e1}"#, "id").unwrap();
        // jsonb keeps the last duplicate; numeric prints 125.0 for 12.50e1.
        let as_jsonb = Jsonb::parse(r#"{"id": 1, "id": 12.50e1}"#).unwrap();
        let expected = as_jsonb.as_object().unwrap().get("id").unwrap().to_string();
        assert_eq!(o.field, FieldValue::Number(expected));
        assert_eq!(
            outline(r#"{"id": [1]}"#, "id").unwrap().field,
            FieldValue::Other("array")
        );
        assert_eq!(
            outline(r#"{"id": null}"#, "id").unwrap().field,
            FieldValue::Null
        );
    }

    #[test]
    fn errors_are_jsonb_in_errors() {
        for bad in [
            r#"{"a": "#,
            r#"{"a": 1,}"#,
            r#"{"a": "\u0000"}"#,
            r#"{"a": "\ud800"}"#,
            "{\"a\": \"tab\there\"}",
            r#"{"a": 1e1000000}"#,
            r#"[1, 2"#,
            "",
        ] {
            let ours = outline(bad, "id").unwrap_err();
            let reference = Jsonb::parse(bad).unwrap_err();
            assert_eq!(ours, reference, "{bad}");
        }
        assert_eq!(outline("[1]", "id").unwrap().type_name, "array");
        assert_eq!(outline(" \"s\" ", "id").unwrap().type_name, "string");
    }
}
