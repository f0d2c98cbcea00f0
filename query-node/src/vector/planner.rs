//! Planning pgvector's operators and type: `a <-> b` is `l2_distance(a, b)`, `a <=> b` is
//! `cosine_distance(a, b)` (DataFusion would read it as IS NOT DISTINCT FROM) and `a <#> b`
//! is `vector_negative_inner_product(a, b)`; `vector` / `vector(n)` is a tagged float4
//! list. The SQL parser gives `<->` as `LtDashGt` (a geometric operator in its Postgres
//! dialect), `<=>` as `Spaceship` and `<#>` as a custom operator, so no text rewrite is
//! needed.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{DFSchema, Result, ScalarValue};
use datafusion::logical_expr::expr::Placeholder;
use datafusion::logical_expr::planner::{ExprPlanner, PlannerResult, RawBinaryExpr};
use datafusion::logical_expr::{Expr, ExprSchemable, ScalarUDF};
use datafusion::sql::sqlparser::ast::BinaryOperator;

use crate::error::{SqlError, sqlstate};
use crate::vector::text::{MAX_DIMENSIONS, check_expected_dimensions, parse_vector};
use crate::vector::udf::{VectorOp, vector_literal_metadata};
use crate::vector::{declared_dimensions, is_vector, is_vector_like, vector_field};

/// The function a vector operator means, if `op` is one.
pub fn operator_function(op: &BinaryOperator) -> Option<VectorOp> {
    match op {
        BinaryOperator::LtDashGt => Some(VectorOp::L2Distance),
        BinaryOperator::Spaceship => Some(VectorOp::CosineDistance),
        BinaryOperator::Custom(s) if s == "<#>" => Some(VectorOp::NegativeInnerProduct),
        _ => None,
    }
}

/// The SQL operator of a distance function (for messages and the SQL sent to shards).
pub fn operator_symbol(op: VectorOp) -> Option<&'static str> {
    match op {
        VectorOp::L2Distance => Some("<->"),
        VectorOp::CosineDistance => Some("<=>"),
        VectorOp::NegativeInnerProduct => Some("<#>"),
        _ => None,
    }
}

/// A `vector` literal of `values`.
pub fn vector_literal(values: &[f32], dims: Option<usize>) -> Expr {
    let list = ScalarValue::List(ScalarValue::new_list_nullable(
        &values
            .iter()
            .map(|x| ScalarValue::Float32(Some(*x)))
            .collect::<Vec<_>>(),
        &DataType::Float32,
    ));
    Expr::Literal(list, Some(vector_literal_metadata(dims)))
}

/// Parses a text literal as a vector now, so that bad text fails at planning, naming it.
fn parsed_text_literal(expr: Expr, dims: Option<usize>) -> Result<Expr> {
    match expr {
        Expr::Literal(
            ScalarValue::Utf8(Some(t))
            | ScalarValue::Utf8View(Some(t))
            | ScalarValue::LargeUtf8(Some(t)),
            _,
        ) => {
            let v = parse_vector(&t).map_err(SqlError::into_datafusion)?;
            check_expected_dimensions(dims, v.len()).map_err(SqlError::into_datafusion)?;
            Ok(vector_literal(&v, dims))
        }
        other => Ok(other),
    }
}

/// The field of a vector `expr`, if it is one (a `vector`, or a list of numbers).
fn vector_operand(expr: &Expr, schema: &DFSchema) -> Option<FieldRef> {
    let (_, f) = expr.to_field(schema).ok()?;
    (is_vector(&f) || is_vector_like(f.data_type())).then_some(f)
}

/// The Postgres type name of an operand, for "operator does not exist".
fn operand_type_name(expr: &Expr, schema: &DFSchema) -> String {
    match expr.to_field(schema) {
        Ok((_, f)) if is_vector(&f) => "vector".to_string(),
        Ok((_, f))
            if matches!(expr, Expr::Literal(ScalarValue::Utf8(_), _))
                && f.data_type() == &DataType::Utf8 =>
        {
            "unknown".to_string()
        }
        Ok((_, f)) => crate::render::field_type_name(&f),
        Err(_) => "unknown".to_string(),
    }
}

