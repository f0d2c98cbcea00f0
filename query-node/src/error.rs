//! The node's error type: every error a client can see carries a Postgres SQLSTATE and a
//! message naming the thing at fault.

use datafusion::error::DataFusionError;

/// Postgres SQLSTATE codes used by the node.
pub mod sqlstate {
    pub const SYNTAX_ERROR: &str = "42601";
    pub const UNDEFINED_TABLE: &str = "42P01";
    pub const UNDEFINED_COLUMN: &str = "42703";
    pub const UNDEFINED_FUNCTION: &str = "42883";
    pub const DUPLICATE_TABLE: &str = "42P07";
    pub const DATATYPE_MISMATCH: &str = "42804";
    pub const INVALID_TEXT_REPRESENTATION: &str = "22P02";
    pub const NUMERIC_VALUE_OUT_OF_RANGE: &str = "22003";
    pub const DIVISION_BY_ZERO: &str = "22012";
    pub const INVALID_PARAMETER_VALUE: &str = "22023";
    pub const DATA_EXCEPTION: &str = "22000";
    pub const FEATURE_NOT_SUPPORTED: &str = "0A000";
    pub const CONNECTION_FAILURE: &str = "08006";
    pub const UNABLE_TO_CONNECT: &str = "08001";
    pub const QUERY_CANCELED: &str = "57014";
    pub const PROGRAM_LIMIT_EXCEEDED: &str = "54000";
    pub const INTERNAL_ERROR: &str = "XX000";
    pub const PROTOCOL_VIOLATION: &str = "08P01";
    pub const INVALID_PASSWORD: &str = "28P01";
    pub const INVALID_AUTHORIZATION: &str = "28000";
    pub const INVALID_CATALOG_NAME: &str = "3D000";
    pub const CONFIG_FILE_ERROR: &str = "F0000";
    pub const IO_ERROR: &str = "58030";
    pub const IN_FAILED_TRANSACTION: &str = "25P02";
    pub const ACTIVE_TRANSACTION: &str = "25001";
    pub const NO_ACTIVE_TRANSACTION: &str = "25P01";
    pub const INVALID_CURSOR_NAME: &str = "34000";
    pub const DUPLICATE_CURSOR: &str = "42P03";
    pub const UNDEFINED_OBJECT: &str = "42704";
    pub const ADMIN_SHUTDOWN: &str = "57P01";
    pub const TOO_MANY_CONNECTIONS: &str = "53300";
}

/// An error with the SQLSTATE a Postgres client would see.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SqlError {
    /// Five-character SQLSTATE.
    pub code: &'static str,
    /// Primary message.
    pub message: String,
    /// Optional detail line.
    pub detail: Option<String>,
}

impl SqlError {
    /// An error with a code and message.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            detail: None,
        }
    }

    /// Adds a detail line.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Wraps this error so that it survives a trip through DataFusion.
    pub fn into_datafusion(self) -> DataFusionError {
        DataFusionError::External(Box::new(self))
    }

    /// Maps any DataFusion error to the SQLSTATE a Postgres user expects.
    pub fn from_datafusion(e: &DataFusionError) -> SqlError {
        // A SqlError raised inside a UDF or scan comes back wrapped, possibly several times.
        if let Some(inner) = find_sql_error(e) {
            return inner;
        }
        let message = e.strip_backtrace().to_string();
        let root = e.find_root();
        let code = match root {
            DataFusionError::SQL(..) => sqlstate::SYNTAX_ERROR,
            DataFusionError::SchemaError(se, _) => {
                use datafusion::common::SchemaError;
                match se.as_ref() {
                    SchemaError::FieldNotFound { .. } => sqlstate::UNDEFINED_COLUMN,
                    SchemaError::DuplicateQualifiedField { .. }
                    | SchemaError::DuplicateUnqualifiedField { .. }
                    | SchemaError::AmbiguousReference { .. } => "42702",
                }
            }
            DataFusionError::NotImplemented(_) => sqlstate::FEATURE_NOT_SUPPORTED,
            DataFusionError::ArrowError(ae, _) => arrow_error_code(ae),
            DataFusionError::Plan(msg) => plan_error_code(msg),
            DataFusionError::ResourcesExhausted(_) => sqlstate::PROGRAM_LIMIT_EXCEEDED,
            DataFusionError::Execution(msg) => execution_error_code(msg),
            _ => sqlstate::INTERNAL_ERROR,
        };
        SqlError::new(code, clean_message(&message))
    }
}

