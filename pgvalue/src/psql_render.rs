//! Test support: renders results the way `psql -At` prints them, so unit tests can compare
//! against text captured from a real PostgreSQL 15 (`<NULL>` for SQL NULL, rows on separate
//! lines, columns joined by `|`, errors as `ERROR:  <sqlstate>: <message>` plus DETAIL/HINT).

use crate::error::PgError;
use crate::jsonb::Jsonb;

/// A value that psql would print.
pub(crate) trait PsqlRender {
    fn render(&self) -> String;
}

impl PsqlRender for Jsonb {
    fn render(&self) -> String {
        self.to_pg_text()
    }
}

impl PsqlRender for String {
    fn render(&self) -> String {
        self.clone()
    }
}

impl PsqlRender for &str {
    fn render(&self) -> String {
        (*self).to_string()
    }
}

impl PsqlRender for bool {
    fn render(&self) -> String {
        if *self { "t" } else { "f" }.to_string()
    }
}

impl PsqlRender for i32 {
    fn render(&self) -> String {
        self.to_string()
    }
}

impl<T: PsqlRender> PsqlRender for Option<T> {
    fn render(&self) -> String {
        match self {
            Some(v) => v.render(),
            None => "<NULL>".to_string(),
        }
    }
}

impl<T: PsqlRender> PsqlRender for &T {
    fn render(&self) -> String {
        (*self).render()
    }
}

impl<T: PsqlRender> PsqlRender for Vec<T> {
    fn render(&self) -> String {
        self.iter()
            .map(PsqlRender::render)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl<A: PsqlRender, B: PsqlRender> PsqlRender for (A, B) {
    fn render(&self) -> String {
        format!("{}|{}", self.0.render(), self.1.render())
    }
}

impl<T: PsqlRender> PsqlRender for Result<T, PgError> {
    fn render(&self) -> String {
        match self {
            Ok(v) => v.render(),
            Err(e) => {
                let mut s = format!("ERROR:  {}: {}", e.sqlstate, e.message);
                if let Some(d) = &e.detail {
                    s.push_str(&format!("\nDETAIL:  {d}"));
                }
                if let Some(h) = &e.hint {
                    s.push_str(&format!("\nHINT:  {h}"));
                }
                s
            }
        }
    }
}

/// Parses jsonb test input, panicking on invalid input (test inputs are known-good).
pub(crate) fn j(text: &str) -> Jsonb {
    match Jsonb::parse(text) {
        Ok(v) => v,
        Err(e) => panic!("test input {text:?} did not parse: {e}"),
    }
}

/// Asserts that `value` renders as PostgreSQL printed it.
macro_rules! pg {
    ($value:expr, $expected:expr) => {
        assert_eq!(
            $crate::psql_render::PsqlRender::render(&$value),
            $expected,
            "{}",
            stringify!($value)
        )
    };
}
pub(crate) use pg;
