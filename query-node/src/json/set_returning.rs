//! Postgres' set-returning JSON functions in the select list (`jsonb_array_elements`,
//! `jsonb_array_elements_text`, `jsonb_object_keys`): DataFusion has no set-returning scalar
//! functions, so before planning they are rewritten to `unnest` over a function returning a
//! list (their columns are named, as Postgres names them, by `crate::output_names`).

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgumentList, FunctionArguments, Ident,
    ObjectName, ObjectNamePart, Statement, VisitMut, VisitorMut,
};

use crate::json::names;

/// (Postgres function, list function)
const SET_RETURNING: &[(&str, &str)] = &[
    ("jsonb_array_elements", names::ARRAY_ELEMENTS_LIST),
    ("jsonb_array_elements_text", names::ARRAY_ELEMENTS_TEXT_LIST),
    ("jsonb_object_keys", names::OBJECT_KEYS_LIST),
    ("jsonb_path_query", names::PATH_QUERY_LIST),
];

/// The list functions whose items are jsonb.
const JSONB_ELEMENTS: &[&str] = &[names::ARRAY_ELEMENTS_LIST, names::PATH_QUERY_LIST];

fn call(name: &str, arg: Expr) -> Expr {
    Expr::Function(Function {
        name: ObjectName::from(vec![Ident::new(name)]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: vec![FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))],
            clauses: vec![],
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    })
}

fn function_name(f: &Function) -> Option<String> {
    match f.name.0.as_slice() {
        [ObjectNamePart::Identifier(id)] => Some(id.value.to_ascii_lowercase()),
        _ => None,
    }
}

struct Rewriter;

impl VisitorMut for Rewriter {
    type Break = ();

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        if let Expr::Function(f) = expr
            && let Some(name) = function_name(f)
            && let Some((_, list_fn)) = SET_RETURNING.iter().find(|(n, _)| *n == name)
        {
            let mut inner = f.clone();
            inner.name = ObjectName::from(vec![Ident::new(*list_fn)]);
            let unnest = Expr::Function(Function {
                name: ObjectName::from(vec![Ident::new("unnest")]),
                uses_odbc_syntax: false,
                parameters: FunctionArguments::None,
                args: FunctionArguments::List(FunctionArgumentList {
                    duplicate_treatment: None,
                    args: vec![FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Function(
                        inner,
                    )))],
                    clauses: vec![],
                }),
                filter: None,
                null_treatment: None,
                over: None,
                within_group: vec![],
            });
            // unnest's output column drops the list items' jsonb tag: put it back, so that
            // `jsonb_array_elements(x) AS r` can be used with r->>'k' like in Postgres.
            *expr = if JSONB_ELEMENTS.contains(list_fn) {
                call(names::JSONB_TAGGED, unnest)
            } else {
                unnest
            };
        }
        ControlFlow::Continue(())
    }
}

/// Rewrites the set-returning JSON functions of `statement` in place.
pub fn rewrite_set_returning(statement: &mut Statement) {
    let _ = statement.visit(&mut Rewriter);
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
    use datafusion::sql::sqlparser::parser::Parser;

    #[test]
    fn array_elements_becomes_unnest_of_a_list() {
        let mut stmts = Parser::parse_sql(
            &PostgreSqlDialect {},
            "SELECT jsonb_array_elements(doc->'a') AS value FROM t",
        )
        .unwrap();
        rewrite_set_returning(&mut stmts[0]);
        assert_eq!(
            stmts[0].to_string(),
            "SELECT jsonb_tagged(unnest(jsonb_array_elements_list(doc -> 'a'))) AS value FROM t"
        );
    }
}
