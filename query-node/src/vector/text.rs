//! pgvector's text form of a vector, `[1,2.5,3]`: parsing it with pgvector's rules and
//! errors, and printing it (each element as Postgres prints a `real`).

use docfusion_pgvalue::float_text::float4_out;

use crate::error::{SqlError, sqlstate};

/// The most dimensions a vector may have (pgvector's limit).
pub const MAX_DIMENSIONS: usize = 16_000;

/// SQLSTATE of "null value not allowed".
pub const NULL_VALUE_NOT_ALLOWED: &str = "22004";

fn invalid(text: &str, detail: Option<&str>) -> SqlError {
    let e = SqlError::new(
        sqlstate::INVALID_TEXT_REPRESENTATION,
        format!("invalid input syntax for type vector: \"{text}\""),
    );
    match detail {
        Some(d) => e.with_detail(d),
        None => e,
    }
}

/// Refuses the element values a vector cannot hold.
pub fn check_element(x: f32) -> Result<(), SqlError> {
    if x.is_nan() {
        return Err(SqlError::new(
            sqlstate::DATA_EXCEPTION,
            "NaN not allowed in vector",
        ));
    }
    if x.is_infinite() {
        return Err(SqlError::new(
            sqlstate::DATA_EXCEPTION,
            "infinite value not allowed in vector",
        ));
    }
    Ok(())
}

/// Refuses a dimension count outside 1..=[`MAX_DIMENSIONS`].
pub fn check_dimensions(n: usize) -> Result<(), SqlError> {
    if n < 1 {
        return Err(SqlError::new(
            sqlstate::DATA_EXCEPTION,
            "vector must have at least 1 dimension",
        ));
    }
    if n > MAX_DIMENSIONS {
        return Err(SqlError::new(
            sqlstate::PROGRAM_LIMIT_EXCEEDED,
            format!("vector cannot have more than {MAX_DIMENSIONS} dimensions"),
        ));
    }
    Ok(())
}

/// Refuses a vector of `got` dimensions where the type says `expected` (`vector(3)`).
pub fn check_expected_dimensions(expected: Option<usize>, got: usize) -> Result<(), SqlError> {
    match expected {
        Some(e) if e != got => Err(SqlError::new(
            sqlstate::DATA_EXCEPTION,
            format!("expected {e} dimensions, not {got}"),
        )),
        _ => Ok(()),
    }
}

/// The error for two vectors of different sizes, naming both (pgvector's words).
pub fn different_dimensions(a: usize, b: usize) -> SqlError {
    SqlError::new(
        sqlstate::DATA_EXCEPTION,
        format!("different vector dimensions {a} and {b}"),
    )
}

/// Parses pgvector's text form: `[`, elements separated by commas, `]`, with white space
/// allowed around each part.
pub fn parse_vector(text: &str) -> Result<Vec<f32>, SqlError> {
    let s = text.trim_start();
    let Some(mut rest) = s.strip_prefix('[') else {
        return Err(invalid(
            text,
            Some("Vector contents must start with \"[\"."),
        ));
    };
    let mut out = Vec::new();
    rest = rest.trim_start();
    if let Some(after) = rest.strip_prefix(']') {
        rest = after;
    } else {
        loop {
            if out.len() == MAX_DIMENSIONS {
                return Err(SqlError::new(
                    sqlstate::PROGRAM_LIMIT_EXCEEDED,
                    format!("vector cannot have more than {MAX_DIMENSIONS} dimensions"),
                ));
            }
            rest = rest.trim_start();
            let end = rest
                .find(|c: char| c == ',' || c == ']' || c.is_whitespace())
                .unwrap_or(rest.len());
            let token = &rest[..end];
            if token.is_empty() {
                return Err(invalid(text, None));
            }
            let x: f32 = token.parse().map_err(|_| invalid(text, None))?;
            let named_infinity = token
                .trim_start_matches(['+', '-'])
                .to_ascii_lowercase()
                .starts_with("inf");
            if x.is_infinite() && !named_infinity {
                return Err(SqlError::new(
                    sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
                    format!("\"{token}\" is out of range for type vector"),
                ));
            }
            check_element(x)?;
            out.push(x);
            rest = rest[end..].trim_start();
            if let Some(after) = rest.strip_prefix(',') {
                rest = after;
            } else if let Some(after) = rest.strip_prefix(']') {
                rest = after;
                break;
            } else {
                return Err(invalid(text, None));
            }
        }
    }
    if !rest.trim().is_empty() {
        return Err(invalid(text, Some("Junk after closing right bracket.")));
    }
    check_dimensions(out.len())?;
    Ok(out)
}

/// pgvector's text form of `values`.
pub fn format_vector(values: &[f32]) -> String {
    let mut s = String::with_capacity(values.len() * 10 + 2);
    s.push('[');
    for (i, x) in values.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&float4_out(*x));
    }
    s.push(']');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pgvector_text() {
        assert_eq!(parse_vector("[1,2,3]").unwrap(), vec![1.0, 2.0, 3.0]);
        assert_eq!(
            parse_vector("  [ 1.5 , -2e3,0.25 ]  ").unwrap(),
            vec![1.5, -2000.0, 0.25]
        );
        assert_eq!(parse_vector("[1e-50]").unwrap(), vec![0.0]);
    }

    #[test]
    fn refuses_what_pgvector_refuses() {
        for bad in [
            "", "1,2", "{1,2}", "[1,2", "[1,,2]", "[1 2]", "[a]", "[1,2]x", "[1,]",
        ] {
            let e = parse_vector(bad).unwrap_err();
            assert_eq!(e.code, "22P02", "{bad}: {e}");
            assert!(e.message.contains("type vector"), "{}", e.message);
        }
        assert_eq!(parse_vector("[]").unwrap_err().code, "22000");
        assert_eq!(
            parse_vector("[NaN]").unwrap_err().message,
            "NaN not allowed in vector"
        );
        assert_eq!(parse_vector("[inf]").unwrap_err().code, "22000");
        let e = parse_vector("[1e40]").unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            ("22003", "\"1e40\" is out of range for type vector")
        );
    }

    #[test]
    fn prints_like_pgvector() {
        assert_eq!(format_vector(&[1.0, 2.5, -3.0]), "[1,2.5,-3]");
        assert_eq!(format_vector(&[0.1, 1e-7]), "[0.1,1e-07]");
        let v = [0.1f32, 123456.79, 3.4028235e38];
        assert_eq!(parse_vector(&format_vector(&v)).unwrap(), v);
    }

    #[test]
    fn dimension_errors_name_both_sizes() {
        let e = different_dimensions(3, 4);
        assert_eq!(
            (e.code, e.message.as_str()),
            ("22000", "different vector dimensions 3 and 4")
        );
        assert_eq!(
            check_expected_dimensions(Some(3), 2).unwrap_err().message,
            "expected 3 dimensions, not 2"
        );
    }
}
