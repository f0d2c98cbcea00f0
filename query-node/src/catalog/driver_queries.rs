//! Catalog queries of client drivers restated, before planning, in an equivalent form that
//! DataFusion can plan: asyncpg's type introspection (a recursive CTE inside a correlated
//! scalar subquery, `array_agg` of type oids) and `oid::regtype::text` printed as Postgres
//! prints a type name.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::helpers::attached_token::AttachedToken;
use datafusion::sql::sqlparser::ast::{
    ArrayElemTypeDef, BinaryOperator, CaseWhen, CastKind, DataType, Expr, FunctionArg,
    FunctionArgExpr, FunctionArguments, Ident, ObjectName, ObjectNamePart, SetExpr, Statement,
    TableFactor, Value, VisitMut, VisitorMut,
};

/// Rewrites the driver catalog idioms in `statement` (see the module documentation).
pub fn rewrite(statement: &mut Statement) {
    let _ = statement.visit(&mut DriverIdioms);
}

struct DriverIdioms;

impl VisitorMut for DriverIdioms {
    type Break = ();

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        if let Some(replacement) = domain_base_type(expr)
            .or_else(|| regtype_text(expr))
            .or_else(|| type_oid_array(expr))
        {
            *expr = replacement;
        }
        ControlFlow::Continue(())
    }
}

fn last_ident(name: &ObjectName) -> Option<String> {
    match name.0.last() {
        Some(ObjectNamePart::Identifier(id)) => Some(id.value.to_ascii_lowercase()),
        _ => None,
    }
}

/// `[qualifier, column]` of a qualified column reference.
fn qualified(expr: &Expr) -> Option<(&Ident, String)> {
    match expr {
        Expr::CompoundIdentifier(parts) if parts.len() == 2 => {
            Some((&parts[0], parts[1].value.to_ascii_lowercase()))
        }
        _ => None,
    }
}

/// asyncpg's domain base type: a scalar subquery
/// `(WITH RECURSIVE typebases(oid, depth) AS (SELECT t2.typbasetype, 0 FROM pg_type t2
/// WHERE t2.oid = t.oid UNION ALL …follow typbasetype…) SELECT oid … ORDER BY depth DESC
/// LIMIT 1)`, the last type reached by following `typbasetype` from the outer row `t`.
/// DataFusion cannot decorrelate a recursive CTE, and in this catalog no domain is based on
/// another domain (a test checks it), so the chain has one step: `t.typbasetype` (0 for a
/// type that is not a domain, as the recursive query gives).
fn domain_base_type(expr: &Expr) -> Option<Expr> {
    let Expr::Subquery(query) = expr else {
        return None;
    };
    let with = query.with.as_ref()?;
    let [cte] = with.cte_tables.as_slice() else {
        return None;
    };
    if !with.recursive || !cte.alias.name.value.eq_ignore_ascii_case("typebases") {
        return None;
    }
    let SetExpr::SetOperation { left, .. } = cte.query.body.as_ref() else {
        return None;
    };
    let SetExpr::Select(anchor) = left.as_ref() else {
        return None;
    };
    let [from] = anchor.from.as_slice() else {
        return None;
    };
    let TableFactor::Table { name, alias, .. } = &from.relation else {
        return None;
    };
    if last_ident(name).as_deref() != Some("pg_type") {
        return None;
    }
    let inner = alias.as_ref()?.name.value.to_ascii_lowercase();
    let Some(Expr::BinaryOp {
        left,
        op: BinaryOperator::Eq,
        right,
    }) = &anchor.selection
    else {
        return None;
    };
    // One side is the CTE's own `t2.oid`, the other the outer row's `t.oid`.
    let (l, r) = (qualified(left)?, qualified(right)?);
    let outer = match (l, r) {
        ((a, ac), (b, bc))
            if ac == "oid" && bc == "oid" && a.value.eq_ignore_ascii_case(&inner) =>
        {
            b
        }
        ((a, ac), (b, bc))
            if ac == "oid" && bc == "oid" && b.value.eq_ignore_ascii_case(&inner) =>
        {
            a
        }
        _ => return None,
    };
    Some(Expr::CompoundIdentifier(vec![
        outer.clone(),
        Ident::new("typbasetype"),
    ]))
}

fn is_type_named(data_type: &DataType, wanted: &str) -> bool {
    match data_type {
        DataType::Custom(name, args) => {
            args.is_empty() && last_ident(name).as_deref() == Some(wanted)
        }
        _ => false,
    }
}

/// `e::regtype::text`: Postgres prints a type oid as its name (`bigint`, `integer[]`), 0 as
/// `-`. DataFusion keeps a regtype as its number, so the name comes from `format_type`.
fn regtype_text(expr: &Expr) -> Option<Expr> {
    let Expr::Cast {
        expr: inner,
        data_type: DataType::Text,
        ..
    } = expr
    else {
        return None;
    };
    let Expr::Cast {
        expr: oid,
        data_type,
        ..
    } = inner.as_ref()
    else {
        return None;
    };
    if !is_type_named(data_type, "regtype") {
        return None;
    }
    let format_type = datafusion::sql::sqlparser::ast::Function {
        name: ObjectName::from(vec![Ident::new("format_type")]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(datafusion::sql::sqlparser::ast::FunctionArgumentList {
            duplicate_treatment: None,
            args: vec![
                FunctionArg::Unnamed(FunctionArgExpr::Expr(oid.as_ref().clone())),
                FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::value(Value::Null))),
            ],
            clauses: vec![],
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    };
    Some(Expr::Case {
        case_token: AttachedToken::empty(),
        end_token: AttachedToken::empty(),
        operand: None,
        conditions: vec![CaseWhen {
            condition: Expr::BinaryOp {
                left: oid.clone(),
                op: BinaryOperator::Eq,
                right: Box::new(Expr::value(Value::Number("0".into(), false))),
            },
            result: Expr::value(Value::SingleQuotedString("-".into())),
        }],
        else_result: Some(Box::new(Expr::Function(format_type))),
    })
}

/// `array_agg(x.atttypid …)` is an `oid[]` in Postgres (asyncpg's composite attribute
/// types); DataFusion's `array_agg` forgets that its items are oids.
fn type_oid_array(expr: &Expr) -> Option<Expr> {
    let Expr::Function(f) = expr else {
        return None;
    };
    if last_ident(&f.name).as_deref() != Some("array_agg") {
        return None;
    }
    let FunctionArguments::List(list) = &f.args else {
        return None;
    };
    let [FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))] = list.args.as_slice() else {
        return None;
    };
    if qualified(arg).map(|(_, c)| c).as_deref() != Some("atttypid") {
        return None;
    }
    Some(Expr::Cast {
        kind: CastKind::DoubleColon,
        expr: Box::new(expr.clone()),
        data_type: DataType::Array(ArrayElemTypeDef::SquareBracket(
            Box::new(DataType::Custom(
                ObjectName::from(vec![Ident::new("oid")]),
                vec![],
            )),
            None,
        )),
        array: false,
        format: None,
    })
}
