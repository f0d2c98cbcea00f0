//! The HTTP API: `POST /v1/sql` runs SQL and answers with JSON rows or an Arrow IPC stream;
//! NDJSON documents are loaded with `POST /v1/collections/{name}/documents`;
//! `POST /v1/collections/{name}/search` finds the nearest documents to a vector ([`search`]);
//! `GET /v1/collections` lists the collections; the document API (one document by id, with
//! ETags, and collections created and described) is in [`documents`]. Those need
//! credentials (basic or bearer).
//! `GET /healthz`, `GET /readyz`, `GET /metrics` and `GET /openapi.json` are open.
//!
//! Every route is registered together with its OpenAPI description (`utoipa-axum`), so the
//! document served at `/openapi.json` cannot miss a route.

mod arrow_stream;
mod bulk_load;
mod credentials;
pub mod documents;
pub mod openapi;
pub mod search;
mod status;

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use datafusion::scalar::ScalarValue;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Authenticator;
use crate::engine::{Engine, QueryOutput};
use crate::error::{SqlError, sqlstate};
use crate::metrics::metrics;
use crate::render::{field_type_name, write_json_string, write_json_value};

pub use arrow_stream::ARROW_STREAM;

/// The label of HTTP in the node's metrics.
const PROTOCOL: &str = "http";

/// Shared state of the HTTP handlers.
#[derive(Clone)]
pub struct HttpState {
    engine: Arc<Engine>,
    /// The OpenAPI document, rendered once.
    openapi: Arc<String>,
}

/// The router of the HTTP API. Serve it with
/// `into_make_service_with_connect_info::<SocketAddr>()` so that `auth.method: trust` can
/// see that a peer is on loopback (without the peer address every request needs credentials).
pub fn router(engine: Arc<Engine>, auth: Arc<Authenticator>) -> Router {
    let max_body = engine.config().limits.max_body_bytes;
    let (routes, api) = documented_routes(auth).split_for_parts();
    let openapi = Arc::new(openapi::render(api));
    routes
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(HttpState { engine, openapi })
}

/// Every route with its OpenAPI description; the `/v1` routes behind the credential check.
fn documented_routes(auth: Arc<Authenticator>) -> OpenApiRouter<HttpState> {
    let protected = OpenApiRouter::new()
        .routes(routes!(sql))
        .routes(routes!(list_collections))
        .routes(documents::metered(routes!(documents::create_collection)))
        .routes(documents::metered(routes!(documents::describe_collection)))
        .routes(routes!(bulk_load::load_documents))
        .routes(routes!(search::search))
        .routes(documents::metered(routes!(
            documents::get_document,
            documents::put_document,
            documents::patch_document,
            documents::delete_document
        )))
        .layer(axum::middleware::from_fn_with_state(
            auth,
            credentials::require_credentials,
        ));
    #[allow(deprecated)] // `/health` stays routed and documented as deprecated
    let open = OpenApiRouter::with_openapi(openapi::base())
        .routes(routes!(status::healthz))
        .routes(routes!(status::health))
        .routes(routes!(status::readyz))
        .routes(routes!(status::metrics_text))
        .routes(routes!(openapi::openapi_json));
    open.merge(protected)
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
        // A write conflict or deadlock: retrying may succeed.
        "40001" | "40P01" => StatusCode::CONFLICT,
        "57014" => StatusCode::REQUEST_TIMEOUT,
        c if c.starts_with("XX") => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    }
}

/// The body of every error answer.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// An error: its SQLSTATE, message and optional detail.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Five-character SQLSTATE, e.g. `42P01`.
    #[schema(example = "42P01")]
    pub code: String,
    /// What went wrong, naming the thing at fault.
    pub message: String,
    /// More detail, when there is some.
    pub detail: Option<String>,
}

pub(crate) struct ApiError(SqlError);

/// The realm clients are asked to authenticate for.
const REALM: &str = "Basic realm=\"docfusiondb\"";

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = http_status(self.0.code);
        error_response(status, self.0)
    }
}

/// The answer for error `e` with HTTP status `status`: an [`ErrorBody`], and the
/// authentication challenge with a 401.
fn error_response(status: StatusCode, e: SqlError) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: e.code.to_string(),
            message: e.message,
            detail: e.detail,
        },
    };
    let mut response = (status, axum::Json(body)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(REALM));
    }
    response
}

impl From<SqlError> for ApiError {
    fn from(e: SqlError) -> Self {
        ApiError(e)
    }
}

/// Body of `POST /v1/sql`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SqlRequest {
    /// SQL text (one or more statements; the last one's rows are returned).
    #[schema(
        example = "SELECT id, doc->>'name' AS name FROM listings WHERE (doc->>'price')::float8 < $1"
    )]
    pub sql: String,
    /// Values for `$1`, `$2`, … (bound, never spliced into the SQL text).
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

/// Records one `POST /v1/sql` statement in the metrics; a request dropped before it finished
/// (the client went away) counts as `canceled`.
struct StatementMetrics {
    started: Instant,
    recorded: bool,
}

