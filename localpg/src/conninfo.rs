//! libpq connection strings (`key=value ...`) with values quoted where libpq needs it.

/// Joins `key=value` pairs into a libpq keyword/value connection string.
pub(crate) fn conninfo(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(key, value)| format!("{key}={}", quote_value(value)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A value as libpq reads it: bare when safe, else single-quoted with `\` and `'` escaped.
fn quote_value(value: &str) -> String {
    let bare = !value.is_empty()
        && !value
            .chars()
            .any(|c| c.is_whitespace() || c == '\'' || c == '\\' || c == '=');
    if bare {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_what_needs_quoting() {
        assert_eq!(
            conninfo(&[
                ("host", "127.0.0.1"),
                ("port", "5432"),
                ("user", "postgres")
            ]),
            "host=127.0.0.1 port=5432 user=postgres"
        );
        assert_eq!(conninfo(&[("password", "a b")]), "password='a b'");
        assert_eq!(conninfo(&[("password", r"it's\")]), r"password='it\'s\\'");
        assert_eq!(conninfo(&[("password", "")]), "password=''");
        assert_eq!(conninfo(&[("password", "x=y")]), "password='x=y'");
    }
}
