//! Postgres one-dimensional array literals (`'{a,"b c",NULL}'`), the form a `text[]`
//! argument such as the path of `#>` is usually written in.

use docfusion_pgvalue::PgError;

/// Parses a one-dimensional array literal into its elements (`None` for NULL).
pub fn parse_text_array(text: &str) -> Result<Vec<Option<String>>, PgError> {
    let malformed = |detail: &str| {
        PgError::new("22P02", format!("malformed array literal: \"{text}\"")).with_detail(detail)
    };
    let t = text.trim();
    let inner = t
        .strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .ok_or_else(|| malformed("Array value must start with \"{\" or dimension information."))?;
    let mut items = Vec::new();
    if inner.trim().is_empty() {
        return Ok(items);
    }
    let mut chars = inner.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        let mut quoted = false;
        if chars.peek() == Some(&'"') {
            quoted = true;
            chars.next();
            loop {
                match chars.next() {
                    Some('\\') => match chars.next() {
                        Some(c) => value.push(c),
                        None => return Err(malformed("Unexpected end of input.")),
                    },
                    Some('"') => break,
                    Some(c) => value.push(c),
                    None => return Err(malformed("Unexpected end of input.")),
                }
            }
            while chars.peek().is_some_and(|c| c.is_whitespace()) {
                chars.next();
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                if c == '{' || c == '}' || c == '"' {
                    return Err(malformed("Unexpected array element."));
                }
                if c == '\\' {
                    chars.next();
                    if let Some(n) = chars.next() {
                        value.push(n);
                    }
                    continue;
                }
                value.push(c);
                chars.next();
            }
            value = value.trim_end().to_string();
            if value.is_empty() {
                return Err(malformed("Unexpected \",\" character."));
            }
        }
        if !quoted && value.eq_ignore_ascii_case("null") {
            items.push(None);
        } else {
            items.push(Some(value));
        }
        match chars.next() {
            None => break,
            Some(',') => continue,
            Some(_) => return Err(malformed("Unexpected array element.")),
        }
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_quoted_and_null_elements() {
        assert_eq!(
            parse_text_array("{a, \"b c\",NULL,\"NULL\", 2}").unwrap(),
            vec![
                Some("a".into()),
                Some("b c".into()),
                None,
                Some("NULL".into()),
                Some("2".into())
            ]
        );
        assert_eq!(
            parse_text_array("{}").unwrap(),
            Vec::<Option<String>>::new()
        );
        assert_eq!(
            parse_text_array("{\"a\\\"b\"}").unwrap(),
            vec![Some("a\"b".into())]
        );
    }

    #[test]
    fn malformed_literals_are_22p02() {
        let e = parse_text_array("a,b").unwrap_err();
        assert_eq!(e.sqlstate, "22P02");
        assert!(e.message.contains("malformed array literal"));
        assert!(parse_text_array("{a,,b}").is_err());
    }
}
