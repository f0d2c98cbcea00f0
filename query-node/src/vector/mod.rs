//! Vector search with pgvector's interface: the `vector` type (and `real[]` embeddings),
//! the distance operators `<->`, `<=>`, `<#>` and functions, planned by our own expression
//! planner, computed by the `f32` kernels in [`kernels`].
//!
//! On the Arrow side a vector is a list of `Float32`: `FixedSizeList<Float32>` or
//! `List<Float32>` (a `real[]` column, whose dimension is checked per row). A `vector`
//! value (as opposed to a `real[]`) carries [`VECTOR_TYPE`] under
//! [`crate::pgtype::PG_TYPE_KEY`] in its field's metadata, so that it goes out as pgvector's
//! text `[1,2,3]` and not as `{1,2,3}`; `vector(n)` also records `n` under
//! [`DIMENSIONS_KEY`].

pub mod cast_rule;
pub mod column;
pub mod kernels;
pub mod planner;
pub mod pushdown;
pub mod sort_keys;
pub mod text;
pub mod udf;

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::logical_expr::ScalarUDF;

use crate::pgtype::PG_TYPE_KEY;

/// Metadata value of [`PG_TYPE_KEY`] marking a pgvector `vector`.
pub const VECTOR_TYPE: &str = "vector";

/// Field metadata key holding the declared dimension of a `vector(n)`.
pub const DIMENSIONS_KEY: &str = "docfusion.vector_dims";

/// The Arrow type a `vector` (without a known dimension) is planned as.
pub fn vector_data_type() -> DataType {
    DataType::List(Arc::new(Field::new_list_field(DataType::Float32, true)))
}

/// Metadata marking a field as `vector` (of `dims` dimensions when declared).
pub fn vector_metadata(dims: Option<usize>) -> HashMap<String, String> {
    let mut m = HashMap::from([(PG_TYPE_KEY.to_string(), VECTOR_TYPE.to_string())]);
    if let Some(n) = dims {
        m.insert(DIMENSIONS_KEY.to_string(), n.to_string());
    }
    m
}

/// A nullable `vector` field.
pub fn vector_field(name: &str, dims: Option<usize>) -> FieldRef {
    Arc::new(Field::new(name, vector_data_type(), true).with_metadata(vector_metadata(dims)))
}

/// True when `field` holds pgvector `vector` values.
pub fn is_vector(field: &Field) -> bool {
    field.metadata().get(PG_TYPE_KEY).map(String::as_str) == Some(VECTOR_TYPE)
}

/// The declared dimension of a `vector(n)` field.
pub fn declared_dimensions(field: &Field) -> Option<usize> {
    field.metadata().get(DIMENSIONS_KEY)?.parse().ok()
}

/// True for numeric Arrow types that can be vector elements once converted to `f32`.
fn is_numeric(dt: &DataType) -> bool {
    dt.is_numeric()
}

/// True for list types (any list layout) of numbers: what a vector argument may be.
pub fn is_vector_like(dt: &DataType) -> bool {
    match dt {
        DataType::List(item) | DataType::LargeList(item) | DataType::FixedSizeList(item, _) => {
            is_numeric(item.data_type())
        }
        _ => false,
    }
}

/// Every vector function.
pub fn scalar_functions() -> Vec<Arc<ScalarUDF>> {
    udf::all()
}

#[cfg(test)]
mod sql_tests {
    //! The operators, functions and casts through SQL, in a session configured like a
    //! node's (without shards).
    use std::sync::Arc;

    use datafusion::execution::SessionStateDefaults;
    use datafusion::execution::session_state::SessionStateBuilder;
    use datafusion::optimizer::Analyzer;
    use datafusion::prelude::{SessionConfig, SessionContext};

    use crate::error::SqlError;
    use crate::render::batches_to_pg_text;

    fn context() -> SessionContext {
        let udfs = super::scalar_functions();
        let mut planners: Vec<Arc<dyn datafusion::logical_expr::planner::ExprPlanner>> =
            vec![Arc::new(super::planner::VectorExprPlanner::new(
                udfs.clone(),
            ))];
        planners.extend(SessionStateDefaults::default_expr_planners());
        let mut rules: Vec<Arc<dyn datafusion::optimizer::AnalyzerRule + Send + Sync>> =
            vec![Arc::new(
                super::cast_rule::VectorCastRule::new(&udfs).unwrap(),
            )];
        rules.extend(Analyzer::new().rules);
        let mut functions = SessionStateDefaults::default_scalar_functions();
        functions.extend(udfs);
        let mut config = SessionConfig::new();
        config.options_mut().sql_parser.dialect = datafusion::config::Dialect::PostgreSQL;
        let state = SessionStateBuilder::new()
            .with_default_features()
            .with_config(config)
            .with_scalar_functions(functions)
            .with_expr_planners(planners)
            .with_type_planner(Arc::new(crate::json::planner::PgTypePlanner))
            .with_analyzer_rules(rules)
            .build();
        SessionContext::new_with_state(state)
    }

