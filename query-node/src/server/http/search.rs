//! `POST /v1/collections/{name}/search`: the `k` documents nearest to a vector, exact, with
//! an optional containment filter on the document. It is the SQL
//! `SELECT … FROM c WHERE doc @> $2 ORDER BY embedding <op> $1, id LIMIT k`, with the vector
//! and the filter bound as parameters (never spliced into the SQL text).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use datafusion::scalar::ScalarValue;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{ApiError, ErrorBody, HttpState, StatementMetrics, render_result};
use crate::catalog::TableKind;
use crate::error::{SqlError, sqlstate};
use crate::metrics::metrics;
use crate::scan::pushdown::quote_ident;
use crate::vector::text::{check_dimensions, check_element};

/// The most neighbours one search returns.
pub const MAX_K: usize = 10_000;

/// The column searched when the request names none.
pub const DEFAULT_COLUMN: &str = "embedding";

/// How distance is measured.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Euclidean distance (`<->`).
    #[default]
    L2,
    /// Cosine distance (`<=>`).
    Cosine,
    /// Negative inner product (`<#>`, as pgvector orders by it): the larger the inner
    /// product, the nearer.
    InnerProduct,
}

impl Metric {
    fn operator(self) -> &'static str {
        match self {
            Metric::L2 => "<->",
            Metric::Cosine => "<=>",
            Metric::InnerProduct => "<#>",
        }
    }
}

fn default_k() -> usize {
    10
}

fn default_fields() -> Vec<String> {
    vec!["id".into(), "doc".into(), "distance".into()]
}

/// Body of a search.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchRequest {
    /// The query vector (as many numbers as the collection's embeddings have).
    #[schema(example = json!([0.1, 0.2, 0.3]))]
    pub vector: Vec<f32>,
    /// How many neighbours (1 to 10000; default 10).
    #[serde(default = "default_k")]
    pub k: usize,
    /// Only documents containing this JSON object (`doc @> filter`).
    #[schema(example = json!({"city": "Lisbon"}))]
    pub filter: Option<serde_json::Value>,
    /// What each row holds, in order: `id`, `doc`, `distance` or any column of the
    /// collection (default `["id", "doc", "distance"]`).
    #[serde(default = "default_fields")]
    pub fields: Vec<String>,
    /// `l2` (default), `cosine` or `inner_product` (reported as the negative inner product).
    #[serde(default)]
    pub metric: Metric,
    /// The embedding column (default `embedding`).
    pub column: Option<String>,
}

fn bad_request(message: String) -> SqlError {
    SqlError::new(sqlstate::INVALID_PARAMETER_VALUE, message)
}

/// The SQL of a search of `collection` (whose columns are `columns`), or the error naming
/// what in the request is wrong.
pub fn search_sql(
    collection: &str,
    columns: &[String],
    request: &SearchRequest,
) -> Result<String, SqlError> {
    let column = request.column.as_deref().unwrap_or(DEFAULT_COLUMN);
    if !columns.iter().any(|c| c == column) {
        return Err(SqlError::new(
            sqlstate::UNDEFINED_COLUMN,
            format!("collection {collection} has no column {column} to search"),
        ));
    }
    if request.k == 0 || request.k > MAX_K {
        return Err(bad_request(format!(
            "k must be between 1 and {MAX_K}, not {}",
            request.k
        )));
    }
    check_dimensions(request.vector.len())?;
    for x in &request.vector {
        check_element(*x)?;
    }
    if request.fields.is_empty() {
        return Err(bad_request("fields must name at least one field".into()));
    }
    let distance = format!("{} {} $1", quote_ident(column), request.metric.operator());
    let mut select = Vec::with_capacity(request.fields.len());
    for f in &request.fields {
        if f == "distance" {
            select.push(format!("{distance} AS distance"));
        } else if columns.iter().any(|c| c == f) {
            select.push(quote_ident(f));
        } else {
            return Err(SqlError::new(
                sqlstate::UNDEFINED_COLUMN,
                format!("field {f} is not a column of collection {collection} nor \"distance\""),
            ));
        }
    }
    let filter = match &request.filter {
        None => String::new(),
        Some(serde_json::Value::Object(_)) => " WHERE \"doc\" @> $2::jsonb".to_string(),
        Some(other) => {
            return Err(bad_request(format!(
                "filter must be a JSON object, not {other}"
            )));
        }
    };
    Ok(format!(
        "SELECT {} FROM {}{filter} ORDER BY {distance}, \"id\" LIMIT {}",
        select.join(", "),
        quote_ident(collection),
        request.k
    ))
}

