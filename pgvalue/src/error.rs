//! The error type every fallible operation returns, shaped like a PostgreSQL error report.

use std::fmt;

/// SQLSTATE codes used by this crate, named as in PostgreSQL's `errcodes.txt`.
pub mod sqlstate {
    /// `22P02` invalid_text_representation.
    pub const INVALID_TEXT_REPRESENTATION: &str = "22P02";
    /// `22P05` untranslatable_character.
    pub const UNTRANSLATABLE_CHARACTER: &str = "22P05";
    /// `22023` invalid_parameter_value.
    pub const INVALID_PARAMETER_VALUE: &str = "22023";
    /// `22004` null_value_not_allowed.
    pub const NULL_VALUE_NOT_ALLOWED: &str = "22004";
    /// `22003` numeric_value_out_of_range.
    pub const NUMERIC_VALUE_OUT_OF_RANGE: &str = "22003";
    /// `22012` division_by_zero.
    pub const DIVISION_BY_ZERO: &str = "22012";
    /// `42601` syntax_error.
    pub const SYNTAX_ERROR: &str = "42601";
    /// `42704` undefined_object.
    pub const UNDEFINED_OBJECT: &str = "42704";
    /// `22030` duplicate_json_object_key_value.
    pub const DUPLICATE_JSON_OBJECT_KEY_VALUE: &str = "22030";
    /// `22032` invalid_json_text.
    pub const INVALID_JSON_TEXT: &str = "22032";
    /// `22033` invalid_sql_json_subscript.
    pub const INVALID_SQL_JSON_SUBSCRIPT: &str = "22033";
    /// `22034` more_than_one_sql_json_item.
    pub const MORE_THAN_ONE_SQL_JSON_ITEM: &str = "22034";
    /// `22035` no_sql_json_item.
    pub const NO_SQL_JSON_ITEM: &str = "22035";
    /// `22036` non_numeric_sql_json_item.
    pub const NON_NUMERIC_SQL_JSON_ITEM: &str = "22036";
    /// `22037` non_unique_keys_in_a_json_object.
    pub const NON_UNIQUE_KEYS_IN_A_JSON_OBJECT: &str = "22037";
    /// `22038` singleton_sql_json_item_required.
    pub const SINGLETON_SQL_JSON_ITEM_REQUIRED: &str = "22038";
    /// `22039` sql_json_array_not_found.
    pub const SQL_JSON_ARRAY_NOT_FOUND: &str = "22039";
    /// `2203A` sql_json_member_not_found.
    pub const SQL_JSON_MEMBER_NOT_FOUND: &str = "2203A";
    /// `2203B` sql_json_number_not_found.
    pub const SQL_JSON_NUMBER_NOT_FOUND: &str = "2203B";
    /// `2203C` sql_json_object_not_found.
    pub const SQL_JSON_OBJECT_NOT_FOUND: &str = "2203C";
    /// `2203F` sql_json_scalar_required.
    pub const SQL_JSON_SCALAR_REQUIRED: &str = "2203F";
    /// `2201B` invalid_regular_expression.
    pub const INVALID_REGULAR_EXPRESSION: &str = "2201B";
}

/// An error as PostgreSQL would report it: SQLSTATE, primary message, optional DETAIL and HINT.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PgError {
    /// Five-character SQLSTATE code, e.g. `22P02`.
    pub sqlstate: &'static str,
    /// Primary message, worded as PostgreSQL words it.
    pub message: String,
    /// The DETAIL line, when PostgreSQL gives one.
    pub detail: Option<String>,
    /// The HINT line, when PostgreSQL gives one.
    pub hint: Option<String>,
}

impl PgError {
    /// An error with only a SQLSTATE and a primary message.
    pub fn new(sqlstate: &'static str, message: impl Into<String>) -> Self {
        PgError {
            sqlstate,
            message: message.into(),
            detail: None,
            hint: None,
        }
    }

    /// Adds a DETAIL line.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Adds a HINT line.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// `22023` invalid_parameter_value, the code most jsonb functions use for misuse.
    pub(crate) fn invalid_parameter(message: impl Into<String>) -> Self {
        PgError::new(sqlstate::INVALID_PARAMETER_VALUE, message)
    }
}

impl fmt::Display for PgError {
    /// Renders like psql's default verbosity: `ERROR:  <message>` lines are left to the caller;
    /// this prints `<sqlstate>: <message>` followed by DETAIL/HINT lines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.sqlstate, self.message)?;
        if let Some(detail) = &self.detail {
            write!(f, "\nDETAIL:  {detail}")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\nHINT:  {hint}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_includes_detail_and_hint() {
        let e = PgError::new("22023", "cannot replace existing key")
            .with_hint("Try using the function jsonb_set to replace key value.");
        assert_eq!(
            e.to_string(),
            "22023: cannot replace existing key\nHINT:  Try using the function jsonb_set to replace key value."
        );
        let e = PgError::new("22P02", "invalid input syntax for type json")
            .with_detail("Token \"x\" is invalid.");
        assert_eq!(
            e.to_string(),
            "22P02: invalid input syntax for type json\nDETAIL:  Token \"x\" is invalid."
        );
    }
}