    async fn run(sql: &str) -> Result<Vec<Vec<Option<String>>>, SqlError> {
        let ctx = context();
        let df = ctx
            .sql(sql)
            .await
            .map_err(|e| SqlError::from_datafusion(&e))?;
        let batches = df
            .collect()
            .await
            .map_err(|e| SqlError::from_datafusion(&e))?;
        Ok(batches_to_pg_text(&batches))
    }

    async fn one(sql: &str) -> String {
        let rows = run(sql).await.unwrap_or_else(|e| panic!("{sql}: {e:?}"));
        rows[0][0].clone().unwrap_or_else(|| "NULL".into())
    }

    async fn error(sql: &str) -> SqlError {
        match run(sql).await {
            Ok(rows) => panic!("{sql} should fail, gave {rows:?}"),
            Err(e) => e,
        }
    }

    #[tokio::test]
    async fn operators_mean_pgvector_distances() {
        // Hand-computed: |(1,2,3)-(4,6,3)| = 5; cosine of (1,0) and (1,1) = 1 - 1/√2;
        // (1,2,3)·(4,5,6) = 32, and <#> is its negation.
        assert_eq!(one("SELECT '[1,2,3]'::vector <-> '[4,6,3]'").await, "5");
        assert_eq!(
            one("SELECT '[1,0]'::vector <=> '[1,1]'::vector").await,
            (1.0 - 1.0 / 2f64.sqrt()).to_string()
        );
        assert_eq!(one("SELECT '[1,2,3]'::vector <#> '[4,5,6]'").await, "-32");
        assert_eq!(
            one("SELECT inner_product('[1,2,3]'::vector, '[4,5,6]')").await,
            "32"
        );
        assert_eq!(one("SELECT l2_distance('[0,0]', '[3,4]')").await, "5");
        assert_eq!(
            one("SELECT cosine_distance('[1,1]'::vector, '[-1,-1]')").await,
            "2"
        );
        assert_eq!(one("SELECT vector_dims('[1,2,3]'::vector)").await, "3");
        assert_eq!(
            one("SELECT vector_negative_inner_product('[1,2]'::vector, '[3,4]')").await,
            "-11"
        );
        // Zero vectors have no direction: NaN, as pgvector says.
        assert_eq!(one("SELECT '[0,0]'::vector <=> '[1,1]'").await, "NaN");
        // <=> is no longer IS NOT DISTINCT FROM.
        let e = error("SELECT 1 <=> 1").await;
        assert_eq!(e.code, "42883", "{e:?}");
        assert!(
            e.message.contains("operator does not exist"),
            "{}",
            e.message
        );
    }

    #[tokio::test]
    async fn operators_bind_tighter_than_comparisons() {
        assert_eq!(one("SELECT '[1,2]'::vector <-> '[1,3]' < 2").await, "t");
        assert_eq!(one("SELECT '[1,0]'::vector <=> '[0,1]' = 1").await, "t");
        assert_eq!(one("SELECT '[1,2]'::vector<#>'[1,3]' < -6").await, "t");
    }

    #[tokio::test]
    async fn vectors_print_as_pgvector_text_and_normalize() {
        assert_eq!(
            one("SELECT l2_normalize('[3,4]'::vector)").await,
            "[0.6,0.8]"
        );
        assert_eq!(one("SELECT l2_normalize('[0,0]'::vector)").await, "[0,0]");
        assert_eq!(
            one("SELECT '[1.5, 2,-3e2]'::vector(3)").await,
            "[1.5,2,-300]"
        );
        // A real[] stays an array.
        assert_eq!(one("SELECT ARRAY[1.5, 2]::real[]").await, "{1.5,2}");
    }

    #[tokio::test]
    async fn arrays_convert_to_vectors() {
        assert_eq!(one("SELECT ARRAY[1.0, 2.0]::real[] <-> '[4,6]'").await, "5");
        assert_eq!(
            one("SELECT ARRAY[1, 2]::float8[] <-> ARRAY[4, 6]::float8[]").await,
            "5"
        );
        assert_eq!(
            one("SELECT vector_dims(ARRAY[1,2,3]::real[]::vector(3))").await,
            "3"
        );
        assert_eq!(
            one("SELECT vector_dims(ARRAY[1,2,3]::float8[]::vector)").await,
            "3"
        );
        let e = error("SELECT ARRAY[1,2,3]::real[]::vector(2)").await;
        assert_eq!(
            (e.code, e.message.as_str()),
            ("22000", "expected 2 dimensions, not 3")
        );
        let e = error("SELECT ARRAY[1,NULL]::real[]::vector").await;
        assert_eq!(e.code, "22004", "{e:?}");
        let e = error("SELECT 1::vector").await;
        assert_eq!(e.code, "42846", "{e:?}");
    }