impl StatementMetrics {
    fn start() -> Self {
        Self {
            started: Instant::now(),
            recorded: false,
        }
    }

    fn finish<T>(mut self, result: &Result<T, SqlError>) {
        metrics().statement_result(PROTOCOL, result, self.started.elapsed());
        self.recorded = true;
    }
}

impl Drop for StatementMetrics {
    fn drop(&mut self) {
        if !self.recorded {
            metrics().statement(PROTOCOL, "canceled", self.started.elapsed());
        }
    }
}

/// Runs SQL: the rows come back as JSON, or as an Arrow IPC stream when the `Accept` header
/// asks for `application/vnd.apache.arrow.stream`.
#[utoipa::path(
    post,
    path = "/v1/sql",
    tag = "sql",
    request_body = SqlRequest,
    security(("basic" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The rows of the last statement. JSON by default; an Arrow IPC stream (jsonb columns are Utf8 with field metadata `docfusion.pg_type=jsonb`) when `Accept` names it. Arrow answers carry `X-DocFusion-Row-Count` and `X-DocFusion-Truncated`.",
            content(
                (openapi::SqlResponse = "application/json"),
                ("application/vnd.apache.arrow.stream")
            )),
        (status = 400, description = "Bad SQL or request body (SQLSTATE 42601, 08P01, 22xxx, ...)", body = ErrorBody),
        (status = 401, description = "Missing or wrong credentials (SQLSTATE 28000 or 28P01)", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "Basic realm=\"docfusiondb\""))),
        (status = 404, description = "Unknown table (SQLSTATE 42P01)", body = ErrorBody),
        (status = 408, description = "Statement canceled or timed out (SQLSTATE 57014)", body = ErrorBody),
        (status = 429, description = "Over the plan's hard limit (SQLSTATE 53400)", body = ErrorBody),
        (status = 503, description = "A shard is unavailable (SQLSTATE 08xxx, 53xxx)", body = ErrorBody),
    )
)]
async fn sql(
    State(state): State<HttpState>,
    headers: HeaderMap,
    body: Result<axum::Json<SqlRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let statement = StatementMetrics::start();
    let result = run_sql(&state.engine, &headers, body).await;
    statement.finish(&result);
    let answer = result?;
    metrics().returned(PROTOCOL, answer.rows as u64, answer.bytes as u64);
    Ok(answer.response)
}

/// A rendered answer of `POST /v1/sql` and what it holds, for the metrics.
struct SqlAnswer {
    response: Response,
    rows: usize,
    bytes: usize,
}

async fn run_sql(
    engine: &Engine,
    headers: &HeaderMap,
    body: Result<axum::Json<SqlRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<SqlAnswer, SqlError> {
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
    let out = engine
        .execute(&engine.session(), &request.sql, &params)
        .await?;
    let max_rows = engine.config().limits.max_result_rows;
    if arrow_stream::accepts_arrow_stream(headers) {
        let stream = arrow_stream::encode(&out, max_rows)?;
        let (rows, bytes) = (stream.rows, stream.bytes.len());
        let response = (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(ARROW_STREAM)),
                (
                    arrow_stream::ROW_COUNT_HEADER,
                    HeaderValue::from(stream.rows),
                ),
                (
                    arrow_stream::TRUNCATED_HEADER,
                    HeaderValue::from_static(if stream.truncated { "true" } else { "false" }),
                ),
            ],
            stream.bytes,
        )
            .into_response();
        return Ok(SqlAnswer {
            response,
            rows,
            bytes,
        });
    }
    let body = render_result(&out, max_rows);
    let rows = if max_rows > 0 {
        out.row_count().min(max_rows)
    } else {
        out.row_count()
    };
    let bytes = body.len();
    let response = ([(header::CONTENT_TYPE, "application/json")], body).into_response();
    Ok(SqlAnswer {
        response,
        rows,
        bytes,
    })
}

/// Lists the collections and relational tables.
#[utoipa::path(
    get,
    path = "/v1/collections",
    tag = "collections",
    security(("basic" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The collections and tables", body = CollectionList),
        (status = 401, description = "Missing or wrong credentials (SQLSTATE 28000 or 28P01)", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "Basic realm=\"docfusiondb\""))),
        (status = 503, description = "A shard is unavailable", body = ErrorBody),
    )
)]
async fn list_collections(State(state): State<HttpState>) -> Result<Response, ApiError> {
    state.engine.catalog().refresh().await?;
    let names = datafusion::catalog::SchemaProvider::table_names(state.engine.catalog().as_ref());
    let collections = names
        .iter()
        .filter_map(|n| state.engine.catalog().table_info(n))
        .map(|t| CollectionEntry {
            name: t.name.clone(),
            kind: match t.kind {
                crate::catalog::TableKind::Collection => "collection",
                crate::catalog::TableKind::Relational => "table",
            }
            .to_string(),
        })
        .collect();
    Ok(axum::Json(CollectionList { collections }).into_response())
}

