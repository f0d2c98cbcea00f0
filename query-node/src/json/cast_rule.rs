//! Casts to and from jsonb/json with Postgres' meaning: `'…'::jsonb` parses and
//! canonicalises, `(doc->'n')::int` requires a JSON number, and casts Postgres refuses
//! (`1::jsonb`) are refused here too. DataFusion plans these as plain Utf8 casts; this
//! analyzer rule runs first and replaces them.

use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DFSchema, Result};
use datafusion::logical_expr::expr::{Cast, TryCast};
use datafusion::logical_expr::{Expr, ExprSchemable, LogicalPlan, ScalarUDF, lit};
use datafusion::optimizer::AnalyzerRule;

use crate::error::{SqlError, sqlstate};
use crate::json::names;
use crate::pgtype::TaggedType;

/// The analyzer rule.
#[derive(Debug)]
pub struct JsonCastRule {
    udfs: Vec<Arc<ScalarUDF>>,
}

impl JsonCastRule {
    /// A rule calling the given functions (looked up by name).
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

    fn rewrite(&self, expr: Expr, schema: &DFSchema) -> Result<Transformed<Expr>> {
        let (inner, field, is_try) = match expr {
            Expr::Cast(Cast { expr, field }) => (expr, field, false),
            Expr::TryCast(TryCast { expr, field }) => (expr, field, true),
            other => return Ok(Transformed::no(other)),
        };
        let source = inner.to_field(schema).map(|(_, f)| f);
        let source_tag = source.as_ref().ok().and_then(|f| TaggedType::of_field(f));
        let source_type = source
            .as_ref()
            .map(|f| f.data_type().clone())
            .unwrap_or(DataType::Null);
        let target_tag = TaggedType::of_field(&field);
        let rebuild = |e: Box<Expr>| {
            if is_try {
                Expr::TryCast(TryCast::new_from_field(e, field.clone()))
            } else {
                Expr::Cast(Cast::new_from_field(e, field.clone()))
            }
        };
        match (source_tag, target_tag) {
            (Some(s), Some(t)) if s == t => Ok(Transformed::yes(*inner)),
            (Some(TaggedType::Json), Some(TaggedType::Jsonb)) | (None, Some(TaggedType::Jsonb)) => {
                if !is_text_like(&source_type) {
                    return Err(cannot_cast(&source_type, "jsonb"));
                }
                Ok(Transformed::yes(self.call(names::JSONB_IN, vec![*inner])?))
            }
            (Some(TaggedType::Jsonb), Some(TaggedType::Json)) | (None, Some(TaggedType::Json)) => {
                if !is_text_like(&source_type) {
                    return Err(cannot_cast(&source_type, "json"));
                }
                Ok(Transformed::yes(self.call(names::JSON_IN, vec![*inner])?))
            }
            (None, Some(TaggedType::Uuid)) => {
                if !is_text_like(&source_type) {
                    return Err(cannot_cast(&source_type, "uuid"));
                }
                Ok(Transformed::yes(self.call(names::UUID_IN, vec![*inner])?))
            }
            (Some(TaggedType::Json), None) if is_text_like(field.data_type()) => {
                // json → text: the same text without the tag.
                Ok(Transformed::yes(self.call(names::JSONB_OUT, vec![*inner])?))
            }
            (None, None)
                if is_text_like(&source_type)
                    && matches!(field.data_type(), DataType::Binary | DataType::LargeBinary) =>
            {
                // '\x00ff'::bytea is hex (or escape) text, not the text's own bytes.
                Ok(Transformed::yes(self.call(names::BYTEA_IN, vec![*inner])?))
            }
            (Some(TaggedType::Uuid), None) if is_text_like(field.data_type()) => {
                // uuid → text: the same text without the tag.
                Ok(Transformed::yes(self.call(names::JSONB_OUT, vec![*inner])?))
            }
            (None, None)
                if is_text_like(&source_type) && matches!(field.data_type(), DataType::List(_)) =>
            {
                // '{a,b}'::text[] is a Postgres array literal, not a one-element list;
                // '{1,2}'::int8[] is that literal's items cast to the element type.
                let items = self.call(names::TEXT_ARRAY_IN, vec![*inner])?;
                let text_items = matches!(field.data_type(), DataType::List(item) if is_text_like(item.data_type()));
                Ok(Transformed::yes(if text_items {
                    items
                } else {
                    rebuild(Box::new(items))
                }))
            }
            (Some(TaggedType::Jsonb), None) => {
                let target = field.data_type();
                let kind = match target {
                    DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8 => {
                        // The same text, but typed text: drop the jsonb tag (a plain Utf8
                        // cast would keep the field's metadata).
                        return Ok(Transformed::yes(self.call(names::JSONB_OUT, vec![*inner])?));
                    }
                    DataType::Boolean => "boolean",
                    DataType::Int16 => "smallint",
                    DataType::Int32 => "integer",
                    DataType::Int64 => "bigint",
                    DataType::Float32 => "real",
                    DataType::Float64 => "double precision",
                    DataType::Decimal128(..) | DataType::Decimal256(..) => "numeric",
                    other => {
                        return Err(cannot_cast_named(
                            "jsonb",
                            crate::render::pg_type_name(other),
                        ));
                    }
                };
                let scalar = self.call(names::JSONB_SCALAR_FOR_CAST, vec![*inner, lit(kind)])?;
                Ok(Transformed::yes(rebuild(Box::new(scalar))))
            }
            _ => Ok(Transformed::no(rebuild(inner))),
        }
    }
}

