//! Carrying a column computed at a table scan up to the plan node that reads it. The JSON
//! path rules (the shard scan's [`crate::scan::path_pushdown`] and the replica's
//! [`crate::replica::rewrite`]) replace an expression such as `b.doc->>'did'` in a join's
//! key or an aggregate above a join by a column the scan computes; between the scan and
//! that node the column must travel up unchanged. This module follows `doc` down to its
//! scan through the nodes that pass a column on as it is (filters, sorts, limits,
//! projections of the plain column, subquery aliases, joins), and rebuilds that chain with
//! the new column added to each node's output.

use std::sync::Arc;

use datafusion::common::{Column, Result};
use datafusion::logical_expr::{Expr, Join, LogicalPlan, Projection, SubqueryAlias, TableScan};

/// The column of `p`'s input that `p` outputs unchanged as `col`.
fn projected_column(p: &Projection, col: &Column) -> Option<Column> {
    let i = p.schema.index_of_column(col).ok()?;
    match &p.expr[i] {
        Expr::Column(inner) => Some(inner.clone()),
        _ => None,
    }
}

/// The column of `s`'s input that `s` renames to `col`.
fn aliased_column(s: &SubqueryAlias, col: &Column) -> Option<Column> {
    let i = s.schema.index_of_column(col).ok()?;
    let (qualifier, field) = s.input.schema().qualified_field(i);
    Some(Column::new(qualifier.cloned(), field.name()))
}

/// The input of join `j` that its output column `col` comes from.
fn join_side<'a>(j: &'a Join, col: &Column) -> Option<&'a Arc<LogicalPlan>> {
    if !j.schema.has_column(col) {
        return None;
    }
    [&j.left, &j.right]
        .into_iter()
        .find(|side| side.schema().has_column(col))
}

/// The scan that `plan`'s output column `col` comes from unchanged, and its name there.
pub fn scan_of<'a>(plan: &'a LogicalPlan, col: &Column) -> Option<(&'a TableScan, Column)> {
    match plan {
        LogicalPlan::TableScan(scan) => {
            let at_scan = col.relation.as_ref().is_none_or(|r| r == &scan.table_name)
                && scan.projected_schema.index_of_column(col).is_ok();
            at_scan.then(|| (scan, col.clone()))
        }
        LogicalPlan::Filter(_) | LogicalPlan::Sort(_) | LogicalPlan::Limit(_) => {
            scan_of(plan.inputs()[0], col)
        }
        LogicalPlan::Projection(p) => scan_of(&p.input, &projected_column(p, col)?),
        LogicalPlan::SubqueryAlias(s) => scan_of(&s.input, &aliased_column(s, col)?),
        LogicalPlan::Join(j) => scan_of(join_side(j, col)?, col),
        _ => None,
    }
}

/// What adds a column to a scan: given the scan and the column (of [`scan_of`]) the new
/// one is computed from, the new scan and the new column, or `None` when it cannot.
pub type AtScan<'f> = dyn FnMut(&TableScan, &Column) -> Result<Option<(LogicalPlan, Column)>> + 'f;

/// `plan` with a column computed at the scan that `plan`'s output column `col` comes
/// from (by `at_scan`) added to its output, and that column's name in `plan`'s output:
/// projections pass it on, aliases rename it, filters, sorts, limits and joins carry it.
/// `None` where a node cannot carry it.
pub fn carry(
    plan: &LogicalPlan,
    col: &Column,
    at_scan: &mut AtScan<'_>,
) -> Result<Option<(LogicalPlan, Column)>> {
    match plan {
        LogicalPlan::TableScan(scan) => match scan_of(plan, col) {
            Some((_, at)) => at_scan(scan, &at),
            None => Ok(None),
        },
        LogicalPlan::Filter(_) | LogicalPlan::Sort(_) | LogicalPlan::Limit(_) => {
            let Some((input, column)) = carry(plan.inputs()[0], col, at_scan)? else {
                return Ok(None);
            };
            let new = plan.with_new_exprs(plan.expressions(), vec![input])?;
            Ok(Some((new, column)))
        }
        LogicalPlan::Projection(p) => {
            let Some(inner) = projected_column(p, col) else {
                return Ok(None);
            };
            let Some((input, column)) = carry(&p.input, &inner, at_scan)? else {
                return Ok(None);
            };
            let mut exprs = p.expr.clone();
            let carried = Expr::Column(column.clone());
            if !exprs.contains(&carried) {
                exprs.push(carried);
            }
            let new = Projection::try_new(exprs, Arc::new(input))?;
            Ok(Some((LogicalPlan::Projection(new), column)))
        }
        LogicalPlan::SubqueryAlias(s) => {
            let Some(inner) = aliased_column(s, col) else {
                return Ok(None);
            };
            let Some((input, column)) = carry(&s.input, &inner, at_scan)? else {
                return Ok(None);
            };
            // Two columns of one name under one alias (a self-join inside it) cannot be
            // told apart: leave that expression where it is.
            let Ok(new) = SubqueryAlias::try_new(Arc::new(input), s.alias.clone()) else {
                return Ok(None);
            };
            let column = Column::new(Some(s.alias.clone()), column.name);
            Ok(Some((LogicalPlan::SubqueryAlias(new), column)))
        }
        LogicalPlan::Join(j) => {
            let Some(side) = join_side(j, col) else {
                return Ok(None);
            };
            let left_side = Arc::ptr_eq(side, &j.left);
            let Some((input, column)) = carry(side, col, at_scan)? else {
                return Ok(None);
            };
            let inputs = if left_side {
                vec![input, j.right.as_ref().clone()]
            } else {
                vec![j.left.as_ref().clone(), input]
            };
            let new = plan.with_new_exprs(plan.expressions(), inputs)?;
            if !new.schema().has_column(&column) {
                return Ok(None);
            }
            Ok(Some((new, column)))
        }
        _ => Ok(None),
    }
}

/// `plan` after its expressions were rewritten to `exprs` over `inputs` (which gained
/// carried columns), with its output unchanged: a projection's or aggregate's rewritten
/// expressions keep their names (`exprs` are aliased by the caller), and for any other
/// node a projection above it drops the carried columns again.
pub fn rebuild(
    plan: &LogicalPlan,
    exprs: Vec<Expr>,
    inputs: Vec<LogicalPlan>,
) -> Result<LogicalPlan> {
    let schema = plan.schema().clone();
    let new_plan = plan.with_new_exprs(exprs, inputs)?;
    if new_plan.schema().fields().len() == schema.fields().len() {
        return Ok(new_plan);
    }
    let columns = schema.columns().into_iter().map(Expr::Column).collect();
    Ok(LogicalPlan::Projection(Projection::try_new(
        columns,
        Arc::new(new_plan),
    )?))
}
