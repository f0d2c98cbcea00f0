//! Names in write statements as Postgres resolves them: unquoted identifiers fold to lower
//! case, and tables live in schema `public`.

use datafusion::sql::sqlparser::ast;

use crate::error::{SqlError, sqlstate};

/// An identifier as Postgres stores it (unquoted ones fold to lower case).
pub fn normalize(ident: &ast::Ident) -> String {
    if ident.quote_style.is_some() {
        ident.value.clone()
    } else {
        ident.value.to_lowercase()
    }
}

/// The table an object name designates: `t` or `public.t`.
pub fn table_name(name: &ast::ObjectName) -> Result<String, SqlError> {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|p| match p.as_ident() {
            Some(i) => normalize(i),
            None => p.to_string(),
        })
        .collect();
    match parts.as_slice() {
        [table] => Ok(table.clone()),
        [schema, table] if schema == "public" => Ok(table.clone()),
        _ => Err(SqlError::new(
            "3F000",
            format!("schema of \"{name}\" does not exist: tables live in schema public"),
        )),
    }
}

/// The column an expression names when it is a plain column reference (`id`, `t.id`) with
/// a qualifier among `qualifiers`.
pub fn column_ref(expr: &ast::Expr, qualifiers: &[String]) -> Option<String> {
    match expr {
        ast::Expr::Identifier(i) => Some(normalize(i)),
        ast::Expr::CompoundIdentifier(parts) => match parts.as_slice() {
            [q, c] if qualifiers.contains(&normalize(q)) => Some(normalize(c)),
            _ => None,
        },
        ast::Expr::Nested(e) => column_ref(e, qualifiers),
        _ => None,
    }
}

/// The parameter number of `$n`.
pub fn placeholder(expr: &ast::Expr) -> Option<usize> {
    match expr {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::Placeholder(p) => p.strip_prefix('$')?.parse().ok(),
            _ => None,
        },
        _ => None,
    }
}

/// An error for a statement that names a missing parameter.
pub fn missing_param(n: usize, given: usize) -> SqlError {
    SqlError::new(
        sqlstate::PROTOCOL_VIOLATION,
        format!("the statement uses parameter ${n} but {given} parameters were given"),
    )
}
