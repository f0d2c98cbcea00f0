//! Planning Postgres' JSON operators and types: an `ExprPlanner` that turns `->`, `->>`,
//! `#>`, `#>>`, `@>`, `<@`, `?`, `?|`, `?&`, `||`, `-`, `#-`, `@?`, `@@` on json/jsonb into
//! our functions (DataFusion would otherwise read `<@`/`@>` as array operators and has no
//! meaning for the rest), and a `TypePlanner` that maps `jsonb`/`json` to tagged `Utf8`.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{DFSchema, Result, ScalarValue};
use datafusion::logical_expr::planner::{ExprPlanner, PlannerResult, RawBinaryExpr, TypePlanner};
use datafusion::logical_expr::{Expr, ExprSchemable, ScalarUDF};
use datafusion::sql::sqlparser::ast::{self, BinaryOperator};

use crate::error::{SqlError, sqlstate};
use crate::json::names;
use crate::pgtype::TaggedType;

/// Plans the JSON operators into calls of the registered UDFs.
#[derive(Debug)]
pub struct JsonExprPlanner {
    udfs: Vec<Arc<ScalarUDF>>,
}

impl JsonExprPlanner {
    /// A planner that calls the given functions (looked up by name).
    pub fn new(udfs: Vec<Arc<ScalarUDF>>) -> Self {
        Self { udfs }
    }

    fn call(&self, name: &str, args: Vec<Expr>) -> Result<Expr> {
        let udf = self.udfs.iter().find(|u| u.name() == name).ok_or_else(|| {
            SqlError::new(
                sqlstate::INTERNAL_ERROR,
                format!("function {name} is not registered"),
            )
            .into_datafusion()
        })?;
        Ok(udf.call(args))
    }
}

fn tag_of(expr: &Expr, schema: &DFSchema) -> Option<TaggedType> {
    expr.to_field(schema)
        .ok()
        .and_then(|(_, f)| TaggedType::of_field(&f))
}

fn is_integer(expr: &Expr, schema: &DFSchema) -> bool {
    matches!(
        expr.get_type(schema),
        Ok(DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64)
    )
}

fn type_name(expr: &Expr, schema: &DFSchema) -> String {
    match expr.to_field(schema) {
        Ok((_, f)) => match TaggedType::of_field(&f) {
            Some(t) => t.name().to_string(),
            None => crate::render::pg_type_name(f.data_type()).to_string(),
        },
        Err(_) => "unknown".to_string(),
    }
}

fn no_operator(
    op: &str,
    left: &Expr,
    right: &Expr,
    schema: &DFSchema,
) -> datafusion::error::DataFusionError {
    SqlError::new(
        sqlstate::UNDEFINED_FUNCTION,
        format!(
            "operator does not exist: {} {op} {}",
            type_name(left, schema),
            type_name(right, schema)
        ),
    )
    .with_detail("No operator matches the given name and argument types. You might need to add explicit type casts.")
    .into_datafusion()
}