    #[tokio::test]
    async fn bad_input_names_the_fault() {
        let e = error("SELECT '[1,2,3]'::vector <-> '[1,2,3,4]'::vector").await;
        assert_eq!(
            (e.code, e.message.as_str()),
            ("22000", "different vector dimensions 3 and 4")
        );
        let e = error("SELECT l2_distance(ARRAY[1,2]::real[], ARRAY[1,2,3]::real[])").await;
        assert_eq!(
            (e.code, e.message.as_str()),
            ("22000", "different vector dimensions 2 and 3")
        );
        let e = error("SELECT '[1,2'::vector").await;
        assert_eq!(e.code, "22P02");
        assert_eq!(e.message, "invalid input syntax for type vector: \"[1,2\"");
        let e = error("SELECT '[1,x]'::vector <-> '[1,2]'::vector").await;
        assert_eq!(e.code, "22P02");
        let e = error("SELECT '[1,2]'::vector(3)").await;
        assert_eq!(e.message, "expected 3 dimensions, not 2");
        let e = error("SELECT '[1]'::vector(0)").await;
        assert_eq!(e.code, "22023");
        let e = error("SELECT l2_distance(1, 2)").await;
        assert_eq!(e.code, "42883", "{e:?}");
    }

    #[tokio::test]
    async fn distances_of_columns_match_a_double_precision_reference() {
        // A table of vectors with a NULL; each distance checked against f64 arithmetic.
        let rows = run(
            "SELECT v <-> '[1,-2,0.5]', v <=> '[1,-2,0.5]', v <#> '[1,-2,0.5]' \
             FROM (VALUES (ARRAY[0.25, 3, -1]::real[]), (NULL), (ARRAY[-7, 0.5, 2]::real[])) t(v)",
        )
        .await
        .unwrap();
        let q = [1.0f64, -2.0, 0.5];
        let vs: [Option<[f64; 3]>; 3] = [Some([0.25, 3.0, -1.0]), None, Some([-7.0, 0.5, 2.0])];
        for (row, v) in rows.iter().zip(vs) {
            let Some(v) = v else {
                assert_eq!(row, &vec![None, None, None]);
                continue;
            };
            let l2 = v
                .iter()
                .zip(q)
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f64>()
                .sqrt();
            let dot: f64 = v.iter().zip(q).map(|(a, b)| a * b).sum();
            let norm = |x: &[f64]| x.iter().map(|a| a * a).sum::<f64>().sqrt();
            let cos = 1.0 - dot / (norm(&v) * norm(&q));
            let got: Vec<f64> = row
                .iter()
                .map(|c| c.as_ref().unwrap().parse().unwrap())
                .collect();
            assert!((got[0] - l2).abs() < 1e-5, "{got:?} vs {l2}");
            assert!((got[1] - cos).abs() < 1e-5, "{got:?} vs {cos}");
            assert!((got[2] + dot).abs() < 1e-5, "{got:?} vs {dot}");
        }
    }

    /// A distance to a constant is planned as a function holding the constant (planning
    /// then never compares, hashes or prints the vector's elements), with the same answers
    /// in either argument order and the same errors.
    #[tokio::test]
    async fn a_distance_to_a_constant_holds_the_constant() {
        let table = "FROM (VALUES (1, ARRAY[0.25, 3, -1]::real[]), (2, NULL), \
                     (3, ARRAY[-7, 0.5, 2]::real[])) t(id, v)";
        let plan = run(&format!(
            "EXPLAIN SELECT id {table} ORDER BY v <-> '[1,-2,0.125]' LIMIT 2"
        ))
        .await
        .unwrap();
        // Rows of (plan type, plan): the physical plan's operators do not carry the vector
        // (the logical plan keeps the expression's original name as an alias).
        let physical = plan
            .iter()
            .find(|r| r[0].as_deref() == Some("physical_plan"))
            .and_then(|r| r[1].clone())
            .unwrap_or_else(|| panic!("{plan:?}"));
        assert!(physical.contains("l2_distance(v@1)"), "{physical}");
        assert!(!physical.contains("0.125"), "{physical}");
        for op in ["<->", "<=>", "<#>"] {
            let left = run(&format!("SELECT v {op} '[1,-2,0.5]' {table} ORDER BY id"))
                .await
                .unwrap();
            let right = run(&format!("SELECT '[1,-2,0.5]' {op} v {table} ORDER BY id"))
                .await
                .unwrap();
            assert_eq!(left, right, "{op}");
            assert_eq!(left[1], vec![None], "NULL row, {op}");
        }
        let nearest = run(&format!(
            "SELECT id {table} ORDER BY v <-> '[0,3,-1]'::vector LIMIT 1"
        ))
        .await
        .unwrap();
        assert_eq!(nearest, vec![vec![Some("1".to_string())]]);
        let e = error(&format!("SELECT v <-> '[1,2]' {table}")).await;
        assert_eq!(
            (e.code, e.message.as_str()),
            ("22000", "different vector dimensions 3 and 2")
        );
        let nulls = run(&format!("SELECT v <-> NULL::vector {table}"))
            .await
            .unwrap();
        assert!(nulls.iter().all(|r| r == &vec![None]), "{nulls:?}");
    }
}
