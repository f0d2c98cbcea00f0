//! How Postgres types that Arrow lacks (jsonb, json) are carried through DataFusion: as
//! `Utf8` holding the value's canonical Postgres text, tagged in the field's metadata so
//! that operators, output and the wire protocol know what the column is.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, FieldRef};

/// Field metadata key naming the Postgres type of a column.
pub const PG_TYPE_KEY: &str = "docfusion.pg_type";

/// A Postgres type that has no Arrow type of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaggedType {
    /// `jsonb`: canonical jsonb text.
    Jsonb,
    /// `json`: the text as written.
    Json,
    /// `uuid`: lower-case hyphenated text.
    Uuid,
}

impl TaggedType {
    /// The Postgres type name.
    pub fn name(self) -> &'static str {
        match self {
            TaggedType::Jsonb => "jsonb",
            TaggedType::Json => "json",
            TaggedType::Uuid => "uuid",
        }
    }

    /// Metadata to attach to a field of this type.
    pub fn metadata(self) -> HashMap<String, String> {
        HashMap::from([(PG_TYPE_KEY.to_string(), self.name().to_string())])
    }

    /// A nullable `Utf8` field of this type.
    pub fn field(self, name: &str) -> FieldRef {
        Arc::new(Field::new(name, DataType::Utf8, true).with_metadata(self.metadata()))
    }

    /// The tag of a field, if it has one.
    pub fn of_field(field: &Field) -> Option<TaggedType> {
        match field.metadata().get(PG_TYPE_KEY).map(String::as_str) {
            Some("jsonb") => Some(TaggedType::Jsonb),
            Some("json") => Some(TaggedType::Json),
            Some("uuid") => Some(TaggedType::Uuid),
            _ => None,
        }
    }
}

/// Metadata value of [`PG_TYPE_KEY`] marking a `numeric` without precision and scale, which
/// Postgres prints without padding zeros.
pub const NUMERIC_UNCONSTRAINED: &str = "numeric";

/// True when `field` is a `numeric` declared without precision and scale.
pub fn is_unconstrained_numeric(field: &Field) -> bool {
    field.metadata().get(PG_TYPE_KEY).map(String::as_str) == Some(NUMERIC_UNCONSTRAINED)
}

/// True when `field` holds jsonb.
pub fn is_jsonb(field: &Field) -> bool {
    TaggedType::of_field(field) == Some(TaggedType::Jsonb)
}

/// True when `field` holds json or jsonb.
pub fn is_json_like(field: &Field) -> bool {
    matches!(
        TaggedType::of_field(field),
        Some(TaggedType::Jsonb | TaggedType::Json)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_round_trips_through_field_metadata() {
        let f = TaggedType::Jsonb.field("doc");
        assert_eq!(f.data_type(), &DataType::Utf8);
        assert!(is_jsonb(&f));
        assert_eq!(
            TaggedType::of_field(&TaggedType::Json.field("j")),
            Some(TaggedType::Json)
        );
        assert!(!is_json_like(&Field::new("t", DataType::Utf8, true)));
    }
}
