//! Result column names as Postgres gives them: a select item without an alias is named by
//! the rules of Postgres' `FigureColname` (a column by its name, a function call by the
//! function, a cast of an unnamed expression by the type, `CASE` by its `ELSE` or `case`,
//! anything else `?column?`), instead of DataFusion's display names (`count(*)`,
//! `jsonb_field_text(t.doc,Utf8("name"))`). Names are given as aliases before planning.
//!
//! Postgres allows one name twice in a select list (`SELECT 1, 2` has two `?column?`);
//! DataFusion does not, so a repeated name is planned with an invisible suffix
//! ([`REPEAT_MARK`] and a number) that [`postgres_schema`] removes from the result.

use std::ops::ControlFlow;
use std::sync::Arc;

use datafusion::arrow::datatypes::{Field, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::sql::sqlparser::ast::{
    AccessExpr, ArrayElemTypeDef, DataType, Expr, Ident, ObjectName, ObjectNamePart, Query,
    SelectItem, SetExpr, Statement, TimezoneInfo, TrimWhereField, VisitMut, VisitorMut,
};

/// Starts the suffix that keeps a repeated column name unique inside DataFusion.
pub const REPEAT_MARK: char = '\u{1}';

/// Prefix of the alias datafusion-pg-catalog gives `x.col` in `SELECT x.col, x.*`.
const PG_CATALOG_REPEAT: &str = "__alias_";

/// Functions that datafusion-pg-catalog's rewrites put in place of an operator (`= ANY`),
/// whose result Postgres names `?column?`.
const OPERATOR_FUNCTIONS: &[&str] = &["array_contains"];

/// What Postgres names a column it cannot name otherwise.
pub const UNNAMED: &str = "?column?";

/// Names every unaliased select item of `statement` (in subqueries too, whose column names
/// an outer query sees) as Postgres would.
pub fn name_select_items(statement: &mut Statement) {
    if let Statement::Query(_) = statement {
        let _ = statement.visit(&mut Namer);
    }
}

struct Namer;

impl VisitorMut for Namer {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        name_set_expr(&mut query.body);
        ControlFlow::Continue(())
    }
}

fn name_set_expr(body: &mut SetExpr) {
    match body {
        SetExpr::Select(select) => {
            let mut taken: Vec<String> = Vec::new();
            for item in select.projection.iter_mut() {
                let (expr, given) = match item {
                    SelectItem::UnnamedExpr(e) => (e, None),
                    SelectItem::ExprWithAlias { expr, alias } => (expr, Some(normalized(alias))),
                    // `*` expands to columns whose names the planner knows.
                    _ => continue,
                };
                let name = match &given {
                    // datafusion-pg-catalog's alias of a column repeated by a `*` after it.
                    Some(alias) => alias
                        .strip_prefix(PG_CATALOG_REPEAT)
                        .unwrap_or(alias)
                        .to_string(),
                    None => column_name(expr),
                };
                let mut repeats = taken.iter().filter(|t| **t == name).count();
                if given
                    .as_deref()
                    .is_some_and(|a| a.starts_with(PG_CATALOG_REPEAT))
                {
                    // The `*` that repeats it comes later; keep the two apart.
                    repeats = repeats.max(1);
                }
                taken.push(name.clone());
                let plain_column =
                    matches!(expr, Expr::Identifier(_) | Expr::CompoundIdentifier(_));
                if repeats == 0 && (given.is_some() || plain_column) {
                    // Named by the user, or a column reference DataFusion names by its column.
                    continue;
                }
                let alias = if repeats == 0 {
                    name
                } else {
                    format!("{name}{REPEAT_MARK}{repeats}")
                };
                let expr = std::mem::replace(
                    expr,
                    Expr::value(datafusion::sql::sqlparser::ast::Value::Null),
                );
                *item = SelectItem::ExprWithAlias {
                    expr,
                    alias: Ident::with_quote('"', alias),
                };
            }
        }
        SetExpr::SetOperation { left, right, .. } => {
            name_set_expr(left);
            name_set_expr(right);
        }
        // Nested queries are visited on their own.
        _ => {}
    }
}

/// An identifier as the planner resolves it: unquoted ones fold to lower case.
fn normalized(ident: &Ident) -> String {
    match ident.quote_style {
        Some(_) => ident.value.clone(),
        None => ident.value.to_lowercase(),
    }
}

/// The name Postgres gives an unaliased select item `expr`.
pub fn column_name(expr: &Expr) -> String {
    figure(expr).map_or_else(|| UNNAMED.to_string(), |(name, _)| name)
}

/// Strength of a name, as in Postgres: a cast names its column after the type unless the
/// expression inside has a strong (2) name of its own.
type Strength = u8;

