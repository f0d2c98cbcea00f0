//! One document of a bulk load: checked as the shards' `jsonb_in` would check it (without
//! building the value), its id taken from the id field or generated, and its text kept as
//! given so that it is written to the shard without being serialised again.

use docfusion_pgvalue::Jsonb;
use docfusion_pgvalue::outline::{FieldValue, outline};

use crate::error::{SqlError, sqlstate};
use crate::render::write_json_string;

/// SQLSTATE of bytes that are not UTF-8.
pub const CHARACTER_NOT_IN_REPERTOIRE: &str = "22021";

/// A document ready to be written: its id and its JSON text (possibly with a generated id
/// spliced in before the closing brace).
#[derive(Debug, Clone, PartialEq)]
pub struct Doc<'a> {
    /// The document id.
    pub id: String,
    /// The JSON text as given.
    pub text: &'a str,
    /// When the id was generated: where it goes (the closing brace) and the member text.
    pub inject: Option<(usize, String)>,
}

impl Doc<'_> {
    /// The text in pieces, written one after the other.
    pub fn pieces(&self) -> [&str; 3] {
        match &self.inject {
            None => [self.text, "", ""],
            Some((at, member)) => [&self.text[..*at], member, &self.text[*at..]],
        }
    }

    /// The byte length of the text.
    pub fn len(&self) -> usize {
        self.pieces().iter().map(|p| p.len()).sum()
    }

    /// True for an empty text (never, for a valid document).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The whole text.
    pub fn to_text(&self) -> String {
        self.pieces().concat()
    }
}

/// Reads one document (`text` is one JSON object), taking its id from `id_field` or
/// generating a UUIDv7 stored into `id_field` where absent or null. The error does not name
/// the line (the caller knows it) but says where in the text serde_json sees the fault.
pub fn read_document<'a>(text: &'a str, id_field: &str) -> Result<Doc<'a>, SqlError> {
    let shape = outline(text, id_field).map_err(|e| {
        let mut err = SqlError::from(e);
        if let Some(column) = json_error_column(text) {
            err.message = format!("position {column}: {}", err.message);
        }
        err
    })?;
    if shape.type_name != "object" {
        return Err(SqlError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            format!("a document must be a JSON object, not {}", shape.type_name),
        ));
    }
    let id = match shape.field {
        FieldValue::String(s) if !s.is_empty() => s,
        FieldValue::Number(n) => n,
        FieldValue::Absent | FieldValue::Null => {
            let id = uuid::Uuid::now_v7().to_string();
            let mut member = String::with_capacity(id_field.len() + id.len() + 8);
            if !shape.empty {
                member.push_str(", ");
            }
            write_json_string(&mut member, id_field);
            member.push_str(": ");
            write_json_string(&mut member, &id);
            // After every other member: jsonb keeps the last of repeated keys, so this
            // also replaces an `"id": null`.
            return Ok(Doc {
                id,
                text,
                inject: Some((shape.close, member)),
            });
        }
        FieldValue::String(_) => return Err(bad_id(id_field, "an empty string")),
        FieldValue::Other(t) => return Err(bad_id(id_field, t)),
    };
    Ok(Doc {
        id,
        text,
        inject: None,
    })
}

fn bad_id(id_field: &str, what: &str) -> SqlError {
    SqlError::new(
        sqlstate::INVALID_PARAMETER_VALUE,
        format!(
            "field {id_field:?} must be a non-empty string or a number to be the document id, not {what}"
        ),
    )
}

/// The 1-based column where serde_json sees a syntax error in `text`, when it sees one.
fn json_error_column(text: &str) -> Option<usize> {
    match serde_json::from_str::<serde::de::IgnoredAny>(text) {
        Err(e) if e.is_syntax() || e.is_eof() => Some(e.column().max(1)),
        _ => None,
    }
}

/// A document as the old API returned it: id and whole text.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedDoc {
    /// Document id.
    pub id: String,
    /// The JSON text (as given, with a generated id added when there was none).
    pub doc: String,
}

