//! Casts to `vector` / `vector(n)`: `'[1,2,3]'::vector` parses pgvector's text (at planning
//! when the text is a literal), `real[]` / `float8[]` / `int[]` values convert element by
//! element, and `vector(n)` checks the dimension. DataFusion would plan these as list casts
//! (or as Postgres array literals, in our JSON cast rule); this rule runs before both.

use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::Transformed;
use datafusion::common::{DFSchema, Result, ScalarValue};
use datafusion::logical_expr::expr::{Cast, TryCast};
use datafusion::logical_expr::{Expr, ExprSchemable, LogicalPlan, ScalarUDF, lit};
use datafusion::optimizer::AnalyzerRule;

use crate::error::{SqlError, sqlstate};
use crate::vector::text::{check_expected_dimensions, parse_vector};
use crate::vector::udf::TO_VECTOR;
use crate::vector::{declared_dimensions, is_vector, is_vector_like};

/// The analyzer rule.
#[derive(Debug)]
pub struct VectorCastRule {
    to_vector: Arc<ScalarUDF>,
}

impl VectorCastRule {
    /// A rule calling the conversion among `udfs`.
    pub fn new(udfs: &[Arc<ScalarUDF>]) -> Result<Self> {
        let to_vector = udfs
            .iter()
            .find(|u| u.name() == TO_VECTOR)
            .cloned()
            .ok_or_else(|| {
                SqlError::new(
                    sqlstate::INTERNAL_ERROR,
                    format!("function {TO_VECTOR} is not registered"),
                )
                .into_datafusion()
            })?;
        Ok(Self { to_vector })
    }

    fn rewrite(&self, expr: Expr, schema: &DFSchema) -> Result<Transformed<Expr>> {
        let (inner, field) = match expr {
            Expr::Cast(Cast { expr, field }) if is_vector(&field) => (expr, field),
            Expr::TryCast(TryCast { expr, field }) if is_vector(&field) => (expr, field),
            other => return Ok(Transformed::no(other)),
        };
        let dims = declared_dimensions(&field);
        if let Expr::Literal(
            ScalarValue::Utf8(Some(t))
            | ScalarValue::Utf8View(Some(t))
            | ScalarValue::LargeUtf8(Some(t)),
            _,
        ) = inner.as_ref()
        {
            let v = parse_vector(t).map_err(SqlError::into_datafusion)?;
            check_expected_dimensions(dims, v.len()).map_err(SqlError::into_datafusion)?;
            return Ok(Transformed::yes(crate::vector::planner::vector_literal(
                &v, dims,
            )));
        }
        let source = inner.to_field(schema).map(|(_, f)| f)?;
        if is_vector(&source) && (dims.is_none() || declared_dimensions(&source) == dims) {
            return Ok(Transformed::yes(*inner));
        }
        let convertible = is_vector_like(source.data_type())
            || matches!(
                source.data_type(),
                DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8 | DataType::Null
            );
        if !convertible {
            return Err(SqlError::new(
                "42846",
                format!(
                    "cannot cast type {} to vector",
                    crate::render::field_type_name(&source)
                ),
            )
            .into_datafusion());
        }
        let dims_arg = dims.map_or(-1, |n| n as i64);
        Ok(Transformed::yes(
            self.to_vector.call(vec![*inner, lit(dims_arg)]),
        ))
    }
}

impl AnalyzerRule for VectorCastRule {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        crate::json::cast_rule::rewrite_plan(plan, &|e, schema| self.rewrite(e, schema), &|n| {
            Ok(Transformed::no(n))
        })
    }

    fn name(&self) -> &str {
        "docfusion_vector_casts"
    }
}