fn figure(expr: &Expr) -> Option<(String, Strength)> {
    let named = |n: &str| Some((n.to_string(), 2));
    match expr {
        Expr::Identifier(id) => Some((normalized(id), 2)),
        Expr::CompoundIdentifier(parts) => parts.last().map(|id| (normalized(id), 2)),
        Expr::Function(f) => last_name(&f.name)
            .filter(|n| !OPERATOR_FUNCTIONS.contains(&n.as_str()))
            .map(|n| (n, 2)),
        Expr::Nested(inner) => figure(inner),
        Expr::Cast {
            expr: inner,
            data_type,
            ..
        } => match figure(inner) {
            Some(strong @ (_, 2)) => Some(strong),
            weak => type_name(data_type).map(|t| (t, 1)).or(weak),
        },
        Expr::TypedString(t) => type_name(&t.data_type).map(|n| (n, 1)),
        Expr::Interval(_) => Some(("interval".to_string(), 1)),
        Expr::Case { else_result, .. } => match else_result.as_deref().and_then(figure) {
            Some(strong @ (_, 2)) => Some(strong),
            _ => Some(("case".to_string(), 1)),
        },
        Expr::Array(_) => named("array"),
        Expr::Tuple(_) => named("row"),
        Expr::Exists { negated: false, .. } => named("exists"),
        // A scalar subquery is named after its one column.
        Expr::Subquery(q) => match q.body.as_ref() {
            SetExpr::Select(s) => match s.projection.first() {
                Some(SelectItem::ExprWithAlias { alias, .. }) => {
                    Some((normalized(alias).split(REPEAT_MARK).next()?.to_string(), 2))
                }
                Some(SelectItem::UnnamedExpr(e)) => Some((column_name(e), 2)),
                _ => None,
            },
            _ => None,
        },
        Expr::CompoundFieldAccess { root, access_chain } => {
            match access_chain.iter().rev().find_map(|a| match a {
                AccessExpr::Dot(Expr::Identifier(id)) => Some(normalized(id)),
                _ => None,
            }) {
                Some(field) => Some((field, 2)),
                None => figure(root),
            }
        }
        // SQL-syntax functions are named after the function Postgres calls.
        Expr::Trim { trim_where, .. } => named(match trim_where {
            Some(TrimWhereField::Leading) => "ltrim",
            Some(TrimWhereField::Trailing) => "rtrim",
            _ => "btrim",
        }),
        Expr::Substring { .. } => named("substring"),
        Expr::Position { .. } => named("position"),
        Expr::Overlay { .. } => named("overlay"),
        Expr::Extract { .. } => named("extract"),
        Expr::Ceil { .. } => named("ceil"),
        Expr::Floor { .. } => named("floor"),
        Expr::AtTimeZone { .. } => named("timezone"),
        _ => None,
    }
}

fn last_name(name: &ObjectName) -> Option<String> {
    match name.0.last() {
        Some(ObjectNamePart::Identifier(id)) => Some(normalized(id)),
        _ => None,
    }
}

/// Postgres' internal name of a type as written in a cast (`int` → `int4`).
fn type_name(data_type: &DataType) -> Option<String> {
    let name = match data_type {
        DataType::Int(_) | DataType::Integer(_) | DataType::Int4(_) => "int4",
        DataType::BigInt(_) | DataType::Int8(_) => "int8",
        DataType::SmallInt(_) | DataType::Int2(_) => "int2",
        DataType::Real | DataType::Float4 => "float4",
        DataType::Double(_) | DataType::DoublePrecision | DataType::Float8 => "float8",
        DataType::Float(info) => match info {
            datafusion::sql::sqlparser::ast::ExactNumberInfo::Precision(p)
            | datafusion::sql::sqlparser::ast::ExactNumberInfo::PrecisionAndScale(p, _)
                if *p <= 24 =>
            {
                "float4"
            }
            _ => "float8",
        },
        DataType::Bool | DataType::Boolean => "bool",
        DataType::Text => "text",
        DataType::Varchar(_) | DataType::CharacterVarying(_) | DataType::CharVarying(_) => {
            "varchar"
        }
        DataType::Char(_) | DataType::Character(_) => "bpchar",
        DataType::Numeric(_) | DataType::Decimal(_) | DataType::Dec(_) => "numeric",
        DataType::Date => "date",
        DataType::Timestamp(_, TimezoneInfo::WithTimeZone | TimezoneInfo::Tz) => "timestamptz",
        DataType::Timestamp(..) => "timestamp",
        DataType::Time(_, TimezoneInfo::WithTimeZone | TimezoneInfo::Tz) => "timetz",
        DataType::Time(..) => "time",
        DataType::Interval { .. } => "interval",
        DataType::JSON => "json",
        DataType::JSONB => "jsonb",
        DataType::Uuid => "uuid",
        DataType::Bytea => "bytea",
        DataType::Regclass => "regclass",
        DataType::Array(
            ArrayElemTypeDef::SquareBracket(inner, _)
            | ArrayElemTypeDef::AngleBracket(inner)
            | ArrayElemTypeDef::Parenthesis(inner),
        ) => return type_name(inner),
        DataType::Custom(name, _) => return last_name(name),
        _ => return None,
    };
    Some(name.to_string())
}