fn find_sql_error(e: &DataFusionError) -> Option<SqlError> {
    let mut current: &(dyn std::error::Error + 'static) = e;
    loop {
        if let Some(s) = current.downcast_ref::<SqlError>() {
            return Some(s.clone());
        }
        if let Some(DataFusionError::External(inner)) = current.downcast_ref::<DataFusionError>()
            && let Some(s) = inner.downcast_ref::<SqlError>()
        {
            return Some(s.clone());
        }
        if let Some(DataFusionError::Context(_, inner)) = current.downcast_ref::<DataFusionError>()
        {
            current = inner.as_ref();
            continue;
        }
        if let Some(DataFusionError::Shared(inner)) = current.downcast_ref::<DataFusionError>() {
            current = inner.as_ref();
            continue;
        }
        current = current.source()?;
    }
}

fn plan_error_code(msg: &str) -> &'static str {
    let lower = msg.to_ascii_lowercase();
    if lower.contains("table") && (lower.contains("not found") || lower.contains("doesn't exist")) {
        sqlstate::UNDEFINED_TABLE
    } else if lower.contains("invalid function") || lower.contains("no function matches") {
        sqlstate::UNDEFINED_FUNCTION
    } else if lower.contains("already exists") {
        sqlstate::DUPLICATE_TABLE
    } else if lower.contains("cannot be cast") || lower.contains("coercion") {
        sqlstate::DATATYPE_MISMATCH
    } else {
        sqlstate::SYNTAX_ERROR
    }
}

fn execution_error_code(msg: &str) -> &'static str {
    let lower = msg.to_ascii_lowercase();
    if lower.contains("divide by zero") || lower.contains("division by zero") {
        sqlstate::DIVISION_BY_ZERO
    } else if lower.contains("overflow") {
        sqlstate::NUMERIC_VALUE_OUT_OF_RANGE
    } else if lower.contains("cannot cast") || lower.contains("cast error") {
        cast_error_code(msg)
    } else {
        sqlstate::INTERNAL_ERROR
    }
}

/// A failed text-to-integer cast: Postgres says 22003 when the text is an integer that does
/// not fit the type (`'3000000000'::int`), 22P02 when it is not an integer at all.
fn cast_error_code(msg: &str) -> &'static str {
    let integer_text = msg
        .split_once("Cannot cast string '")
        .and_then(|(_, rest)| rest.split_once("' to value of Int"))
        .map(|(text, _)| text.trim());
    match integer_text {
        Some(t) if t.parse::<i128>().is_ok() => sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
        _ => sqlstate::INVALID_TEXT_REPRESENTATION,
    }
}

fn arrow_error_code(e: &datafusion::arrow::error::ArrowError) -> &'static str {
    use datafusion::arrow::error::ArrowError;
    match e {
        ArrowError::CastError(msg) => cast_error_code(msg),
        ArrowError::ParseError(_) => sqlstate::INVALID_TEXT_REPRESENTATION,
        ArrowError::DivideByZero => sqlstate::DIVISION_BY_ZERO,
        ArrowError::ArithmeticOverflow(_) | ArrowError::ComputeError(_) => {
            sqlstate::NUMERIC_VALUE_OUT_OF_RANGE
        }
        _ => sqlstate::INTERNAL_ERROR,
    }
}

/// DataFusion prefixes messages with its error kinds ("Error during planning: ..."); users
/// of a Postgres-compatible database expect the message alone.
fn clean_message(message: &str) -> String {
    let mut m = message.trim();
    for prefix in [
        "External error: ",
        "Error during planning: ",
        "Execution error: ",
        "Arrow error: ",
        "Schema error: ",
        "SQL error: ",
        "This feature is not implemented: ",
        "Cast error: ",
        "Parser error: ",
    ] {
        while let Some(rest) = m.strip_prefix(prefix) {
            m = rest.trim_start();
        }
    }
    m.to_string()
}

impl From<docfusion_pgvalue::PgError> for SqlError {
    fn from(e: docfusion_pgvalue::PgError) -> Self {
        SqlError {
            code: e.sqlstate,
            message: e.message,
            detail: e.detail,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_sql_error_keeps_its_code() {
        let e = SqlError::new("22P02", "bad json").into_datafusion();
        let e = DataFusionError::Context("while scanning".into(), Box::new(e));
        let got = SqlError::from_datafusion(&e);
        assert_eq!(got.code, "22P02");
        assert_eq!(got.message, "bad json");
    }

    #[test]
    fn plan_errors_map_to_postgres_codes() {
        let e = DataFusionError::Plan("table 'x' not found".into());
        assert_eq!(SqlError::from_datafusion(&e).code, "42P01");
        assert_eq!(SqlError::from_datafusion(&e).message, "table 'x' not found");
        let e = DataFusionError::NotImplemented("LATERAL".into());
        assert_eq!(SqlError::from_datafusion(&e).code, "0A000");
    }
}
