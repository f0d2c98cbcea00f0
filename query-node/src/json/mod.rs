//! Postgres JSON in DataFusion: the jsonb/json types, the operators, the functions and
//! aggregates, with Postgres' exact semantics (kept in `docfusion_pgvalue`).

pub mod aggregates;
pub mod array_literal;
pub mod cast_rule;
pub mod compare;
pub mod functions;
pub mod jsonpath_fns;
pub mod names;
pub mod planner;
pub mod row_fn;
pub mod set_returning;

use std::sync::Arc;

use datafusion::logical_expr::{AggregateUDF, ScalarUDF};

/// Every JSON scalar function.
pub fn scalar_functions() -> Vec<Arc<ScalarUDF>> {
    functions::all()
}

/// Every JSON aggregate function.
pub fn aggregate_functions() -> Vec<Arc<AggregateUDF>> {
    aggregates::all()
}