/// `name` without the suffix that kept it unique inside DataFusion.
pub fn postgres_name(name: &str) -> &str {
    name.split(REPEAT_MARK).next().unwrap_or(name)
}

/// `schema` with the column names a client sees (see [`REPEAT_MARK`]).
pub fn postgres_schema(schema: SchemaRef) -> SchemaRef {
    if !schema
        .fields()
        .iter()
        .any(|f| f.name().contains(REPEAT_MARK))
    {
        return schema;
    }
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| f.as_ref().clone().with_name(postgres_name(f.name())))
        .collect();
    Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

/// `batches` carrying `schema` (the same columns, renamed by [`postgres_schema`]).
pub fn with_schema(
    schema: &SchemaRef,
    batches: Vec<RecordBatch>,
) -> Result<Vec<RecordBatch>, datafusion::arrow::error::ArrowError> {
    batches
        .into_iter()
        .map(|b| {
            if Arc::ptr_eq(&b.schema(), schema) || b.schema().fields() == schema.fields() {
                Ok(b)
            } else {
                RecordBatch::try_new(schema.clone(), b.columns().to_vec())
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
    use datafusion::sql::sqlparser::parser::Parser;

    fn named(sql: &str) -> String {
        let mut statements = Parser::parse_sql(&PostgreSqlDialect {}, sql).unwrap();
        name_select_items(&mut statements[0]);
        statements[0].to_string()
    }

    // Each expected name is what PostgreSQL 15 answers (psql against a scratch server).
    #[test]
    fn unaliased_items_get_postgres_names() {
        let cases = [
            ("doc->>'name'", "?column?"),
            ("(doc->>'n')::int", "int4"),
            ("CAST(doc->>'n' AS numeric(10,2))", "numeric"),
            ("(doc->>'n')::double precision", "float8"),
            ("id::text", "id"),
            ("now()::timestamptz", "now"),
            ("1::int4::text", "text"),
            ("count(*)", "count"),
            ("pg_catalog.lower('A')", "lower"),
            ("CASE WHEN x THEN 'a' ELSE id END", "id"),
            ("CASE WHEN x THEN 1 ELSE 0 END", "case"),
            ("ARRAY[1, 2]", "array"),
            ("EXISTS (SELECT 1)", "exists"),
            ("NOT EXISTS (SELECT 1)", "?column?"),
            ("(SELECT max(id) FROM t)", "max"),
            ("(SELECT 1)", "?column?"),
            ("trim(leading 'a' from id)", "ltrim"),
            ("substring(id from 1 for 1)", "substring"),
            ("extract(year from now())", "extract"),
            ("now() AT TIME ZONE 'utc'", "timezone"),
            ("interval '1 day'", "interval"),
            ("DATE '2024-01-01'", "date"),
            ("'{a}'::text[]", "text"),
            ("'1'::float(10)", "float4"),
            ("'1'::char", "bpchar"),
            ("arr[1]", "arr"),
            ("\"Mixed\"", "Mixed"),
            ("id IS NULL", "?column?"),
        ];
        for (expr, name) in cases {
            let parsed = Parser::new(&PostgreSqlDialect {})
                .try_with_sql(expr)
                .unwrap()
                .parse_expr()
                .unwrap();
            assert_eq!(column_name(&parsed), name, "{expr}");
        }
    }

    #[test]
    fn aliases_are_given_where_the_planner_would_name_otherwise() {
        assert_eq!(
            named("SELECT id, t.doc, doc->>'a', count(*) AS n FROM t"),
            "SELECT id, t.doc, doc ->> 'a' AS \"?column?\", count(*) AS n FROM t"
        );
        assert_eq!(
            named("SELECT x FROM (SELECT upper(id) FROM t) AS s"),
            "SELECT x FROM (SELECT upper(id) AS \"upper\" FROM t) AS s"
        );
    }

    #[test]
    fn repeated_names_are_kept_apart_and_shown_alike() {
        let sql = named("SELECT 1, 2, id, id FROM t");
        assert_eq!(
            sql,
            format!(
                "SELECT 1 AS \"?column?\", 2 AS \"?column?{REPEAT_MARK}1\", id, id AS \"id{REPEAT_MARK}1\" FROM t"
            )
        );
        let schema = Arc::new(Schema::new(vec![
            Field::new(
                "?column?",
                datafusion::arrow::datatypes::DataType::Int32,
                true,
            ),
            Field::new(
                format!("?column?{REPEAT_MARK}1"),
                datafusion::arrow::datatypes::DataType::Int32,
                true,
            ),
        ]));
        let shown = postgres_schema(schema);
        assert_eq!(shown.field(0).name(), "?column?");
        assert_eq!(shown.field(1).name(), "?column?");
    }
}
