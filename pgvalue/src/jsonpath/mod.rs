//! SQL/JSON path language (`jsonpath`): parsing and evaluation as in PostgreSQL 15, behind the
//! `jsonb_path_*` functions.
//!
//! Supported: `lax`/`strict`, `$`, `@`, `$var`, literals, `.key`, `."key"`, `.*`, `.**` with
//! level bounds, `[n]`, `[n to m]`, `last`, `[*]`, filters `? (...)` with `== != <> < <= > >=`,
//! `&&`, `||`, `!`, `is unknown`, `exists(...)`, `starts with`, arithmetic `+ - * / %` and
//! unary `+ -`, and the methods `.type()`, `.size()`, `.double()`, `.abs()`, `.floor()`,
//! `.ceiling()`. Not supported (rejected with `42601`): `like_regex`, `.keyvalue()`,
//! `.datetime()`.

mod ast;
mod eval;
mod parser;

pub use ast::Mode;
pub use parser::{JsonPath, parse_jsonpath};

use crate::error::{PgError, sqlstate};
use crate::jsonb::Jsonb;
use eval::Evaluator;

/// Runs `path` on `target` with the optional `vars` object.
fn execute(target: &Jsonb, path: &JsonPath, vars: Option<&Jsonb>) -> Result<Vec<Jsonb>, PgError> {
    let vars = match vars {
        None => None,
        Some(Jsonb::Object(o)) => Some(o),
        Some(_) => {
            return Err(PgError::new(
                sqlstate::INVALID_PARAMETER_VALUE,
                "\"vars\" argument is not an object",
            )
            .with_detail(
                "Jsonpath parameters should be encoded as key-value pairs of \"vars\" object.",
            ));
        }
    };
    let evaluator = Evaluator {
        mode: path.mode,
        root: target,
        vars,
    };
    evaluator.eval(&path.expr, eval::root_scope(target))
}

/// Errors that `silent => true` does not hide: bad `vars` and unknown variables.
fn is_always_raised(e: &PgError) -> bool {
    e.sqlstate == sqlstate::UNDEFINED_OBJECT || e.sqlstate == sqlstate::INVALID_PARAMETER_VALUE
}

/// `jsonb_path_exists(target, path, vars, silent)`: whether the path yields any item.
/// `Ok(None)` is SQL NULL (an error hidden by `silent`).
pub fn jsonb_path_exists(
    target: &Jsonb,
    path: &JsonPath,
    vars: Option<&Jsonb>,
    silent: bool,
) -> Result<Option<bool>, PgError> {
    match execute(target, path, vars) {
        Ok(items) => Ok(Some(!items.is_empty())),
        Err(e) if silent && !is_always_raised(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `jsonb_path_match(target, path, vars, silent)`: the single boolean the path yields;
/// JSON null gives SQL NULL (`None`); anything else is an error (NULL when `silent`).
pub fn jsonb_path_match(
    target: &Jsonb,
    path: &JsonPath,
    vars: Option<&Jsonb>,
    silent: bool,
) -> Result<Option<bool>, PgError> {
    let result = execute(target, path, vars).and_then(|items| match items.as_slice() {
        [Jsonb::Bool(b)] => Ok(Some(*b)),
        [Jsonb::Null] => Ok(None),
        _ => Err(PgError::new(
            sqlstate::SINGLETON_SQL_JSON_ITEM_REQUIRED,
            "single boolean result is expected",
        )),
    });
    match result {
        Err(e) if silent && !is_always_raised(&e) => Ok(None),
        other => other,
    }
}

/// `jsonb_path_query(target, path, vars, silent)`: every item the path yields (no rows when an
/// error is hidden by `silent`).
pub fn jsonb_path_query(
    target: &Jsonb,
    path: &JsonPath,
    vars: Option<&Jsonb>,
    silent: bool,
) -> Result<Vec<Jsonb>, PgError> {
    match execute(target, path, vars) {
        Err(e) if silent && !is_always_raised(&e) => Ok(Vec::new()),
        other => other,
    }
}

/// `jsonb_path_query_array(...)`: the yielded items as one jsonb array.
pub fn jsonb_path_query_array(
    target: &Jsonb,
    path: &JsonPath,
    vars: Option<&Jsonb>,
    silent: bool,
) -> Result<Jsonb, PgError> {
    jsonb_path_query(target, path, vars, silent).map(Jsonb::Array)
}

/// `jsonb_path_query_first(...)`: the first yielded item, `None` (SQL NULL) if there is none.
pub fn jsonb_path_query_first(
    target: &Jsonb,
    path: &JsonPath,
    vars: Option<&Jsonb>,
    silent: bool,
) -> Result<Option<Jsonb>, PgError> {
    jsonb_path_query(target, path, vars, silent).map(|items| items.into_iter().next())
}

#[cfg(test)]
mod tests;
