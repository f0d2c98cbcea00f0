//! Postgres SQL idioms that DataFusion does not plan, restated before planning in an
//! equivalent form it does. Client tools rely on them (Grafana lists the tables of the
//! schemas on the `search_path` with all three of the first ones):
//! - `user`, `current_user`, `session_user`, `current_role` without parentheses are calls
//!   of the session's user function (DataFusion reads them as column names).
//! - A function that returns one value, used in `FROM` (`FROM string_to_array(…) s`), is a
//!   one-row table whose column is named by the alias; a single-column set-returning function
//!   with a table alias and no column list names its column by the alias too
//!   (`generate_series(1, 3) AS i` has a column `i`).
//! - `x IN (subquery)` as a `CASE WHEN` condition (DataFusion plans `IN (subquery)` only in
//!   `WHERE`): `array_has((SELECT array_agg(v) FROM (subquery)), x)`, which is true exactly
//!   when `IN` is; where `IN` is NULL this is NULL or false, and a `CASE` condition treats
//!   both as not true.
//! - `'name'::regproc` compared with a `pg_type` function column: datafusion-pg-catalog
//!   stores those columns as function names, so the name is compared as text.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    BinaryOperator, Expr, FunctionArguments, Ident, ObjectName, ObjectNamePart, Query, Select,
    SelectItem, SetExpr, Statement, TableFactor, TableWithJoins, Value, VisitMut, VisitorMut,
};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;

/// The function that answers `user` and its synonyms (registered for each session; not
/// `session_user`, which the parser reads as the keyword again).
pub const SESSION_USER_FUNCTION: &str = "docfusion_session_user";

/// Names that stand for the session's user when written without parentheses.
const USER_KEYWORDS: &[&str] = &["user", "current_user", "session_user", "current_role"];

/// Functions usable in `FROM` that return rows, not one value.
const SET_RETURNING: &[&str] = &[
    "generate_series",
    "generate_subscripts",
    "range",
    "unnest",
    "pg_get_keywords",
    "jsonb_each",
    "jsonb_each_text",
    "json_each",
    "json_each_text",
    "jsonb_array_elements",
    "jsonb_array_elements_text",
    "json_array_elements",
    "json_array_elements_text",
    "jsonb_object_keys",
    "json_object_keys",
    "jsonb_path_query",
    "regexp_split_to_table",
];

/// Set-returning functions with one output column, which a bare table alias names.
const SINGLE_COLUMN: &[&str] = &["generate_series", "generate_subscripts", "unnest"];

/// Restates the idioms of the module documentation in `statement`.
pub fn rewrite(statement: &mut Statement) {
    let _ = statement.visit(&mut Idioms);
}

struct Idioms;