/// Searches a collection for the documents nearest to a vector.
#[utoipa::path(
    post,
    path = "/v1/collections/{name}/search",
    tag = "vector search",
    params(("name" = String, Path, description = "Collection name")),
    request_body = SearchRequest,
    security(("basic" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The k nearest rows, nearest first (ties by id), in the shape of `POST /v1/sql`'s answer", body = super::openapi::SqlResponse),
        (status = 400, description = "Bad request: wrong dimension (22000), bad k or filter (22023), unknown field or column (42703), bad body (08P01)", body = ErrorBody),
        (status = 401, description = "Missing or wrong credentials", body = ErrorBody),
        (status = 404, description = "No such collection (42P01)", body = ErrorBody),
    )
)]
pub(super) async fn search(
    State(state): State<HttpState>,
    Path(name): Path<String>,
    body: Result<axum::Json<SearchRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let statement = StatementMetrics::start();
    let result = run_search(&state, &name, body).await;
    statement.finish(&result);
    let (text, rows) = result?;
    metrics().returned(super::PROTOCOL, rows as u64, text.len() as u64);
    Ok(([(header::CONTENT_TYPE, "application/json")], text).into_response())
}

async fn run_search(
    state: &HttpState,
    name: &str,
    body: Result<axum::Json<SearchRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<(String, usize), SqlError> {
    let axum::Json(request) = body.map_err(|e| {
        SqlError::new(
            sqlstate::PROTOCOL_VIOLATION,
            format!("invalid request body: {}", e.body_text()),
        )
    })?;
    let engine = &state.engine;
    let info = engine
        .catalog()
        .table_info(name)
        .filter(|t| t.kind == TableKind::Collection)
        .ok_or_else(|| {
            SqlError::new(
                sqlstate::UNDEFINED_TABLE,
                format!("collection {name} does not exist"),
            )
        })?;
    let columns: Vec<String> = info.columns.iter().map(|c| c.name.clone()).collect();
    let sql = search_sql(name, &columns, &request)?;
    let vector = ScalarValue::List(ScalarValue::new_list_nullable(
        &request
            .vector
            .iter()
            .map(|x| ScalarValue::Float32(Some(*x)))
            .collect::<Vec<_>>(),
        &datafusion::arrow::datatypes::DataType::Float32,
    ));
    let mut params = vec![vector];
    if let Some(filter) = &request.filter {
        params.push(ScalarValue::Utf8(Some(filter.to_string())));
    }
    let out = engine.execute(&engine.session(), &sql, &params).await?;
    let rows = out.row_count();
    Ok((render_result(&out, 0), rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(body: serde_json::Value) -> SearchRequest {
        serde_json::from_value(body).unwrap()
    }

    fn columns() -> Vec<String> {
        ["id", "doc", "version", "embedding"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn builds_the_top_k_sql() {
        let r = request(
            serde_json::json!({"vector": [1, 2], "k": 3, "filter": {"a": 1},
            "fields": ["id", "distance"], "metric": "cosine"}),
        );
        assert_eq!(
            search_sql("items", &columns(), &r).unwrap(),
            "SELECT \"id\", \"embedding\" <=> $1 AS distance FROM \"items\" WHERE \"doc\" @> $2::jsonb \
             ORDER BY \"embedding\" <=> $1, \"id\" LIMIT 3"
        );
        let r = request(serde_json::json!({"vector": [1]}));
        assert_eq!(
            search_sql("it\"ems", &columns(), &r).unwrap(),
            "SELECT \"id\", \"doc\", \"embedding\" <-> $1 AS distance FROM \"it\"\"ems\" \
             ORDER BY \"embedding\" <-> $1, \"id\" LIMIT 10"
        );
    }

    #[test]
    fn refuses_bad_requests_naming_the_fault() {
        let cases = [
            (
                serde_json::json!({"vector": [1], "k": 0}),
                "22023",
                "k must be",
            ),
            (
                serde_json::json!({"vector": []}),
                "22000",
                "at least 1 dimension",
            ),
            (
                serde_json::json!({"vector": [1], "filter": [1]}),
                "22023",
                "filter must be a JSON object",
            ),
            (
                serde_json::json!({"vector": [1], "fields": ["nope"]}),
                "42703",
                "field nope",
            ),
            (
                serde_json::json!({"vector": [1], "column": "vec"}),
                "42703",
                "no column vec",
            ),
        ];
        for (body, code, text) in cases {
            let e = search_sql("items", &columns(), &request(body.clone())).unwrap_err();
            assert_eq!(e.code, code, "{body}: {e:?}");
            assert!(e.message.contains(text), "{body}: {}", e.message);
        }
        assert!(
            serde_json::from_value::<SearchRequest>(
                serde_json::json!({"vector": [1], "metric": "dot"})
            )
            .is_err()
        );
    }
}