/// Parses one NDJSON line into a document; `line_no` names the line in errors.
pub fn prepare_document(line: &str, id_field: &str, line_no: u64) -> Result<PreparedDoc, SqlError> {
    let doc = read_document(line, id_field).map_err(|e| at_line(e, line_no))?;
    Ok(PreparedDoc {
        id: doc.id.clone(),
        doc: doc.to_text(),
    })
}

/// `e` with its message prefixed by `line N` (`line N, position P` when it names a position).
pub fn at_line(e: SqlError, line_no: u64) -> SqlError {
    let message = if e.message.starts_with("position ") {
        format!("line {line_no}, {}", e.message)
    } else {
        format!("line {line_no}: {}", e.message)
    };
    SqlError { message, ..e }
}

/// The id of a parsed document: its `id_field` when that is a non-empty string or a
/// number, else a new UUIDv7, stored into `id_field` (when absent or null). The error says
/// why the field cannot be an id.
pub fn document_id(
    object: &mut docfusion_pgvalue::JsonbObject,
    id_field: &str,
) -> Result<String, String> {
    match object.get(id_field) {
        Some(Jsonb::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(Jsonb::Number(n)) => Ok(n.to_string()),
        None | Some(Jsonb::Null) => {
            let id = uuid::Uuid::now_v7().to_string();
            object.insert(id_field.to_string(), Jsonb::String(id.clone()));
            Ok(id)
        }
        Some(other) => Err(format!(
            "field {id_field:?} must be a non-empty string or a number to be the document id, not {}",
            docfusion_pgvalue::functions::jsonb_typeof(other)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The document as the shards will store it.
    fn stored(doc: &Doc<'_>) -> Jsonb {
        Jsonb::parse(&doc.to_text()).unwrap()
    }

    #[test]
    fn ids_come_from_the_id_field_or_are_generated() {
        let d = read_document(r#"{"id": "a-1", "x": 1}"#, "id").unwrap();
        assert_eq!(d.id, "a-1");
        assert_eq!(d.to_text(), r#"{"id": "a-1", "x": 1}"#, "sent as given");
        let d = read_document(r#"{"sku": 42.50}"#, "sku").unwrap();
        assert_eq!(d.id, "42.50");
        for text in [r#"{"x": true}"#, "{ }", r#"{"id": null, "x": [1]}"#] {
            let d = read_document(text, "id").unwrap();
            assert_eq!(d.id.len(), 36, "{text}");
            assert_eq!(uuid::Uuid::parse_str(&d.id).unwrap().get_version_num(), 7);
            let value = stored(&d);
            let object = value.as_object().unwrap();
            assert_eq!(
                object.get("id"),
                Some(&Jsonb::string(d.id.clone())),
                "{text}"
            );
            // Every other member is kept.
            let original = Jsonb::parse(text).unwrap();
            for (k, v) in original.as_object().unwrap().iter() {
                if k != "id" {
                    assert_eq!(object.get(k), Some(v));
                }
            }
        }
        // An id field whose name needs escaping.
        let d = read_document(r#"{"a": 1}"#, "we\"ird").unwrap();
        assert_eq!(
            stored(&d).as_object().unwrap().get("we\"ird"),
            Some(&Jsonb::string(d.id.clone()))
        );
    }

    #[test]
    fn bad_lines_name_their_line_number_and_column() {
        let e = prepare_document("{\"a\": tru}", "id", 17).unwrap_err();
        assert_eq!(e.code, "22P02");
        // serde_json places the fault at column 10: `}` where the `e` of `true` should be.
        assert!(
            e.message
                .starts_with("line 17, position 10: invalid input syntax for type json"),
            "{}",
            e.message
        );
        assert_eq!(e.detail.as_deref(), Some("Token \"tru\" is invalid."));
        let e = prepare_document("[1, 2]", "id", 3).unwrap_err();
        assert_eq!(
            e.message,
            "line 3: a document must be a JSON object, not array"
        );
        let e = prepare_document(r#"{"id": [1]}"#, "id", 4).unwrap_err();
        assert!(e.message.contains("must be a non-empty string or a number"));
        let e = prepare_document(r#"{"id": ""}"#, "id", 5).unwrap_err();
        assert!(e.message.contains("not an empty string"), "{}", e.message);
    }
}