impl VisitorMut for Idioms {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        name_user_items(&mut query.body);
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<()> {
        qualify_added_catalog_table(factor);
        if let Some(replacement) =
            function_table(factor).or_else(|| information_schema_columns(factor))
        {
            *factor = replacement;
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        if let Expr::Case { conditions, .. } = expr {
            for when in conditions.iter_mut() {
                in_subquery_as_array(&mut when.condition);
            }
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        if let Some(replacement) = user_keyword(expr).or_else(|| regproc_name(expr)) {
            *expr = replacement;
        }
        if let Expr::Subquery(query) = expr {
            aggregate_catalog_lookup(query);
        }
        ControlFlow::Continue(())
    }
}

fn last_name(name: &ObjectName) -> Option<String> {
    match name.0.last() {
        Some(ObjectNamePart::Identifier(id)) => Some(id.value.to_ascii_lowercase()),
        _ => None,
    }
}

fn parse_expr(sql: &str) -> Option<Expr> {
    Parser::new(&PostgreSqlDialect {})
        .try_with_sql(sql)
        .ok()?
        .parse_expr()
        .ok()
}

/// The keyword `expr` is, when it is one of [`USER_KEYWORDS`].
fn user_keyword_name(expr: &Expr) -> Option<String> {
    let name = match expr {
        Expr::Identifier(id) if id.quote_style.is_none() => id.value.to_ascii_lowercase(),
        Expr::Function(f) if matches!(f.args, FunctionArguments::None) => last_name(&f.name)?,
        _ => return None,
    };
    USER_KEYWORDS.contains(&name.as_str()).then_some(name)
}

/// `user` and its synonyms → the session's user function.
fn user_keyword(expr: &Expr) -> Option<Expr> {
    user_keyword_name(expr)?;
    parse_expr(&format!("{SESSION_USER_FUNCTION}()"))
}

/// A select item that is a user keyword keeps the keyword as its column name, as in
/// Postgres.
fn name_user_items(body: &mut SetExpr) {
    match body {
        SetExpr::Select(select) => {
            for item in select.projection.iter_mut() {
                if let SelectItem::UnnamedExpr(expr) = item
                    && let Some(name) = user_keyword_name(expr)
                {
                    *item = SelectItem::ExprWithAlias {
                        expr: expr.clone(),
                        alias: Ident::with_quote('"', name),
                    };
                }
            }
        }
        SetExpr::SetOperation { left, right, .. } => {
            name_user_items(left);
            name_user_items(right);
        }
        _ => {}
    }
}

/// `pg_extension` and the other catalog tables DocFusionDB adds are found without their
/// schema, as Postgres finds every `pg_catalog` table.
fn qualify_added_catalog_table(factor: &mut TableFactor) {
    if let TableFactor::Table {
        name, args: None, ..
    } = factor
        && let [ObjectNamePart::Identifier(id)] = name.0.as_slice()
        && id.quote_style.is_none()
        && crate::catalog::pg15_shape::ADDED_TABLES
            .contains(&id.value.to_ascii_lowercase().as_str())
    {
        let table = id.clone();
        name.0 = vec![
            ObjectNamePart::Identifier(Ident::new("pg_catalog")),
            ObjectNamePart::Identifier(table),
        ];
    }
}

/// DataFusion's `information_schema.columns` as Postgres shows it: `data_type` is the
/// Postgres type (from `pg_attribute`, which knows `jsonb` columns), `ARRAY` for arrays,
/// and `ordinal_position` counts from 1.
const POSTGRES_COLUMNS: &str = "SELECT * FROM (SELECT docfusion_columns_of.table_catalog, docfusion_columns_of.table_schema, docfusion_columns_of.table_name, \
     docfusion_columns_of.column_name, docfusion_columns_of.ordinal_position + 1 AS ordinal_position, docfusion_columns_of.column_default, docfusion_columns_of.is_nullable, \
     CASE WHEN t.type_name LIKE '%[]' THEN 'ARRAY' ELSE coalesce(t.type_name, docfusion_columns_of.data_type) END AS data_type, \
     docfusion_columns_of.character_maximum_length, docfusion_columns_of.character_octet_length, docfusion_columns_of.numeric_precision, \
     docfusion_columns_of.numeric_precision_radix, docfusion_columns_of.numeric_scale, docfusion_columns_of.datetime_precision, docfusion_columns_of.interval_type \
     FROM information_schema.columns AS docfusion_columns_of LEFT JOIN (SELECT n.nspname, r.relname, a.attname, \
     format_type(a.atttypid, NULL) AS type_name FROM pg_catalog.pg_attribute AS a \
     JOIN pg_catalog.pg_class AS r ON a.attrelid = r.oid \
     JOIN pg_catalog.pg_namespace AS n ON r.relnamespace = n.oid WHERE a.attnum > 0) AS t \
     ON t.nspname = docfusion_columns_of.table_schema AND t.relname = docfusion_columns_of.table_name AND t.attname = docfusion_columns_of.column_name) AS ";

/// The alias of DataFusion's own table inside [`POSTGRES_COLUMNS`] (left as it is).
const INNER_COLUMNS: &str = "docfusion_columns_of";

/// `information_schema.columns` → [`POSTGRES_COLUMNS`] under the same alias.
fn information_schema_columns(factor: &TableFactor) -> Option<TableFactor> {
    let TableFactor::Table {
        name,
        alias,
        args: None,
        ..
    } = factor
    else {
        return None;
    };
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(id) => Some(id.value.to_ascii_lowercase()),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let [.., schema, table] = parts.as_slice() else {
        return None;
    };
    let inner = alias
        .as_ref()
        .is_some_and(|a| a.name.value == INNER_COLUMNS);
    if schema != "information_schema" || table != "columns" || inner {
        return None;
    }
    let alias = alias
        .as_ref()
        .map_or_else(|| "columns".to_string(), |a| a.to_string());
    only_table_factor(&format!("{POSTGRES_COLUMNS}{alias}"))
}

/// A function in `FROM`: a derived one-row table for a function of one value; a column
/// named by the alias for a single-column set-returning function.
fn function_table(factor: &mut TableFactor) -> Option<TableFactor> {
    let TableFactor::Table {
        name,
        alias,
        args: Some(args),
        with_ordinality: false,
        ..
    } = factor
    else {
        return None;
    };
    let function = last_name(name)?;
    if SET_RETURNING.contains(&function.as_str()) {
        if SINGLE_COLUMN.contains(&function.as_str())
            && let Some(alias) = alias
            && alias.columns.is_empty()
        {
            let column = Ident::with_quote('"', alias.name.value.clone());
            let table = alias.name.clone();
            let text = format!(
                "SELECT * FROM {name}({}) AS {table}({column})",
                join_args(args)
            );
            return only_table_factor(&text);
        }
        return None;
    }
    let (table, column) = match alias {
        Some(a) => (
            a.name.clone(),
            a.columns
                .first()
                .map_or_else(|| a.name.clone(), |c| c.name.clone()),
        ),
        None => (Ident::new(function.clone()), Ident::new(function.clone())),
    };
    let text = format!(
        "SELECT * FROM (SELECT {name}({}) AS {column}) AS {table}",
        join_args(args)
    );
    only_table_factor(&text)
}

fn join_args(args: &datafusion::sql::sqlparser::ast::TableFunctionArgs) -> String {
    args.args
        .iter()
        .map(|a| a.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The one table factor of `SELECT * FROM <factor>`.
fn only_table_factor(sql: &str) -> Option<TableFactor> {
    let mut statements = Parser::parse_sql(&PostgreSqlDialect {}, sql).ok()?;
    let Statement::Query(query) = statements.pop()? else {
        return None;
    };
    let Query { body, .. } = *query;
    let SetExpr::Select(select) = *body else {
        return None;
    };
    let Select { mut from, .. } = *select;
    let TableWithJoins { relation, joins } = from.pop()?;
    joins.is_empty().then_some(relation)
}

/// Rewrites `x IN (subquery)` in a `CASE WHEN` condition, also under `AND`/`OR` (where NULL
/// and false still mean the same), but not under `NOT`.
fn in_subquery_as_array(condition: &mut Expr) {
    match condition {
        Expr::Nested(inner) => in_subquery_as_array(inner),
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And | BinaryOperator::Or,
            right,
        } => {
            in_subquery_as_array(left);
            in_subquery_as_array(right);
        }
        Expr::InSubquery {
            expr,
            subquery,
            negated: false,
        } if single_column(subquery) => {
            let text = format!(
                "array_has((SELECT array_agg(docfusion_in.v) FROM ({subquery}) AS docfusion_in(v)), {expr})"
            );
            if let Some(replacement) = parse_expr(&text) {
                *condition = replacement;
            }
        }
        _ => {}
    }
}

fn single_column(query: &Query) -> bool {
    match query.body.as_ref() {
        SetExpr::Select(s) => {
            s.projection.len() == 1
                && matches!(
                    s.projection[0],
                    SelectItem::UnnamedExpr(_) | SelectItem::ExprWithAlias { .. }
                )
        }
        _ => false,
    }
}

/// A scalar subquery that looks one value up in a catalog table by key (pgjdbc's
/// `(SELECT c.relkind = 'c' FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid)`):
/// DataFusion plans a correlated scalar subquery only when it aggregates, so its value is
/// taken with `max`, which is the value itself when the key matches at most one row —
/// as catalog keys do.
fn aggregate_catalog_lookup(query: &mut Query) {
    let SetExpr::Select(select) = query.body.as_mut() else {
        return;
    };
    let [TableWithJoins { relation, joins }] = select.from.as_slice() else {
        return;
    };
    let TableFactor::Table {
        name, args: None, ..
    } = relation
    else {
        return;
    };
    let is_catalog = last_name(name).is_some_and(|n| n.starts_with("pg_"));
    let grouped = !matches!(
        &select.group_by,
        datafusion::sql::sqlparser::ast::GroupByExpr::Expressions(e, _) if e.is_empty()
    );
    if !is_catalog || !joins.is_empty() || grouped || select.selection.is_none() {
        return;
    }
    let [item] = select.projection.as_mut_slice() else {
        return;
    };
    let (value, alias) = match item {
        SelectItem::UnnamedExpr(e) => (e, None),
        SelectItem::ExprWithAlias { expr, alias } => (expr, Some(alias.clone())),
        _ => return,
    };
    if matches!(value, Expr::Function(_)) {
        // Possibly an aggregate already.
        return;
    }
    let Some(max) = parse_expr(&format!("max({value})")) else {
        return;
    };
    let alias =
        alias.unwrap_or_else(|| Ident::with_quote('"', crate::output_names::column_name(value)));
    *item = SelectItem::ExprWithAlias { expr: max, alias };
}

/// The regproc lookup datafusion-pg-catalog makes of `'name'::regproc`:
/// `(SELECT oid FROM pg_catalog.pg_proc WHERE proname = 'name')` — as the name itself.
fn regproc_name(expr: &Expr) -> Option<Expr> {
    let Expr::Subquery(query) = expr else {
        return None;
    };
    let SetExpr::Select(select) = query.body.as_ref() else {
        return None;
    };
    let [TableWithJoins { relation, joins }] = select.from.as_slice() else {
        return None;
    };
    let TableFactor::Table {
        name, args: None, ..
    } = relation
    else {
        return None;
    };
    if !joins.is_empty() || last_name(name).as_deref() != Some("pg_proc") {
        return None;
    }
    let Some(Expr::BinaryOp {
        left,
        op: BinaryOperator::Eq,
        right,
    }) = &select.selection
    else {
        return None;
    };
    let is_proname =
        matches!(left.as_ref(), Expr::Identifier(id) if id.value.eq_ignore_ascii_case("proname"));
    let Expr::Value(v) = right.as_ref() else {
        return None;
    };
    let Value::SingleQuotedString(function) = &v.value else {
        return None;
    };
    if !is_proname {
        return None;
    }
    let bare = function.strip_prefix("pg_catalog.").unwrap_or(function);
    Some(Expr::value(Value::SingleQuotedString(bare.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(sql: &str) -> String {
        let mut statement = Parser::parse_sql(&PostgreSqlDialect {}, sql)
            .unwrap()
            .remove(0);
        rewrite(&mut statement);
        statement.to_string()
    }

    #[test]
    fn user_keywords_call_the_session_user_function() {
        assert_eq!(
            rewritten("SELECT user, current_user, \"user\" FROM t WHERE owner = current_role"),
            "SELECT docfusion_session_user() AS \"user\", docfusion_session_user() AS \"current_user\", \"user\" FROM t WHERE owner = docfusion_session_user()"
        );
    }

    #[test]
    fn value_functions_in_from_are_one_row_tables() {
        assert_eq!(
            rewritten("SELECT s[1] FROM string_to_array('a,b', ',') s"),
            "SELECT s[1] FROM (SELECT string_to_array('a,b', ',') AS s) AS s"
        );
        assert_eq!(
            rewritten("SELECT * FROM upper('x')"),
            "SELECT * FROM (SELECT upper('x') AS upper) AS upper"
        );
        assert_eq!(
            rewritten("SELECT * FROM lower('X') AS t(c)"),
            "SELECT * FROM (SELECT lower('X') AS c) AS t"
        );
    }

    #[test]
    fn single_column_set_functions_take_the_alias_as_column_name() {
        assert_eq!(
            rewritten("SELECT i FROM generate_series(1, 3) AS i"),
            "SELECT i FROM generate_series(1, 3) AS i (\"i\")"
        );
        // Already named, or several columns: unchanged.
        for sql in [
            "SELECT r FROM generate_series(1, 3) AS s (r)",
            "SELECT key FROM jsonb_each('{}') AS e",
        ] {
            assert_eq!(rewritten(sql), sql);
        }
    }

    #[test]
    fn in_subquery_in_a_case_condition_becomes_array_membership() {
        assert_eq!(
            rewritten("SELECT CASE WHEN a IN (SELECT b FROM t) AND c THEN 1 END FROM u"),
            "SELECT CASE WHEN array_has((SELECT array_agg(docfusion_in.v) FROM (SELECT b FROM t) AS docfusion_in (v)), a) AND c THEN 1 END FROM u"
        );
        // NOT IN, and IN outside a CASE condition, keep their form.
        for sql in [
            "SELECT CASE WHEN a NOT IN (SELECT b FROM t) THEN 1 END FROM u",
            "SELECT a FROM u WHERE a IN (SELECT b FROM t)",
        ] {
            assert_eq!(rewritten(sql), sql);
        }
    }

    #[test]
    fn added_catalog_tables_are_found_without_their_schema() {
        assert_eq!(
            rewritten("SELECT extversion FROM pg_extension"),
            "SELECT extversion FROM pg_catalog.pg_extension"
        );
    }

    #[test]
    fn information_schema_columns_is_read_with_postgres_type_names() {
        let sql =
            rewritten("SELECT data_type FROM information_schema.columns WHERE table_name = 't'");
        assert!(
            sql.starts_with("SELECT data_type FROM (SELECT docfusion_columns_of.table_catalog"),
            "{sql}"
        );
        assert!(
            sql.ends_with(") AS columns WHERE table_name = 't'"),
            "{sql}"
        );
        let aliased = rewritten("SELECT x.data_type FROM information_schema.columns x");
        assert!(aliased.ends_with(") AS x"), "{aliased}");
    }

    #[test]
    fn catalog_lookups_by_key_are_aggregated() {
        assert_eq!(
            rewritten(
                "SELECT t.typname FROM pg_type t WHERE t.typrelid = 0 OR (SELECT c.relkind = 'c' FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid)"
            ),
            "SELECT t.typname FROM pg_type t WHERE t.typrelid = 0 OR (SELECT max(c.relkind = 'c') AS \"?column?\" FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid)"
        );
        // Not a catalog table, or already an aggregate: unchanged.
        for sql in [
            "SELECT (SELECT x FROM t WHERE t.k = u.k) FROM u",
            "SELECT (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid) FROM pg_namespace n",
        ] {
            assert_eq!(rewritten(sql), sql);
        }
    }

    #[test]
    fn regproc_lookups_compare_function_names() {
        assert_eq!(
            rewritten(
                "SELECT typinput = (SELECT oid FROM pg_catalog.pg_proc WHERE proname = 'pg_catalog.array_in') FROM pg_type"
            ),
            "SELECT typinput = 'array_in' FROM pg_type"
        );
    }
}
