//! The HTTP API: `POST /v1/sql` runs SQL and returns rows as JSON; NDJSON documents are
//! loaded with `POST /v1/collections/{name}/documents`; `GET /v1/collections` lists the
//! collections; `GET /health` answers while the node is up.

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use datafusion::scalar::ScalarValue;
use serde::Deserialize;

use crate::engine::{Engine, QueryOutput};
use crate::error::{SqlError, sqlstate};
use crate::render::{field_type_name, write_json_string, write_json_value};

/// Shared state of the HTTP handlers.
#[derive(Clone)]
pub struct HttpState {
    engine: Arc<Engine>,
}

/// The router of the HTTP API.
pub fn router(engine: Arc<Engine>) -> Router {
    let max_body = engine.config().limits.max_body_bytes;
    Router::new()
        .route("/health", get(health))
        .route("/v1/sql", post(sql))
        .route("/v1/collections", get(list_collections))
        .route("/v1/collections/{name}/documents", post(load_documents))
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(HttpState { engine })
}

/// The HTTP status for a SQLSTATE.
pub fn http_status(code: &str) -> StatusCode {
    match code {
        "42P01" => StatusCode::NOT_FOUND,
        // A malformed request body: the client's fault, not an unavailable server.
        "08P01" => StatusCode::BAD_REQUEST,
        c if c.starts_with("28") => StatusCode::UNAUTHORIZED,
        "53400" => StatusCode::TOO_MANY_REQUESTS,
        c if c.starts_with("53") || c.starts_with("08") => StatusCode::SERVICE_UNAVAILABLE,
        "0A000" => StatusCode::NOT_IMPLEMENTED,
        "57014" => StatusCode::REQUEST_TIMEOUT,
        c if c.starts_with("XX") => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    }
}

struct ApiError(SqlError);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let body = serde_json::json!({
            "error": { "code": e.code, "message": e.message, "detail": e.detail }
        });
        (http_status(e.code), axum::Json(body)).into_response()
    }
}

impl From<SqlError> for ApiError {
    fn from(e: SqlError) -> Self {
        ApiError(e)
    }
}

async fn health(State(state): State<HttpState>) -> impl IntoResponse {
    axum::Json(serde_json::json!({
        "status": "ok",
        "shards": state.engine.shards().len(),
    }))
}

/// Body of `POST /v1/sql`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqlRequest {
    /// SQL text (one or more statements; the last one's rows are returned).
    pub sql: String,
    /// Values for `$1`, `$2`, ….
    #[serde(default)]
    pub params: Vec<serde_json::Value>,
}

/// Converts a JSON parameter into a SQL value.
pub fn param_value(index: usize, v: &serde_json::Value) -> Result<ScalarValue, SqlError> {
    Ok(match v {
        serde_json::Value::Null => ScalarValue::Null,
        serde_json::Value::Bool(b) => ScalarValue::Boolean(Some(*b)),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => ScalarValue::Int64(Some(i)),
            None => ScalarValue::Float64(Some(n.as_f64().ok_or_else(|| {
                SqlError::new(
                    sqlstate::INVALID_PARAMETER_VALUE,
                    format!("parameter ${}: number {n} is out of range", index + 1),
                )
            })?)),
        },
        serde_json::Value::String(s) => ScalarValue::Utf8(Some(s.clone())),
        // Objects and arrays are passed as their JSON text (cast with ::jsonb in SQL).
        other => ScalarValue::Utf8(Some(other.to_string())),
    })
}

/// Renders a query result as the JSON body of `POST /v1/sql`.
pub fn render_result(out: &QueryOutput, max_rows: usize) -> String {
    let mut s = String::from("{\"columns\":[");
    for (i, f) in out.schema.fields().iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str("{\"name\":");
        write_json_string(&mut s, f.name());
        s.push_str(",\"type\":");
        write_json_string(&mut s, &field_type_name(f));
        s.push('}');
    }
    s.push_str("],\"rows\":[");
    let mut written = 0usize;
    let total = out.row_count();
    'batches: for batch in &out.batches {
        for row in 0..batch.num_rows() {
            if max_rows > 0 && written >= max_rows {
                break 'batches;
            }
            if written > 0 {
                s.push(',');
            }
            s.push('[');
            for (c, column) in batch.columns().iter().enumerate() {
                if c > 0 {
                    s.push(',');
                }
                write_json_value(&mut s, batch.schema().field(c), column.as_ref(), row);
            }
            s.push(']');
            written += 1;
        }
    }
    s.push_str(&format!(
        "],\"row_count\":{written},\"truncated\":{}}}",
        written < total
    ));
    s
}

async fn sql(
    State(state): State<HttpState>,
    body: Result<axum::Json<SqlRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let axum::Json(request) = body.map_err(|e| {
        SqlError::new(
            sqlstate::PROTOCOL_VIOLATION,
            format!("invalid request body: {}", e.body_text()),
        )
    })?;
    let params = request
        .params
        .iter()
        .enumerate()
        .map(|(i, v)| param_value(i, v))
        .collect::<Result<Vec<_>, _>>()?;
    let engine = &state.engine;
    let out = engine
        .execute(&engine.session(), &request.sql, &params)
        .await?;
    let body = render_result(&out, engine.config().limits.max_result_rows);
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

async fn list_collections(State(state): State<HttpState>) -> Result<Response, ApiError> {
    state.engine.catalog().refresh().await?;
    let names = datafusion::catalog::SchemaProvider::table_names(state.engine.catalog().as_ref());
    let collections: Vec<serde_json::Value> = names
        .iter()
        .filter_map(|n| state.engine.catalog().table_info(n))
        .map(|t| {
            serde_json::json!({
                "name": t.name,
                "kind": match t.kind {
                    crate::catalog::TableKind::Collection => "collection",
                    crate::catalog::TableKind::Relational => "table",
                },
            })
        })
        .collect();
    Ok(axum::Json(serde_json::json!({ "collections": collections })).into_response())
}

/// Query parameters of the load endpoint.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadParams {
    /// Field holding the document id (default `id`).
    #[serde(default = "default_id_field")]
    pub id_field: String,
    /// Line number of the body's first line, for error messages of chunked loads.
    #[serde(default = "default_first_line")]
    pub first_line: u64,
}

fn default_id_field() -> String {
    "id".to_string()
}

fn default_first_line() -> u64 {
    1
}

async fn load_documents(
    State(state): State<HttpState>,
    Path(name): Path<String>,
    params: Result<Query<LoadParams>, axum::extract::rejection::QueryRejection>,
    body: String,
) -> Result<Response, ApiError> {
    let Query(params) = params.map_err(|e| {
        SqlError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            format!("invalid query string: {}", e.body_text()),
        )
    })?;
    let engine = &state.engine;
    let created = crate::load::create_collection(engine.shards(), &name).await?;
    if created {
        engine.catalog().refresh().await?;
    }
    let report = crate::load::load_ndjson(
        engine.shards(),
        &name,
        &body,
        &params.id_field,
        params.first_line,
    )
    .await?;
    Ok(axum::Json(serde_json::json!({
        "collection": name,
        "created": created,
        "inserted": report.inserted,
        "per_shard": report.per_shard,
    }))
    .into_response())
}
