//! The OpenAPI 3.1 document of the HTTP API: the paths come from the handlers' own
//! `#[utoipa::path]` descriptions as they are routed; this module adds the title, the
//! security schemes (basic and bearer) and the schema of the hand-rendered SQL answer.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use super::HttpState;

/// The JSON answer of `POST /v1/sql` (rendered by `render_result`, described here).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SqlResponse {
    /// The result's columns with their Postgres type names.
    pub columns: Vec<SqlColumn>,
    /// The rows, one array of values per row: jsonb/json values as JSON, numbers as numbers,
    /// timestamps and dates as Postgres prints them.
    pub rows: Vec<Vec<serde_json::Value>>,
    /// Rows in `rows`.
    pub row_count: u64,
    /// True when rows were left out (over `limits.max_result_rows`).
    pub truncated: bool,
}

/// A result column.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SqlColumn {
    /// Column name.
    pub name: String,
    /// Postgres type name (`text`, `jsonb`, `double precision`, …).
    #[serde(rename = "type")]
    #[schema(example = "jsonb")]
    pub type_name: String,
}

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "basic",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Basic)),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "DocFusionDB HTTP API",
        description = "SQL over JSON documents sharded across PostgreSQL. Errors are `{\"error\": {\"code\": SQLSTATE, \"message\", \"detail\"}}` with an HTTP status derived from the SQLSTATE.",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    components(schemas(SqlResponse, SqlColumn)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "sql", description = "Running SQL"),
        (name = "collections", description = "Collections and document loading"),
        (name = "documents", description = "One document by id, with ETags from its version: GET, PUT (create or replace), PATCH (JSON merge patch), DELETE"),
        (name = "status", description = "Liveness, readiness, metrics and this document (no credentials)")
    )
)]
struct ApiDoc;

/// The document before the routes add their paths.
pub fn base() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The finished document as JSON text.
pub fn render(api: utoipa::openapi::OpenApi) -> String {
    // Serialising the document's own types cannot fail; an empty object would show it did.
    api.to_json().unwrap_or_else(|_| "{}".to_string())
}

/// This document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "status",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", content_type = "application/json"))
)]
pub async fn openapi_json(State(state): State<HttpState>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.openapi.as_str().to_owned(),
    )
        .into_response()
}
