//! SQL/JSON path functions (`jsonb_path_exists`, `jsonb_path_match`, `jsonb_path_query`,
//! `jsonb_path_query_array`, `jsonb_path_query_first`) and the `@?` / `@@` operators, which
//! are the same functions with errors suppressed.

use std::sync::Arc;

use datafusion::logical_expr::ScalarUDF;
use docfusion_pgvalue::jsonpath::{self, JsonPath};
use docfusion_pgvalue::{Jsonb, PgError};

use crate::json::names;
use crate::json::row_fn::{Arg, OutKind, RowFn, Val};

struct PathArgs {
    target: Jsonb,
    path: JsonPath,
    vars: Option<Jsonb>,
    silent: bool,
}

fn path_args(args: &[Arg<'_>], operator: bool) -> Result<PathArgs, PgError> {
    let target = match &args[0] {
        Arg::Jsonb(s) | Arg::Json(s) | Arg::Text(s) => Jsonb::parse(s)?,
        _ => {
            return Err(PgError::new(
                "42804",
                "argument of jsonpath function must be jsonb",
            ));
        }
    };
    let path = match &args[1] {
        Arg::Text(s) | Arg::Jsonb(s) | Arg::Json(s) => jsonpath::parse_jsonpath(s)?,
        _ => return Err(PgError::new("42804", "jsonpath argument must be text")),
    };
    let vars = match args.get(2) {
        None | Some(Arg::Null) => None,
        Some(Arg::Jsonb(s) | Arg::Json(s) | Arg::Text(s)) => Some(Jsonb::parse(s)?),
        Some(_) => return Err(PgError::new("42804", "vars argument must be jsonb")),
    };
    let silent = operator
        || match args.get(3) {
            None => false,
            Some(Arg::Bool(b)) => *b,
            Some(_) => return Err(PgError::new("42804", "silent argument must be boolean")),
        };
    Ok(PathArgs {
        target,
        path,
        vars,
        silent,
    })
}

fn bool_val(v: Option<bool>) -> Val {
    v.map_or(Val::Null, Val::Bool)
}

fn exists(args: &[Arg<'_>]) -> Result<Val, PgError> {
    let a = path_args(args, false)?;
    Ok(bool_val(jsonpath::jsonb_path_exists(
        &a.target,
        &a.path,
        a.vars.as_ref(),
        a.silent,
    )?))
}

fn exists_opr(args: &[Arg<'_>]) -> Result<Val, PgError> {
    let a = path_args(args, true)?;
    Ok(bool_val(jsonpath::jsonb_path_exists(
        &a.target, &a.path, None, true,
    )?))
}

fn matches(args: &[Arg<'_>]) -> Result<Val, PgError> {
    let a = path_args(args, false)?;
    Ok(bool_val(jsonpath::jsonb_path_match(
        &a.target,
        &a.path,
        a.vars.as_ref(),
        a.silent,
    )?))
}

fn matches_opr(args: &[Arg<'_>]) -> Result<Val, PgError> {
    let a = path_args(args, true)?;
    Ok(bool_val(jsonpath::jsonb_path_match(
        &a.target, &a.path, None, true,
    )?))
}

fn query_list(args: &[Arg<'_>]) -> Result<Val, PgError> {
    let a = path_args(args, false)?;
    let items = jsonpath::jsonb_path_query(&a.target, &a.path, a.vars.as_ref(), a.silent)?;
    Ok(Val::List(
        items.into_iter().map(|j| Some(j.to_pg_text())).collect(),
    ))
}

fn query_array(args: &[Arg<'_>]) -> Result<Val, PgError> {
    let a = path_args(args, false)?;
    let out = jsonpath::jsonb_path_query_array(&a.target, &a.path, a.vars.as_ref(), a.silent)?;
    Ok(Val::Text(out.to_pg_text()))
}

fn query_first(args: &[Arg<'_>]) -> Result<Val, PgError> {
    let a = path_args(args, false)?;
    let out = jsonpath::jsonb_path_query_first(&a.target, &a.path, a.vars.as_ref(), a.silent)?;
    Ok(out.map_or(Val::Null, |j| Val::Text(j.to_pg_text())))
}

/// The jsonpath functions.
pub fn all() -> Vec<Arc<ScalarUDF>> {
    [
        RowFn::new("jsonb_path_exists", 2, 4, OutKind::Bool, exists),
        RowFn::new("jsonb_path_match", 2, 4, OutKind::Bool, matches),
        RowFn::new(names::PATH_EXISTS_OP, 2, 2, OutKind::Bool, exists_opr),
        RowFn::new(names::PATH_MATCH_OP, 2, 2, OutKind::Bool, matches_opr),
        RowFn::new(names::PATH_QUERY_LIST, 2, 4, OutKind::JsonbList, query_list),
        RowFn::new("jsonb_path_query_array", 2, 4, OutKind::Jsonb, query_array),
        RowFn::new("jsonb_path_query_first", 2, 4, OutKind::Jsonb, query_first),
    ]
    .into_iter()
    .map(|f| Arc::new(ScalarUDF::new_from_impl(f)))
    .collect()
}