/// Answer of `GET /v1/collections`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CollectionList {
    /// Collections and tables, by name.
    pub collections: Vec<CollectionEntry>,
}

/// One collection or table.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CollectionEntry {
    /// Its name.
    pub name: String,
    /// `collection` (documents) or `table` (relational).
    #[schema(example = "collection")]
    pub kind: String,
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use datafusion::arrow::array::{Float64Array, StringArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::arrow::record_batch::RecordBatch;
    use docfusion_types::NodeConfig;

    use super::*;

    fn trust() -> Arc<Authenticator> {
        let config = NodeConfig::from_yaml("auth:\n  method: trust\n").unwrap();
        Arc::new(Authenticator::from_config(&config).unwrap().0)
    }

    #[test]
    fn every_route_is_documented_and_v1_routes_need_credentials() {
        let api = documented_routes(trust()).into_openapi();
        let doc: serde_json::Value = serde_json::from_str(&openapi::render(api)).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        let mut routes = BTreeMap::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                routes.insert((method.clone(), path.clone()), operation.clone());
            }
        }
        let expected: BTreeSet<(String, String)> = [
            ("get", "/healthz"),
            ("get", "/health"),
            ("get", "/readyz"),
            ("get", "/metrics"),
            ("get", "/openapi.json"),
            ("post", "/v1/sql"),
            ("get", "/v1/collections"),
            ("post", "/v1/collections/{name}/documents"),
            ("post", "/v1/collections/{name}/search"),
            ("post", "/v1/collections"),
            ("get", "/v1/collections/{name}"),
            ("get", "/v1/collections/{name}/documents/{id}"),
            ("put", "/v1/collections/{name}/documents/{id}"),
            ("patch", "/v1/collections/{name}/documents/{id}"),
            ("delete", "/v1/collections/{name}/documents/{id}"),
        ]
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
        assert_eq!(routes.keys().cloned().collect::<BTreeSet<_>>(), expected);
        for ((_, path), operation) in &routes {
            let secured = operation.get("security").is_some();
            assert_eq!(secured, path.starts_with("/v1/"), "{path}: {operation}");
        }
        let schemes = &doc["components"]["securitySchemes"];
        assert_eq!(schemes["basic"]["scheme"], "basic");
        assert_eq!(schemes["bearer"]["scheme"], "bearer");
        assert_eq!(
            routes[&("get".into(), "/health".into())]["deprecated"],
            true
        );
        // The document API documents its statuses and headers.
        let put = &routes[&("put".into(), "/v1/collections/{name}/documents/{id}".into())];
        let statuses: BTreeSet<&str> = put["responses"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            statuses,
            BTreeSet::from([
                "200", "201", "400", "401", "404", "412", "413", "415", "503"
            ])
        );
        assert!(
            put["responses"]["200"]["headers"].get("ETag").is_some(),
            "{put}"
        );
        assert!(
            put["responses"]["401"]["headers"]
                .get("WWW-Authenticate")
                .is_some(),
            "{put}"
        );
        let header_params: BTreeSet<&str> = put["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["in"] == "header")
            .filter_map(|p| p["name"].as_str())
            .collect();
        assert_eq!(header_params, BTreeSet::from(["If-Match", "If-None-Match"]));
        let sql_ok = &routes[&("post".into(), "/v1/sql".into())]["responses"]["200"]["content"];
        assert!(sql_ok.get(ARROW_STREAM).is_some(), "{sql_ok}");
        assert_eq!(
            sql_ok["application/json"]["schema"]["$ref"],
            "#/components/schemas/SqlResponse"
        );
    }

    #[test]
    fn the_json_answer_matches_its_documented_schema() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("name", DataType::Utf8, true),
            Field::new("price", DataType::Float64, true),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(StringArray::from(vec![Some("Flat"), None])),
                Arc::new(Float64Array::from(vec![Some(80.5), Some(12.0)])),
            ],
        )
        .unwrap();
        let out = QueryOutput {
            schema,
            batches: vec![batch],
            rows_scanned: 0,
            cpu_nanos: 0,
            bytes_scanned: 0,
        };
        let answer: openapi::SqlResponse = serde_json::from_str(&render_result(&out, 1)).unwrap();
        assert_eq!(answer.columns[1].type_name, "double precision");
        assert_eq!(
            answer.rows,
            vec![vec![serde_json::json!("Flat"), 80.5.into()]]
        );
        assert_eq!((answer.row_count, answer.truncated), (1, true));
    }

    #[test]
    fn auth_errors_are_401_and_shard_errors_503() {
        assert_eq!(http_status("28P01"), StatusCode::UNAUTHORIZED);
        assert_eq!(http_status("28000"), StatusCode::UNAUTHORIZED);
        assert_eq!(http_status("08001"), StatusCode::SERVICE_UNAVAILABLE);
        let response = ApiError(SqlError::new("28000", "authentication required")).into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], REALM);
    }
}
