//! Top-k on pgvector shards: when the shards have pgvector and the embedding is a
//! `vector` column, a sort by a distance to a constant vector is sent to each shard as
//! `ORDER BY "embedding" <-> '[…]'::vector`, so that a shard's own index (HNSW/IVFFlat)
//! or scan returns its k nearest rows. `real[]` columns are never sent this way: plain
//! Postgres has no such operator.

use datafusion::physical_expr::{PhysicalExpr, ScalarFunctionExpr};
use datafusion::physical_plan::expressions::{Column, Literal};

use crate::catalog::ColumnReader;
use crate::vector::column::scalar_vector;
use crate::vector::planner::operator_symbol;
use crate::vector::text::format_vector;
use crate::vector::udf::{VectorFunction, VectorOp};

/// The ORDER BY item `"col" <op> '[…]'::vector` for the distance `op` of pgvector column
/// `quoted_column` to `query`, or `None` for a function that has no pgvector operator.
pub fn distance_order_item(
    quoted_column: &str,
    op: VectorOp,
    query: &[f32],
    descending: bool,
    nulls_first: bool,
) -> Option<String> {
    let symbol = operator_symbol(op)?;
    Some(format!(
        "{quoted_column} {symbol} '{}'::vector {} NULLS {}",
        format_vector(query),
        if descending { "DESC" } else { "ASC" },
        if nulls_first { "FIRST" } else { "LAST" }
    ))
}

fn op_named(name: &str) -> Option<VectorOp> {
    [
        VectorOp::L2Distance,
        VectorOp::CosineDistance,
        VectorOp::NegativeInnerProduct,
    ]
    .into_iter()
    .find(|op| op.name() == name)
}

/// The ORDER BY item for sort key `expr` of a shard scan whose column `i` is read by
/// `reader(i)` and selected as `sql(i)`, when it is a distance of a pgvector column to a
/// constant vector.
pub fn sort_key_sql<'a>(
    expr: &dyn PhysicalExpr,
    column: impl Fn(usize) -> Option<(&'a str, ColumnReader)>,
    descending: bool,
    nulls_first: bool,
) -> Option<String> {
    let f = expr.downcast_ref::<ScalarFunctionExpr>()?;
    let op = op_named(f.name())?;
    let bound = f
        .fun()
        .inner()
        .downcast_ref::<VectorFunction>()
        .and_then(VectorFunction::query);
    let (col, query) = match (bound, f.args()) {
        // A distance holding its query vector (the planned form of a constant).
        (Some(q), [a]) => (a.downcast_ref::<Column>()?, q.values().to_vec()),
        (None, [a, b]) => {
            let (col, lit) = match (
                a.downcast_ref::<Column>(),
                b.downcast_ref::<Literal>(),
                b.downcast_ref::<Column>(),
                a.downcast_ref::<Literal>(),
            ) {
                (Some(c), Some(l), _, _) | (_, _, Some(c), Some(l)) => (c, l),
                _ => return None,
            };
            (col, scalar_vector(lit.value()).ok()??)
        }
        _ => return None,
    };
    let (sql, reader) = column(col.index())?;
    if !matches!(reader, ColumnReader::Vector { .. }) {
        return None;
    }
    // The scan selects a vector as `"col"::real[]` (see `ColumnReader::select_sql`).
    let quoted = sql.strip_suffix("::real[]")?;
    distance_order_item(quoted, op, &query, descending, nulls_first)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::physical_expr::ScalarFunctionExpr;
    use datafusion::scalar::ScalarValue;

    use super::*;
    use crate::vector::vector_data_type;

    fn distance(op: VectorOp) -> Arc<dyn PhysicalExpr> {
        let udf = crate::vector::udf::all()
            .into_iter()
            .find(|u| u.name() == op.name())
            .unwrap();
        let query = ScalarValue::List(ScalarValue::new_list_nullable(
            &[
                ScalarValue::Float32(Some(0.5)),
                ScalarValue::Float32(Some(-2.0)),
            ],
            &DataType::Float32,
        ));
        let schema = Schema::new(vec![Field::new("embedding", vector_data_type(), true)]);
        let args: Vec<Arc<dyn PhysicalExpr>> = vec![
            Arc::new(Column::new("embedding", 0)),
            Arc::new(Literal::new(query)),
        ];
        Arc::new(
            ScalarFunctionExpr::try_new(
                udf,
                args,
                &schema,
                Arc::new(datafusion::common::config::ConfigOptions::default()),
            )
            .unwrap(),
        )
    }

    /// The planned form: the distance function holds the query vector.
    fn bound_distance(op: VectorOp) -> Arc<dyn PhysicalExpr> {
        let udf = Arc::new(datafusion::logical_expr::ScalarUDF::new_from_impl(
            VectorFunction::bound(op, crate::vector::udf::BoundQuery::new(vec![0.5, -2.0])),
        ));
        let schema = Schema::new(vec![Field::new("embedding", vector_data_type(), true)]);
        Arc::new(
            ScalarFunctionExpr::try_new(
                udf,
                vec![Arc::new(Column::new("embedding", 0))],
                &schema,
                Arc::new(datafusion::common::config::ConfigOptions::default()),
            )
            .unwrap(),
        )
    }

    #[test]
    fn distance_sorts_become_pgvector_order_by() {
        let vector = |_: usize| Some(("\"embedding\"::real[]", ColumnReader::Vector { dims: 2 }));
        assert_eq!(
            sort_key_sql(
                bound_distance(VectorOp::L2Distance).as_ref(),
                vector,
                false,
                false
            )
            .as_deref(),
            Some("\"embedding\" <-> '[0.5,-2]'::vector ASC NULLS LAST")
        );
        assert_eq!(
            sort_key_sql(
                distance(VectorOp::L2Distance).as_ref(),
                vector,
                false,
                false
            )
            .as_deref(),
            Some("\"embedding\" <-> '[0.5,-2]'::vector ASC NULLS LAST")
        );
        assert_eq!(
            sort_key_sql(
                distance(VectorOp::CosineDistance).as_ref(),
                vector,
                false,
                false
            )
            .as_deref(),
            Some("\"embedding\" <=> '[0.5,-2]'::vector ASC NULLS LAST")
        );
        assert_eq!(
            sort_key_sql(
                distance(VectorOp::NegativeInnerProduct).as_ref(),
                vector,
                true,
                true
            )
            .as_deref(),
            Some("\"embedding\" <#> '[0.5,-2]'::vector DESC NULLS FIRST")
        );
    }

    #[test]
    fn real_arrays_and_other_functions_stay_on_the_node() {
        let real = |_: usize| Some(("\"embedding\"", ColumnReader::Float32Array));
        assert_eq!(
            sort_key_sql(distance(VectorOp::L2Distance).as_ref(), real, false, false),
            None
        );
        let vector = |_: usize| Some(("\"embedding\"::real[]", ColumnReader::Vector { dims: 2 }));
        assert_eq!(
            sort_key_sql(
                distance(VectorOp::InnerProduct).as_ref(),
                vector,
                false,
                false
            ),
            None
        );
        assert_eq!(
            sort_key_sql(&Column::new("embedding", 0), vector, false, false),
            None
        );
    }
}