/// Plans the vector operators into calls of the registered UDFs.
#[derive(Debug)]
pub struct VectorExprPlanner {
    udfs: Vec<Arc<ScalarUDF>>,
}

impl VectorExprPlanner {
    /// A planner calling the given functions (looked up by name).
    pub fn new(udfs: Vec<Arc<ScalarUDF>>) -> Self {
        Self { udfs }
    }

    fn call(&self, op: VectorOp, args: Vec<Expr>) -> Result<Expr> {
        let udf = self
            .udfs
            .iter()
            .find(|u| u.name() == op.name())
            .ok_or_else(|| {
                SqlError::new(
                    sqlstate::INTERNAL_ERROR,
                    format!("function {} is not registered", op.name()),
                )
                .into_datafusion()
            })?;
        Ok(udf.call(args))
    }
}

/// A `$n` without a type next to a vector takes the vector's type (as Postgres infers an
/// operator's unknown argument), so that drivers can send it as `real[]` or as text.
fn typed_placeholder(expr: Expr, other: Option<&FieldRef>) -> Expr {
    match expr {
        Expr::Placeholder(Placeholder { id, field: None }) => {
            let field = match other {
                Some(f) if is_vector(f) => vector_field(&id, declared_dimensions(f)),
                _ => Arc::new(Field::new(
                    &id,
                    DataType::List(Arc::new(Field::new_list_field(DataType::Float32, true))),
                    true,
                )),
            };
            Expr::Placeholder(Placeholder {
                id,
                field: Some(field),
            })
        }
        other => other,
    }
}

impl ExprPlanner for VectorExprPlanner {
    fn plan_binary_op(
        &self,
        expr: RawBinaryExpr,
        schema: &DFSchema,
    ) -> Result<PlannerResult<RawBinaryExpr>> {
        let Some(function) = operator_function(&expr.op) else {
            return Ok(PlannerResult::Original(expr));
        };
        let RawBinaryExpr { op, left, right } = expr;
        let left_field = vector_operand(&left, schema);
        let right_field = vector_operand(&right, schema);
        let dims_of = |f: &Option<FieldRef>| f.as_deref().and_then(declared_dimensions);
        let left = parsed_text_literal(left, dims_of(&right_field))?;
        let right = parsed_text_literal(right, dims_of(&left_field))?;
        let left = typed_placeholder(left, right_field.as_ref());
        let right = typed_placeholder(right, left_field.as_ref());
        if vector_operand(&left, schema).is_none() || vector_operand(&right, schema).is_none() {
            return Err(SqlError::new(
                sqlstate::UNDEFINED_FUNCTION,
                format!(
                    "operator does not exist: {} {op} {}",
                    operand_type_name(&left, schema),
                    operand_type_name(&right, schema)
                ),
            )
            .with_detail(
                "No operator matches the given name and argument types. You might need to add explicit type casts.",
            )
            .into_datafusion());
        }
        Ok(PlannerResult::Planned(
            self.call(function, vec![left, right])?,
        ))
    }
}

/// The field a `vector` / `vector(n)` type name plans to (`modifiers` as written).
pub fn plan_vector_type(modifiers: &[String]) -> Result<FieldRef> {
    let dims = match modifiers {
        [] => None,
        [n] => {
            let n: i64 = n.trim().parse().map_err(|_| {
                SqlError::new(
                    sqlstate::INVALID_PARAMETER_VALUE,
                    format!("invalid type modifier for type vector: {n}"),
                )
                .into_datafusion()
            })?;
            if n < 1 {
                return Err(SqlError::new(
                    sqlstate::INVALID_PARAMETER_VALUE,
                    "dimensions for type vector must be at least 1",
                )
                .into_datafusion());
            }
            if n > MAX_DIMENSIONS as i64 {
                return Err(SqlError::new(
                    sqlstate::INVALID_PARAMETER_VALUE,
                    format!("dimensions for type vector cannot exceed {MAX_DIMENSIONS}"),
                )
                .into_datafusion());
            }
            Some(n as usize)
        }
        _ => {
            return Err(SqlError::new(
                sqlstate::INVALID_PARAMETER_VALUE,
                "invalid type modifier for type vector",
            )
            .into_datafusion());
        }
    };
    Ok(vector_field("vector", dims))
}