impl ExprPlanner for JsonExprPlanner {
    fn plan_binary_op(
        &self,
        expr: RawBinaryExpr,
        schema: &DFSchema,
    ) -> Result<PlannerResult<RawBinaryExpr>> {
        let RawBinaryExpr { op, left, right } = expr;
        // Postgres splits `->-1` into `->` and `-1` (an operator name may not end in `-`
        // unless it has one of ~!@#%^&|`?); the SQL tokenizer keeps `->-` whole.
        let (op, right) = match op {
            BinaryOperator::Custom(name) if name == "->-" => {
                (BinaryOperator::Arrow, Expr::Negative(Box::new(right)))
            }
            BinaryOperator::Custom(name) if name == "->>-" => {
                (BinaryOperator::LongArrow, Expr::Negative(Box::new(right)))
            }
            other => (other, right),
        };
        let left_tag = tag_of(&left, schema);
        let right_tag = tag_of(&right, schema);
        let json_operand = left_tag.is_some();
        let name = match &op {
            BinaryOperator::Arrow => names::FIELD,
            BinaryOperator::LongArrow => names::FIELD_TEXT,
            BinaryOperator::HashArrow => names::EXTRACT_PATH,
            BinaryOperator::HashLongArrow => names::EXTRACT_PATH_TEXT,
            BinaryOperator::Question => names::EXISTS,
            BinaryOperator::QuestionPipe => names::EXISTS_ANY,
            BinaryOperator::QuestionAnd => names::EXISTS_ALL,
            BinaryOperator::HashMinus => names::DELETE_PATH,
            BinaryOperator::AtQuestion => names::PATH_EXISTS_OP,
            BinaryOperator::AtAt => names::PATH_MATCH_OP,
            BinaryOperator::AtArrow if json_operand || right_tag.is_some() => names::CONTAINS,
            BinaryOperator::ArrowAt if json_operand || right_tag.is_some() => names::CONTAINED,
            BinaryOperator::StringConcat if json_operand && right_tag.is_some() => names::CONCAT,
            // jsonb || 'text literal' is jsonb || jsonb in Postgres (unknown → jsonb).
            BinaryOperator::StringConcat
                if (left_tag == Some(TaggedType::Jsonb)
                    || right_tag == Some(TaggedType::Jsonb))
                    && (matches!(left, Expr::Literal(..))
                        || matches!(right, Expr::Literal(..))) =>
            {
                names::CONCAT
            }
            BinaryOperator::Minus if left_tag == Some(TaggedType::Jsonb) => names::DELETE,
            BinaryOperator::Eq
            | BinaryOperator::NotEq
            | BinaryOperator::Lt
            | BinaryOperator::LtEq
            | BinaryOperator::Gt
            | BinaryOperator::GtEq
                if (left_tag == Some(TaggedType::Jsonb)
                    || right_tag == Some(TaggedType::Jsonb))
                    && (left_tag.is_some() || matches!(left, Expr::Literal(..)))
                    && (right_tag.is_some() || matches!(right, Expr::Literal(..))) =>
            {
                let symbol = op.to_string();
                return Ok(PlannerResult::Planned(self.call(
                    names::COMPARE,
                    vec![left, right, datafusion::logical_expr::lit(symbol)],
                )?));
            }
            _ => return Ok(PlannerResult::Original(RawBinaryExpr { op, left, right })),
        };
        // A text[] operand written as an array literal ('{a,b}') becomes a list now, so the
        // functions see a path and not one key that happens to contain braces.
        let right = match (name, right) {
            (
                names::EXTRACT_PATH
                | names::EXTRACT_PATH_TEXT
                | names::DELETE_PATH
                | names::EXISTS_ANY
                | names::EXISTS_ALL,
                Expr::Literal(ScalarValue::Utf8(Some(text)), _),
            ) => {
                let items = crate::json::array_literal::parse_text_array(&text)
                    .map_err(|e| SqlError::from(e).into_datafusion())?;
                let values: Vec<ScalarValue> = items.into_iter().map(ScalarValue::Utf8).collect();
                Expr::Literal(
                    ScalarValue::List(ScalarValue::new_list_nullable(&values, &DataType::Utf8)),
                    None,
                )
            }
            (_, right) => right,
        };
        let needs_json_left = !matches!(name, names::CONTAINS | names::CONTAINED | names::CONCAT);
        if needs_json_left && !json_operand {
            return Err(no_operator(&op.to_string(), &left, &right, schema));
        }
        // `->` / `->>` take a key (text) or an index (integer); anything else is an error.
        if matches!(name, names::FIELD | names::FIELD_TEXT)
            && !is_integer(&right, schema)
            && !matches!(
                right.get_type(schema),
                Ok(DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8 | DataType::Null)
            )
        {
            return Err(no_operator(&op.to_string(), &left, &right, schema));
        }
        Ok(PlannerResult::Planned(self.call(name, vec![left, right])?))
    }
}

/// Maps `jsonb` and `json` to tagged `Utf8` fields.
#[derive(Debug, Default)]
pub struct PgTypePlanner;

impl TypePlanner for PgTypePlanner {
    fn plan_type_field(&self, sql_type: &ast::DataType) -> Result<Option<FieldRef>> {
        Ok(match sql_type {
            ast::DataType::JSONB => Some(TaggedType::Jsonb.field("jsonb")),
            ast::DataType::JSON => Some(TaggedType::Json.field("json")),
            ast::DataType::Uuid => Some(TaggedType::Uuid.field("uuid")),
            ast::DataType::Numeric(ast::ExactNumberInfo::None)
            | ast::DataType::Decimal(ast::ExactNumberInfo::None)
            | ast::DataType::Dec(ast::ExactNumberInfo::None) => Some(Arc::new(
                Field::new("numeric", DataType::Decimal128(38, 10), true).with_metadata(
                    std::collections::HashMap::from([(
                        crate::pgtype::PG_TYPE_KEY.to_string(),
                        crate::pgtype::NUMERIC_UNCONSTRAINED.to_string(),
                    )]),
                ),
            )),
            // `oid[]`: items keep their oid mark, so the array goes out as `oid[]`.
            ast::DataType::Array(ast::ArrayElemTypeDef::SquareBracket(inner, _))
                if matches!(inner.as_ref(), ast::DataType::Custom(n, a)
                    if a.is_empty() && n.to_string().eq_ignore_ascii_case("oid")) =>
            {
                Some(Arc::new(Field::new(
                    "oid[]",
                    DataType::List(Arc::new(
                        datafusion_pg_catalog::pg_catalog::oid_field::oid_field(
                            "item",
                            datafusion_pg_catalog::pg_catalog::oid_field::kind::OID,
                            true,
                        ),
                    )),
                    true,
                )))
            }
            ast::DataType::Custom(name, modifiers) => {
                match name.to_string().to_ascii_lowercase().as_str() {
                    "jsonb" => Some(TaggedType::Jsonb.field("jsonb")),
                    "json" => Some(TaggedType::Json.field("json")),
                    "uuid" => Some(TaggedType::Uuid.field("uuid")),
                    "vector" => Some(crate::vector::planner::plan_vector_type(modifiers)?),
                    _ => datafusion_pg_catalog::pg_catalog::oid_type_planner::PgOidTypePlanner
                        .plan_type_field(sql_type)?,
                }
            }
            _ => datafusion_pg_catalog::pg_catalog::oid_type_planner::PgOidTypePlanner
                .plan_type_field(sql_type)?,
        })
    }
}
