//! `POST /v1/collections/{name}/documents`: an NDJSON body loaded into a collection as one
//! transaction across the shards, parsed as it streams in (the body is never held whole).

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiError, ErrorBody, HttpState};
use crate::error::{SqlError, sqlstate};
use crate::load::{Format, Ingest, SkippedLine};

/// Query parameters of the load endpoint.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LoadParams {
    /// Field holding the document id (default `id`; a UUIDv7 is generated where absent).
    #[serde(default = "default_id_field")]
    pub id_field: String,
    /// Line number of the body's first line, for error messages of chunked loads (default 1).
    #[serde(default = "default_first_line")]
    pub first_line: u64,
    /// Skip bad lines (reported in `skipped`) instead of rejecting the body (default false).
    #[serde(default)]
    pub skip_bad: bool,
}

fn default_id_field() -> String {
    "id".to_string()
}

fn default_first_line() -> u64 {
    1
}

/// Answer of the load endpoint.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LoadReport {
    /// The collection.
    pub collection: String,
    /// True when this request created it.
    pub created: bool,
    /// Documents inserted.
    pub inserted: u64,
    /// Documents inserted per shard name.
    pub per_shard: std::collections::BTreeMap<String, u64>,
    /// With `skip_bad=true`: the lines skipped, with reasons (at most 1000 are listed).
    #[serde(default)]
    pub skipped: Vec<SkippedLine>,
    /// With `skip_bad=true`: how many lines were skipped in all.
    #[serde(default)]
    pub skipped_count: u64,
}

/// Loads NDJSON documents (one object per line) into a collection, creating it if needed.
/// The body is one transaction across the shards: a bad line rejects the whole body and
/// names the line, unless `skip_bad=true`.
#[utoipa::path(
    post,
    path = "/v1/collections/{name}/documents",
    tag = "collections",
    params(
        ("name" = String, Path, description = "Collection name (lower case letters, digits, _)"),
        LoadParams
    ),
    request_body(content = String, content_type = "application/x-ndjson", description = "One JSON object per line"),
    security(("basic" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Documents loaded", body = LoadReport),
        (status = 400, description = "A bad line (22P02 etc., its number in the message), a bad collection name (42602) or a duplicate id (23505); nothing of the body is written", body = ErrorBody),
        (status = 401, description = "Missing or wrong credentials (SQLSTATE 28000 or 28P01)", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "Basic realm=\"docfusiondb\""))),
        (status = 501, description = "The name is a relational table, not a collection (0A000)", body = ErrorBody),
        (status = 503, description = "A shard is unavailable; nothing of the body is written", body = ErrorBody),
    )
)]
pub(super) async fn load_documents(
    State(state): State<HttpState>,
    Path(name): Path<String>,
    params: Result<Query<LoadParams>, axum::extract::rejection::QueryRejection>,
    body: axum::body::Body,
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
    crate::load::ingest::check_target(engine, &name).await?;
    let ingest = Ingest::new(
        engine.shards(),
        &name,
        Format::Ndjson,
        &params.id_field,
        params.first_line,
        params.skip_bad,
    );
    let chunks = body.into_data_stream().map(|chunk| {
        chunk.map_err(|e| {
            SqlError::new(
                sqlstate::PROTOCOL_VIOLATION,
                format!("cannot read the request body: {e}"),
            )
        })
    });
    let report = crate::load::ingest::load_stream(engine, ingest, chunks).await?;
    Ok(axum::Json(LoadReport {
        collection: name,
        created,
        inserted: report.written.inserted,
        per_shard: report.written.per_shard,
        skipped: report.skipped,
        skipped_count: report.skipped_count,
    })
    .into_response())
}