fn is_text_like(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8 | DataType::Null
    )
}

fn cannot_cast(source: &DataType, target: &str) -> datafusion::error::DataFusionError {
    cannot_cast_named(crate::render::pg_type_name(source), target)
}

fn cannot_cast_named(source: &str, target: &str) -> datafusion::error::DataFusionError {
    SqlError::new("42846", format!("cannot cast type {source} to {target}")).into_datafusion()
}

/// The schema that expressions of `plan` are evaluated against.
fn input_schema(plan: &LogicalPlan) -> Result<DFSchema> {
    let inputs = plan.inputs();
    match inputs.as_slice() {
        [] => Ok(plan.schema().as_ref().clone()),
        [one] => Ok(one.schema().as_ref().clone()),
        many => {
            let mut merged = many[0].schema().as_ref().clone();
            for other in &many[1..] {
                merged.merge(other.schema());
            }
            Ok(merged)
        }
    }
}

impl JsonCastRule {
    /// `ORDER BY` a jsonb value sorts by its Postgres order, not its text.
    fn sort_by_jsonb_order(&self, node: LogicalPlan) -> Result<Transformed<LogicalPlan>> {
        let LogicalPlan::Sort(mut sort) = node else {
            return Ok(Transformed::no(node));
        };
        let schema = sort.input.schema().clone();
        let mut changed = false;
        for s in sort.expr.iter_mut() {
            let is_jsonb = s
                .expr
                .to_field(&schema)
                .map(|(_, f)| TaggedType::of_field(&f) == Some(TaggedType::Jsonb))
                .unwrap_or(false);
            if is_jsonb {
                s.expr = self.call(names::SORT_KEY, vec![s.expr.clone()])?;
                changed = true;
            }
        }
        Ok(Transformed::new_transformed(
            LogicalPlan::Sort(sort),
            changed,
        ))
    }
}

/// Rewrites every expression of `plan` (subqueries included) with `rewrite`, against the
/// node's input schema, then each node with `node_rewrite`; changed nodes get their schema
/// recomputed (expression types changed).
pub(crate) fn rewrite_plan(
    plan: LogicalPlan,
    rewrite: &dyn Fn(Expr, &DFSchema) -> Result<Transformed<Expr>>,
    node_rewrite: &dyn Fn(LogicalPlan) -> Result<Transformed<LogicalPlan>>,
) -> Result<LogicalPlan> {
    plan.transform_up_with_subqueries(|node| {
        let schema = input_schema(&node)?;
        let node = node.map_expressions(|e| e.transform_up(|e| rewrite(e, &schema)))?;
        let node = node.transform_data(node_rewrite)?;
        if node.transformed {
            let data = node.data.recompute_schema()?;
            Ok(Transformed::yes(data))
        } else {
            Ok(node)
        }
    })
    .map(|t| t.data)
}

impl AnalyzerRule for JsonCastRule {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        rewrite_plan(plan, &|e, schema| self.rewrite(e, schema), &|n| {
            self.sort_by_jsonb_order(n)
        })
    }

    fn name(&self) -> &str {
        "docfusion_json_casts"
    }
}
